"""Rows that cannot identify anyone are set aside, counted, never silently lost."""

from __future__ import annotations

import polars as pl

from sources.fields import usable_name

#: Reason given for a quarantined row (it names no value).
NO_NAME_NO_ID = (
    "no usable name and no identifier (NHS number, UPN, case number or another "
    "identifier)"
)
SHORT_ROW = (
    "fewer fields than the header (a line break or a missing delimiter inside "
    "a value); its fields cannot be told apart"
)
QUARANTINE_SCHEMA = {"source": pl.String, "row_number": pl.Int64, "reason": pl.String}


def identifiable() -> pl.Expr:
    """A record names someone (first or last name) or carries an identifier."""
    named = usable_name(pl.col("first_name")) | usable_name(pl.col("last_name"))
    has_id = pl.any_horizontal(
        pl.col(c).is_not_null()
        for c in ("nhs_number", "upn", "case_number", "identifiers")
    )
    return named | has_id


def split(
    records: pl.DataFrame, short_rows: tuple[int, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accepted records, quarantine rows: source, row_number, reason); rows of
    ``short_rows`` (fewer fields than the header) are never accepted."""
    short = pl.col("row_number").is_in(list(short_rows))
    reason = pl.when(short).then(pl.lit(SHORT_ROW)).otherwise(pl.lit(NO_NAME_NO_ID))
    keep = records.select(identifiable() & ~short).to_series()
    accepted = records.filter(keep)
    held = records.filter(~keep).select("source", "row_number", reason=reason)
    return accepted, held


def reasons(held: pl.DataFrame) -> dict[str, int]:
    """Rows set aside per reason, commonest first."""
    counts = (
        held.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
    )
    return dict(zip(counts["reason"].to_list(), counts["len"].to_list(), strict=True))


def empty_quarantine() -> pl.DataFrame:
    """A quarantine frame with no rows."""
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)
