"""Dates of birth as graded evidence: how far apart two dates are, in levels.

A date is written "YYYYMMDD", or "YYYY" when only the year is known (a source
that gives years only, or a placeholder day such as 1 January: see
``linkage.placeholders``). The levels are those of
``linkage.comparisons.DateOfBirth``; this plain-Python form serves clustering,
which weighs the dates a would-be person holds (``linkage.groups``).
"""

from __future__ import annotations

from datetime import date

#: Levels, strongest first (``DateOfBirth`` builds the same ones column-wide).
EXACT, SWAPPED, ONE_DIGIT, FEW_DAYS, WEEKS, YEAR, SAME_YEAR, DIFFERENT = range(8)
GENERATION = 8  # years of birth a generation apart
#: "A few days" apart (or the same day and month a year out): a typing or
#: recording slip, and as close as twins' records of one birth can differ.
FEW_DAYS_APART = 7
#: "Within weeks": a date recorded from memory or a late registration.
WEEKS_APART = 62
#: "Within a year": a date drifted by months.
YEAR_APART = 366
#: Dates this many years apart are a generation apart (a parent and child of
#: one name), whatever single slip of a digit turns one into the other.
GENERATION_YEARS = 15


def _date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def one_digit(a: str, b: str) -> bool:
    """Two "YYYYMMDD" dates one digit different, or two neighbouring digits
    swapped."""
    diff = [i for i in range(8) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i, j = diff
        return a[i] == b[j] and a[j] == b[i]
    return False


def generations_apart(a: str, b: str) -> bool:
    """The years of birth are ``GENERATION_YEARS`` or more apart."""
    return abs(int(a[:4]) - int(b[:4])) >= GENERATION_YEARS


def dob_level(
    a: str,
    b: str,
    few_days: int = FEW_DAYS_APART,
    weeks: int = WEEKS_APART,
    year: int = YEAR_APART,
) -> int:
    """The ``DateOfBirth`` level of two dates ("YYYYMMDD" or "YYYY"), with the
    comparison's day limits."""
    if generations_apart(a, b):
        return GENERATION
    if len(a) < 8 or len(b) < 8:
        return SAME_YEAR if a[:4] == b[:4] else DIFFERENT
    if a == b:
        return EXACT
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return SWAPPED
    if one_digit(a, b):
        return ONE_DIGIT
    if a[4:] == b[4:] and abs(int(a[:4]) - int(b[:4])) == 1:
        return FEW_DAYS
    da, db = _date(a), _date(b)
    if da is None or db is None:
        return DIFFERENT
    days = abs((da - db).days)
    if days <= few_days:
        return FEW_DAYS
    if days <= weeks:
        return WEEKS
    return YEAR if days <= year else DIFFERENT


def dobs_compatible(a: str, b: str) -> bool:
    """Dates one slip apart: equal, day and month swapped, one digit wrong or two
    adjacent digits swapped, a few days apart, or a year out."""
    return dob_level(a, b) <= FEW_DAYS
