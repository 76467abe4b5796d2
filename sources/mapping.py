"""Map an extract's columns to the standard record (``STANDARD_SCHEMA``).

Everything is one pass of column expressions: no loop over rows. Values that are
present but unusable (a date not in the source's format or that cannot be true,
an NHS number with a wrong check digit, a postcode of the wrong shape) become
null, control characters are removed, values too long are cut and a repeated
record id is made unique; each is a row of the fault table (``sources.faults``:
row, field, column, what was done).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from core.config import SourceConfig
from sources import faults as f_
from sources import fields
from sources.derived import ADDRESS, IDENTIFIERS
from sources.records import STANDARD_SCHEMA

DATE_FIELDS = ("dob", "involvement_start", "involvement_end", "last_contact")
#: Fields whose present-but-unusable values are counted as faults.
CHECKED_FIELDS = (*DATE_FIELDS, "sex", "nhs_number", "upn", "postcode")
_ONE_LINE = ("address", "detail", "town", "previous_names")
_PLAIN = (
    "case_number", "relationship", "related", "role", "lead_name", "lead_role",
    "lead_team", "lead_phone", "lead_email", "identifiers",
)  # fmt: skip


@dataclass(frozen=True)
class Mapped:
    """Standard records of one source, its fault rows and, per date field, how
    many values were not dates at all."""

    records: pl.DataFrame  # STANDARD_SCHEMA
    faults: pl.DataFrame  # sources.faults.FAULT_SCHEMA
    unparseable: dict[str, int]

    @property
    def counts(self) -> dict[str, int]:
        """Rows with a fault, per standard field."""
        return f_.per_field(self.faults)


def _typed_date(field: str, dtype: pl.DataType) -> bool:
    return field in DATE_FIELDS and (dtype == pl.Date or isinstance(dtype, pl.Datetime))


def _raw(frame: pl.DataFrame, columns: Mapping[str, str]) -> dict[str, pl.Expr]:
    """Each mapped field as trimmed text (dates stay dates when typed)."""
    out = {}
    for field, column in columns.items():
        dtype = frame.schema[column]
        if _typed_date(field, dtype):
            out[field] = pl.col(column)
        else:
            out[field] = fields.text(pl.col(column), dtype)
    return out


def _cleaned(frame: pl.DataFrame, columns: Mapping[str, str]) -> dict[str, pl.Expr]:
    """``__raw_<field>`` cleaned of control characters and cut to its limit, with
    ``__ctl_<field>`` and ``__long_<field>`` saying where that happened."""
    out: dict[str, pl.Expr] = {}
    for field, column in columns.items():
        text = pl.col(f"__text_{field}")
        if _typed_date(field, frame.schema[column]):
            out[f"__raw_{field}"] = text
            continue
        value, control, too_long = f_.cleaned(text, field)
        out |= {f"__raw_{field}": value, f"__ctl_{field}": control,
                f"__long_{field}": too_long}  # fmt: skip
    return out


def _label(column: str, src: SourceConfig) -> str:
    """The extract's own column name(s) a field came from."""
    if column == ADDRESS:
        return ", ".join(src.address_parts)
    if column == IDENTIFIERS:
        return ", ".join(src.identifiers.values())
    return column


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


def _plausible(columns: Mapping[str, str], extract: date) -> dict[str, pl.Expr]:
    """``__bad_<field>``: present but failed its check; ``__odd_<field>``: a date
    that cannot be true (before 1900, born after the extract …)."""
    out: dict[str, pl.Expr] = {}
    for field in CHECKED_FIELDS:
        if field in columns:
            raw = pl.col(f"__raw_{field}")
            out[f"__bad_{field}"] = raw.is_not_null() & pl.col(field).is_null()
    for field in DATE_FIELDS:
        if field in columns:
            low, high = f_.date_bounds(field, extract)
            value = pl.col(field)
            fine = value >= pl.lit(low)
            if high is not None:
                fine = fine & (value <= pl.lit(high))
            out[f"__odd_{field}"] = value.is_not_null() & ~fine
    return out


def _checks(
    columns: Mapping[str, str], src: SourceConfig, staged: pl.DataFrame
) -> list[f_.Check]:
    """Every fault flag the staged frame holds, with its field, column and words."""
    checks = []
    for field, column in columns.items():
        label = _label(column, src)
        kinds = {
            "ctl": f_.CONTROL_FAULT,
            "long": f_.long_fault(field),
            "bad": f_.check_fault(field, src.date_format),
        }
        if field in DATE_FIELDS:
            kinds["odd"] = f_.date_fault(field)
        checks += [
            f_.Check(f"__{kind}_{field}", field, label, words)
            for kind, words in kinds.items()
            if f"__{kind}_{field}" in staged.columns
        ]
    return checks


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
    staged = (
        frame.lazy()
        .select(
            __row=rows.cast(pl.Int64),
            **{f"__text_{f}": e for f, e in _raw(frame, columns).items()},
        )
        .with_columns(**_cleaned(frame, columns))
    )
    raw = {f: pl.col(f"__raw_{f}") for f in columns}
    schema = staged.collect_schema()
    dtypes = {f: schema[f"__raw_{f}"] for f in columns}
    exprs = standard_exprs(raw, dtypes, src, extract_date)
    staged = staged.with_columns(**exprs).with_columns(
        **_plausible(columns, extract_date)
    )
    dates = [f for f in DATE_FIELDS if f in columns]
    staged = staged.with_columns(
        pl.when(~pl.col(f"__odd_{f}")).then(pl.col(f)).alias(f) for f in dates
    ).with_columns(
        dob_year_only=pl.when(pl.col("dob").is_not_null()).then(
            pl.lit(src.dob_year_only)
        )
    )
    staged = staged.collect()
    found = f_.collect(staged, src.name, _checks(columns, src, staged))
    unparseable = {
        f: int(staged[f"__bad_{f}"].sum()) for f in dates if f"__bad_{f}" in staged
    }
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
    label = _label(columns.get("record_id", ""), src)
    records, repeated = _unique_ids(staged, src.name, label)
    faults = pl.concat([found, repeated]).sort(
        "row_number", "field", maintain_order=True
    )
    return Mapped(_conform(records), faults, unparseable)


def _unique_ids(
    staged: pl.DataFrame, source: str, column: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Make record ids unique: a repeated id gets "~row-<n>" appended; each repeat
    is a fault row naming the earlier row that has the id."""
    repeat = pl.col("record_id").is_first_distinct().not_()
    count = int(staged.select(repeat.sum()).item())
    if not count:
        return staged, f_.empty_faults()
    first = pl.col("__row").first().over("record_id")
    faults = (
        staged.with_columns(__first=first)
        .filter(repeat)
        .select(
            source=pl.lit(source),
            row_number=pl.col("__row"),
            field=pl.lit("record_id"),
            column=pl.lit(column),
            fault=pl.lit(f_.DUPLICATE_FAULT),
            other_row=pl.col("__first").cast(pl.Int64),
        )
    )
    fixed = pl.when(repeat).then(pl.format("{}~row-{}", "record_id", "__row"))
    return staged.with_columns(record_id=fixed.otherwise("record_id")), faults


def _conform(staged: pl.DataFrame) -> pl.DataFrame:
    """Exactly the standard columns, in order, with their dtypes (nulls if unmapped)."""
    return staged.select(
        (pl.col(c) if c in staged.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in STANDARD_SCHEMA.items()
    )
