"""Search ranking on the small synthetic index: typos, nicknames, dates, identifiers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import TODAY
from sqlalchemy import Engine
from support.lookup_index import JANE_NHS, JANE_UPN, make_index

from lookup.index import (
    LinkedIndex,
    assemble_index,
    current_build_id,
    load_index,
    read_frames,
)
from lookup.query import parse_query
from lookup.search import MAX_RESULTS, confidence_word, search


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    return load_index(make_index(tmp_path_factory.mktemp("search") / "index.db"))


RANKING = [
    # (first, last, dob, identifier, expected top person, expected confidence)
    ("Jane", "Smith", "03/07/2015", "", "p1", "Strong match"),
    ("Jane", "Smith", "", "", "p1", "Likely match"),
    ("Jnae", "Smiht", "", "", "p1", "Likely match"),
    ("Jane", "Smith", "07/03/2015", "", "p1", "Strong match"),
    ("", "SMITH, Jane", "03/07/2015", "", "p1", "Strong match"),
    ("Kaz", "Smith", "", "", "p2", "Likely match"),
    ("Bob", "Jones", "10/04/1985", "", "p3", "Strong match"),
    ("Rob", "Jones", "", "", "p3", "Likely match"),
    ("Smith", "Jane", "03/07/2015", "", "p1", "Strong match"),
    ("Lily", "Smith", "", "", "p7", "Likely match"),
    ("Lily", "Smith Jones", "", "", "p7", "Likely match"),
    ("Zoë", "Smyth", "", "", None, None),
    ("", "", "", JANE_NHS, "p1", "Strong match"),
    ("", "", "", JANE_UPN.lower(), "p1", "Strong match"),
    ("", "", "", "csc 1001", "p1", "Strong match"),
    ("", "", "", "4010232137", None, None),
]


@pytest.mark.parametrize(("first", "last", "dob", "ident", "top", "word"), RANKING)
def test_ranking(index, first, last, dob, ident, top, word) -> None:
    found = search(index, parse_query(first, last, dob, ident), TODAY, 10)
    if top is None:
        assert found == []
        return
    assert found[0].person_id == top
    assert found[0].confidence == word
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_results_carry_previous_addresses_newest_first(index) -> None:
    jane = search(index, parse_query("Jane", "Smith", "03/07/2015"), TODAY, 5)[0]
    assert (jane.address, jane.previous_addresses) == (
        "1 Demo Road, Demo Town", ("9 Old Lane, Demo Town",)
    )  # fmt: skip


def test_exact_date_of_birth_beats_swapped_and_wrong(index) -> None:
    exact = search(index, parse_query("Jane", "Smith", "03/07/2015"), TODAY, 5)[0]
    swapped = search(index, parse_query("Jane", "Smith", "07/03/2015"), TODAY, 5)[0]
    wrong = search(index, parse_query("Jane", "Smith", "09/09/1999"), TODAY, 5)[0]
    assert exact.score > swapped.score > wrong.score
    assert "swapped" in swapped.matched_on


def test_candidate_fields(index) -> None:
    jane = search(index, parse_query("Jane", "Smith", "03/07/2015"), TODAY, 5)[0]
    assert (jane.first_name, jane.last_name, jane.dob) == (
        "Jane",
        "Smith",
        date(2015, 7, 3),
    )
    assert jane.age == 11
    assert (jane.nhs_number, jane.upn, jane.case_numbers) == (
        JANE_NHS, JANE_UPN, ("Children's social care case CSC-1001",)
    )  # fmt: skip
    assert (jane.address, jane.postcode) == ("1 Demo Road, Demo Town", "DT1 1AA")
    assert jane.n_services == 3
    assert jane.possible_match is True
    assert jane.matched_on == "exact name and date of birth"


def test_limit_caps_results(index) -> None:
    assert len(search(index, parse_query("Jane", "Smith"), TODAY, 2)) == 2


@pytest.mark.parametrize(
    ("score", "word"),
    [(1.0, "Strong match"), (0.9, "Strong match"), (0.89, "Likely match"),
     (0.75, "Likely match"), (0.74, "Possible match"), (0.0, "Possible match")],
)  # fmt: skip
def test_confidence_words(score: float, word: str) -> None:
    assert confidence_word(score) == word


def _replicated(engine: Engine, copies: int) -> LinkedIndex:
    build_id = current_build_id(engine)
    frames = read_frames(engine, build_id)
    people = pl.concat([frames["people"]] * copies).with_columns(
        (pl.col("person_id") + "_" + pl.int_range(pl.len()).cast(pl.Utf8)).alias(
            "person_id"
        )
    )
    return assemble_index(build_id, {**frames, "people": people})


def test_search_on_a_large_population_is_capped(tmp_path: Path) -> None:
    """20,000 people, 5,000 of them close to the query: the list stops at the cap."""
    big = _replicated(make_index(tmp_path / "index.db", filler=0), 2500)
    found = search(big, parse_query("Jnae", "Smiht", "03/07/2015"), TODAY, 20)
    assert len(found) == 20
    assert {(c.first_name, c.dob) for c in found} <= {
        ("Jane", date(2015, 7, 3)),
        ("Jayne", date(2015, 7, 3)),
    }
    assert len(search(big, parse_query("Jane", "Smith"), TODAY, 500)) == MAX_RESULTS


def test_postcode_lifts_a_name_match(index) -> None:
    plain = search(index, parse_query("Jane", "Smith"), TODAY, 5)[0]
    there = search(index, parse_query("Jane", "Smith", postcode="dt1 1aa"), TODAY, 5)
    elsewhere = search(
        index, parse_query("Jane", "Smith", postcode="SK1 3AB"), TODAY, 5
    )
    assert (plain.score, plain.matched_on) == (0.85, "exact name")
    assert (there[0].score, there[0].matched_on) == (0.97, "exact name; postcode")
    assert there[0].confidence == "Strong match"
    assert elsewhere[0].score == 0.85


def test_age_range_leaves_out_people_of_other_ages(index) -> None:
    young = search(
        index, parse_query("Jane", "Smith", age_min=10, age_max=12), TODAY, 9
    )
    assert {c.person_id for c in young} == {"p1", "p8"}
    assert (
        search(index, parse_query("Jane", "Smith", age_min=30, age_max=40), TODAY, 9)
        == []
    )


def test_a_date_of_birth_finds_a_badly_misspelt_name(index) -> None:
    """'Jyan' is too far from 'Jane' for the name cut-off; the date still finds her."""
    assert search(index, parse_query("Jyan", "Smith"), TODAY, 5)[0].person_id != "p1"
    found = search(index, parse_query("Jyan", "Smith", "03/07/2015"), TODAY, 5)
    assert found[0].person_id in {"p1", "p8"}
    assert found[0].matched_on == (
        "first name spelt differently; family name; date of birth"
    )


def test_a_postcode_finds_a_badly_misspelt_name(index) -> None:
    found = search(index, parse_query("Jyan", "Smith", postcode="DT1 1AA"), TODAY, 5)
    assert found[0].person_id in {"p1", "p8"}
    assert found[0].matched_on == (
        "first name spelt differently; family name; postcode"
    )
