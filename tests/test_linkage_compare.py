"""Every comparison level pinned on small tables: (left, right, expected level)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from rapidfuzz.distance import OSA
from support.population import records_frame

from linkage.compare import MISSING, compare
from linkage.comparisons import default_comparisons, one_digit_apart
from linkage.dobs import dob_level
from linkage.names import load_name_tables
from linkage.standardise import standardise

COMPARISONS = {c.name: c for c in default_comparisons()}


def _levels(field: str, cases: list[tuple[dict, dict, int]]) -> list[int]:
    rows: list[dict[str, Any]] = []
    for left, right, _ in cases:
        rows += [left, right]
    std = standardise(records_frame(rows), load_name_tables())
    n = len(cases)
    pairs = pl.DataFrame(
        {"l": [2 * i for i in range(n)], "r": [2 * i + 1 for i in range(n)]},
        schema={"l": pl.UInt32, "r": pl.UInt32},
    )
    return compare(std, pairs, (COMPARISONS[field],))[field].to_list()


def _check(field: str, cases: list[tuple[dict, dict, int]]) -> None:
    got = _levels(field, cases)
    expected = [level for _, _, level in cases]
    labels = [COMPARISONS[field].label(x) for x in got]
    assert got == expected, list(zip(labels, [c[:2] for c in cases], strict=True))


def _fn(a: str | None, b: str | None, level: int) -> tuple[dict, dict, int]:
    return {"first_name": a}, {"first_name": b}, level


def test_first_name_levels() -> None:
    _check(
        "first_name",
        [
            _fn("Robert", "ROBERT", 0),
            _fn("Mary-Jane", "Mary Jane", 0),
            _fn("Xiu Ying", "Xiuying", 0),
            _fn("Bob", "Robert", 1),
            _fn("Kaz", "Karen", 1),
            _fn("Mo", "Mohammed", 1),
            _fn("Muhammad", "Mohamed", 1),
            _fn("Mary Jane", "Mary", 1),
            _fn("Jessica", "Jesica", 2),
            _fn("Olvier", "Oliver", 2),
            _fn("Lachlq Njohn", "Lachlan John", 2),
            _fn("Philippa", "Phillipa", 3),
            _fn("Katharina", "Katherine", 1),  # German form: a known variant
            _fn("Jack", "Jake", 4),
            _fn("Jack", "Oliver", 5),
            _fn(None, "Jack", MISSING),
            _fn(None, None, MISSING),
        ],
    )


def test_names_swapped_count_as_exact() -> None:
    left = {"first_name": "Smith", "last_name": "John"}
    right = {"first_name": "John", "last_name": "Smith"}
    assert _levels("first_name", [(left, right, 0)]) == [0]
    assert _levels("last_name", [(left, right, 0)]) == [0]


def test_names_swapped_with_a_slip_count_as_a_slip() -> None:
    left = {"first_name": "Hannah", "last_name": "Mihal"}
    right = {"first_name": "Mihal", "last_name": "Hannsh"}
    assert _levels("first_name", [(left, right, 2)]) == [2]
    assert _levels("last_name", [(left, right, 2)]) == [2]
    slip = {"first_name": "White", "last_name": "Jscob"}
    jacob = {"first_name": "Jacob", "last_name": "White"}
    assert _levels("first_name", [(jacob, slip, 2)]) == [2]
    other = {"first_name": "Mihal", "last_name": "Oliver"}
    assert _levels("first_name", [(left, other, 5)]) == [5]


def _ln(a: str | None, b: str | None, level: int) -> tuple[dict, dict, int]:
    return {"last_name": a}, {"last_name": b}, level


def test_surname_levels() -> None:
    _check(
        "last_name",
        [
            _ln("Smith", "SMITH", 0),
            _ln("O'Brien", "O Brien", 0),
            _ln("Smith-Jones", "Jones", 1),
            _ln("Smyth", "Smith", 1),
            _ln("Hussain", "Hussein", 1),
            _ln("Thompsen", "Thompson", 2),
            _ln("Robertson", "Robinson", 3),
            _ln("Smith", "Patel", 4),
            _ln("Smith", None, MISSING),
        ],
    )


def _dob(a: date | None, b: date | None, level: int) -> tuple[dict, dict, int]:
    return {"dob": a}, {"dob": b}, level


def test_dob_levels() -> None:
    d = date(2010, 3, 4)
    _check(
        "dob",
        [
            _dob(d, date(2010, 3, 4), 0),
            _dob(d, date(2010, 4, 3), 1),
            _dob(d, date(2010, 3, 7), 2),
            _dob(date(2010, 3, 12), date(2010, 3, 21), 2),
            _dob(date(2010, 3, 30), date(2010, 4, 2), 3),
            _dob(date(2009, 3, 4), date(2010, 3, 4), 3),
            _dob(d, date(2010, 4, 20), 4),  # within weeks
            _dob(d, date(2010, 5, 5), 4),  # 62 days: the last of "weeks"
            _dob(d, date(2010, 5, 6), 5),  # within a year
            _dob(date(2010, 1, 1), date(2010, 9, 15), 5),
            _dob(date(2009, 6, 1), date(2010, 6, 2), 5),  # 366 days
            _dob(date(2009, 6, 1), date(2010, 6, 3), 7),
            _dob(d, date(1998, 11, 20), 7),  # 11 years: different
            _dob(d, date(1985, 11, 20), 8),  # a generation apart
            _dob(date(1983, 6, 14), date(1933, 6, 14), 8),  # one digit, 50 years
            _dob(d, None, MISSING),
        ],
    )


def _year_only(a: date, b: date, level: int) -> tuple[dict, dict, int]:
    return {"dob": a, "dob_year_only": True}, {"dob": b}, level


def test_dob_levels_when_only_the_year_is_known() -> None:
    _check(
        "dob",
        [
            _year_only(date(2010, 1, 1), date(2010, 3, 4), 6),
            _year_only(date(2010, 1, 1), date(2010, 1, 1), 6),
            _year_only(date(2011, 1, 1), date(2010, 3, 4), 7),
            _year_only(date(1980, 1, 1), date(2010, 3, 4), 8),
        ],
    )


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("20100304", "20100304", 0),
        ("20100304", "20100403", 1),
        ("20100304", "20100307", 2),
        ("20100312", "20100321", 2),
        ("20100330", "20100402", 3),
        ("20090304", "20100304", 3),
        ("20100304", "20100420", 4),
        ("20100304", "20101020", 5),
        ("20100304", "20130611", 7),
        ("19830614", "19330614", 8),
        ("2010", "20100304", 6),
        ("2010", "2011", 7),
        ("1980", "2010", 8),
    ],
)
def test_dob_level_in_python_matches_the_comparison(a, b, level) -> None:
    """Clustering's ``dob_level`` gives the comparison's level for the same dates."""
    assert dob_level(a, b) == dob_level(b, a) == level

    def as_record(text: str) -> dict:
        if len(text) == 4:
            return {"dob": date(int(text), 1, 1), "dob_year_only": True}
        return {"dob": date(int(text[:4]), int(text[4:6]), int(text[6:]))}

    assert _levels("dob", [(as_record(a), as_record(b), level)]) == [level]


def _at(address: str | None, postcode: str | None) -> dict:
    return {"address": address, "postcode": postcode}


def test_address_levels() -> None:
    home = _at("12 High Street, Demo Town", "SK1 3AB")
    flat3 = _at("Flat 3, 12 High St", "SK1 3AB")
    flat4 = _at("Flat 4, 12 High St", "SK1 3AB")
    _check(
        "address",
        [
            (home, _at("12 High St Demo Town", "sk13ab"), 0),
            (home, _at("12 High Street", None), 0),
            (flat3, flat4, 1),
            (home, _at(None, "SK1 3AB"), 1),
            (home, _at("12 Hihg Stret, Demo Twon", None), 2),
            (flat3, _at("Flat 4, 12 High St", None), 2),
            (home, _at("14 High Street, Demo Town", None), 3),
            (home, _at("14 High Street, Demo Town", "SK1 3AB"), 1),
            (home, _at("7 Mill Lane", "SK1 3XY"), 4),
            (home, _at("7 Mill Lane", "SK1 9XY"), 5),
            (home, _at("7 Mill Lane", None), 7),
            (home, _at("7 Mill Lane", "M1 1AA"), 7),
            (home, _at("12 High Street, Demo Town", "M1 1AA"), 7),
            (home, _at(None, None), MISSING),
            ({**_at("7 Mill Lane", None), "town": "Stockport"},
             {**_at("2 Hill Road", None), "town": "STOCKPORT"}, 6),
            ({"town": "Leeds"}, {"town": "York"}, 7),
            ({"town": "Leeds"}, _at(None, None), MISSING),
        ],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("ni:ab123456c", "ni:AB123456C", 0),
        ("ni:ab123456c pnc:12/345x", "pnc:12/345x", 0),
        ("ni:ab123456c", "ni:cd654321a", 1),
        ("ni:ab123456c", "pnc:12/345x", MISSING),
        ("email:jo@example.org", "ni:ab123456c", MISSING),
        (None, "ni:ab123456c", MISSING),
    ],
)
def test_identifiers_are_compared_within_a_kind(a, b, level) -> None:
    cases = [({"identifiers": a}, {"identifiers": b}, level)]
    assert _levels("identifiers", cases) == [level]


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("email:jo.bloggs@example.org", "email:jo.bloggs@example.org", 0),
        ("email:jo.bloggs@example.org phone:07700900123", "phone:07700900123", 0),
        ("email:jo.bloggs@example.org", "email:jo.blogs@example.org", 1),
        ("email:jo.bloggs@example.org", "email:sam.patel@example.com", 2),
        ("email:jo.bloggs@example.org", "phone:07700900123", MISSING),
        ("ni:ab123456c", "ni:ab123456c", MISSING),
    ],
)
def test_contacts_levels(a, b, level) -> None:
    cases = [({"identifiers": a}, {"identifiers": b}, level)]
    assert _levels("contacts", cases) == [level]


def test_each_level_has_its_label_beside_its_condition() -> None:
    for comp in COMPARISONS.values():
        levels = comp.level_list()
        assert [lv.label for lv in levels] == list(comp.labels)
        assert all(lv.condition is not None for lv in levels[:-1])
        assert levels[-1].condition is None


@pytest.mark.parametrize(
    ("field", "column", "a", "b", "level"),
    [
        ("sex", "sex", "F", "F", 0),
        ("sex", "sex", "F", "M", 1),
        ("sex", "sex", "F", "U", MISSING),
        ("nhs_number", "nhs_number", "9434765919", "9434765919", 0),
        ("nhs_number", "nhs_number", "9434765919", "4010232137", 1),
        ("nhs_number", "nhs_number", None, "4010232137", MISSING),
        ("upn", "upn", "A12345678901B", "a12345678901b", 0),
        ("upn", "upn", "A12345678901B", "B12345678901C", 1),
    ],
)
def test_identifier_levels(field, column, a, b, level) -> None:
    _check(field, [({column: a}, {column: b}, level)])


def test_case_number_only_compares_within_a_source() -> None:
    _check(
        "case_number",
        [
            ({"source": "police", "case_number": "N1"},
             {"source": "police", "case_number": "N1"}, 0),
            ({"source": "police", "case_number": "N1"},
             {"source": "police", "case_number": "N2"}, 2),
            ({"source": "police", "case_number": "N123456"},
             {"source": "police", "case_number": "N124356"}, 1),
            ({"source": "police", "case_number": "N123456"},
             {"source": "police", "case_number": "N654321"}, 2),
            # the next number (twins referred together) is no typing slip
            ({"source": "police", "case_number": "N123456"},
             {"source": "police", "case_number": "N123457"}, 2),
            ({"source": "police", "case_number": "N123456"},
             {"source": "police", "case_number": "N123956"}, 1),
            ({"source": "police", "case_number": "N1"},
             {"source": "health", "case_number": "N1"}, MISSING),
            ({"source": "police", "case_number": None},
             {"source": "police", "case_number": "N1"}, MISSING),
        ],
    )  # fmt: skip


def test_every_level_has_a_label() -> None:
    for comp in COMPARISONS.values():
        assert comp.label(MISSING) == "missing"
        assert all(isinstance(comp.label(i), str) for i in range(len(comp.labels)))


def test_one_digit_apart_is_an_edit_distance_of_one_on_the_written_date() -> None:
    """The numeric test agrees with OSA on "YYYYMMDD" text, slips and swaps
    planted among random dates included."""
    rng = random.Random(11)
    days = [
        date(1930, 1, 1) + timedelta(days=rng.randrange(35_000)) for _ in range(3000)
    ]
    pairs = []
    for d in days:
        text = d.strftime("%Y%m%d")
        i = rng.randrange(8)
        slipped = text[:i] + str(rng.randrange(10)) + text[i + 1 :]
        j = rng.randrange(7)
        swapped = text[:j] + text[j + 1] + text[j] + text[j + 2 :]
        for other in (slipped, swapped):
            try:
                slip = datetime.strptime(other, "%Y%m%d").date()
            except ValueError:
                continue
            if slip.year >= 1000:  # strftime writes year 12 as "12", not "0012"
                pairs.append((d, slip))
        pairs.append((d, rng.choice(days)))
    left, right = zip(*pairs, strict=True)
    frame = pl.DataFrame({"l": left, "r": right}).select(
        (pl.col(c).dt.year().cast(pl.Int32) * 10_000
         + pl.col(c).dt.month().cast(pl.Int32) * 100
         + pl.col(c).dt.day().cast(pl.Int32)).alias(f"dob_n_{c}")
        for c in "lr"
    )  # fmt: skip
    expected = [
        OSA.distance(a.strftime("%Y%m%d"), b.strftime("%Y%m%d")) <= 1 for a, b in pairs
    ]
    assert one_digit_apart(frame).to_list() == expected
    assert 1000 < sum(expected) < len(pairs)
