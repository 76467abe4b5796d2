"""People from ``ssd_person`` with the identifiers the SSD holds anywhere.

- Date of birth: ``pers_dob``, else ``pers_expected_dob`` (SystemC leaves
  ``pers_dob`` null when the date is estimated and puts it there), kept as
  the text given so the mapping parses it like any source's and a value that
  is not a date is a field fault naming its row, not a silent blank.
- NHS number: ``pers_single_unique_id`` (v1.4; Eclipse fills it with the NHS
  number), ``pers_common_child_id`` (before v1.4), else an 'NHS Number' row of
  ``ssd_linked_identifiers`` (how a council adds them to SystemC's build).
- UPN: ``pers_upn``, else a 'Unique Pupil Number' row that has a value.
- Linked identifiers no longer valid (``link_valid_to_date`` before the extract
  date) and former ones are not used; among the rest the newest comes first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from sources import fields

_NONE = pl.lit(None, pl.String)


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else _NONE


def people(person: pl.DataFrame, fmt: str) -> pl.DataFrame:
    """One row per ssd_person row: ``__row`` (its row), ids, names and dates."""
    dob = pl.coalesce(
        fields.text(_col(person, "pers_dob"), pl.String),
        fields.text(_col(person, "pers_expected_dob"), pl.String),
    )
    died = fields.date_value(_col(person, "pers_death_date"), pl.String, fmt)
    sex = [_col(person, c) for c in ("pers_sex", "pers_gender")]
    return person.with_row_index("__row", offset=1).select(
        pl.col("__row").cast(pl.Int64),
        "pers_person_id",
        first_name="pers_forename",
        last_name="pers_surname",
        dob=dob,
        sex=pl.coalesce(*(fields.sex(s) for s in sex), *sex),
        own_nhs=pl.coalesce(
            _col(person, "pers_single_unique_id"), _col(person, "pers_common_child_id")
        ),
        own_upn=_col(person, "pers_upn"),
        died=died,
    )


def _kind(expr: pl.Expr, nhs: bool) -> pl.Expr:
    kind = expr.str.to_lowercase().str.strip_chars()
    current = ~kind.str.contains("former")
    if nhs:
        return current & kind.str.contains("nhs")
    return current & (kind.str.contains("unique pupil") | (kind == "upn"))


def linked_ids(linked: pl.DataFrame, fmt: str, as_of: date) -> pl.DataFrame:
    """Per person: the newest valid NHS number and UPN with a value in
    ssd_linked_identifiers (``link_nhs``, ``link_upn``)."""
    start = fields.date_value(_col(linked, "link_valid_from_date"), pl.String, fmt)
    end = fields.date_value(_col(linked, "link_valid_to_date"), pl.String, fmt)
    value = pl.col("link_identifier_value").str.strip_chars()
    valid = (end.is_null() | (end >= pl.lit(as_of))) & (
        start.is_null() | (start <= pl.lit(as_of))
    )
    rows = linked.filter(value.is_not_null() & (value != "") & valid)
    rows = rows.with_columns(__from=start, __value=value).sort(
        "__from", descending=True, nulls_last=True, maintain_order=True
    )
    kind = pl.col("link_identifier_type")
    # the check digit is worked out per row, before grouping: inside an
    # aggregation polars evaluates it once per person (seconds per 10k people)
    nhs = _best(rows.filter(_kind(kind, nhs=True)), fields.nhs_number, "link_nhs")
    upn = _best(rows.filter(_kind(kind, nhs=False)), fields.upn, "link_upn")
    people = pl.concat(
        [nhs.select("link_person_id"), upn.select("link_person_id")]
    ).unique(maintain_order=True)
    return people.join(nhs, on="link_person_id", how="left").join(
        upn, on="link_person_id", how="left"
    )


def _best(
    rows: pl.DataFrame, check: Callable[[pl.Expr], pl.Expr], name: str
) -> pl.DataFrame:
    """Per person, the newest value that passes ``check``; else the newest one,
    so a bad value still counts as a field fault rather than vanishing."""
    checked = rows.with_columns(__ok=check(pl.col("__value")))
    # stable: valid values first, each part still newest first
    checked = checked.sort(pl.col("__ok").is_null(), maintain_order=True)
    return checked.group_by("link_person_id", maintain_order=True).agg(
        pl.coalesce(pl.col("__ok").first(), pl.col("__value").first()).alias(name)
    )


def with_identifiers(
    persons: pl.DataFrame, linked: pl.DataFrame | None, fmt: str, as_of: date
) -> pl.DataFrame:
    """``persons`` with ``nhs_number`` and ``upn`` from every place the SSD
    holds them: the person's own columns when valid, else the linked rows."""
    if linked is None:
        return persons.with_columns(nhs_number="own_nhs", upn="own_upn").drop(
            "own_nhs", "own_upn"
        )
    ids = linked_ids(linked, fmt, as_of).rename({"link_person_id": "pers_person_id"})
    out = persons.join(ids, on="pers_person_id", how="left", maintain_order="left")
    own_nhs, own_upn = (
        fields.nhs_number(pl.col("own_nhs")),
        fields.upn(pl.col("own_upn")),
    )
    return out.with_columns(
        nhs_number=pl.coalesce(
            pl.when(own_nhs.is_not_null()).then("own_nhs"), "link_nhs", "own_nhs"
        ),
        upn=pl.coalesce(
            pl.when(own_upn.is_not_null()).then("own_upn"), "link_upn", "own_upn"
        ),
    ).drop("own_nhs", "own_upn", "link_nhs", "link_upn")
