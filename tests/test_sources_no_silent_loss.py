"""No silent loss: an extract that lost most of its rows (empty, header only, a
sharp fall against the last good load) or whose last record is cut short is a
failed load. The last good snapshot is served, marked stale with the reason,
and is never overwritten by the worse load; ``sources check`` says not ok."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.config import parse_config
from core.db import make_engine
from core.errors import ConfigError
from linkage.__main__ import main as linkage_main
from linkage.index_tables import built, index_state, records, source_loads
from sources.__main__ import main as sources_main
from sources.check import check_sources
from sources.load import load_source, load_sources
from sources.snapshots import SnapshotStore

COLUMNS = {"record_id": "Ref", "first_name": "First", "last_name": "Last"}
DAY1, DAY2 = date(2026, 11, 1), date(2026, 11, 2)
HEADER = "Ref,First,Last\n"


def config(base: Path, **extra):
    sources = [
        {"name": n, "service": n.upper(), "path": f"{n}.csv", "columns": COLUMNS,
         "extract_date": "2026-10-31", **extra}
        for n in ("a", "b")
    ]  # fmt: skip
    return parse_config(
        {"sources": sources, "storage": {"index_url": "sqlite:///index.db"}}, base
    )


def rows(n: int, start: int = 0) -> str:
    return "".join(f"R{i},Amy,Lee\n" for i in range(start, start + n))


def report(loaded, name):
    return next(r for r in loaded.reports if r.source == name)


@pytest.fixture
def loaded_once(tmp_path: Path) -> SnapshotStore:
    """Sources a (10 rows) and b (4 rows) loaded well once."""
    (tmp_path / "a.csv").write_text(HEADER + rows(10))
    (tmp_path / "b.csv").write_text(HEADER + rows(4))
    store = SnapshotStore.for_config(config(tmp_path))
    load_sources(config(tmp_path), store, DAY1)
    return store


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("", "no data rows (empty or header only); the last good load had 10"),
        (",,\n,,\n", "no usable rows (2 read, all set aside)"),
        (rows(4), "kept 4 usable rows, 40% of the last good load's 10"),
    ],
    ids=["header-only", "all-unusable", "under-half"],
)
def test_a_load_that_lost_its_rows_fails_and_the_snapshot_serves(
    tmp_path, loaded_once, body, says
):
    (tmp_path / "a.csv").write_text(HEADER + body)
    checked = {r.source: r for r in check_sources(config(tmp_path))}
    assert not checked["a"].ok and checked["b"].ok
    assert any(says in p for p in checked["a"].problems), checked["a"].problems
    loaded = load_sources(config(tmp_path), loaded_once, DAY2)
    a = report(loaded, "a")
    assert (a.ok, a.stale, a.usable, a.rows_accepted) == (False, True, True, 10)
    assert any(says in p for p in a.problems)
    assert loaded.records.filter(source="a").height == 10
    # the snapshot still holds the good load: a second bad day serves it again
    assert loaded_once.last_good_rows("a") == 10
    again = load_sources(config(tmp_path), loaded_once, DAY2)
    assert again.records.filter(source="a").height == 10


def test_a_smaller_load_over_the_share_is_accepted_and_the_share_is_a_setting(
    tmp_path, loaded_once
):
    (tmp_path / "a.csv").write_text(HEADER + rows(6))
    assert report(load_sources(config(tmp_path), loaded_once, DAY2), "a").ok
    (tmp_path / "a.csv").write_text(HEADER + rows(5))  # 5 of 6: fine at 0.5
    strict = config(tmp_path, min_row_share=0.9)
    assert not report(load_sources(strict, loaded_once, DAY2), "a").ok
    off = config(tmp_path, min_row_share=0)
    (tmp_path / "a.csv").write_text(HEADER + rows(1))
    assert report(load_sources(off, loaded_once, DAY2), "a").ok


def test_a_first_load_with_no_rows_is_accepted_but_said(tmp_path):
    """Nothing to compare it with (a new or quiet service), so not a failure; but
    once the source has delivered rows, an empty extract is refused."""
    (tmp_path / "a.csv").write_text(HEADER)
    (tmp_path / "b.csv").write_text(HEADER + rows(2))
    store = SnapshotStore(tmp_path / "s")
    a = report(load_sources(config(tmp_path), store, DAY1), "a")
    assert a.ok and any("no data rows (empty or header only)" in p for p in a.problems)
    (tmp_path / "a.csv").write_text(HEADER + rows(3))
    assert report(load_sources(config(tmp_path), store, DAY1), "a").ok
    (tmp_path / "a.csv").write_text(HEADER)
    assert not report(load_sources(config(tmp_path), store, DAY2), "a").ok


def test_after_the_snapshot_expires_a_shrunken_extract_is_still_refused(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + rows(10))
    (tmp_path / "b.csv").write_text(HEADER + rows(4))
    cfg = config(tmp_path, stale_max_days=0)
    store = SnapshotStore.for_config(cfg)
    load_sources(cfg, store, DAY1)
    (tmp_path / "a.csv").write_text(HEADER + rows(2))
    for day in (DAY1, DAY2):  # dropped at once, and not accepted the next day
        a = report(load_sources(cfg, store, day), "a")
        assert (a.ok, a.usable) == (False, False)


@pytest.mark.parametrize("share", [1.5, -0.1, "half"])
def test_min_row_share_is_validated(tmp_path, share):
    with pytest.raises(ConfigError) as err:
        config(tmp_path, min_row_share=share)
    assert "sources[0].min_row_share" in str(err.value) or "min_row_share" in str(
        err.value
    )


@pytest.mark.parametrize(
    ("data", "where", "says"),
    [
        (b"R1,Amy,Lee\nR2,Bo", "row 2", "the last row has 2 of the header's 3"),
        (b'R1,"Amy\nJo",Lee\nR2,"Bo\nX"', "row 2", "the last row has 2 of"),
        (b'R1,Amy,Lee\nR2,"Bo,Li', "row 2", "quoted value starts here"),
        (b'R1,Amy,Lee\nR2,"Bo,Li\nR3,Cy,Ma\nR4,Di,Ng\n', "row 2", "never closed"),
        (b"R1,Amy,Lee\nR2,Zo\xeb,Li\nR3,Ren\xe9e,Ma\n", "row 2, column 'First'",
         "byte 31 of the file is not valid utf-8 (one of 2 such places)"),
        (b'R1,Amy,Lee\nR2,Bo"b,Li\nR3,Cy,Ma\n', "row 2, column 'First'",
         "a quote inside this value breaks the CSV quoting"),
        (b'R1,Amy,Lee\nR2,"Bo" Jo,Li\nR3,Cy,Ma\n', "row 2, column 'First'",
         "a quote inside this value breaks the CSV quoting"),
    ],
    ids=["cut-last-row", "cut-multiline-row", "unclosed-last", "unclosed-middle",
         "cp1252-byte", "stray-quote", "text-after-quote"],
)  # fmt: skip
def test_a_broken_csv_is_a_failed_load_naming_its_row(tmp_path, data, where, says):
    (tmp_path / "a.csv").write_bytes(HEADER.encode() + data)
    cfg = config(tmp_path)
    rep = load_source(cfg, cfg.sources[0]).report
    assert not rep.ok
    assert any(f"a.csv, {where}:" in p and says in p for p in rep.problems), (
        rep.problems
    )


@pytest.mark.parametrize(
    ("body", "short"),
    [
        ("R1,Amy,Lee\nR2,Bo\nR3,Cy,Ma\n", [(2, 2)]),
        ('R1,"Amy\nJo",Lee\nR2\nR3,"Cy, Di"\nR4,Di,Ng\n', [(2, 1), (3, 2)]),
        ("R1,Amy,Lee\n\nR3,Cy,Ma\n", []),  # a blank line: nobody, set aside
    ],
    ids=["short-middle", "short-after-quoted-newline", "blank-line"],
)
def test_a_short_row_mid_file_is_quarantined_and_named(tmp_path, body, short):
    """A row with fewer fields than the header is not read with blank fields:
    it is set aside, counted, and named by row in the load's problems."""
    (tmp_path / "a.csv").write_text(HEADER + body)
    cfg = config(tmp_path)
    load = load_source(cfg, cfg.sources[0])
    rep = load.report
    assert rep.ok, rep.problems
    held = dict(load.quarantine.select("row_number", "reason").iter_rows())
    assert [r for r, why in held.items() if "fewer fields" in why] == [
        r for r, _ in short
    ]
    assert rep.rows_read == rep.rows_accepted + rep.rows_quarantined
    for row, fields in short:
        assert any(
            f"a.csv, row {row}:" in p and f"has {fields} of the header's 3" in p
            for p in rep.problems
        ), rep.problems


def test_a_complete_file_without_a_final_line_break_is_fine(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + "R1,Amy,Lee\nR2,Bo,Li")
    cfg = config(tmp_path)
    rep = load_source(cfg, cfg.sources[0]).report
    assert (rep.ok, rep.rows_accepted) == (True, 2)


def _police_rows(url: str) -> tuple[int, bool | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            served = conn.execute(select(index_state.c.build_id)).scalar_one()
            held = built(conn, records, served).c
            loads = built(conn, source_loads, served).c
            count = conn.execute(
                select(func.count()).where(
                    held.build_id == served, held.source == "police"
                )
            ).scalar_one()
            stale = conn.execute(
                select(loads.stale).where(
                    loads.build_id == served, loads.source == "police"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return count, stale


@pytest.fixture(scope="module")
def with_police(tmp_path_factory) -> Path:
    """A generated borough big enough for the police to have records."""
    out = tmp_path_factory.mktemp("police") / "demo"
    args = ["generate", "--people", "300", "--seed", "3", "--out", str(out)]
    assert sources_main([*args, "--quiet"]) == 0
    return out


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_header_only_police_extract_check_says_not_ok_and_build_keeps_serving(
    with_police, private_copy, request, capsys, store
):
    demo = private_copy(with_police)
    conf = demo / "config.toml"
    url = f"sqlite:///{demo / 'index.db'}"
    if store == "postgres":
        url = request.getfixturevalue("postgres_url")
        text = conf.read_text().replace(
            'index_url = "sqlite:///index.db"', f'index_url = "{url}"'
        )
        conf.write_text(text)
    assert linkage_main(["build", "--config", str(conf)]) == 0
    before, _ = _police_rows(url)
    assert before > 0
    police = demo / "police_safeguarding.csv"
    police.write_text(police.read_text().splitlines()[0] + "\n")
    capsys.readouterr()
    assert sources_main(["check", "--config", str(conf), "--json"]) == 1
    checked = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert checked["police"]["ok"] is False
    assert any("header only" in m for m in checked["police"]["messages"])
    assert linkage_main(["build", "--config", str(conf), "--json"]) == 3
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "stale" and summary["stale_sources"] == ["police"]
    assert _police_rows(url) == (before, True)
