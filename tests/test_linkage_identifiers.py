"""Identifier evidence: trusted merges and the case-number-slip guard."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
from support.population import records_frame

from linkage.cluster import cluster
from linkage.guards import eligible, identified_by_slip, names_alone, sole_first_name
from linkage.names import load_name_tables
from linkage.standardise import standardise


def _levels(**cols: list[int]) -> pl.DataFrame:
    base = {"first_name": -1, "last_name": 0, "dob": 0, "sex": -1,
            "nhs_number": -1, "upn": -1, "case_number": 1, "address": -1}  # fmt: skip
    n = len(next(iter(cols.values())))
    return pl.DataFrame(
        {k: cols.get(k, [v] * n) for k, v in base.items()},
        schema=dict.fromkeys(base, pl.Int8),
    )


def test_differing_first_names_are_eligible_only_through_a_near_identifier() -> None:
    lv = _levels(
        case_number=[1, 2, 1, 1, 1, 1, 2],
        dob=[0, 0, 2, 0, 0, 0, 0],
        last_name=[0, 0, 0, 4, 0, 0, 0],
        first_name=[-1, -1, -1, -1, 5, 5, 5],
        sex=[-1, -1, -1, -1, 0, 1, 0],
    )
    expected = [True, False, False, False, True, False, False]
    assert identified_by_slip(lv).tolist() == expected
    assert eligible(lv, np.zeros(7, dtype=bool)).tolist() == expected


def test_the_same_identifier_merges_records_whose_dates_of_birth_differ() -> None:
    rows = [
        {"first_name": "Jane", "last_name": "Smith", "dob": date(2015, 7, 3),
         "source": "police", "case_number": "N1"},
        {"first_name": "Jane", "last_name": "Smith", "dob": date(1999, 1, 20),
         "source": "police", "case_number": "N1"},
        {"first_name": "Jane", "last_name": "Smith", "dob": date(2010, 5, 17),
         "source": "police", "case_number": "N2"},
    ]  # fmt: skip
    std = standardise(records_frame(rows), load_name_tables())
    p = [0.9999, 0.995]
    scored = pl.DataFrame(
        {"l": [0, 0], "r": [1, 2], "probability": p,
         "weight": [math.log2(x / (1 - x)) for x in p], "eligible": [True, True],
         "case_number": [0, 2]},
        schema_overrides={"l": pl.UInt32, "r": pl.UInt32, "case_number": pl.Int8},
    )  # fmt: skip
    ids = cluster(std, scored, 0.99).person_ids.to_list()
    assert ids[0] == ids[1] != ids[2]


def test_a_missing_or_garbled_first_name_is_eligible_only_when_no_twin_is_known():
    """Row by row: no first name, alone; a twin known; dates a year apart;
    surnames only loosely alike; sexes differ; two common first names that
    differ (two people); a garbled first name ("Lmeai"), alone; the same, dates
    within weeks; the same, a twin known."""
    lv = _levels(
        case_number=[2] * 9,
        first_name=[-1, -1, -1, -1, -1, 5, 5, 5, 5],
        dob=[0, 0, 5, 0, 0, 0, 0, 4, 0],
        last_name=[0, 0, 0, 4, 0, 0, 0, 0, 0],
        sex=[-1, -1, -1, -1, 1, -1, -1, -1, -1],
    )
    alone = np.array([True, False, True, True, True, True, True, True, False])
    both_common = np.array([False] * 5 + [True, False, False, False])
    expected = [True, False, False, False, False, False, True, True, False]
    assert eligible(lv, both_common, alone).tolist() == expected
    assert not eligible(lv, both_common).any()


def test_sole_first_name_counts_common_names_per_surname_sound_and_birth_date():
    d, other = date(2016, 4, 9), date(2016, 4, 10)
    rows = [
        {"first_name": None, "last_name": "Quenby", "dob": d},
        {"first_name": "Oliver", "last_name": "Quenby", "dob": d},
        {"first_name": "Olivia", "last_name": "Quenbie", "dob": d},
        {"first_name": None, "last_name": "Marchetti", "dob": d},
        {"first_name": "Ines", "last_name": "Marchetti", "dob": d},
        {"first_name": "Ines", "last_name": "Marchetti", "dob": d},
        {"first_name": "Ida", "last_name": "Marchetti", "dob": other},
        {"first_name": None, "last_name": "Marchetti", "dob": None},
    ]
    std = standardise(records_frame(rows), load_name_tables())
    expected = [False, False, False, True, True, True, True, False]
    assert sole_first_name(std).to_list() == expected


def test_names_alone_need_a_date_an_identifier_or_one_place() -> None:
    """No date of birth: linked only with an identifier or the records placed
    together (same address, postcode, similar address or street)."""
    lv = _levels(
        dob=[-1, -1, -1, -1, -1, -1, 0, -1],
        case_number=[2, 2, 2, 2, 2, 0, 2, 2],
        address=[-1, 6, 5, 4, 3, 6, 6, 0],
    )
    expected = [True, True, True, True, False, False, False, False]
    assert names_alone(lv).tolist() == expected
