"""Dates of birth that may be one person's: one slip apart, never a chain of slips."""

from __future__ import annotations

from datetime import date


def _date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def dobs_compatible(a: str, b: str, near_days: int = 7) -> bool:
    """Dates ("YYYYMMDD") one slip apart: equal, day and month swapped, one digit
    wrong or two adjacent digits swapped, a few days apart, or a year out."""
    if a == b or (a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]):
        return True
    diff = [i for i in range(8) if a[i] != b[i]]
    if len(diff) == 1 or (a[4:] == b[4:] and abs(int(a[:4]) - int(b[:4])) == 1):
        return True
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i, j = diff
        if a[i] == b[j] and a[j] == b[i]:
            return True
    da, db = _date(a), _date(b)
    return da is not None and db is not None and abs((da - db).days) <= near_days


def dobs_consistent(dobs: frozenset[str]) -> bool:
    """One of the dates is within a swap or a slip of every other date.

    So one record may have day and month swapped and another a mistyped digit
    (both slips from the true date), but slips cannot chain away from it.
    """
    if len(dobs) < 2:
        return True
    return any(all(dobs_compatible(c, d) for d in dobs) for c in dobs)
