"""Writing extracts byte-for-byte reproducibly, and the truth the loader must match.

Builders hand over a frame with the columns to write plus two hidden columns:
``__pid`` (the true person, null for junk rows the loader should quarantine)
and ``__record_id`` (the record id the loader will give the row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from synthetic.spec import SourceSpec


@dataclass(frozen=True)
class Extract:
    """One source's files (relative path -> frame as written) and its truth."""

    spec: SourceSpec
    tables: dict[str, pl.DataFrame]
    truth: pl.DataFrame  # source, record_id, pid
    junk_rows: pl.DataFrame  # source, row_number: rows the loader must quarantine
    # more truth for benches, written as truth/<name>.csv (e.g. the SSD's fields)
    extra_truth: dict[str, pl.DataFrame] = field(default_factory=dict)


def single_table(spec: SourceSpec, frame: pl.DataFrame) -> Extract:
    """An extract of one file; record ids are ``row-<n>`` when none is mapped."""
    frame = frame.with_columns(__row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    if "record_id" not in spec.columns:
        frame = frame.with_columns(__record_id=pl.format("row-{}", "__row"))
    truth = frame.filter(pl.col("__pid").is_not_null()).select(
        source=pl.lit(spec.name), record_id="__record_id", pid="__pid"
    )
    junk = frame.filter(pl.col("__pid").is_null()).select(
        source=pl.lit(spec.name), row_number="__row"
    )
    written = frame.select(pl.exclude("^__.*$"))
    return Extract(spec, {spec.path: written}, truth, junk)


def with_junk(
    rng: np.random.Generator, frame: pl.DataFrame, share: float, blank: dict
) -> pl.DataFrame:
    """Add copies of a few rows with names and ids blanked (``blank`` gives the
    column -> value to write), as unidentified people appear in real extracts."""
    k = int(frame.height * share) + (1 if frame.height else 0)
    junk = frame.sample(n=min(k, frame.height), seed=int(rng.integers(2**31)))
    junk = junk.with_columns(
        **{c: pl.lit(v, dtype=frame.schema[c]) for c, v in blank.items()},
        __pid=pl.lit(None, pl.Int64),
    )
    return pl.concat([frame, junk])


def _write_csv(frame: pl.DataFrame, path: Path, spec: SourceSpec) -> None:
    text = frame.write_csv(separator=spec.delimiter, null_value="")
    path.write_bytes(text.encode(spec.encoding))


def _write_excel(
    frame: pl.DataFrame, path: Path, spec: SourceSpec, created: datetime
) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": created, "author": "synthetic generator"})
    frame.write_excel(
        book,
        worksheet=spec.sheet or "Sheet1",
        autofit=False,
        dtype_formats={pl.Date: "dd/mm/yyyy", pl.Datetime: "dd/mm/yyyy hh:mm"},
    )
    book.close()


def write_extract(extract: Extract, out: Path, ref: date) -> dict[str, int]:
    """Write every table of an extract under ``out``; rows written per file.

    Workbooks say they were created at 09:00 on ``ref`` (not now): equal bytes.
    """
    created = datetime.combine(ref, time(9))
    writers = {
        "csv": _write_csv,
        "ssd_csv": _write_csv,
        "excel": lambda f, p, s: _write_excel(f, p, s, created),
        "parquet": lambda f, p, s: f.write_parquet(p, compression="zstd"),
    }
    rows = {}
    for rel, frame in extract.tables.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        writers[extract.spec.format](frame, path, extract.spec)
        rows[rel] = frame.height
    return rows
