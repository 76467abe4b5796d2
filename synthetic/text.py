"""Text helpers for extracts: accent folding and date formatting as systems do."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import polars as pl

_SPECIAL = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss"}


def _ascii(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    base = unicodedata.normalize("NFKD", char)
    return "".join(c for c in base if not unicodedata.combining(c)) or "?"


def _in_cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fold_table(texts: Iterable[str], keep: str = "none") -> dict[str, str]:
    """Replacements for non-ASCII characters in ``texts``.

    ``keep="cp1252"`` keeps what a Windows-1252 system can store (é, ó, ë …) and
    folds the rest (ł, ș, ă …), as an old case system would.
    """
    chars = {c for text in texts for c in text if ord(c) > 127}
    if keep == "cp1252":
        chars = {c for c in chars if not _in_cp1252(c)}
    return {c: _ascii(c) for c in sorted(chars)}


def fold(expr: pl.Expr, table: dict[str, str]) -> pl.Expr:
    """Apply a fold table to a string expression."""
    if not table:
        return expr
    return expr.str.replace_many(list(table), list(table.values()))


def date_text(expr: pl.Expr, fmt: str, invalid: pl.Expr | None = None) -> pl.Expr:
    """Format a date; where ``invalid`` holds, write an impossible 31 February."""
    text = expr.dt.strftime(fmt)
    if invalid is None:
        return text
    bad = expr.dt.strftime(fmt.replace("%d", "31").replace("%m", "02"))
    return pl.when(invalid & expr.is_not_null()).then(bad).otherwise(text)
