"""Last good snapshot: a broken or missing source never replaces what it last
delivered; the build gets the old records, marked stale since the first failure
and current as of the snapshot's extract date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.config import parse_config
from core.errors import SourceError
from sources.load import load_sources
from sources.snapshots import SnapshotStore, snapshot_folder

COLUMNS = {"record_id": "Ref", "first_name": "First", "last_name": "Last"}
DAY1, DAY2, DAY3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def config(base: Path, names=("a", "b"), **extra):
    sources = [
        {"name": n, "service": n.upper(), "path": f"{n}.csv", "columns": COLUMNS,
         "extract_date": "2026-10-31", **extra}
        for n in names
    ]  # fmt: skip
    return parse_config({"sources": sources}, base)


def write(base: Path, name: str, rows: int) -> None:
    body = "".join(f"R{i},Amy,Lee\n" for i in range(rows)) + ",,\n"  # one junk row
    (base / f"{name}.csv").write_text("Ref,First,Last\n" + body)


def report(loaded, name):
    return next(r for r in loaded.reports if r.source == name)


def test_failed_source_is_served_from_its_last_good_snapshot(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    write(tmp_path, "a", 3)
    write(tmp_path, "b", 2)
    first = load_sources(config(tmp_path), store, DAY1)
    assert not report(first, "a").stale and report(first, "a").current_as_of
    (tmp_path / "a.csv").write_text("garbage\n")  # column missing now
    second = load_sources(config(tmp_path), store, DAY2)
    a = report(second, "a")
    assert not a.ok and a.stale and a.usable
    assert a.stale_since == DAY2 and a.current_as_of == date(2026, 10, 31)
    assert (a.rows_read, a.rows_accepted, a.rows_quarantined) == (4, 3, 1)
    assert any("column" in p for p in a.problems)
    assert second.records.filter(source="a").height == 3
    assert second.quarantine.filter(source="a").height == 1
    (tmp_path / "a.csv").unlink()  # still failing next day: stale since stays put
    third = load_sources(config(tmp_path), store, DAY3)
    assert report(third, "a").stale_since == DAY2
    write(tmp_path, "a", 5)  # fixed: fresh again, snapshot replaced
    fourth = load_sources(config(tmp_path), store, DAY3)
    assert not report(fourth, "a").stale and report(fourth, "a").rows_accepted == 5
    (tmp_path / "a.csv").unlink()
    fifth = load_sources(config(tmp_path), store, DAY3)
    assert report(fifth, "a").stale_since == DAY3
    assert report(fifth, "a").rows_accepted == 5


def test_no_snapshot_means_plainly_failed_and_all_failed_is_an_error(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    write(tmp_path, "b", 2)
    loaded = load_sources(config(tmp_path), store, DAY1)
    a = report(loaded, "a")
    assert not a.ok and not a.stale and not a.usable and a.rows_read == 0
    (tmp_path / "b.csv").unlink()
    stale_only = load_sources(config(tmp_path), store, DAY2)  # b stale: usable
    assert report(stale_only, "b").stale
    with pytest.raises(SourceError):
        load_sources(config(tmp_path, names=("a",)), store, DAY2)


@pytest.mark.parametrize(
    ("max_days", "served_on"),
    [(28, {DAY2: True, date(2026, 11, 29): True, date(2026, 11, 30): False}),
     (1, {DAY2: True, DAY3: False}),
     (0, {DAY2: False})],
)  # fmt: skip
def test_a_source_failing_too_long_is_dropped_not_served_for_ever(
    tmp_path, max_days, served_on
):
    store = SnapshotStore(tmp_path / "snapshots")
    write(tmp_path, "a", 3)
    write(tmp_path, "b", 2)
    load_sources(config(tmp_path, stale_max_days=max_days), store, DAY1)
    (tmp_path / "a.csv").unlink()  # first failure on DAY2
    for day, served in sorted(served_on.items()):
        loaded = load_sources(config(tmp_path, stale_max_days=max_days), store, day)
        a = report(loaded, "a")
        assert (a.stale, a.usable, loaded.records.filter(source="a").height) == (
            (True, True, 3) if served else (False, False, 0)
        ), day
    assert not (store.folder / "a.records.parquet").exists()  # deleted, not kept
    write(tmp_path, "a", 4)  # a good extract again: served fresh
    back = load_sources(config(tmp_path, stale_max_days=max_days), store, DAY3)
    assert report(back, "a").rows_accepted == 4 and not report(back, "a").stale


def test_removed_sources_lose_their_snapshot(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    write(tmp_path, "a", 1)
    write(tmp_path, "b", 1)
    load_sources(config(tmp_path), store, DAY1)
    load_sources(config(tmp_path, names=("a",)), store, DAY1)
    names = sorted(p.name for p in store.folder.iterdir())
    assert names == [
        "a.faults.parquet", "a.json", "a.quarantine.parquet", "a.records.parquet"
    ]  # fmt: skip


def test_snapshot_folder_sits_next_to_the_index(tmp_path):
    cfg = parse_config({"storage": {"index_url": "sqlite:///db/index.db"}}, tmp_path)
    assert snapshot_folder(cfg) == tmp_path / "db" / "snapshots"
    pg = parse_config({"storage": {"index_url": "postgresql://h/db"}}, tmp_path)
    assert snapshot_folder(pg) == tmp_path / "data" / "snapshots"
