"""Mapping an extract's columns to the standard record: cases as tables, with the
expected value of every case written out (nulls included)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from support.mapping import EXTRACT, mapped, one_field

from core.config import SourceConfig
from sources.mapping import map_records
from sources.records import STANDARD_SCHEMA

DATES = [
    # raw text, date_format, expected
    ("03/04/2015", "%d/%m/%Y", date(2015, 4, 3)),
    (" 03/04/2015 ", "%d/%m/%Y", date(2015, 4, 3)),
    ("31/02/2015", "%d/%m/%Y", None),
    ("2015-04-03", "%d/%m/%Y", None),
    ("2015-04-03", "%Y-%m-%d", date(2015, 4, 3)),
    ("2015-04-03 00:00:00.000", "%Y-%m-%d", date(2015, 4, 3)),
    ("20150403", "%Y%m%d", date(2015, 4, 3)),
    ("03.04.2015", "%d.%m.%Y", date(2015, 4, 3)),
    ("", "%d/%m/%Y", None),
    (None, "%d/%m/%Y", None),
]


@pytest.mark.parametrize(("raw", "fmt", "expected"), DATES)
def test_dates_parse_with_the_source_format(raw, fmt, expected):
    assert one_field("involvement_start", [raw], date_format=fmt) == [expected]


def test_typed_date_columns_are_kept_and_unparseable_text_is_a_fault():
    frame = pl.DataFrame(
        {
            "d": [date(2010, 1, 2), None],
            "t": [datetime(2011, 5, 6, 13, 0), None],
            "s": ["bad", "02/01/2010"],
            "n": ["A", "B"],
        }
    )
    cols = {"dob": "d", "involvement_start": "t", "last_contact": "s", "last_name": "n"}
    src = SourceConfig(
        name="t", service="T", path="t", columns=cols, date_format="%d/%m/%Y"
    )
    result = map_records(frame, src, cols, EXTRACT)
    assert result.records["dob"].to_list() == [date(2010, 1, 2), None]
    assert result.records["involvement_start"].to_list() == [date(2011, 5, 6), None]
    assert result.records["last_contact"].to_list() == [None, date(2010, 1, 2)]
    assert result.counts == {"last_contact": 1}


def test_a_date_of_birth_after_the_extract_date_is_a_fault():
    out = mapped(
        {"d": ["2030-01-01", "2020-01-01"], "n": ["A", "B"]},
        {"dob": "d", "last_name": "n"},
    )
    assert out["dob"].to_list() == [None, date(2020, 1, 1)]


SEXES = [
    ("F", "F"), ("female", "F"), ("Girl", "F"), ("2", "F"), ("02", "F"),
    ("M", "M"), ("MALE", "M"), ("1", "M"), ("01", "M"),
    ("U", "U"), ("Not known", "U"), ("9", "U"), ("0", "U"), ("Indeterminate", "U"),
    ("Z", None), ("", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), SEXES)
def test_sex_codes(raw, expected):
    assert one_field("sex", [raw]) == [expected]


POSTCODES = [
    ("SK4 2XY", "SK4 2XY"), ("sk4 2xy", "SK4 2XY"), ("SK42XY", "SK4 2XY"),
    (" sk4   2xy ", "SK4 2XY"), ("M1 1AE", "M1 1AE"), ("W1A1AA", "W1A 1AA"),
    ("EC1A 1BB", "EC1A 1BB"), ("12345", None), ("SK4", None), ("NO FIXED ABODE", None),
    (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), POSTCODES)
def test_postcodes(raw, expected):
    assert one_field("postcode", [raw]) == [expected]


NHS = [
    ("9434765919", "9434765919"), ("943 476 5919", "943 476 5919".replace(" ", "")),
    ("943-476-5919", "9434765919"), ("9434765918", None), ("943476591", None),
    ("94347659190", None), ("ABCDEFGHIJ", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), NHS)
def test_nhs_numbers(raw, expected):
    assert one_field("nhs_number", [raw]) == [expected]


def test_nhs_numbers_stored_as_numbers_are_read():
    out = mapped(
        {"c": [9434765919.0, None], "n": ["A", "B"]},
        {"nhs_number": "c", "last_name": "n"},
    )
    assert out["nhs_number"].to_list() == ["9434765919", None]


UPNS = [
    ("B801200005001", "B801200005001"), ("b801200005001", "B801200005001"),
    ("B801 2000 05001", "B801200005001"), ("A801200005001", None),
    ("I801200005001", None), ("B80120000500", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), UPNS)
def test_upns(raw, expected):
    assert one_field("upn", [raw]) == [expected]


FULL_NAMES = [
    # full name, first, last
    ("SMITH, John", "John", "SMITH"),
    ("  KHAN ,  Mo  ", "Mo", "KHAN"),
    ("ABDI HASSAN, Hodan", "Hodan", "ABDI HASSAN"),
    ("John Smith", "John", "Smith"),
    ("Mary Jane Smith", "Mary Jane", "Smith"),
    ("Cher", None, "Cher"),
    ("SMITH,", None, "SMITH"),
    (None, None, None),
]


@pytest.mark.parametrize(("full", "first", "last"), FULL_NAMES)
def test_full_name_is_split(full, first, last):
    out = mapped(
        {"c": [full]},
        {"full_name": "c"},
    )
    assert out.select("first_name", "last_name").row(0) == (first, last)


def test_separate_name_columns_win_over_full_name():
    out = mapped(
        {"f": ["Jo", None], "l": ["Bloggs", None], "c": ["SMITH, John", "KHAN, Mo"]},
        {"first_name": "f", "last_name": "l", "full_name": "c"},
    )
    assert out.select("first_name", "last_name").rows() == [
        ("Jo", "Bloggs"),
        ("Mo", "KHAN"),
    ]


PREVIOUS = [
    # previous names as given, as kept
    ("Leung", "Leung"),
    ("  Amy Reid ;\nReid-Hall ", "Amy Reid ;, Reid-Hall"),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("given", "kept"), PREVIOUS)
def test_previous_names_are_kept_on_one_line(given, kept):
    out = mapped({"p": [given]}, {"previous_names": "p"})
    assert out["previous_names"].to_list() == [kept]


CURRENT = [
    # status, start, end, expected
    ("Open", "2024-01-01", None, True),
    ("CLOSED", "2024-01-01", None, False),
    (" active ", "2024-01-01", "2024-02-01", True),
    (None, "2024-01-01", None, True),
    (None, "2024-01-01", "2025-06-01", True),
    (None, "2024-01-01", "2025-03-31", False),
    (None, "2024-01-01", "2024-02-01", False),
    (None, None, None, None),
]


@pytest.mark.parametrize(("status", "start", "end", "expected"), CURRENT)
def test_involvement_current(status, start, end, expected):
    out = mapped(
        {"s": [status], "a": [start], "b": [end], "n": ["A"]},
        {
            "status": "s",
            "involvement_start": "a",
            "involvement_end": "b",
            "last_name": "n",
        },
    )
    assert out["involvement_current"].to_list() == [expected]


def test_current_from_dates_when_no_status_column():
    out = mapped(
        {"a": ["2024-01-01"], "b": [None], "n": ["A"]},
        {"involvement_start": "a", "involvement_end": "b", "last_name": "n"},
    )
    assert out["involvement_current"].to_list() == [True]


def test_references_are_prefixed_and_text_is_trimmed():
    out = mapped(
        {
            "f": [" F1 ", None],
            "h": ["T9", ""],
            "n": [" Smith ", "Jones"],
            "a": ["12 Oak Road\nStockport", "  "],
            "p": ["  07700 900123 ", None],
        },
        {
            "family_ref": "f",
            "household_ref": "h",
            "last_name": "n",
            "address": "a",
            "lead_phone": "p",
        },
    )
    assert out["family_ref"].to_list() == ["t:F1", None]
    assert out["household_ref"].to_list() == ["t:T9", None]
    assert out["last_name"].to_list() == ["Smith", "Jones"]
    assert out["address"].to_list() == ["12 Oak Road, Stockport", None]
    assert out["lead_phone"].to_list() == ["07700 900123", None]


def test_several_references_are_each_prefixed():
    # a person in two family groups: each reference its own, blanks dropped
    out = mapped({"f": ["F1; F2 ;", " ; "]}, {"family_ref": "f"})
    assert out["family_ref"].to_list() == ["t:F1;t:F2", None]


def test_record_ids_default_to_row_numbers_and_repeats_are_made_unique():
    out = mapped({"n": ["A", "B"]}, {"last_name": "n"})
    assert out["record_id"].to_list() == ["row-1", "row-2"]
    src = SourceConfig(name="t", service="T", path="t")
    cols = {"record_id": "r", "last_name": "n"}
    result = map_records(
        pl.DataFrame({"r": ["X", "X", None], "n": ["A", "B", "C"]}), src, cols, EXTRACT
    )
    assert result.records["record_id"].to_list() == ["X", "X~row-2", "row-3"]
    assert result.counts == {"record_id": 1}


def test_every_standard_column_is_present_with_its_type():
    out = mapped({"n": ["A"]}, {"last_name": "n"})
    assert out.schema == pl.Schema(STANDARD_SCHEMA)
    row = out.row(0, named=True)
    assert row["source"] == "t" and row["row_number"] == 1
    assert row["extract_date"] == EXTRACT
    assert row["dob"] is None and row["lead_email"] is None


def test_faults_count_present_values_that_were_unusable():
    src = SourceConfig(name="t", service="T", path="t")
    cols = {"nhs_number": "a", "postcode": "b", "sex": "c", "last_name": "n"}
    frame = pl.DataFrame(
        {
            "a": ["1234567890", None, "9434765919"],
            "b": ["SK4 2XY", "nowhere", None],
            "c": ["F", "?", None],
            "n": ["A", "B", "C"],
        }
    )
    assert map_records(frame, src, cols, EXTRACT).counts == {
        "nhs_number": 1,
        "postcode": 1,
        "sex": 1,
    }
