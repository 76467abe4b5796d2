"""Where a CSV is broken, by data row and column: a last record cut short, a
quoted value never closed, a byte not in the file's encoding.

Data rows are counted as the mapping counts them (1 is the first row after the
header; a quoted value may hold line breaks, so a row is not a line). Only the
error paths parse the file with Python's ``csv``; a good file costs one look at
its last line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

#: Lines searched back from the end for the start of the last record.
_TAIL_LINES = 1_000


@dataclass(frozen=True)
class Place:
    """A data row (0: the header, -1: not found) and, when known, the column."""

    row: int
    column: str = ""

    def text(self) -> str:
        if self.row < 0:
            return "row unknown"
        where = "the header" if self.row == 0 else f"row {self.row:,}"
        return f"{where}, column '{self.column}'" if self.column else where


def _records(text: str, delimiter: str, strict: bool = False) -> Iterator[list[str]]:
    """The records of ``text`` (line breaks inside quoted values kept)."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)


def last_record_fields(text: str, delimiter: str) -> int | None:
    """How many fields the last record has, when the file does not end with a
    line break (a complete file does); None when it does or cannot be told."""
    if not text or text.endswith(("\n", "\r")):
        return None
    start = len(text)
    for _ in range(_TAIL_LINES):
        start = text.rfind("\n", 0, start)
        tail = text[start + 1 :]
        # an even number of quotes: the tail starts outside a quoted value
        if tail.count('"') % 2 == 0:
            try:
                return len(next(_records(tail, delimiter), []))
            except csv.Error:
                return None
        if start < 0:
            return None
    return None


def unclosed_quote(text: str, delimiter: str, width: int) -> Place | None:
    """The row whose quoted value is never closed, or None if every quote closes.

    The value runs on to the end of the file, swallowing the rows after it; the
    first row with the wrong number of fields is where it went wrong."""
    reader = _records(text, delimiter, strict=True)
    rows, odd = 0, 0
    try:
        for record in reader:
            if rows and not odd and len(record) != width:
                odd = rows
            rows += 1
    except csv.Error as exc:
        if "end of data" not in str(exc):
            return None
        return Place(odd or rows)
    return None


def place_of(data: bytes, offset: int, encoding: str, delimiter: str) -> Place:
    """The data row and column holding byte ``offset`` of ``data``."""
    head = data[:offset].decode(encoding, errors="replace").removeprefix("\ufeff")
    try:
        records = list(_records(head, delimiter))
    except csv.Error:
        return Place(-1)
    header = records[0] if records else []
    if not records or head.endswith(("\n", "\r")) or not head:
        row, field = len(records), 0
    else:
        row, field = len(records) - 1, max(len(records[-1]) - 1, 0)
    if row == 0:
        return Place(0)
    column = header[field].strip() if field < len(header) else ""
    return Place(row, column)


def bad_bytes(data: bytes, encoding: str, limit: int = 5) -> tuple[list[int], int]:
    """Offsets of the first ``limit`` bytes not valid in ``encoding``, and how many
    invalid sequences there are in all."""
    found: list[int] = []
    position = 0
    while len(found) < limit:
        try:
            data[position:].decode(encoding)
            break
        except UnicodeDecodeError as exc:
            found.append(position + exc.start)
            position += exc.end
    if len(found) < limit:
        return found, len(found)
    # each bad sequence becomes one replacement character (a file may hold a
    # real one too, so this is at least the count)
    total = data.decode(encoding, errors="replace").count("\ufffd")
    return found, max(total, len(found))


def _lines(text: str) -> pl.Series:
    lines = pl.Series([text]).str.split("\n").explode()
    return lines.str.strip_suffix("\r")


def field_counts(text: str, delimiter: str) -> pl.DataFrame:
    """Per data row: its text (``line``, line breaks of quoted values kept) and
    how many fields it has (``fields``), in column expressions: a quoted value
    may hold line breaks and delimiters."""
    lines = _lines(text)
    if lines.len() and lines[-1] == "":
        lines = lines.head(-1)
    frame = pl.DataFrame({"line": lines})
    if '"' in text:
        odd = pl.col("line").str.count_matches('"', literal=True) % 2 == 1
        inside = odd.cum_sum().shift(1, fill_value=0) % 2 == 1
        frame = (
            frame.with_columns(record=(~inside).cum_sum())
            .group_by("record", maintain_order=True)
            .agg(pl.col("line").str.join("\n"))
        )
    bare = pl.col("line").str.replace_all(r'"[^"]*"', "")
    fields = bare.str.count_matches(delimiter, literal=True) + 1
    return frame.select("line", fields=fields).slice(1)


def short_rows(
    text: str, delimiter: str, width: int, rows: int
) -> list[tuple[int, int]]:
    """(data row, fields) of every row with fewer fields than the header's
    ``width`` (a blank line is not one), rows counted as the parser counted
    its ``rows``; empty when the two counts disagree."""
    counts = field_counts(text, delimiter)
    if counts.height != rows:
        return []
    short = counts.with_row_index("row", offset=1).filter(
        (pl.col("fields") < width) & (pl.col("line").str.strip_chars() != "")
    )
    return [(int(r), int(f)) for r, f in short.select("row", "fields").iter_rows()]


_QUOTED = '"(?:[^"]|"")*"'


def stray_quote(text: str, delimiter: str) -> Place | None:
    """The row and column of the first value whose quotes break the CSV rules (a
    quote inside an unquoted value, text after a closing quote), or None."""
    d = re.escape(delimiter)
    field = f'(?:{_QUOTED}|[^"{d}\\r\\n]*)'
    record = re.compile(f"{field}(?:{d}{field})*(?:\\r\\n|\\n|\\r|\\Z)")
    one = re.compile(field)
    header: list[str] = []
    position, row = 0, 0
    while position < len(text):
        found = record.match(text, position)
        if found is None or found.end() == position:
            return Place(row, _column(text, position, one, delimiter, header))
        if row == 0:
            header = next(_records(found.group(0), delimiter), [])
        position, row = found.end(), row + 1
    return None


def _column(
    text: str, position: int, one: re.Pattern, delimiter: str, header: list[str]
) -> str:
    """The header name of the field at fault in the record starting at
    ``position``."""
    for index in range(len(header) + 1):
        found = one.match(text, position)
        position = found.end() if found else position
        if text.startswith(delimiter, position):
            position += len(delimiter)
            continue
        if index < len(header):
            return header[index].strip()
        return ""
    return ""
