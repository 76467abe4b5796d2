"""CSV extracts in any text encoding and with any single-character delimiter."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import RawExtract, file_date, missing_file, where


def decode(data: bytes, src: SourceConfig, path: Path) -> str:
    """Bytes as text in the source's encoding, without a byte-order mark."""
    try:
        codecs.lookup(src.encoding)
    except LookupError:
        raise SourceError(
            f"Source '{src.name}' names an unknown encoding",
            [
                Problem(
                    f"source '{src.name}' encoding",
                    "unknown encoding; use utf-8, cp1252 …",
                )
            ],
        ) from None
    try:
        text = data.decode(src.encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"Source '{src.name}' is not {src.encoding} text",
            [
                Problem(
                    where(src, path),
                    f"byte {exc.start:,} is not valid {src.encoding}; set [[sources]] "
                    "encoding to the file's (often cp1252 for Windows exports)",
                )
            ],
        ) from None
    return text.removeprefix("\ufeff")


def read_text(text: str, src: SourceConfig, path: Path) -> pl.DataFrame:
    """Parse CSV text with every column as text (types are the mapping's job)."""
    if not text.strip():
        raise SourceError(
            f"Source '{src.name}' is empty",
            [Problem(where(src, path), "the file is empty; expected a header row")],
        )
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            separator=src.delimiter,
            infer_schema=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        # the parser's own message may quote a line of the file, so it is not shown
        raise SourceError(
            f"Source '{src.name}' could not be parsed",
            [
                Problem(
                    where(src, path),
                    f"not readable as CSV with delimiter {src.delimiter!r} "
                    f"({type(exc).__name__}); check delimiter and quoting",
                )
            ],
        ) from None
    return frame.rename({c: c.strip() for c in frame.columns})


def read(path: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read a CSV extract; ``as_of`` is unused (kept for one reader signature)."""
    if not path.is_file():
        raise SourceError(f"Source '{src.name}' is missing", [missing_file(src, path)])
    frame = read_text(decode(path.read_bytes(), src, path), src, path)
    return RawExtract(frame, dict(src.columns), file_date(path), file_label=path.name)
