"""Excel extracts (.xlsx, .xls, .ods) read one named sheet with calamine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import fastexcel
import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import RawExtract, file_date, missing_file, where


def _sheet_names(path: Path, src: SourceConfig) -> list[str]:
    try:
        return list(fastexcel.read_excel(path).sheet_names)
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
    names = _sheet_names(path, src)
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
        frame = pl.read_excel(
            path,
            sheet_name=sheet,
            engine="calamine",
            infer_schema_length=None,
            raise_if_empty=False,
        )
    except Exception as exc:  # calamine's errors may quote a cell, so not shown
        problem = Problem(
            where(src, path, sheet),
            f"sheet could not be read ({type(exc).__name__}); re-export the workbook",
        )
        raise SourceError(f"Source '{src.name}' could not be read", [problem]) from None
    frame = frame.rename({c: c.strip() for c in frame.columns})
    label = f"{path.name} sheet {sheet}"
    return RawExtract(frame, dict(src.columns), file_date(path), file_label=label)
