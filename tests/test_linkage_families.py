"""Families from co-residence: people whose latest specific address is one home."""

from __future__ import annotations

from datetime import date

import polars as pl
from test_linkage_synth import records_frame

from linkage.families import MAX_HOUSEHOLD, co_residents, family_members

HOME = {"address": "12 High St, Demo Town", "postcode": "sk1 3ab"}


def _linked(rows: list[dict]) -> pl.DataFrame:
    pids = [r.pop("pid") for r in rows]
    return records_frame(rows).with_columns(pl.Series("person_id", pids))


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
        "Same recent address (School record)",
        "Same recent address (Housing record)",
    ]


def test_a_crowded_address_is_not_a_household() -> None:
    rows = [{"pid": f"p{i}", **HOME} for i in range(MAX_HOUSEHOLD + 1)]
    assert co_residents(_linked(rows), {}).height == 0
    rows = [{"pid": f"p{i}", **HOME} for i in range(2)]
    fm = family_members(_linked(rows), {})
    assert fm["family_id"].n_unique() == 1 and fm.height == 2
