"""Plain-English wording shared by the CLI and the dashboard: dates, ages, names."""

from __future__ import annotations

from datetime import date

import polars as pl

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: date | None) -> str:
    """'1 November 2026' (GOV.UK style), or '' when unknown."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def month_year(value: date | None) -> str:
    """'April 2014', or '' when unknown."""
    return f"{MONTHS[value.month - 1]} {value.year}" if value else ""


def age_on(dob: date | None, today: date) -> int | None:
    """Whole years from ``dob`` to ``today``; None when the date of birth is unknown."""
    if dob is None:
        return None
    before_birthday = (dob.month, dob.day) > (today.month, today.day)
    return today.year - dob.year - int(before_birthday)


def age_expr(dob: pl.Expr, today: date) -> pl.Expr:
    """``age_on`` as a column-wide expression."""
    before_birthday = (dob.dt.month() > today.month) | (
        (dob.dt.month() == today.month) & (dob.dt.day() > today.day)
    )
    return (pl.lit(today.year) - dob.dt.year() - before_birthday.cast(pl.Int32)).cast(
        pl.Int64
    )


def display_name(first: str | None, last: str | None) -> str:
    """'John SMITH': the family name in capitals, as case systems show it."""
    parts = [p for p in ((first or "").strip(), (last or "").strip().upper()) if p]
    return " ".join(parts) or "Name not recorded"


def nhs_display(nhs: str | None) -> str:
    """'943 476 5919', the way NHS numbers are read out."""
    if not nhs or len(nhs) != 10:
        return nhs or ""
    return f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"


def age_text(age: int | None) -> str:
    """'age 7', 'age under 1' or 'age unknown'."""
    if age is None:
        return "age unknown"
    return "age under 1" if age < 1 else f"age {age}"
