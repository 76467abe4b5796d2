"""Map an extract's columns to the standard record (``STANDARD_SCHEMA``).

Everything is one pass of column expressions: no loop over rows. Values that are
present but unusable (a date not in the source's format, an NHS number with a
wrong check digit, a postcode of the wrong shape) become null and are counted,
per standard field, as field faults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from core.config import SourceConfig
from sources import fields
from sources.records import STANDARD_SCHEMA

DATE_FIELDS = ("dob", "involvement_start", "involvement_end", "last_contact")
#: Fields whose present-but-unusable values are counted as faults.
CHECKED_FIELDS = (*DATE_FIELDS, "sex", "nhs_number", "upn", "postcode")
_ONE_LINE = ("address", "detail", "town")
_PLAIN = (
    "case_number", "relationship", "related", "lead_name", "lead_role", "lead_team",
    "lead_phone", "lead_email", "identifiers",
)  # fmt: skip


@dataclass(frozen=True)
class Mapped:
    """Standard records of one source and the count of faults per field."""

    records: pl.DataFrame  # STANDARD_SCHEMA
    faults: dict[str, int]


def _raw(frame: pl.DataFrame, columns: Mapping[str, str]) -> dict[str, pl.Expr]:
    """Each mapped field as trimmed text (dates stay dates when typed)."""
    out = {}
    for field, column in columns.items():
        dtype = frame.schema[column]
        if field in DATE_FIELDS and (
            dtype == pl.Date or isinstance(dtype, pl.Datetime)
        ):
            out[field] = pl.col(column)
        else:
            out[field] = fields.text(pl.col(column), dtype)
    return out


def _names(raw: Mapping[str, pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
    first = raw.get("first_name", pl.lit(None, pl.String))
    last = raw.get("last_name", pl.lit(None, pl.String))
    if "full_name" in raw:
        split_first, split_last = fields.split_full_name(raw["full_name"])
        first, last = pl.coalesce(first, split_first), pl.coalesce(last, split_last)
    return first, last


def _current(raw: Mapping[str, pl.Expr], src: SourceConfig, extract: date) -> pl.Expr:
    """Current from the status column when it has a value, else from the dates:
    open (no end, or an end after the extract date) once it has started."""
    values = [v.lower() for v in src.current_values]
    start, end = pl.col("involvement_start"), pl.col("involvement_end")
    has_dates = start.is_not_null() | end.is_not_null()
    by_dates = pl.when(has_dates).then(end.is_null() | (end > pl.lit(extract)))
    if "status" not in raw:
        return by_dates
    status = raw["status"].str.to_lowercase()
    return pl.when(status.is_not_null()).then(status.is_in(values)).otherwise(by_dates)


def standard_exprs(
    raw: Mapping[str, pl.Expr],
    dtypes: Mapping[str, pl.DataType],
    src: SourceConfig,
    extract: date,
) -> dict[str, pl.Expr]:
    """Expressions for the standard fields computed from the raw mapped columns."""
    none = pl.lit(None, pl.String)
    first, last = _names(raw)
    out: dict[str, pl.Expr] = {"first_name": first, "last_name": last}
    for field in DATE_FIELDS:
        out[field] = (
            fields.date_value(raw[field], dtypes[field], src.date_format)
            if field in raw
            else pl.lit(None, pl.Date)
        )
    if src.dob_year_only and "dob" in raw and dtypes["dob"] == pl.String:
        bare = raw["dob"].str.extract(r"^(\d{4})$").cast(pl.Int32)
        out["dob"] = pl.coalesce(pl.date(bare, 1, 1), out["dob"])
    out["dob"] = _plausible_dob(out["dob"], extract)
    out["dob_year_only"] = pl.when(out["dob"].is_not_null()).then(
        pl.lit(src.dob_year_only)
    )
    checks = {
        "sex": fields.sex,
        "nhs_number": fields.nhs_number,
        "upn": fields.upn,
        "postcode": fields.postcode,
    }
    for field, check in checks.items():
        out[field] = check(raw[field]) if field in raw else none
    for field in _ONE_LINE:
        out[field] = fields.one_line(raw[field]) if field in raw else none
    for field in _PLAIN:
        out[field] = raw.get(field, none)
    for field in ("family_ref", "household_ref"):
        out[field] = fields.prefixed(raw[field], src.name) if field in raw else none
    if "restricted" in raw:
        out["restricted"] = fields.restricted(
            raw["restricted"], src.unrestricted_values
        )
    return out


def map_records(
    frame: pl.DataFrame,
    src: SourceConfig,
    columns: Mapping[str, str],
    extract_date: date,
    row_numbers: pl.Series | None = None,
) -> Mapped:
    """Map ``frame`` (one row per record) to ``STANDARD_SCHEMA``.

    ``row_numbers`` gives each record's row in the file when it is not simply
    1, 2, 3 … (an SSD record's row in ``ssd_person.csv``).
    """
    rows = pl.int_range(1, pl.len() + 1) if row_numbers is None else pl.lit(row_numbers)
    # lazily, so polars computes each shared sub-expression (a cleaned identifier
    # used by its check-digit arithmetic) once: several times faster than eager
    staged = frame.lazy().select(
        __row=rows.cast(pl.Int64),
        **{f"__raw_{f}": e for f, e in _raw(frame, columns).items()},
    )
    raw = {f: pl.col(f"__raw_{f}") for f in columns}
    schema = staged.collect_schema()
    dtypes = {f: schema[f"__raw_{f}"] for f in columns}
    exprs = standard_exprs(raw, dtypes, src, extract_date)
    staged = staged.with_columns(**exprs).collect()
    faults = _faults(staged, raw)
    record_id = pl.coalesce(
        raw.get("record_id", pl.lit(None, pl.String)), pl.format("row-{}", "__row")
    )
    staged = staged.with_columns(
        source=pl.lit(src.name),
        record_id=record_id,
        row_number="__row",
        involvement_current=_current(raw, src, extract_date),
        extract_date=pl.lit(extract_date),
    )
    records, duplicates = _unique_ids(staged)
    if duplicates:
        faults["record_id"] = duplicates
    return Mapped(_conform(records), faults)


def _plausible_dob(dob: pl.Expr, extract: date) -> pl.Expr:
    """A date of birth after the extract was taken is an error, not a person."""
    return pl.when(dob <= pl.lit(extract)).then(dob)


def _faults(staged: pl.DataFrame, raw: Mapping[str, pl.Expr]) -> dict[str, int]:
    """Present values that did not survive their check, per standard field."""
    counts = {
        f: (raw[f].is_not_null() & pl.col(f).is_null()).sum()
        for f in CHECKED_FIELDS
        if f in raw
    }
    if not counts:
        return {}
    row = staged.select(**counts).row(0, named=True)
    return {f: int(n) for f, n in row.items() if n}


def _unique_ids(staged: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Make record ids unique: a repeated id gets "~row-<n>" appended."""
    repeat = pl.col("record_id").is_first_distinct().not_()
    count = int(staged.select(repeat.sum()).item())
    if not count:
        return staged, 0
    fixed = pl.when(repeat).then(pl.format("{}~row-{}", "record_id", "__row"))
    return staged.with_columns(record_id=fixed.otherwise("record_id")), count


def _conform(staged: pl.DataFrame) -> pl.DataFrame:
    """Exactly the standard columns, in order, with their dtypes (nulls if unmapped)."""
    return staged.select(
        (pl.col(c) if c in staged.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in STANDARD_SCHEMA.items()
    )
