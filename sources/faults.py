"""Row-level faults: every value the mapping did not use as given, by source,
data row, standard field and extract column, and what was done with it.

A date that is not a date (or no such day, 31/02/2020), a date that cannot be
true (born after the extract, an incident in 2099), an identifier failing its
check, control characters (NUL bytes), a value too long to be one (100,000
characters) and a repeated record id: each is one row of the fault table
(``field_faults`` in the index), counted with its first rows by ``sources
check``. Never a value from the extract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

FAULT_SCHEMA = {
    "source": pl.String,
    "row_number": pl.Int64,  # data row of the extract (1: the first after the header)
    "field": pl.String,  # standard field
    "column": pl.String,  # the extract's column (or columns) it came from
    "fault": pl.String,  # what was wrong and what was done, no value
    "other_row": pl.Int64,  # the earlier row a repeated record id belongs to
}

#: Control characters removed from every text value (tab and line breaks are
#: not: multi-line fields keep them, one-line fields turn them into ", ").
CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
#: Longest value kept, in characters, per standard field (others: DEFAULT_LIMIT).
FIELD_LIMITS: Mapping[str, int] = {
    "address": 500, "detail": 2_000, "related": 5_000, "identifiers": 1_000,
    "full_name": 300, "previous_names": 300, "lead_team": 300, "relationship": 300,
}  # fmt: skip
DEFAULT_LIMIT = 200
#: No date in an extract is earlier than this.
EARLIEST = date(1900, 1, 1)
#: How far after the extract date a planned start (a conference to come) may be.
START_AHEAD = timedelta(days=366)
#: How many rows ``sources check`` lists per fault.
FIRST_ROWS = 20

CONTROL_FAULT = "held control characters (such as NUL bytes); they were removed"
DUPLICATE_FAULT = (
    "record id already used by an earlier row; kept as a separate "
    "record, with '~row-N' added to its id"
)
_CHECK_FAULTS = {
    "sex": "not a sex or gender code this tool knows; set to empty",
    "nhs_number": "not a valid NHS number (10 digits, check digit); set to empty",
    "upn": "not a valid UPN (13 characters, check letter); set to empty",
    "postcode": "not a UK postcode; set to empty",
}


def long_fault(field: str) -> str:
    limit = FIELD_LIMITS.get(field, DEFAULT_LIMIT)
    return f"longer than {limit:,} characters; cut to {limit:,}"


def check_fault(field: str, date_format: str) -> str:
    """What a present value that failed its field's check was, and became."""
    if field in _CHECK_FAULTS:
        return _CHECK_FAULTS[field]
    return (
        f"not a date in format {date_format} (or no such day, such as 31 "
        "February); set to empty"
    )


_DATE_FAULTS = {
    "dob": "a date of birth before 1900 or after the extract date",
    "last_contact": "a contact before 1900 or after the extract date",
    "involvement_start": "a start before 1900 or more than a year after the "
    "extract date",
}


def date_bounds(field: str, extract: date) -> tuple[date, date | None]:
    """(earliest, latest or None) a date field's values can be: nobody is born
    or contacted after the extract, a start can be planned a year ahead, an
    end can be any time later."""
    if field in ("dob", "last_contact"):
        return EARLIEST, extract
    if field == "involvement_start":
        return EARLIEST, extract + START_AHEAD
    return EARLIEST, None


def date_fault(field: str) -> str:
    """What a date outside ``date_bounds`` is, and what was done with it."""
    return (
        _DATE_FAULTS.get(field, "a date before 1900")
        + " (cannot be true); set to empty"
    )


def cleaned(text: pl.Expr, field: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(the value without control characters, cut to the field's limit, null when
    nothing is left; had control characters; was too long)."""
    has_control = text.str.contains(CONTROL)
    clean = pl.when(has_control).then(text.str.replace_all(CONTROL, "")).otherwise(text)
    limit = FIELD_LIMITS.get(field, DEFAULT_LIMIT)
    too_long = clean.str.len_chars() > limit
    out = pl.when(too_long).then(clean.str.slice(0, limit)).otherwise(clean)
    out = out.str.strip_chars()
    return pl.when(out != "").then(out), has_control, too_long


@dataclass(frozen=True)
class Check:
    """A boolean column of the staged frame that marks one fault's rows."""

    flag: str
    field: str
    column: str
    fault: str


def collect(staged: pl.DataFrame, source: str, checks: list[Check]) -> pl.DataFrame:
    """The fault rows (``FAULT_SCHEMA``) of every check that fired."""
    if not checks:
        return empty_faults()
    fired = staged.select(pl.col(c.flag).fill_null(False).sum() for c in checks)
    counts = fired.row(0)
    parts = [
        staged.filter(pl.col(c.flag).fill_null(False)).select(
            source=pl.lit(source),
            row_number=pl.col("__row").cast(pl.Int64),
            field=pl.lit(c.field),
            column=pl.lit(c.column),
            fault=pl.lit(c.fault),
            other_row=pl.lit(None, pl.Int64),
        )
        for c, n in zip(checks, counts, strict=True)
        if n
    ]
    # one fault per row even when a row gives several records (SSD episodes)
    return pl.concat([empty_faults(), *parts]).unique(maintain_order=True)


def empty_faults() -> pl.DataFrame:
    return pl.DataFrame(schema=FAULT_SCHEMA)


def per_field(faults: pl.DataFrame) -> dict[str, int]:
    """Rows with a fault, per standard field."""
    counts = faults.group_by("field").agg(pl.col("row_number").n_unique()).sort("field")
    return dict(counts.iter_rows())


@dataclass(frozen=True)
class FaultCount:
    """One kind of fault in one column: how many rows, and the first of them."""

    field: str
    column: str
    fault: str
    rows: int
    first_rows: tuple[int, ...]
    #: for a repeated record id, the earlier row each of ``first_rows`` repeats
    repeats: tuple[int, ...] = ()

    def line(self) -> str:
        shown = ", ".join(
            f"{r:,} (repeats row {o:,})" if o else f"{r:,}"
            for r, o in zip(
                self.first_rows, self.repeats or [0] * len(self.first_rows), strict=True
            )
        )
        more = " …" if self.rows > len(self.first_rows) else ""
        noun = "row" if self.rows == 1 else "rows"
        return (
            f"{self.field}, column '{self.column}': {self.fault} — "
            f"{self.rows:,} {noun}: {shown}{more}"
        )


def summary(faults: pl.DataFrame) -> tuple[FaultCount, ...]:
    """Faults grouped by field, column and kind, commonest first."""
    if faults.is_empty():
        return ()
    grouped = (
        faults.sort("row_number")
        .group_by("field", "column", "fault", maintain_order=True)
        .agg(
            rows=pl.len(),
            first=pl.col("row_number").head(FIRST_ROWS),
            repeats=pl.col("other_row").head(FIRST_ROWS),
        )
        .sort(["rows", "field", "fault"], descending=[True, False, False])
    )
    return tuple(
        FaultCount(f, c, k, int(n), tuple(first),
                   tuple(o or 0 for o in others) if any(others) else ())
        for f, c, k, n, first, others in grouped.iter_rows()
    )  # fmt: skip
