"""Structures built once at load time: postings, offsets, date and postcode keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl
import pytest
from conftest import TODAY
from sqlalchemy import Engine
from support.lookup_index import make_index

from lookup.evidence_rows import evidence_of
from lookup.family_index import family_rows, person_row, record_rows
from lookup.index import LinkedIndex, assemble_index, load_index, read_frames
from lookup.names import clean_one, standardise_one
from lookup.people_rows import people_row, people_rows
from lookup.prepared import (
    day_number,
    dob_rows,
    gather_ranges,
    has_key,
    postcode_rows,
    postings,
    ranges,
)
from lookup.query import parse_query
from lookup.search import search


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return make_index(tmp_path_factory.mktemp("prep") / "index.db", 0)


@pytest.fixture(scope="module")
def index(engine: Engine) -> LinkedIndex:
    return load_index(engine)


def _ids(index: LinkedIndex, rows: np.ndarray) -> set[str]:
    return set(index.people["person_id"].gather(rows).to_list())


def test_ranges_and_postings() -> None:
    assert ranges(np.array([2, 5]), np.array([4, 5])).tolist() == [2, 3]
    assert ranges(np.array([0, 7]), np.array([2, 9])).tolist() == [0, 1, 7, 8]
    order, offsets = postings(np.array([2, 0, 2, 1]), 3)
    assert order.tolist() == [1, 3, 0, 2]
    assert offsets.tolist() == [0, 1, 2, 4]
    assert gather_ranges(order, offsets, np.array([2, 0])).tolist() == [0, 2, 1]


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [("Zoë", "zoe"), ("O'Sullivan", "osullivan"), (" Smith-JONES ", "smith jones"),
     ("Łukasz", "lukasz"), ("Straße", "strasse"), ("ab12c", "abc"), ("--", "")],
)  # fmt: skip
def test_clean_one_matches_linkage_cleaning(typed: str, cleaned: str) -> None:
    assert clean_one(typed) == cleaned


def test_standardise_one_gives_keys_and_nickname_canons(index) -> None:
    canons = index.prepared_names.nick_canons
    assert standardise_one("Bob", "Smith-Jones", canons) == (
        "bob", "smithjones", ["bob", "robert"]
    )  # fmt: skip


def test_name_postings_find_every_variant(index) -> None:
    names = index.prepared_names
    smith = names.vocab_list.index("smith")
    rows = gather_ranges(names.by_last, names.last_offsets, np.array([smith]))
    assert _ids(index, names.row_person[rows]) == {"p1", "p2", "p4", "p6", "p7", "p8"}
    assert names.row_part[rows].sum() == 1  # Smith-Jones, by its first part
    rob = names.vocab_list.index("rob")
    rows = gather_ranges(names.by_first, names.first_offsets, np.array([rob]))
    assert _ids(index, names.row_person[rows]) == {"p3"}


def test_dates_of_birth_and_postcodes(index) -> None:
    persons = index.prepared_people
    born = dob_rows(persons, [day_number(date(2015, 7, 3))])
    assert _ids(index, born) == {"p1", "p8"}
    rows = np.arange(index.people.height)
    code = persons.postcode_codes["DT11AA"]
    assert has_key(persons.postcode_keys, rows, code).all()
    assert not has_key(persons.postcode_keys, rows, None).any()
    assert persons.district_codes.keys() == {"DT1"}
    assert sorted(postcode_rows(persons, "DT11AA").tolist()) == rows.tolist()
    assert postcode_rows(persons, "SK13AB").tolist() == []


def test_other_dates_of_birth_are_found(index, engine) -> None:
    frames = read_frames(engine, index.build_id)
    people = frames["people"].with_columns(
        pl.when(pl.col("person_id") == "p2")
        .then(pl.lit('["2015-07-03"]'))
        .otherwise(pl.col("other_dobs"))
        .alias("other_dobs")
    )
    other = assemble_index(index.build_id, {**frames, "people": people})
    born = dob_rows(other.prepared_people, [day_number(date(2015, 7, 3))])
    assert _ids(other, born) == {"p1", "p2", "p8"}
    karen = search(other, parse_query("Karen", "Smith", "03/07/2015"), TODAY, 5)[0]
    assert (karen.person_id, karen.matched_on) == (
        "p2",
        "exact name; another recorded date of birth",
    )


def test_people_row_finds_what_the_frame_search_finds(index) -> None:
    ids = index.people["person_id"]
    wanted = [*ids.to_list(), "nobody", "", "p", "p10", "p1x", "p" * 40, "pé", "p1\0"]
    assert [people_row(index, p) for p in wanted] == [
        person_row(ids, p) for p in wanted
    ]
    assert people_rows(index, ["p2", "nobody", "p1"]).tolist() == [
        person_row(ids, "p2"), -1, person_row(ids, "p1")]  # fmt: skip


def test_evidence_rows_by_search_are_the_rows_a_filter_finds(index) -> None:
    ids = ["p1", "p1", "p10", "p2", "p3", "p3", "p3", "pé"]
    held = pl.DataFrame({
        "person_id": ids, "source": ["csc"] * len(ids),
        "record_id": [f"r{i}" for i in range(len(ids))],
        "probability": [0.99] * len(ids), "explanation": ["[]"] * len(ids),
    })  # fmt: skip
    index = replace(index, record_evidence=held)
    for wanted in (["p1"], ["p2", "p1", "p2"], ["nobody", "p3", "p" * 40, "p1\0"],
                   ["pé", "p10", ""],
                   held["person_id"].unique().to_list()):  # fmt: skip
        expected = held.filter(pl.col("person_id").is_in(wanted))
        assert evidence_of(index, wanted).equals(expected)


def test_family_offsets(index) -> None:
    ids = index.people["person_id"]
    p1 = person_row(ids, "p1")
    assert person_row(ids, "nobody") == -1
    fam = index.prepared_families
    linked = family_rows(fam, p1)
    assert len(linked) == 6  # csc:F1 (3 members) and housing:H1 (3 members)
    assert _ids(index, fam.member_person[linked]) == {"p1", "p2", "p3", "p4"}
    records = index.records[record_rows(fam, np.array([p1]))]
    assert records["person_id"].to_list() == ["p1"] * 4
    assert len(record_rows(fam, np.array([person_row(ids, "p5")]))) == 1
