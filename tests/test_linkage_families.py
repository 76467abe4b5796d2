"""Families from references and co-residence: people who lived at one specific
address at once, and a family group taking in its children's homes."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from support.population import records_frame

from linkage import coresidence
from linkage.coresidence import ADDRESS, STREET, SURNAME
from linkage.families import (
    LIVES_WITH_CHILD,
    MAX_HOUSEHOLD,
    children,
    co_residents,
    family_members,
    stated_pairs,
)

HOME = {"address": "12 High St, Demo Town", "postcode": "sk1 3ab"}


def _linked(rows: list[dict]) -> pl.DataFrame:
    pids = [r["pid"] for r in rows]
    rest = [{k: v for k, v in r.items() if k != "pid"} for r in rows]
    return records_frame(rest).with_columns(pl.Series("person_id", pids))


def test_people_at_one_current_address_form_a_household() -> None:
    rows = [
        {"pid": "mum", "source": "housing", **HOME, "extract_date": date(2026, 1, 1)},
        {"pid": "kid", "source": "school", "address": "12 High Street Demo Town",
         "postcode": "SK1 3AB", "extract_date": date(2026, 1, 1)},
        # moved out: the older record has the home, the newer one does not
        {"pid": "lodger", "source": "housing", **HOME,
         "extract_date": date(2020, 1, 1)},
        {"pid": "lodger", "source": "police", "address": "3 Low Road",
         "postcode": "SK2 1AA", "extract_date": date(2025, 6, 1)},
        # next door (other number) and no house number: not co-resident
        {"pid": "neighbour", "source": "school", "address": "14 High St",
         "postcode": "SK1 3AB", "extract_date": date(2026, 1, 1)},
        {"pid": "vague", "source": "school", "address": "High St",
         "postcode": "SK1 3AB", "extract_date": date(2026, 1, 1)},
    ]  # fmt: skip
    services = {"housing": "Housing", "school": "School"}
    got = co_residents(_linked(rows), services).sort("person_id")
    assert got["person_id"].to_list() == ["kid", "mum"]
    assert got["family_id"].n_unique() == 1
    assert got["family_id"][0].startswith("address:#")
    assert "High" not in got["family_id"][0]  # no address in the id
    assert got["evidence"].to_list() == [
        f"{ADDRESS} (School record)",
        f"{ADDRESS} (Housing record)",
    ]


def test_a_crowded_address_is_not_a_household() -> None:
    rows = [{"pid": f"p{i}", **HOME} for i in range(MAX_HOUSEHOLD + 1)]
    assert co_residents(_linked(rows), {}).height == 0
    rows = [{"pid": f"p{i}", **HOME} for i in range(2)]
    fm = family_members(_linked(rows), {})
    assert fm["family_id"].n_unique() == 1 and fm.height == 2


def _groups(frame: pl.DataFrame) -> list[list[str]]:
    got = co_residents(frame, {}).group_by("family_id").agg(pl.col("person_id").sort())
    return sorted(got["person_id"].to_list())


OTHER = {"address": "3 Low Road", "postcode": "SK2 1AA"}


def test_successive_occupants_of_a_home_are_not_a_household() -> None:
    rows = [
        # the old tenant, seen there in 2015 and elsewhere from 2017
        {"pid": "old", **HOME, "extract_date": date(2015, 5, 1)},
        {"pid": "old", **OTHER, "extract_date": date(2017, 1, 1)},
        # the new family, there from 2020
        {"pid": "mum", **HOME, "extract_date": date(2020, 3, 1)},
        {"pid": "kid", **HOME, "extract_date": date(2024, 3, 1)},
    ]
    assert _groups(_linked(rows)) == [["kid", "mum"]]


def test_stays_overlap_within_reach_and_until_seen_elsewhere() -> None:
    # "a" is seen at home on 2019-01-01 and later elsewhere; "b" only at home.
    # A stay reaches a year either side of its records, never past a record
    # elsewhere; a stay at the last known address runs on to now.
    cases = [
        (date(2019, 6, 1), date(2020, 9, 1), False),  # a gone before b came
        (date(2022, 1, 1), date(2020, 9, 1), True),  # within a year, still there
        (date(2024, 1, 1), date(2021, 6, 1), False),  # b came after a's reach
    ]
    for moved, b_seen, together in cases:
        rows = [
            {"pid": "a", **HOME, "extract_date": date(2019, 1, 1)},
            {"pid": "a", **OTHER, "extract_date": moved},
            {"pid": "b", **HOME, "extract_date": b_seen},
        ]
        assert _groups(_linked(rows)) == ([["a", "b"]] if together else [])


def test_a_record_address_may_date_from_its_involvement_start() -> None:
    # an open school record keeps the address given at enrolment (2021)
    rows = [
        {"pid": "kid", **HOME, "involvement_start": date(2021, 9, 4),
         "involvement_current": True, "extract_date": date(2025, 3, 1)},
        {"pid": "kid", **OTHER, "last_contact": date(2025, 2, 1),
         "extract_date": date(2025, 3, 1)},
        {"pid": "dad", **HOME, "last_contact": date(2022, 6, 1),
         "extract_date": date(2025, 3, 1)},
        {"pid": "dad", "address": "9 Far Lane", "postcode": "SK4 4BB",
         "last_contact": date(2023, 6, 1), "extract_date": date(2025, 3, 1)},
    ]  # fmt: skip
    assert _groups(_linked(rows)) == [["dad", "kid"]]


def _named(rows: list[dict]) -> pl.DataFrame:
    frame = _linked(rows)
    return frame.with_columns(ln_join=pl.col("last_name").str.to_lowercase())


def test_a_postcode_only_record_is_placed_by_a_unique_surname() -> None:
    vague = {"postcode": "SK1 3AB", "extract_date": date(2025, 1, 1)}
    rows = [
        {"pid": "kid", **HOME, "last_name": "Okafor", "extract_date": date(2025, 1, 1)},
        {"pid": "mum", **vague, "last_name": "okafor"},
        {"pid": "lodger", **vague, "last_name": "Nwosu"},
    ]  # fmt: skip
    got = co_residents(_named(rows), {"test": "Drugs"}).sort("person_id")
    assert got["person_id"].to_list() == ["kid", "mum"]
    assert got["evidence"].to_list() == [
        f"{ADDRESS} (Drugs record)",
        f"{SURNAME} (Drugs record)",
    ]
    # two homes in the postcode with that surname: the record says too little
    rows.append({"pid": "cousin", "address": "14 High St", "postcode": "SK1 3AB",
                 "last_name": "Okafor", "extract_date": date(2025, 1, 1)})  # fmt: skip
    assert co_residents(_named(rows), {}).height == 0


def test_a_common_surname_places_nobody(monkeypatch) -> None:
    monkeypatch.setattr(coresidence, "COMMON_MIN", 2)
    monkeypatch.setattr(coresidence, "COMMON_SURNAME", 0.5)
    vague = {"postcode": "SK1 3AB", "extract_date": date(2025, 1, 1)}
    rows = [
        {"pid": "kid", **HOME, "last_name": "Smith", "extract_date": date(2025, 1, 1)},
        {"pid": "mum", **vague, "last_name": "Smith"},
        {"pid": "x", **OTHER, "last_name": "Jones", "extract_date": date(2025, 1, 1)},
    ]  # fmt: skip
    assert co_residents(_named(rows), {}).height == 0
    monkeypatch.setattr(coresidence, "COMMON_SURNAME", 0.9)
    assert co_residents(_named(rows), {}).height == 2


DAD = {"address": "3 Low Road", "postcode": "SK2 1AA"}
EX = {"address": "9 Far Lane", "postcode": "SK4 4BB"}
NOW = {"extract_date": date(2025, 3, 1)}


def test_a_family_takes_in_its_childrens_homes_but_not_an_adults() -> None:
    rows = [
        # the children's case names the child, mum and dad (living elsewhere)
        {"pid": "kid", "source": "csc", "family_ref": "csc:F1",
         "dob": date(2015, 1, 1), **HOME, **NOW},
        {"pid": "mum", "source": "csc", "family_ref": "csc:F1",
         "dob": date(1985, 1, 1), **HOME, **NOW},
        {"pid": "dad", "source": "csc", "family_ref": "csc:F1",
         "dob": date(1984, 1, 1), **DAD, **NOW},
        # the brother the case does not name lives with the child
        {"pid": "brother", "source": "school", "dob": date(2012, 1, 1),
         **HOME, **NOW},
        # dad's new partner: his home, not the children's
        {"pid": "partner", "source": "housing", "dob": date(1990, 1, 1),
         **DAD, **NOW},
        # a police family of adults only takes in nobody's home
        {"pid": "mum", "source": "police", "family_ref": "police:P1", **NOW},
        {"pid": "ex", "source": "police", "family_ref": "police:P1",
         "dob": date(1980, 1, 1), **EX, **NOW},
        {"pid": "flatmate", "source": "housing", "dob": date(1981, 1, 1),
         **EX, **NOW},
    ]  # fmt: skip
    services = {"csc": "CSC", "school": "School", "police": "Police"}
    fm = family_members(_linked(rows), services)
    got = {
        f: dict(zip(g["person_id"], g["evidence"], strict=True))
        for (f,), g in fm.partition_by("family_id", as_dict=True).items()
    }
    assert got["family:csc:F1"] == {
        "kid": "CSC family",
        "mum": "CSC family",
        "dad": "CSC family",
        "brother": f"{LIVES_WITH_CHILD}: {ADDRESS} (School record)",
    }
    assert got["family:police:P1"] == {"mum": "Police family", "ex": "Police family"}


@pytest.mark.parametrize(
    ("dob", "child"),
    [
        (date(2007, 3, 2), True),  # 17 on the latest extract date
        (date(2007, 3, 1), False),  # 18 that day
        (None, False),  # no date of birth: not known to be a child
    ],
)
def test_children_are_under_18_on_the_latest_extract_date(dob, child) -> None:
    rows = [
        {"pid": "p", "dob": dob, "extract_date": date(2024, 1, 1)},
        {"pid": "q", "dob": date(1990, 1, 1), "extract_date": date(2025, 3, 1)},
    ]
    assert ("p" in children(_linked(rows)).to_list()) is child


def test_a_record_without_a_postcode_is_placed_by_number_and_street() -> None:
    rows = [
        {"pid": "mum", **HOME, **NOW},
        {"pid": "kid", "address": "12 High Street", **NOW},  # no postcode
        {"pid": "other", "address": "14 High Street", **NOW},  # nobody keyed there
    ]
    got = co_residents(_linked(rows), {"test": "School"}).sort("person_id")
    assert got["person_id"].to_list() == ["kid", "mum"]
    assert got["evidence"].to_list() == [
        f"{STREET} (School record)",
        f"{ADDRESS} (School record)",
    ]
    # a 12 High Street in another postcode too: the street says too little
    rows.append({"pid": "far", "address": "12 High St", "postcode": "SK9 9ZZ", **NOW})
    got = co_residents(_linked(rows), {})
    assert "kid" not in got["person_id"].to_list()


def test_each_row_names_the_sources_it_rests_on() -> None:
    """One co-residence row per source placing the person there, and a member
    taken in from a child's home rests on the family's and both homes' sources:
    the lookup shows a viewer only rows resting on sources they may see."""
    when = {"extract_date": date(2026, 1, 1)}
    rows = [
        {"pid": "mum", "source": "housing", **HOME, **when},
        {"pid": "mum", "source": "police", **HOME, **when},
        {"pid": "kid", "source": "school", **HOME, "dob": date(2020, 1, 1), **when},
        {"pid": "kid", "source": "csc", "family_ref": "csc:F1", **when},
        {"pid": "dad", "source": "csc", "family_ref": "csc:F1", **when},
    ]  # fmt: skip
    services = {"housing": "Housing", "police": "Police", "school": "School",
                "csc": "Children's social care"}  # fmt: skip
    homes = co_residents(_linked(rows), services).sort("person_id", "sources")
    assert homes.select("person_id", "sources", "evidence").rows() == [
        ("kid", "school", f"{ADDRESS} (School record)"),
        ("mum", "housing", f"{ADDRESS} (Housing record)"),
        ("mum", "police", f"{ADDRESS} (Police record)"),
    ]
    fm = family_members(_linked(rows), services)
    taken_in = fm.filter(pl.col("family_id") == "family:csc:F1",
                         pl.col("person_id") == "mum")  # fmt: skip
    assert sorted(taken_in["sources"].to_list()) == [
        "csc;housing;school",
        "csc;police;school",
    ]


def test_stated_parent_and_child_is_a_family_of_two() -> None:
    """``related`` pairs (case numbers of the same source) become a family of
    two, stated from either side once, the parent's word the most specific."""
    rows = [
        {"pid": "mum", "source": "csc", "case_number": "1001",
         "related": "mother_of:2001;mother_of:2002"},
        {"pid": "kid", "source": "csc", "case_number": "2001",
         "related": "child_of:1001"},
        {"pid": "baby", "source": "csc", "case_number": "2002"},
        # a case number of another source, and a kind not a parent's: no pair
        {"pid": "other", "source": "eh", "case_number": "1001",
         "related": "mother_of:9999;neighbour_of:2001"},
    ]  # fmt: skip
    got = stated_pairs(_linked(rows), {"csc": "Children's social care"})
    pairs = sorted(got.select("family_id", "person_id", "relationship").rows())
    assert pairs == [
        ("pair:csc:mum>baby", "baby", "Child"),
        ("pair:csc:mum>baby", "mum", "Mother"),
        ("pair:csc:mum>kid", "kid", "Child"),
        ("pair:csc:mum>kid", "mum", "Mother"),
    ]
    assert set(got["evidence"]) == {"Children's social care: stated parent and child"}
    assert set(got["sources"]) == {"csc"}


def test_a_record_in_two_family_groups_is_in_each() -> None:
    # an SSD family group member: dad is named in his children's family and in
    # his own new one; each group holds him, neither holds the other's members
    rows = [
        {"pid": "kid", "source": "csc", "family_ref": "csc:G1", **NOW},
        {"pid": "dad", "source": "csc", "family_ref": "csc:G1;csc:G2", **NOW},
        {"pid": "baby", "source": "csc", "family_ref": "csc:G2", **NOW},
    ]
    fm = family_members(_linked(rows), {"csc": "CSC"})
    groups = {
        f: sorted(g["person_id"])
        for (f,), g in fm.partition_by("family_id", as_dict=True).items()
    }
    assert groups == {"family:csc:G1": ["dad", "kid"],
                      "family:csc:G2": ["baby", "dad"]}  # fmt: skip
    assert set(fm["evidence"]) == {"CSC family"}
