"""A few people's evidence rows found by binary search are the rows a filter
over every record's evidence finds (``lookup.evidence_rows``), on an index held
sorted by person and on one that is not."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from core.db import make_engine
from lookup.evidence_rows import evidence_of
from lookup.index import load_index


@pytest.fixture(scope="module")
def index(index_db):
    return load_index(make_engine(f"sqlite:///{index_db}"))


def _filtered(index, ids: list[str]) -> pl.DataFrame:  # noqa: ANN001
    return index.record_evidence.filter(pl.col("person_id").is_in(ids))


def _ids(index, n: int) -> list[str]:  # noqa: ANN001
    people = index.people["person_id"].to_list()
    return [*people[:: max(1, len(people) // max(n, 1))][:n], "not-a-person"]


def test_the_index_holds_evidence_sorted_by_person(index):
    assert index.record_evidence["person_id"].is_sorted()


@pytest.mark.parametrize("n", [0, 1, 5, 40])
def test_binary_search_finds_the_rows_a_filter_finds(index, n):
    ids = _ids(index, n)
    assert evidence_of(index, ids).equals(_filtered(index, ids))


def test_an_unsorted_index_is_filtered(index):
    shuffled = replace(
        index, record_evidence=index.record_evidence.sample(fraction=1.0, seed=16)
    )
    ids = _ids(shuffled, 7)
    assert evidence_of(shuffled, ids).equals(_filtered(shuffled, ids))
    assert evidence_of(shuffled, []).is_empty()
