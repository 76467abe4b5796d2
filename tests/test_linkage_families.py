"""Families from co-residence: people who lived at one specific address at once."""

from __future__ import annotations

from datetime import date

import polars as pl
from test_linkage_synth import records_frame

from linkage import coresidence
from linkage.coresidence import ADDRESS, SURNAME
from linkage.families import MAX_HOUSEHOLD, co_residents, family_members

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
