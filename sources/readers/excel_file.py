"""Excel extracts (.xlsx, .xls, .ods) read one named sheet with calamine."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import fastexcel

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import (
    RawExtract,
    file_date,
    missing_file,
    refuse_duplicates,
    where,
)


def _header_names(columns: list[str]) -> list[str]:
    """The header as written: calamine renames a repeated "X" to "X_1", "X_2" …"""
    present = set(columns)
    names = []
    for name in columns:
        base, _, n = name.rpartition("_")
        names.append(base if n.isdigit() and base in present else name)
    return names


def _open(path: Path, src: SourceConfig) -> fastexcel.ExcelReader:
    # an all-blank column is read as text, as wanted; fastexcel's warning about
    # it would only be noise on the console
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    try:
        return fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own types; none is shown as-is
        raise SourceError(
            f"Source '{src.name}' could not be read",
            [
                Problem(
                    where(src, path),
                    f"not a readable Excel workbook ({type(exc).__name__}); "
                    "re-export it or check [[sources]] format",
                )
            ],
        ) from None


def read(path: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read the configured sheet (the first when ``sheet`` is empty)."""
    if not path.is_file():
        raise SourceError(f"Source '{src.name}' is missing", [missing_file(src, path)])
    reader = _open(path, src)
    names = list(reader.sheet_names)
    sheet = src.sheet or (names[0] if names else "")
    if sheet not in names:
        listed = ", ".join(repr(n) for n in names)
        raise SourceError(
            f"Source '{src.name}' has no sheet '{sheet}'",
            [
                Problem(
                    where(src, path, sheet),
                    f"sheet not found; the workbook has {listed}. "
                    "Fix [[sources]] sheet",
                )
            ],
        )
    try:
        frame = reader.load_sheet(sheet, schema_sample_rows=None).to_polars()
    except Exception as exc:  # calamine's errors may quote a cell, so not shown
        problem = Problem(
            where(src, path, sheet),
            f"sheet could not be read ({type(exc).__name__}); re-export the workbook",
        )
        raise SourceError(f"Source '{src.name}' could not be read", [problem]) from None
    refuse_duplicates(_header_names(frame.columns), src, where(src, path, sheet))
    frame = frame.rename({c: c.strip() for c in frame.columns})
    label = f"{path.name} sheet {sheet}"
    return RawExtract(frame, dict(src.columns), file_date(path), file_label=label)
