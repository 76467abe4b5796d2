"""A small synthetic linked index for lookup, access and app tests; index loading.

The index itself is ``support.lookup_index``; names are synthetic and filler
people come from a seeded generator.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from support.lookup_index import BUILD, PEOPLE, RECORDS, SOURCES, make_index

from core.db import make_engine
from core.errors import IndexNotReadyError
from lookup.index import current_build_id, load_index


def test_load_index_reads_only_the_current_build(tmp_path: Path) -> None:
    index = load_index(make_index(tmp_path / "index.db", filler=5))
    assert index.build_id == BUILD
    assert "old" not in index.people["person_id"].to_list()
    assert index.people.height == len(PEOPLE) + 5
    jane = index.people.filter(pl.col("person_id") == "p1")
    assert jane["case_numbers"][0].to_list() == ["csc:CSC-1001"]
    assert index.records.height == len(RECORDS)
    assert index.source_loads["ok"].to_list().count(False) == 1


def test_name_variants_include_other_names_and_name_parts(tmp_path: Path) -> None:
    names = load_index(make_index(tmp_path / "index.db", filler=0)).names
    p3 = set(names.filter(person_id="p3")["first"])
    p7 = set(names.filter(person_id="p7")["last"])
    assert p3 == {"robert", "rob"}
    assert p7 == {"smithjones", "smith", "jones"}


@pytest.mark.parametrize("built", [False, None])
def test_index_not_ready_is_explained(tmp_path: Path, built: bool | None) -> None:
    if built is None:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        engine = make_index(tmp_path / "index.db", filler=0, built=False)
    with pytest.raises(IndexNotReadyError, match="run the build"):
        current_build_id(engine)
    with pytest.raises(IndexNotReadyError):
        load_index(engine)


def test_the_pages_overview_of_builds_loads_and_restrictions(tmp_path: Path) -> None:
    from lookup.index_overview import (
        SourceLoadCounts,
        builds_overview,
        served_loads,
        source_restricted_count,
    )

    engine = make_index(tmp_path / "index.db", filler=0)
    found = builds_overview(engine)
    assert found.recent == ()
    assert [x.source for x in found.loads] == [s["source"] for s in SOURCES]
    assert all(isinstance(x, SourceLoadCounts) for x in found.loads)
    served = served_loads(engine)
    assert served.switched_at == "2026-11-02T00:00:00Z"
    assert served.loads["source"].to_list() == [s["source"] for s in SOURCES]
    assert source_restricted_count(engine) == 0


def test_overview_reads_fail_loudly_instead_of_counting_nothing(tmp_path: Path) -> None:
    from sqlalchemy import text

    from lookup.index_overview import (
        builds_overview,
        served_loads,
        source_restricted_count,
    )

    reads = (builds_overview, served_loads, source_restricted_count)
    unbuilt = make_index(tmp_path / "unbuilt.db", filler=0, built=False)
    for read in reads:
        with pytest.raises(IndexNotReadyError, match="not been built"):
            read(unbuilt)
    older = make_index(tmp_path / "older.db", filler=0)
    with older.begin() as conn:  # a build from before sources could restrict
        conn.execute(text("ALTER TABLE records DROP COLUMN restricted"))
    assert source_restricted_count(older) == 0
    broken = make_index(tmp_path / "broken.db", filler=0)
    with broken.begin() as conn:
        conn.execute(text("DROP TABLE records"))
    with pytest.raises(IndexNotReadyError, match="cannot be read"):
        source_restricted_count(broken)
