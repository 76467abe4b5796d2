"""Check digits of the identifiers shared between services: NHS number and UPN.

The same rules serve three callers, so they live in one place: polars expressions
for the loader, numpy functions for the generator, plain functions for tests.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl

#: UPN check letters, indexed by (weighted sum mod 23); I, O and S are never used.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_NHS_WEIGHTS = tuple(range(10, 1, -1))  # digit 1 weighs 10 … digit 9 weighs 2
_UPN_FORMAT = rf"^[{UPN_LETTERS}]\d{{11}}[0-9{UPN_LETTERS}]$"


def nhs_check_digit(body: str) -> int | None:
    """Modulus-11 check digit of a 9-digit NHS number body; None if none exists."""
    total = sum(int(d) * w for d, w in zip(body, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return None
    return 0 if check == 11 else check


def is_valid_nhs(value: str) -> bool:
    """True for ten digits whose last is the modulus-11 check digit."""
    if len(value) != 10 or not value.isdigit():
        return False
    return nhs_check_digit(value[:9]) == int(value[9])


def nhs_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Vectorised check digits of 9-digit integer bodies; -1 where none exists."""
    total = np.zeros(len(bodies), dtype=np.int64)
    for i, weight in enumerate(_NHS_WEIGHTS):
        total += (bodies // 10 ** (8 - i) % 10) * weight
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    return np.where(check == 10, -1, check)


def _weighted_digits(number: pl.Expr, weights: tuple[int, ...]) -> pl.Expr:
    """Sum of each digit of ``number`` (``len(weights)`` digits) times its weight.

    One numpy pass over the whole column: written as polars expressions the
    number would be recomputed once per digit."""
    width = len(weights)

    def batch(values: pl.Series) -> pl.Series:
        digits = values.fill_null(0).to_numpy()
        total = np.zeros(len(digits), dtype=np.int64)
        for i, weight in enumerate(weights):
            total += digits // 10 ** (width - 1 - i) % 10 * weight
        return pl.Series(values.name, total)

    return number.map_batches(batch, return_dtype=pl.Int64)


def nhs_number_expr(raw: pl.Expr) -> pl.Expr:
    """Digits of an NHS number when its check digit is valid, else null.

    Arithmetic on the whole number (not a slice per digit): a million values
    cost a few milliseconds."""
    digits = raw.str.replace_all(r"[\s\-]", "")
    shaped = digits.str.contains(r"^\d{10}$")
    number = pl.when(shaped).then(digits).cast(pl.Int64, strict=False)
    total = _weighted_digits(number // 10, _NHS_WEIGHTS)
    check = (11 - total % 11).replace(11, 0)
    ok = shaped & (check == number % 10)
    return pl.when(ok).then(digits).otherwise(None)


def upn_value(char: str) -> int:
    """Value of one UPN character in the check sum: a digit, or a letter's index."""
    return int(char) if char.isdigit() else UPN_LETTERS.index(char)


def upn_check_letter(body: str) -> str:
    """DfE check letter for the 12 characters after it (weights 2 to 13, mod 23)."""
    total = sum(upn_value(c) * w for c, w in zip(body, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23]


def is_valid_upn(value: str) -> bool:
    """True for a 13-character UPN whose first letter is the right check letter."""
    if not re.match(_UPN_FORMAT, value):
        return False
    return upn_check_letter(value[1:]) == value[0]


def upn_check_letters(bodies: np.ndarray) -> np.ndarray:
    """Vectorised check letters of 12-digit integer UPN bodies."""
    total = np.zeros(len(bodies), dtype=np.int64)
    for i, weight in enumerate(range(2, 14)):
        total += (bodies // 10 ** (11 - i) % 10) * weight
    return np.array(list(UPN_LETTERS))[total % 23]


def upn_expr(raw: pl.Expr) -> pl.Expr:
    """A UPN upper-cased without spaces when its check letter is valid, else null.

    The format allows a letter only first and last, so characters 2-12 are one
    integer and only the last needs a lookup."""
    as_given = raw.str.contains(_UPN_FORMAT)  # most are already well formed
    odd = pl.when(~as_given).then(raw).str.to_uppercase().str.replace_all(r"\s", "")
    upn = pl.when(as_given).then(raw).otherwise(odd)
    shaped = as_given | odd.str.contains(_UPN_FORMAT)
    middle = pl.when(shaped).then(upn.str.slice(1, 11)).cast(pl.Int64, strict=False)
    values = {c: i for i, c in enumerate(UPN_LETTERS)} | {str(d): d for d in range(10)}
    last = upn.str.slice(12, 1).replace_strict(
        values, default=None, return_dtype=pl.Int64
    )
    total = _weighted_digits(middle, tuple(range(2, 13))) + last * 13
    letter = (total % 23).replace_strict(dict(enumerate(UPN_LETTERS)), default=None)
    ok = shaped & (letter == upn.str.slice(0, 1))
    return pl.when(ok).then(upn).otherwise(None)
