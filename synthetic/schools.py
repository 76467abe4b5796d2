"""Schools, pupils' current school and their UPNs (Unique Pupil Numbers).

A UPN is allocated when a child first starts school: LA number, the school's
establishment number, the two-digit year, a serial within that school and year,
and the DfE check letter in front. The LA number is Stockport's (356); the
establishment numbers (9001 onwards) are invented.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from sources.identifiers import upn_check_letters

LA_NUMBER = 356
#: Phase name, youngest and oldest age (exclusive) at the reference date.
PHASES = (
    ("Primary School", 4, 11),
    ("High School", 11, 16),
    ("Sixth Form College", 16, 20),
)
_PER_YEAR = 150  # pupils a school takes a year, at most about


def build_schools(
    rng: np.random.Generator, stems: list[str], cohort: int
) -> pl.DataFrame:
    """Schools per phase for a year-group size ``cohort``."""
    frames = []
    for phase, lo, _ in PHASES:
        count = max(2, int(np.ceil(cohort / _PER_YEAR)))
        names = [f"{s} {phase}" for s in rng.permutation(stems)]
        names += [f"{s} {phase} {k}" for k in range(2, 99) for s in stems]
        frames.append(
            pl.DataFrame({"school": names[:count]}).with_columns(
                phase=pl.lit(phase),
                age_from=pl.lit(lo),
                k=pl.int_range(pl.len(), dtype=pl.Int64),
            )
        )
    schools = pl.concat(frames).with_row_index("school_idx")
    return schools.with_columns(estab=9001 + pl.col("school_idx").cast(pl.Int64))


def age_at(dob: pl.Expr, when: date) -> pl.Expr:
    """Whole years of age on ``when``."""
    return ((pl.lit(when) - dob).dt.total_days() / 365.25).floor().cast(pl.Int64)


def assign_schools(
    rng: np.random.Generator, people: pl.DataFrame, schools: pl.DataFrame, ref: date
) -> pl.DataFrame:
    """Pupils aged 4 to 19 get a current school; people aged 4 to 25 a UPN."""
    h = people.height
    age = age_at(pl.col("dob"), ref)
    phase = pl.lit(None, pl.String)
    for name, lo, hi in PHASES:
        phase = pl.when((age >= lo) & (age < hi)).then(pl.lit(name)).otherwise(phase)
    counts = schools.group_by("phase").agg(n=pl.len())
    people = people.with_columns(
        phase=pl.when(pl.Series(rng.random(h)) < 0.97).then(phase),
        u_school=pl.Series(rng.random(h)),
        u_first=pl.Series(rng.random(h)),
        u_upn=pl.Series(rng.random(h)),
    ).join(counts, on="phase", how="left", maintain_order="left")
    people = people.with_columns(k=(pl.col("u_school") * pl.col("n")).cast(pl.Int64))
    people = people.join(
        schools.select("phase", "k", "school"),
        on=["phase", "k"],
        how="left",
        maintain_order="left",
    )
    return _upns(people, schools, ref).drop(
        "phase", "u_school", "u_first", "u_upn", "n", "k"
    )


def _upns(people: pl.DataFrame, schools: pl.DataFrame, ref: date) -> pl.DataFrame:
    primaries = schools.filter(pl.col("phase") == PHASES[0][0])
    age = age_at(pl.col("dob"), ref)
    has = (age >= 4) & (age <= 25) & (pl.col("u_upn") < 0.97)
    first = (pl.col("u_first") * primaries.height).cast(pl.Int64)
    estab = pl.lit(primaries["estab"].min()) + first
    started = pl.col("dob").dt.offset_by("4y").dt.year() % 100
    people = people.with_columns(
        upn_estab=pl.when(has).then(estab), upn_year=pl.when(has).then(started)
    )
    serial = pl.int_range(pl.len()).over(["upn_estab", "upn_year"], order_by="pid")
    body = (
        pl.lit(LA_NUMBER) * 10**9
        + pl.col("upn_estab") * 10**5
        + pl.col("upn_year") * 10**3
        + serial % 1000
    )
    people = people.with_columns(upn_body=pl.when(has).then(body))
    bodies = people["upn_body"].fill_null(0).to_numpy()
    letters = upn_check_letters(bodies)
    upn = pl.Series(letters) + people["upn_body"].cast(pl.String).str.zfill(12)
    return people.with_columns(upn=upn).drop("upn_estab", "upn_year", "upn_body")
