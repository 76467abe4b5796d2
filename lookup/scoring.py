"""Column-wide similarity pieces for search: given names and dates of birth."""

from __future__ import annotations

from datetime import date

import polars as pl

#: Score of a given name in the same nickname group ('Bob' for 'Robert').
NICKNAME = 0.95
#: Score when one given name starts the other ('Chris', 'Christopher').
PREFIX = 0.9
#: Score when one side is only an initial that agrees.
INITIAL = 0.7


def first_name_score(q_first: str, q_canons: list[str]) -> pl.Expr:
    """Given-name similarity: the best of Jaro-Winkler ('jw'), nickname, prefix."""
    first = pl.col("first")
    prefix = (pl.lit(q_first).str.len_chars() >= 3) & (first.str.len_chars() >= 3)
    prefix = prefix & (
        first.str.starts_with(q_first) | pl.lit(q_first).str.starts_with(first)
    )
    initial = ((pl.lit(len(q_first)) == 1) | (first.str.len_chars() == 1)) & (
        first.str.slice(0, 1) == q_first[:1]
    )
    nickname = (
        pl.col("canons").list.eval(pl.element().is_in(q_canons)).list.any()
    ).fill_null(False)
    return pl.max_horizontal(
        pl.col("jw"),
        pl.when(nickname).then(NICKNAME).otherwise(0.0),
        pl.when(prefix).then(PREFIX).otherwise(0.0),
        pl.when(initial).then(INITIAL).otherwise(0.0),
    )


def _swapped(dob: date) -> date | None:
    if dob.day > 12 or dob.day == dob.month:
        return None
    try:
        return dob.replace(month=dob.day, day=dob.month)
    except ValueError:
        return None


def _seen(value: date | None) -> pl.Expr:
    """The person's date of birth, or one of their other recorded ones, is ``value``."""
    if value is None:
        return pl.lit(False)
    return (pl.col("dob") == value).fill_null(False) | pl.col(
        "other_dobs"
    ).list.contains(value.isoformat())


def _two_of_three(dob: date) -> pl.Expr:
    same = (
        (pl.col("dob").dt.year() == dob.year).cast(pl.Int8)
        + (pl.col("dob").dt.month() == dob.month).cast(pl.Int8)
        + (pl.col("dob").dt.day() == dob.day).cast(pl.Int8)
    )
    return (same >= 2).fill_null(False)


def dob_score(dob: date) -> pl.Expr:
    """1 exact, 0.7 day and month swapped, 0.5 unknown, 0.4 one part wrong, else 0."""
    return (
        pl.when(_seen(dob))
        .then(1.0)
        .when(_seen(_swapped(dob)))
        .then(0.7)
        .when(pl.col("dob").is_null())
        .then(0.5)
        .when(_two_of_three(dob))
        .then(0.4)
        .otherwise(0.0)
    )
