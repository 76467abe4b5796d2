"""Search ranking on the small synthetic index: typos, nicknames, dates, identifiers."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from test_lookup_index import JANE_NHS, JANE_UPN, TODAY, make_index

from lookup.index import LinkedIndex, load_index
from lookup.names import name_variants
from lookup.query import parse_query
from lookup.search import confidence_word, search


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    return load_index(make_index(tmp_path_factory.mktemp("search") / "index.db"))


RANKING = [
    # (first, last, dob, identifier, expected top person, expected confidence)
    ("Jane", "Smith", "03/07/2015", "", "p1", "Strong match"),
    ("Jane", "Smith", "", "", "p1", "Likely match"),
    ("Jnae", "Smiht", "", "", "p1", "Likely match"),
    ("Jane", "Smith", "07/03/2015", "", "p1", "Likely match"),
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
    assert jane.matched_on == "name and date of birth"


def test_limit_caps_results(index) -> None:
    assert len(search(index, parse_query("Jane", "Smith"), TODAY, 2)) == 2


@pytest.mark.parametrize(
    ("score", "word"),
    [(1.0, "Strong match"), (0.9, "Strong match"), (0.89, "Likely match"),
     (0.75, "Likely match"), (0.74, "Possible match"), (0.0, "Possible match")],
)  # fmt: skip
def test_confidence_words(score: float, word: str) -> None:
    assert confidence_word(score) == word


def test_search_is_fast_on_a_large_population(tmp_path: Path) -> None:
    """20,000 people: well under the time a worker would notice."""
    small = load_index(make_index(tmp_path / "index.db", filler=0))
    people = pl.concat([small.people] * 2500).with_columns(
        (pl.col("person_id") + "_" + pl.int_range(pl.len()).cast(pl.Utf8)).alias(
            "person_id"
        )
    )
    names = name_variants(people, small.nicknames)
    big = LinkedIndex(**{**small.__dict__, "people": people, "names": names})
    start = time.perf_counter()
    found = search(big, parse_query("Jnae", "Smiht", "03/07/2015"), TODAY, 20)
    assert time.perf_counter() - start < 2.0
    assert len(found) == 20
