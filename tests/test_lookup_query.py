"""Parsing what a worker typed: names either way round, wildcards, identifiers, DOB."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import LookupInputError
from lookup.query import SearchQuery, nhs_check_ok, parse_query

TODAY = date(2026, 11, 15)

NAME_CASES = [
    # (first, last, dob, expected first, expected last, expected dob)
    ("John", "Smith", "", "John", "Smith", None),
    ("", "SMITH, John", "", "John", "SMITH", None),
    ("SMITH, John", "", None, "John", "SMITH", None),
    ("John Smith", "", "", "John", "Smith", None),
    ("SMITH John", "", "", "John", "SMITH", None),
    ("", "de la Cruz, Maria", "", "Maria", "de la Cruz", None),
    ("Jo*hn", "Sm%ith?", "", "John", "Smith", None),
    ("  Mary  Ann ", " Smith-Jones ", "", "Mary Ann", "Smith-Jones", None),
    ("J", "Smith", "03/07/2015", "J", "Smith", date(2015, 7, 3)),
    ("Jane", "Smith", "3/7/2015", "Jane", "Smith", date(2015, 7, 3)),
    ("Jane", "Smith", "2015-07-03", "Jane", "Smith", date(2015, 7, 3)),
    ("Jane", "Smith", "03.07.2015", "Jane", "Smith", date(2015, 7, 3)),
    ("Jane", "Smith", date(2015, 7, 3), "Jane", "Smith", date(2015, 7, 3)),
]


@pytest.mark.parametrize(
    ("first", "last", "dob", "e_first", "e_last", "e_dob"), NAME_CASES
)
def test_names_are_parsed(first, last, dob, e_first, e_last, e_dob) -> None:
    query = parse_query(first, last, dob, today=TODAY)
    assert (query.first, query.last, query.dob) == (e_first, e_last, e_dob)
    assert not query.by_identifier


ID_CASES = [
    # (typed, expected identifier, expected kind)
    ("943 476 5919", "9434765919", "nhs_number"),
    ("943-476-5919", "9434765919", "nhs_number"),
    ("a12345678901b", "A12345678901B", "upn"),
    ("CSC-1001", "CSC1001", "case_number"),
    ("  lcs 12345 ", "LCS12345", "case_number"),
]


@pytest.mark.parametrize(("typed", "expected", "kind"), ID_CASES)
def test_identifiers_are_classified(typed: str, expected: str, kind: str) -> None:
    query = parse_query("", "", "", typed)
    assert (query.identifier, query.id_kind) == (expected, kind)
    assert query.criteria() == {"identifier": expected, "id_kind": kind}


def test_identifier_needs_no_name_and_wins_over_one() -> None:
    assert parse_query("Jane", "", "", "9434765919").by_identifier


ERROR_CASES = [
    # (first, last, dob, identifier, words in the message)
    ("", "", "", "", "first name and a last name"),
    ("John", "", "", "", "first name and a last name"),
    ("", "Smith", "", "", "first name and a last name"),
    ("***", "Smith", "", "", "first name and a last name"),
    (None, None, None, None, "first name and a last name"),
    ("Jane", "Smith", "31/02/2015", "", "DD/MM/YYYY"),
    ("Jane", "Smith", "July 2015", "", "DD/MM/YYYY"),
    ("Jane", "Smith", "01/01/2030", "", "in the past"),
    ("", "", "", "9434765918", "check digit"),
    ("", "", "", "#", "a UPN"),
]


@pytest.mark.parametrize(("first", "last", "dob", "ident", "message"), ERROR_CASES)
def test_bad_input_is_refused_without_repeating_it(
    first, last, dob, ident, message
) -> None:
    with pytest.raises(LookupInputError, match=message) as info:
        parse_query(first, last, dob, ident, today=TODAY)
    for typed in (first, last, dob, ident):
        if typed and len(typed) > 2:
            assert typed not in str(info.value)


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("9434765919", True), ("9434765918", False), ("4010232137", True)],
)
def test_nhs_check_digit(digits: str, ok: bool) -> None:
    assert nhs_check_ok(digits) is ok


def test_criteria_for_the_audit_log() -> None:
    query = SearchQuery(first="Jane", last="Smith", dob=date(2015, 7, 3))
    assert query.criteria() == {"first": "Jane", "last": "Smith", "dob": "2015-07-03"}


def test_postcode_and_age_range_are_checked() -> None:
    query = parse_query("Jane", "Smith", postcode=" sk1 3ab ", age_min="3", age_max=9)
    assert (query.postcode, query.age_min, query.age_max) == ("SK13AB", 3, 9)
    assert query.criteria()["postcode"] == "SK13AB"
    assert "postcode" not in parse_query("Jane", "Smith").criteria()
    for bad in ({"postcode": "not a postcode"}, {"age_min": "ten"},
                {"age_min": 9, "age_max": 3}, {"age_max": 130}):  # fmt: skip
        with pytest.raises(LookupInputError):
            parse_query("Jane", "Smith", **bad)
