"""CSV extracts in any text encoding and with any single-character delimiter."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.faults import FIRST_ROWS
from sources.readers import (
    RawExtract,
    file_date,
    missing_file,
    refuse_duplicates,
    where,
)
from sources.readers.csv_shape import (
    bad_bytes,
    last_record_fields,
    place_of,
    short_rows,
    stray_quote,
    unclosed_quote,
)

#: Characters searched for the header row (a header is never longer).
_HEADER_CHARS = 1_000_000


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
    except UnicodeDecodeError:
        raise _not_encoded(data, src, path) from None
    return text.removeprefix("\ufeff")


def _not_encoded(data: bytes, src: SourceConfig, path: Path) -> SourceError:
    """Every place (the first five) where the bytes are not the source's encoding,
    by row and column, with the byte offset for a hex editor."""
    offsets, total = bad_bytes(data, src.encoding)
    problems = [
        Problem(
            f"{where(src, path)}, "
            f"{place_of(data, at, src.encoding, src.delimiter).text()}",
            f"byte {at:,} of the file is not valid {src.encoding}"
            + (f" (one of {total:,} such places)" if i == 0 and total > 1 else "")
            + "; set [[sources]] encoding to the file's (often cp1252 for Windows "
            "exports), or ask the supplier to export it as "
            f"{src.encoding}",
        )
        for i, at in enumerate(offsets)
    ]
    return SourceError(f"Source '{src.name}' is not {src.encoding} text", problems)


def _header(text: str, src: SourceConfig, path: Path) -> list[str]:
    """The header's column names (a repeated name is an error naming it)."""
    try:
        head = io.StringIO(text[:_HEADER_CHARS])
        header = next(csv.reader(head, delimiter=src.delimiter))
    except (csv.Error, StopIteration):
        header = []
    names = [c.strip() for c in header]
    refuse_duplicates(names, src, where(src, path))
    return names


def _ragged_rows(text: str, src: SourceConfig, width: int) -> list[int]:
    """Data rows (1-based) with more fields than the header (error path only)."""
    rows = csv.reader(io.StringIO(text), delimiter=src.delimiter)
    next(rows, None)
    return [i for i, row in enumerate(rows, start=1) if len(row) > width][:5]


def _unparseable(
    src: SourceConfig, path: Path, text: str, names: list[str], exc: Exception
) -> SourceError:
    # the parser's own message may quote a line of the file, so it is not shown
    open_at = unclosed_quote(text, src.delimiter, len(names))
    if open_at is not None:
        problem = Problem(
            f"{where(src, path)}, {open_at.text()}",
            "a quoted value starts here and is never closed, so the rest of the file "
            "runs into it; the file may be cut short (send it again), or a quote "
            'inside a value is not doubled ("")',
        )
        return SourceError(f"Source '{src.name}' could not be parsed", [problem])
    stray = stray_quote(text, src.delimiter)
    if stray is not None:
        problem = Problem(
            f"{where(src, path)}, {stray.text()}",
            "a quote inside this value breaks the CSV quoting (a value holding a "
            'quote must be quoted whole, with the quote doubled: "5 ""six"""); '
            "ask the supplier to fix the export",
        )
        return SourceError(f"Source '{src.name}' could not be parsed", [problem])
    try:
        ragged = _ragged_rows(text, src, len(names))
    except csv.Error:
        ragged = []
    if ragged:
        problems = [
            Problem(
                f"{where(src, path)}, row {row:,}",
                f"has more fields than the header's {len(names)}; quote values "
                "that contain the delimiter, or fix [[sources]] delimiter",
            )
            for row in ragged
        ]
    else:
        problems = [
            Problem(
                where(src, path),
                f"not readable as CSV with delimiter {src.delimiter!r} "
                f"({type(exc).__name__}); check delimiter and quoting",
            )
        ]
    return SourceError(f"Source '{src.name}' could not be parsed", problems)


def read_text(
    text: str, src: SourceConfig, path: Path, utf8: bytes | None = None
) -> pl.DataFrame:
    """Parse CSV text with every column as text (types are the mapping's job);
    ``utf8`` is the same text as UTF-8 bytes when the file already is (no copy)."""
    if not text.strip():
        raise SourceError(
            f"Source '{src.name}' is empty",
            [Problem(where(src, path), "the file is empty; expected a header row")],
        )
    names = _header(text, src, path)
    try:
        frame = pl.read_csv(
            text.encode("utf-8") if utf8 is None else utf8,
            separator=src.delimiter,
            infer_schema=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise _unparseable(src, path, text, names, exc) from None
    _refuse_cut_short(text, src, path, len(names), frame.height)
    # polars may split the header otherwise than csv did (a stray quote or a
    # carriage return): two of its names can still be one once trimmed
    stripped = [c.strip() for c in frame.columns]
    refuse_duplicates(stripped, src, where(src, path))
    return frame.rename(dict(zip(frame.columns, stripped, strict=True)))


def _refuse_cut_short(
    text: str, src: SourceConfig, path: Path, width: int, rows: int
) -> None:
    """A last record with fewer fields than the header and no line break after it
    was cut off while the file was written or copied: the load fails (the last
    good snapshot serves) rather than keep a record with blank fields."""
    fields = last_record_fields(text, src.delimiter)
    if fields is None or fields >= width or rows == 0:
        return
    raise SourceError(
        f"Source '{src.name}' is cut short",
        [
            Problem(
                f"{where(src, path)}, row {rows:,}",
                f"the last row has {fields} of the header's {width} fields and the "
                "file does not end with a line break: it was cut off while being "
                "written or copied; send the extract again",
            )
        ],
    )


def read(path: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read a CSV extract; ``as_of`` is unused (kept for one reader signature)."""
    if not path.is_file():
        raise SourceError(f"Source '{src.name}' is missing", [missing_file(src, path)])
    data = path.read_bytes()
    text = decode(data, src, path)
    utf8 = None
    if codecs.lookup(src.encoding).name == "utf-8":
        utf8 = data.removeprefix(codecs.BOM_UTF8)
    frame = read_text(text, src, path, utf8)
    short = short_rows(text, src.delimiter, frame.width, frame.height)
    return RawExtract(
        frame,
        dict(src.columns),
        file_date(path),
        file_label=path.name,
        warnings=tuple(_short_warnings(short, src, path, frame.width)),
        short_rows=tuple(row for row, _ in short),
    )


def _short_warnings(
    short: list[tuple[int, int]], src: SourceConfig, path: Path, width: int
) -> list[Problem]:
    """The first rows with fewer fields than the header, each set aside."""
    problems = [
        Problem(
            f"{where(src, path)}, row {row:,}",
            f"has {fields} of the header's {width} fields (a line break or a "
            "missing delimiter inside a value?); set aside in quarantine, not "
            "read with blank fields; ask the supplier to fix the export",
        )
        for row, fields in short[:FIRST_ROWS]
    ]
    if len(short) > FIRST_ROWS:
        problems.append(
            Problem(
                where(src, path),
                f"{len(short):,} rows in all have fewer fields than the header",
            )
        )
    return problems
