"""What most extracts share, driven by a small declaration per service.

A service's episodes become rows as it recorded them (each person's true details
on the day, that service's errors, a lead professional from its workforce),
then its columns under the names its ``SourceSpec`` maps, numbered in date
order. A service module keeps what is its own: whom it selects, its column
names and layout, and its quirks (``own`` columns and where they stand).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import numpy as np
import polars as pl

from synthetic.common import finish, noisy, sex_text, with_staff
from synthetic.noise import Noise
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec
from synthetic.text import date_text
from synthetic.world import REF_DATE, World
from synthetic.writer import Extract

#: Mapped field -> the working column holding it (dates aside).
_PLAIN = {
    "case_number": "case_number",
    "first_name": "first_name",
    "last_name": "last_name",
    "previous_names": "previous_name",
    "nhs_number": "nhs",
    "upn": "upn",
    "address": "address",
    "postcode": "postcode",
    "lead_name": "lead_name",
    "lead_role": "lead_role",
    "lead_team": "lead_team",
    "lead_phone": "lead_phone",
    "lead_email": "lead_email",
}
#: Mapped date field -> the working column holding it.
_DATES = {
    "dob": "dob",
    "involvement_start": "start",
    "involvement_end": "end",
    "last_contact": "contact",
}


def dated(spec: SourceSpec, ref: date) -> SourceSpec:
    """``spec`` with its dates moved as far as ``ref`` is from ``REF_DATE``."""
    shift = ref - REF_DATE
    return replace(
        spec,
        extract_date=spec.extract_date + shift,
        coverage_from=spec.coverage_from + shift,
    )


@dataclass(frozen=True)
class Service:
    """One service's extract, errors and workforce, and how it writes rows."""

    spec: SourceSpec  # dates as at REF_DATE; ``at`` moves them
    noise: Noise
    staff: StaffSpec
    record_prefix: str  # record ids: this prefix and a number, in date order
    per: int = 30  # about one lead professional per this many rows
    by: str = ""  # column whose groups share a lead; "" for each episode
    address: str = "canonical"  # address style (``common.address_style``)
    dates: Literal["date", "datetime", "text"] = "date"  # text: spec.date_format
    sex: Literal["letter", "word", "nhs"] = "word"

    def at(self, ref: date) -> Service:
        """This service in a world whose reference date is ``ref``."""
        return replace(self, spec=dated(self.spec, ref))

    def recorded(
        self, world: World, episodes: pl.DataFrame, when: str = "start"
    ) -> tuple[pl.DataFrame, np.random.Generator]:
        """Rows with details as on ``when``, with errors and a lead professional,
        and the generator for the service's own columns."""
        name = self.spec.name
        rows = noisy(world, episodes, when, self.noise, name, self.address)
        rows = with_staff(world, rows, name, self.staff, self.per, self.by)
        return rows, world.rng(name + ":rows")

    def columns(
        self, own: dict[str, pl.Expr], after: dict[str, str] | None = None
    ) -> dict[str, pl.Expr]:
        """The file's columns: the spec's mapped names in its order, each
        ``own[name]`` or else the common column of its field; then each column
        of ``after`` moved (or added) right after the one it names."""
        common: dict[str, pl.Expr | None] = {}
        for field, name in self.spec.columns.items():
            common.setdefault(name, self._common(field))
        order, problems = _placed(list(common), after or {})
        bare = [n for n in order if n not in own and common.get(n) is None]
        stray = [n for n in own if n not in order]
        problems += [f"no expression for {n!r}" for n in bare]
        problems += [f"{n!r} is neither mapped nor placed" for n in stray]
        if problems:
            raise ValueError(f"columns of {self.spec.name}: " + "; ".join(problems))
        return {n: own[n] if n in own else common[n] for n in order}

    def _common(self, field: str) -> pl.Expr | None:
        if field == "record_id":
            return pl.lit("")  # numbered by ``finish``
        if field == "sex":
            return sex_text(self.sex)
        if field in _PLAIN:
            return pl.col(_PLAIN[field])
        if field not in _DATES:
            return None
        column = pl.col(_DATES[field])
        if self.dates == "text":
            return date_text(column, self.spec.date_format)
        return column.cast(pl.Datetime("us")) if self.dates == "datetime" else column

    def laid_out(
        self,
        rows: pl.DataFrame,
        own: dict[str, pl.Expr],
        after: dict[str, str] | None = None,
    ) -> pl.DataFrame:
        """The columns to write, plus the true person and the sort date."""
        return rows.select(**self.columns(own, after), __pid="pid", __sort="start")

    def numbered(self, rng: np.random.Generator, rows: pl.DataFrame) -> Extract:
        """Rows in date order numbered into the record id column, as an extract."""
        id_column = self.spec.columns["record_id"]
        return finish(self.spec, rng, rows, self.record_prefix, id_column)

    def written(
        self,
        rng: np.random.Generator,
        rows: pl.DataFrame,
        own: dict[str, pl.Expr],
        after: dict[str, str] | None = None,
    ) -> Extract:
        """``laid_out`` then ``numbered``."""
        return self.numbered(rng, self.laid_out(rows, own, after))


def _placed(order: list[str], after: dict[str, str]) -> tuple[list[str], list[str]]:
    """``order`` with each column of ``after`` moved (or added) right after the
    one it names, and a problem for each it cannot follow (put last)."""
    problems = []
    for name, anchor in after.items():
        if name in order:
            order.remove(name)
        if anchor in order:
            order.insert(order.index(anchor) + 1, name)
        else:
            problems.append(f"{name!r} cannot follow {anchor!r}: no such column")
            order.append(name)
    return order, problems
