"""Clustering: constraints that stop chaining, ambiguity, stable person ids."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from support.population import records_frame, scored_pairs

from linkage.cluster import cluster, dobs_compatible, person_id
from linkage.matches import possible_matches
from linkage.names import load_name_tables
from linkage.standardise import standardise


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ("20100304", "20100304", True),
        ("20100304", "20100403", True),  # day and month swapped
        ("20100304", "20100307", True),  # one digit
        ("20100312", "20100321", True),  # adjacent digits swapped
        ("20100330", "20100402", True),  # a few days out
        ("20090304", "20100304", True),  # a year out
        ("20100304", "20120304", True),  # one digit (of the year)
        ("20100304", "20130611", False),
        ("19800101", "20100101", False),
    ],
)
def test_dobs_compatible(a: str, b: str, ok: bool) -> None:
    assert dobs_compatible(a, b) is ok
    assert dobs_compatible(b, a) is ok


def _std(rows: list[dict]) -> pl.DataFrame:
    base = {"first_name": "Jane", "last_name": "Smith", "dob": date(2015, 7, 3)}
    return standardise(records_frame([{**base, **r} for r in rows]), load_name_tables())


def test_two_nhs_numbers_never_share_a_person() -> None:
    std = _std([{"nhs_number": "9434765919"}, {}, {"nhs_number": "4010232137"}])
    scored = scored_pairs([(0, 1, 0.999999), (0, 2, 0.9999), (1, 2, 0.995)])
    people = cluster(std, scored, 0.99)
    ids = people.person_ids.to_list()
    assert ids[0] == ids[1] != ids[2]
    assert people.refused.height == 2


def test_two_upns_never_share_a_person() -> None:
    std = _std([{"upn": "A12345678901B"}, {"upn": "B12345678901C"}])
    people = cluster(std, scored_pairs([(0, 1, 0.9999)]), 0.99)
    assert people.person_ids[0] != people.person_ids[1]


def test_incompatible_dates_of_birth_do_not_chain() -> None:
    std = _std(
        [
            {"dob": date(2015, 7, 3)},
            {"dob": date(2015, 7, 8)},
            {"dob": date(2015, 11, 21)},
        ]
    )
    people = cluster(std, scored_pairs([(0, 1, 0.999999), (1, 2, 0.995)]), 0.99)
    ids = people.person_ids.to_list()
    assert ids[0] == ids[1] != ids[2]


def test_look_alike_common_names_do_not_chain() -> None:
    names = ["Jack", "Jack", "Jake", "Jake", "Jaek"]
    std = _std([{"first_name": n} for n in names])
    links = [(0, 1, 0.9999), (2, 3, 0.9999), (1, 4, 0.999), (3, 4, 0.999)]
    scored = scored_pairs(links)
    ids = cluster(std, scored, 0.99).person_ids.to_list()
    assert ids[0] == ids[1] != ids[2] == ids[3]


def test_a_record_fitting_two_people_joins_neither() -> None:
    std = _std(
        [
            {"first_name": "John", "dob": date(1980, 1, 5)},
            {"first_name": "John", "dob": date(1980, 1, 5)},
            {"first_name": "John", "dob": date(2008, 6, 20)},
            {"first_name": "John", "dob": None},
        ]
    )
    scored = scored_pairs([(0, 1, 0.99999), (0, 3, 0.9995), (2, 3, 0.9994)])
    people = cluster(std, scored, 0.99)
    ids = people.person_ids.to_list()
    assert ids[0] == ids[1]
    assert len({ids[0], ids[2], ids[3]}) == 3
    matches = possible_matches(scored, people, 0.8, 0.99)
    assert matches.height == 2


def test_below_threshold_or_ineligible_pairs_are_not_merged() -> None:
    std = _std([{}, {}, {}])
    scored = scored_pairs([(0, 1, 0.95), (1, 2, 0.9999)]).with_columns(
        eligible=pl.Series([True, False])
    )
    people = cluster(std, scored, 0.99)
    assert people.person_ids.n_unique() == 3
    matches = possible_matches(scored, people, 0.8, 0.99)
    assert matches["probability"].to_list() == [0.95]


def test_review_only_pairs_are_offered_however_sure_never_merged() -> None:
    std = _std([{}, {}, {}])
    scored = scored_pairs([(0, 1, 0.9999), (1, 2, 0.9999)]).with_columns(
        review_only=pl.Series([True, False])
    )
    people = cluster(std, scored, 0.99)
    ids = people.person_ids.to_list()
    assert ids[0] != ids[1] == ids[2]
    matches = possible_matches(scored, people, 0.8, 0.99)
    assert matches.select("person_a", "person_b").rows() == [tuple(sorted(ids[:2]))]


def test_person_ids_are_stable_and_from_the_smallest_record_key() -> None:
    std = _std([{}, {}])
    people = cluster(std, scored_pairs([(0, 1, 0.9999)]), 0.99)
    assert people.person_ids.to_list() == [person_id("test\x1fr0")] * 2
    assert person_id("test\x1fr0").startswith("P")
