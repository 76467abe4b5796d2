"""Standardising names, dates of birth, postcodes and addresses (cases as tables)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from support.population import records_frame

from linkage.names import clean_name, common_first_names, load_name_tables
from linkage.standardise import address_numbers, standardise


@pytest.fixture(scope="module")
def tables():
    return load_name_tables()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Zoë ", "zoe"),
        ("O'Brien-Smith", "obrien smith"),
        ("JOSÉ  MÜLLER", "jose muller"),
        ("Łukasz", "lukasz"),
        ("Smith2", "smith"),
        ("--", None),
        (None, None),
    ],
)
def test_clean_name(raw: str | None, expected: str | None) -> None:
    out = pl.select(clean_name(pl.lit(raw, dtype=pl.Utf8))).item()
    assert out == expected


def _std(tables, rows: list[dict]) -> pl.DataFrame:
    return standardise(records_frame(rows), tables)


@pytest.mark.parametrize(
    ("first", "canons"),
    [
        ("Bob", ["robert"]),
        ("Sam", ["samantha", "samuel"]),
        ("Muhammad", ["mohammed"]),
        ("Kaz", ["karen"]),
        ("Abdul Rahman", ["abdirahman", "abdul"]),
        ("Zebedee", ["zebedee"]),
        (None, None),
    ],
)
def test_first_name_canonical_forms(tables, first: str | None, canons) -> None:
    std = _std(tables, [{"first_name": first}])
    got = std["fn_canons"][0]
    assert (got.to_list() if got is not None else None) == canons


@pytest.mark.parametrize(
    ("last", "join", "parts", "canon"),
    [
        ("Smith-Jones", "smithjones", ["smith", "jones"], "jones"),
        ("O'Brien", "obrien", ["obrien"], "obrien"),
        ("O Brien", "obrien", ["o", "brien"], "obrien"),
        ("Smyth", "smyth", ["smyth"], "smith"),
        ("Hussein", "hussein", ["hussein"], "hussain"),
    ],
)
def test_surname_columns(tables, last, join, parts, canon) -> None:
    std = _std(tables, [{"last_name": last}])
    assert std["ln_join"][0] == join
    assert std["ln_parts"][0].to_list() == parts
    assert canon in std["ln_canons"][0].to_list()


@pytest.mark.parametrize(
    ("dob", "year", "text", "swapped"),
    [
        (date(2010, 3, 4), 2010, "20100304", date(2010, 4, 3)),
        (date(2010, 3, 13), 2010, "20100313", None),
        (date(2010, 5, 5), 2010, "20100505", None),
        (None, None, None, None),
    ],
)
def test_dob_columns(tables, dob, year, text, swapped) -> None:
    std = _std(tables, [{"dob": dob}])
    assert std.select("dob_y", "dob_s", "dob_swap").row(0) == (year, text, swapped)


@pytest.mark.parametrize(
    ("postcode", "pc", "sector", "district"),
    [
        ("sk1 3ab", "SK13AB", "SK1 3", "SK1"),
        ("M1  1AA", "M11AA", "M1 1", "M1"),
        ("EC1A 1BB", "EC1A1BB", "EC1A 1", "EC1A"),
        ("not known", None, None, None),
        (None, None, None, None),
    ],
)
def test_postcode_columns(tables, postcode, pc, sector, district) -> None:
    std = _std(tables, [{"postcode": postcode}])
    assert std.select("pc", "pc_sector", "pc_district").row(0) == (pc, sector, district)


@pytest.mark.parametrize(
    ("address", "numbers"),
    [
        ("Flat 3, 12A High St", "12a 3"),
        ("12 High Street", "12"),
        ("Rose Cottage", ""),
    ],
)
def test_address_numbers(address: str, numbers: str) -> None:
    assert pl.select(address_numbers(pl.lit(address.lower()))).item() == numbers


def test_address_abbreviations_expand(tables) -> None:
    std = _std(tables, [{"address": "12 High St., Demo Rd"}])
    assert std["addr"][0] == "12 high street demo road"


def test_common_names_tell_real_names_from_slips() -> None:
    first = pl.Series(
        "fn1", ["amelia"] * 200 + ["amelie"] * 30 + ["amelai"] * 6 + ["zebedee"]
    )
    common = dict(common_first_names(first, pl.Series([], dtype=pl.Utf8)).iter_rows())
    assert common == {"amelia": True, "amelie": True, "amelai": False, "zebedee": False}
