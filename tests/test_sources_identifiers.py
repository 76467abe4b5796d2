"""NHS number and UPN check characters: known cases, and the vectorised versions
agreeing with the plain ones."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.identifiers import (
    is_valid_nhs,
    is_valid_upn,
    nhs_check_digit,
    nhs_check_digits,
    nhs_number_expr,
    upn_check_letter,
    upn_check_letters,
    upn_expr,
)

NHS_CASES = [
    ("9434765919", True),  # the NHS's published example
    ("9434765918", False),
    ("4347659190", False),
    ("943476591", False),
    ("94347659X9", False),
]
UPN_CASES = [
    ("B801200005001", True),  # python-stdnum's documented example
    ("A801200005001", False),
    ("B80120000500", False),
    ("I801200005001", False),
]


@pytest.mark.parametrize(("value", "valid"), NHS_CASES)
def test_nhs_cases(value, valid):
    assert is_valid_nhs(value) is valid


@pytest.mark.parametrize(("value", "valid"), UPN_CASES)
def test_upn_cases(value, valid):
    assert is_valid_upn(value) is valid


@given(st.integers(100_000_000, 999_999_999))
def test_vectorised_nhs_check_digit_agrees(body):
    plain = nhs_check_digit(str(body))
    assert nhs_check_digits(np.array([body]))[0] == (-1 if plain is None else plain)


@given(st.integers(0, 10**12 - 1))
def test_vectorised_upn_letter_agrees(body):
    text = str(body).zfill(12)
    letter = upn_check_letters(np.array([body]))[0]
    assert letter == upn_check_letter(text)
    frame = pl.DataFrame({"u": [letter + text]})
    assert frame.select(upn_expr(pl.col("u"))).item() == letter + text


@given(st.text(alphabet="0123456789 ", min_size=0, max_size=14))
def test_nhs_expression_agrees_with_the_plain_check(raw):
    digits = raw.replace(" ", "")
    expected = digits if is_valid_nhs(digits) else None
    assert pl.select(nhs_number_expr(pl.lit(raw))).item() == expected
