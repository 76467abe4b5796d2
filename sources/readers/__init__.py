"""Readers: one small module per extract format, all returning a ``RawExtract``.

A reader checks the whole input it is responsible for and raises one
``SourceError`` listing every problem; its messages name the source, file,
sheet and column, never a value from the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError


@dataclass(frozen=True)
class RawExtract:
    """An extract as read: its rows, and how its columns map to standard fields."""

    frame: pl.DataFrame  # one row per record the source will produce
    columns: Mapping[str, str]  # standard field -> column of ``frame``
    modified: date  # latest modification date of the files read
    row_numbers: pl.Series | None = None  # 1-based rows in the file, if not 1..n
    file_label: str = ""  # the file named in row-level messages
    warnings: tuple[Problem, ...] = field(default=())  # usable, but worth fixing
    short_rows: tuple[int, ...] = ()  # data rows with fewer fields than the header


Reader = Callable[[Path, SourceConfig, date | None], RawExtract]


def file_date(*paths: Path) -> date:
    """The latest modification date of ``paths`` (the fallback extract date)."""
    return max(date.fromtimestamp(p.stat().st_mtime) for p in paths)


def where(src: SourceConfig, path: Path, sheet: str = "") -> str:
    """Where a problem is: source name, file and sheet (never a value)."""
    return f"source '{src.name}', file {path}" + (f", sheet '{sheet}'" if sheet else "")


def refuse_duplicates(names: list[str], src: SourceConfig, place: str) -> None:
    """Raise a ``SourceError`` naming every column the header repeats (after
    trimming spaces): which of two same-named columns to map is a guess."""
    names = [n.strip() for n in names]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems = [
            Problem(
                f"{place}, column '{name}'",
                f"the header names this column {names.count(name)} times; "
                "rename or remove the duplicates so each column is named once",
            )
            for name in repeated
        ]
        raise SourceError(f"Source '{src.name}' has duplicate columns", problems)


def missing_file(src: SourceConfig, path: Path) -> Problem:
    """The problem of an extract file or folder that is not there."""
    kind = "folder" if src.format == "ssd_csv" or path.suffix == "" else "file"
    return Problem(
        where(src, path),
        f"{kind} not found; put the extract there or fix [[sources]] path "
        f"for '{src.name}' in the config",
    )


def readers() -> dict[str, Reader]:
    """The reader for each ``format`` value of a source."""
    from sources.readers import (
        csv_file,
        database,
        excel_file,
        parquet_file,
        ssd_database,
        ssd_folder,
    )

    return {
        "csv": csv_file.read,
        "excel": excel_file.read,
        "parquet": parquet_file.read,
        "ssd_csv": ssd_folder.read,
        "sql": database.read,
        "odbc": database.read,
        "ssd": ssd_database.read,
    }
