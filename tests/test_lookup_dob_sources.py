"""The sources giving each person a date of birth, made with the build."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, select
from support.lookup_index import make_index

from linkage import index_tables as t
from lookup.dob_sources import BITS, dob_sources
from lookup.index import load_index

DOB = date(2001, 2, 3)
IDS = pl.Series(["a", "b", "c", "d"])
SOURCES = pl.Series(["s1", "s2", "s3"])


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        # (person, source, dob): bits in SOURCES order, per person of IDS
        ([("a", "s1", DOB), ("a", "s3", DOB)], [0b101, 0, 0, 0]),
        ([("a", "s2", None), ("b", "s2", DOB)], [0, 0b010, 0, 0]),
        ([("d", "s1", DOB), ("d", "s1", DOB)], [0, 0, 0, 0b001]),
        ([("c", "other", DOB), ("x", "s1", DOB)], [0, 0, 0, 0]),
        ([("b", None, DOB), ("c", "s3", None)], [0, 0, 0, 0]),
        ([], [0, 0, 0, 0]),
    ],
)  # fmt: skip
def test_a_bit_per_source_giving_a_date_of_birth(records, expected) -> None:
    frame = pl.DataFrame(
        records,
        schema={"person_id": pl.Utf8, "source": pl.Utf8, "dob": pl.Date},
        orient="row",
    )
    got = dob_sources(IDS, frame, SOURCES)
    assert got is not None and got.dtype == np.uint8
    assert got.tolist() == expected


def test_none_without_dates_or_with_more_sources_than_bits() -> None:
    frame = pl.DataFrame({"person_id": ["a"], "source": ["s1"], "dob": [DOB]})
    assert dob_sources(IDS, frame.drop("dob"), SOURCES) is None
    many = pl.Series([f"s{i}" for i in range(BITS + 1)])
    assert dob_sources(IDS, frame, many) is None
    wide = dob_sources(IDS, frame, many[:BITS])
    assert wide is not None and wide.dtype == np.uint64 and wide.tolist()[0] == 2


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return make_index(tmp_path_factory.mktemp("dobs") / "index.db", 20)


def test_the_loaded_index_holds_what_its_records_give(engine: Engine) -> None:
    index = load_index(engine)
    sources = index.source_loads["source"].to_list()
    r = t.records.c
    query = select(r.person_id, r.source).where(
        r.build_id == index.build_id, r.dob.is_not(None)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    row_of = {p: i for i, p in enumerate(index.people["person_id"].to_list())}
    expected = np.zeros(index.people.height, dtype=np.uint64)
    for person, source in rows:
        expected[row_of[person]] |= np.uint64(1 << sources.index(source))
    assert index.dob_sources is not None and rows
    assert index.dob_sources.astype(np.uint64).tolist() == expected.tolist()
    assert expected.any() and not expected.all()  # some people have none
