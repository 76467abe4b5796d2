"""Helpers every extract builder uses: true details as at a date, with noise,
addresses in a system's style, ages, and record ordering."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from synthetic.noise import Noise, add_noise, profiled
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec, assign_staff, staff_pool
from synthetic.text import fold, fold_table
from synthetic.timeline import as_at
from synthetic.world import World
from synthetic.writer import Extract, single_table

#: Share of records made after a change of surname that carry the one before.
TOLD = 0.8


def address_style(style: str) -> pl.Expr:
    """One address line from the parts, as a given system writes it."""
    flat = pl.when(pl.col("flat").is_not_null()).then(pl.col("flat") + ", ")
    flat = flat.otherwise(pl.lit(""))
    if style == "canonical":
        return pl.col("address")
    if style == "upper":
        return pl.col("address").str.to_uppercase()
    if style == "abbrev":
        return flat + pl.col("house_no") + " " + pl.col("street_abbrev")
    if style == "street":
        return flat + pl.col("house_no") + " " + pl.col("street") + ", Stockport"
    raise ValueError(f"unknown address style {style}")


def noisy(
    world: World,
    frame: pl.DataFrame,
    when: str,
    noise: Noise,
    component: str,
    address: str = "canonical",
) -> pl.DataFrame:
    """True details of ``pid`` on the date in ``when``, then that source's errors.

    ``previous_name``: the surname the person had before, where it has changed
    and the service was told (most of the time); a source that records it maps
    the field ``previous_names``."""
    frame = as_at(world, frame, when)
    frame = frame.with_columns(address=address_style(address))
    told = world.rng(component + ":told")  # its own stream: the rest is unchanged
    frame = frame.with_columns(
        previous_name=pl.when(pl.Series(told.random(frame.height)) < TOLD).then(
            "known_before"
        )
    ).drop("known_before")
    rng = world.rng(component + ":noise")
    noise = profiled(noise, world.noise, component)
    return add_noise(rng, frame, noise, world.bank, world.ref)


def family_home() -> pl.Expr:
    """The household a person's family is based in: a non-resident parent's is
    the children's (``base_hid``), everyone else's their own (``hid``)."""
    return pl.when(pl.col("role") == "NRP").then("base_hid").otherwise("hid")


def order_and_number(
    rng: np.random.Generator,
    frame: pl.DataFrame,
    by: str,
    prefix: str,
    start: int = 100_001,
) -> pl.DataFrame:
    """Sort rows by ``by`` (ties at random) and number them as ``__record_id``."""
    frame = frame.with_columns(__order=pl.Series(rng.random(frame.height)))
    frame = frame.sort(by, "__order", nulls_last=True)
    return frame.with_columns(__record_id=serials(prefix, start)).drop("__order")


def serials(prefix: str, start: int) -> pl.Expr:
    """``prefix`` and a number counting up from ``start``, one per row."""
    return pl.format(prefix + "{}", pl.int_range(start, start + pl.len()))


def group_refs(
    rng: np.random.Generator,
    rows: pl.DataFrame,
    key: str,
    prefix: str,
    start: int = 100_000,
) -> pl.Series:
    """A random, distinct reference (``prefix`` + number) per distinct ``key``."""
    keys = rows.select(pl.col(key).unique().drop_nulls().sort())
    numbers = start + rng.permutation(max(3 * keys.height, 1000))[: keys.height]
    keys = keys.with_columns(__ref=pl.format(prefix + "{}", pl.Series(numbers)))
    out = rows.select(key).join(keys, on=key, how="left", maintain_order="left")
    return out["__ref"]


def per_person_ids(
    rng: np.random.Generator, rows: pl.DataFrame, prefix: str
) -> pl.Series:
    """A stable local id for each person (``pid``) in ``rows``."""
    return group_refs(rng, rows, "pid", prefix, start=200_000)


def fold_names(frame: pl.DataFrame, keep: str, cols: tuple[str, ...]) -> pl.DataFrame:
    """Fold accents a system cannot store (``keep`` = "none" or "cp1252")."""
    texts: list[str] = []
    for c in cols:
        texts += frame[c].drop_nulls().unique().to_list()
    table = fold_table(texts, keep)
    return frame.with_columns(fold(pl.col(c), table) for c in cols)


def sex_text(style: str) -> pl.Expr:
    """The sex column as a system writes it: letter, word or NHS code."""
    words = {
        "letter": {"F": "F", "M": "M"},
        "word": {"F": "Female", "M": "Male"},
        "nhs": {"F": "2", "M": "1"},
    }[style]
    missing = {"letter": "U", "word": "Not known", "nhs": "9"}[style]
    return pl.col("sex").replace_strict(words, default=pl.lit(missing))


def staff_for(
    world: World, component: str, staff: StaffSpec, rows: int, per: int
) -> pl.DataFrame:
    """A pool of about one worker per ``per`` rows (at least 4, at most 100)."""
    size = max(4, min(100, rows // per))
    return staff_pool(world.rng(component + ":staff"), world.bank, staff, size)


def with_staff(
    world: World,
    rows: pl.DataFrame,
    component: str,
    staff: StaffSpec,
    per: int = 30,
    by: str = "",
) -> pl.DataFrame:
    """Give each episode (or each ``by`` group) a lead professional from
    ``staff_for`` the rows."""
    pool = staff_for(world, component, staff, rows.height, per)
    if not by:
        by = "__episode"
        rows = rows.with_columns(__episode=pl.format("{}-{}", "pid", "episode"))
    out = assign_staff(world.rng(component + ":assign"), rows, pool, by=by)
    return out.drop("__episode", strict=False)


def choice(
    rng: np.random.Generator,
    options: tuple[str, ...],
    n: int,
    p: list[float] | None = None,
) -> pl.Series:
    """``n`` random picks from ``options`` (weights ``p``)."""
    return pl.Series(
        np.array(options)[rng.choice(len(options), n, p=p)], dtype=pl.String
    )


def finish(
    spec: SourceSpec,
    rng: np.random.Generator,
    rows: pl.DataFrame,
    prefix: str,
    id_column: str,
) -> Extract:
    """Order rows by ``__sort``, number them into ``id_column``, and wrap up."""
    rows = order_and_number(rng, rows, "__sort", prefix)
    rows = rows.with_columns(pl.col("__record_id").alias(id_column)).drop("__sort")
    return single_table(spec, rows)


def spaced_nhs() -> pl.Expr:
    """The NHS number as people write it: 999 123 4567."""
    return pl.col("nhs").str.replace(r"^(\d{3})(\d{3})(\d{4})$", "$1 $2 $3")


def last_contact(
    rng: np.random.Generator, rows: pl.DataFrame, extract: date
) -> pl.Series:
    """A date of most recent contact inside each episode."""
    stop = pl.coalesce("end", pl.lit(extract))
    span = rows.select((stop - pl.col("start")).dt.total_days()).to_series()
    offset = (pl.Series(rng.random(rows.height)) * span).cast(pl.Int64)
    return rows.select(pl.col("start") + pl.duration(days=offset)).to_series()


def with_last_contact(
    world: World, rows: pl.DataFrame, spec: SourceSpec
) -> pl.DataFrame:
    """``rows`` with a last contact inside each episode (``contact``), drawn from
    the source's own generator so the other columns stay as they were."""
    rng = world.rng(f"{spec.name}:contact")
    return rows.with_columns(contact=last_contact(rng, rows, spec.extract_date))
