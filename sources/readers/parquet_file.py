"""Parquet extracts: typed columns are kept; the mapping converts them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import (
    RawExtract,
    file_date,
    missing_file,
    refuse_duplicates,
    where,
)


def read(path: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read a Parquet extract."""
    if not path.is_file():
        raise SourceError(f"Source '{src.name}' is missing", [missing_file(src, path)])
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise SourceError(
            f"Source '{src.name}' could not be read",
            [
                Problem(
                    where(src, path),
                    f"not a readable Parquet file ({type(exc).__name__}); "
                    "re-export it or check [[sources]] format",
                )
            ],
        ) from None
    refuse_duplicates(frame.columns, src, where(src, path))
    frame = frame.rename({c: c.strip() for c in frame.columns})
    return RawExtract(frame, dict(src.columns), file_date(path), file_label=path.name)
