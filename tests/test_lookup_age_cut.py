"""Identities an age rule leaves, made once at load, are the ones a view would make."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from conftest import TODAY
from support.lookup_index import make_index

from linkage import index_tables as t
from lookup.family import family_view
from lookup.identity import with_age_cut
from lookup.index import LinkedIndex, load_index, read_table
from lookup.prepared import age_cut_people


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    return load_index(make_index(tmp_path_factory.mktemp("cut") / "index.db"))


CASES = [
    # (dob, sources held, expected full sources or None when nothing is cut)
    (date(2023, 1, 5), ("csc", "police"), "csc"),
    (date(1990, 1, 5), ("csc", "police"), None),
    (date(2010, 1, 5), ("school", "housing", "police"), "housing;school"),
    (date(2012, 1, 5), ("school", "housing", "police"), "school"),
    (date(2000, 1, 5), ("school", "csc"), "csc"),  # 26: over the school's 20
    (None, ("police",), None),  # age unknown: no age rule applies
    (date(2008, 11, 16), ("police",), ""),  # 17 until tomorrow
    (date(2008, 11, 15), ("police",), None),  # 18 today
]


@pytest.mark.parametrize(("dob", "held", "full"), CASES)
def test_who_an_age_rule_cuts(dob, held, full) -> None:
    people = pl.DataFrame({"person_id": ["x"], "dob": [dob]},
                          schema={"person_id": pl.Utf8, "dob": pl.Date})  # fmt: skip
    rules = pl.DataFrame(
        [("csc", None, None), ("police", 18, None), ("school", 4, 20),
         ("housing", 16, None)],
        schema={"source": pl.Utf8, "age_min": pl.Int32, "age_max": pl.Int32},
        orient="row",
    )  # fmt: skip
    held_rows = pl.DataFrame({"person_id": ["x"] * len(held), "source": list(held)})
    cut = age_cut_people(people, held_rows, rules, TODAY)
    assert cut["full"].to_list() == ([] if full is None else [full])


def test_made_once_at_load_and_the_same_as_made_per_view(index) -> None:
    assert "p4" in index.age_cut["person_id"].to_list()  # Tom, 3, police record
    per_view = replace(index, age_cut=None)
    for person in ("p1", "p2", "p4"):
        assert family_view(index, person, TODAY) == family_view(per_view, person, TODAY)


def test_made_by_the_build_from_its_records_as_at_load_from_the_database(
    index,
) -> None:
    # a build has every record in memory: no engine, nothing read back
    records = read_table(index.engine, t.records, index.build_id)
    bare = replace(index, age_cut=None, engine=None)
    made = with_age_cut(bare, date.today(), records).age_cut
    assert not made.is_empty()
    assert made.equals(index.age_cut, null_equal=True)
