"""The write path of each database (one prepared INSERT over plain tuples on
SQLite, COPY on PostgreSQL, SQLAlchemy's executemany elsewhere) stores the same
index: every table of a real build read back equal, and the awkward values
(quotes, commas, new lines, empty text beside null, accents, dates, booleans,
floats) as they were."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from core.config import load_config
from core.db import make_engine
from linkage import index_tables as t
from linkage import writer
from linkage.build import build_index
from linkage.writer import insert_frame, prepare_index
from lookup.index import current_build_id, read_table
from sources.records import STANDARD_SCHEMA

AWKWARD = ['say "no", then leave', "line one\nline two", "", None, "Zoë Ó'Brien",
           "\\N", "comma, \"quote\" and\r\nCRLF"]  # fmt: skip


def _awkward_records() -> pl.DataFrame:
    n = len(AWKWARD)
    cols = {}
    for name, dtype in STANDARD_SCHEMA.items():
        if dtype == pl.Date:
            cols[name] = pl.Series([date(2020, 2, 29), None] * (n // 2) + [None],
                                   dtype=pl.Date)  # fmt: skip
        elif dtype == pl.Boolean:
            cols[name] = pl.Series([True, False, None] * (n // 3) + [True],
                                   dtype=pl.Boolean)  # fmt: skip
        elif dtype == pl.Int64:
            cols[name] = pl.Series(list(range(n - 1)) + [None], dtype=pl.Int64)
        else:
            cols[name] = pl.Series(AWKWARD, dtype=pl.Utf8)
    frame = pl.DataFrame(cols)
    return frame.with_columns(pl.Series("person_id", [f"p{i}" for i in range(n)]))


@pytest.fixture(scope="module")
def built(small_extracts, tmp_path_factory) -> dict:
    """Every build table of a real small build, read back from its index."""
    import shutil

    folder = Path(shutil.copytree(small_extracts, tmp_path_factory.mktemp("bw") / "d"))
    config = load_config(folder / "config.toml")
    build_index(config)
    engine = make_engine(config.storage.index_url)
    build = current_build_id(engine)
    frames = {table: read_table(engine, table, build) for table in t.BUILD_TABLES}
    engine.dispose()
    frames[t.records] = pl.concat(
        [frames[t.records], _awkward_records().select(frames[t.records].columns)]
    )
    return frames


def _round_trip(url: str, frames: dict) -> dict:
    engine = make_engine(url)
    prepare_index(engine)
    seen = []
    for table, frame in frames.items():
        insert_frame(engine, table, frame, "bulk-1", seen.append)
    assert sum(seen) == sum(f.height for f in frames.values())  # progress told
    back = {table: read_table(engine, table, "bulk-1") for table in frames}
    engine.dispose()
    return back


def _same(a: dict, b: dict, any_order: bool = False) -> None:
    """Equal tables (``any_order``: as sets of rows, for a database that returns
    rows without ORDER BY in an order of its own)."""
    for table in a:
        left, right = a[table], b[table]
        if any_order:
            left, right = left.sort(left.columns), right.sort(right.columns)
        if not left.equals(right, null_equal=True):
            diff = pl.concat([left, right]).unique(keep="none", maintain_order=True)
            raise AssertionError(f"{table.name}:\n{diff}")


@pytest.mark.parametrize("chunk", [writer.CHUNK_ROWS, 7])
def test_the_sqlite_bulk_path_stores_what_executemany_stores(
    built, tmp_path, monkeypatch, chunk: int
) -> None:
    # chunks of 7: every table larger than one goes through the ADBC child
    monkeypatch.setattr(writer, "CHUNK_ROWS", chunk)
    bulk = _round_trip(f"sqlite:///{tmp_path / 'bulk.db'}", built)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ingest")]
    monkeypatch.setattr(writer, "is_sqlite", lambda _engine: False)
    plain = _round_trip(f"sqlite:///{tmp_path / 'plain.db'}", built)
    _same(built, bulk)
    _same(plain, bulk)


def test_copy_on_postgresql_stores_what_sqlite_stores(
    built, tmp_path, postgres_url
) -> None:
    copied = _round_trip(postgres_url, built)
    _same(built, copied, any_order=True)
    sqlite = _round_trip(f"sqlite:///{tmp_path / 'bulk.db'}", built)
    _same(sqlite, copied, any_order=True)
    # records are read in one order (person, source, record id) whatever order
    # the database keeps: the index is the same from either
    assert copied[t.records].equals(sqlite[t.records], null_equal=True)
    ids = copied[t.records]["person_id"]
    assert ids.rle_id().max() + 1 == ids.n_unique()  # each person's rows together


def test_a_bulk_write_waits_for_another_writer_then_goes_on(built, tmp_path) -> None:
    import sqlite3
    import threading

    path = tmp_path / "busy.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare_index(engine)
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the file
    threading.Timer(1.0, other.commit).start()
    insert_frame(engine, t.people, built[t.people], "bulk-1")
    assert read_table(engine, t.people, "bulk-1").height == built[t.people].height
    other.close()
    engine.dispose()


def test_a_failing_child_write_names_the_table_and_keeps_nothing_half_done(
    built, tmp_path, monkeypatch
) -> None:
    from sqlalchemy import Column, MetaData, Table, Text

    from core.errors import LinkageError

    monkeypatch.setattr(writer, "CHUNK_ROWS", 7)
    engine = make_engine(f"sqlite:///{tmp_path / 'bad.db'}")
    prepare_index(engine)
    real = t.own_table

    def short(table, build_id, stored=False):  # a table missing the columns
        name = real(table, build_id, stored).name
        return Table(name, MetaData(), Column("person_id", Text))

    monkeypatch.setattr(t, "own_table", short)
    with pytest.raises(LinkageError, match="people"):
        insert_frame(engine, t.people, built[t.people], "bulk-1")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ingest")]
    engine.dispose()
