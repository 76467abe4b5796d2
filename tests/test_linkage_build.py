"""Building the index: every table filled, atomic switch, failures roll back."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, inspect, select, text
from support.linkage_build import SERVICES, _loaded, _write_config
from support.population import make_population

from core.config import Config, load_config
from core.db import make_engine
from core.errors import LinkageError
from linkage import build as build_module
from linkage import index_tables as t
from linkage.__main__ import main
from linkage.build import build_index
from linkage.evaluate import evaluate
from linkage.writer import add_missing_columns
from lookup.index import load_index
from lookup.services import configured_sources, stale_text


@pytest.fixture(scope="module")
def population() -> tuple[pl.DataFrame, pl.DataFrame]:
    return make_population(120, seed=5)


@pytest.fixture
def setup(tmp_path, monkeypatch, population) -> tuple[Config, Path]:
    records, truth = population
    monkeypatch.setattr(build_module, "_load_sources", lambda _c: _loaded(records))
    path = _write_config(tmp_path)
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    truth.write_csv(truth_dir / "records.csv")
    return load_config(path), truth_dir


def _count(engine, table, build_id: str) -> int:
    with engine.connect() as conn:
        table = t.built(conn, table, build_id)
        query = select(func.count()).select_from(table)
        return conn.execute(query.where(table.c.build_id == build_id)).scalar_one()


def _serving(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(t.index_state.c.build_id)).scalar_one()


def test_build_fills_every_table(setup, population) -> None:
    config, _ = setup
    summary = build_index(config)
    engine = make_engine(config.storage.index_url)
    assert _serving(engine) == summary.build_id
    assert summary.records == population[0].height
    assert _count(engine, t.records, summary.build_id) == summary.records
    assert _count(engine, t.people, summary.build_id) == summary.people
    assert _count(engine, t.source_loads, summary.build_id) == len(SERVICES)
    assert _count(engine, t.quarantine, summary.build_id) == len(SERVICES)
    assert _count(engine, t.record_evidence, summary.build_id) == summary.records
    assert _count(engine, t.family_members, summary.build_id) > 0
    with engine.connect() as conn:
        row = conn.execute(select(t.builds)).one()
        people, links_, evidence_ = (
            t.built(conn, table, summary.build_id).c
            for table in (t.people, t.record_links, t.record_evidence)
        )
        sizes = dict(conn.execute(select(people.person_id, people.n_records)).all())
        links = dict(conn.execute(select(links_.person_id, links_.links)).all())
        why = dict(conn.execute(select(links_.person_id, links_.evidence)).all())
        best = conn.execute(select(
            evidence_.person_id, evidence_.source, evidence_.record_id,
            evidence_.probability,
        )).all()  # fmt: skip
    # the links clustering accepted, kept for every person of three or more
    # records; each person's links join all of their records
    assert set(links) == {p for p, n in sizes.items() if n >= 3}
    for pid, kept in links.items():
        joined = {0}
        pairs = [tuple(map(int, p.split("-"))) for p in kept.split(";")]
        for _ in pairs:
            joined |= {b for a, b in pairs if a in joined}
            joined |= {a for a, b in pairs if b in joined}
        assert joined == set(range(sizes[pid])), pid
        # every link's evidence, in the links' order: a record's best link is
        # the strongest of those it is an end of
        evidence = json.loads(why[pid])
        assert len(evidence) == len(pairs)
        assert all(0 < e["p"] <= 1 and isinstance(e["fields"], list) for e in evidence)
        mine = sorted((s, r, p) for q, s, r, p in best if q == pid)
        for at, (_, _, p) in enumerate(mine):
            ends = [e["p"] for (a, b), e in zip(pairs, evidence, strict=True)
                    if at in (a, b)]  # fmt: skip
            assert max(ends) == pytest.approx(p, abs=1e-6), pid
    assert row.status == "complete" and row.finished_at
    params = json.loads(row.parameters)
    assert {f["name"] for f in params["model"]["fields"]} >= {"first_name", "dob"}
    assert json.loads(row.summary)["people"] == summary.people
    assert set(summary.seconds) >= {"load", "block", "cluster", "write"}


def test_lookup_reads_the_built_index(setup) -> None:
    config, _ = setup
    build_index(config)
    index = load_index(make_engine(config.storage.index_url))
    people = index.people
    assert people.height == index.records["person_id"].n_unique()
    for column in ("first_name", "last_name", "n_records", "n_sources"):
        assert people[column].null_count() == 0, column
    evidence = index.record_evidence
    linked = evidence.filter(pl.col("probability").is_not_null())
    first = json.loads(linked["explanation"][0])
    assert {"field", "level", "weight"} == set(first[0])
    assert index.source_loads["coverage_from"].null_count() == 0


def test_rebuild_switches_and_drops_the_old_build(setup) -> None:
    config, _ = setup
    first = build_index(config).build_id
    engine = make_engine(config.storage.index_url)
    before = set(inspect(engine).get_table_names())
    second = build_index(config).build_id
    assert _serving(engine) == second != first
    for table in t.BUILD_TABLES:
        assert _count(engine, table, first) == 0
    # the build's rows are in tables of its own; the first build's are gone
    # whole and the shared tables hold nothing
    after = set(inspect(engine).get_table_names())
    own = {t.own_table(table, second).name for table in t.BUILD_TABLES}
    assert own <= after and not own & before
    assert not {t.own_table(table, first).name for table in t.BUILD_TABLES} & after
    with engine.connect() as conn:
        for table in t.BUILD_TABLES:
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0
    assert _count(engine, t.records, second) > 0


def test_a_build_replaces_one_written_into_the_shared_tables(setup) -> None:
    """An index written before builds had tables of their own: its build serves
    until the next one is switched in, then its rows go."""
    config, _ = setup
    engine = make_engine(config.storage.index_url)
    old = build_index(config).build_id
    with engine.begin() as conn:  # move the build's rows into the shared tables
        for table in t.BUILD_TABLES:
            own = t.own_table(table, old)
            names = [c.name for c in table.columns if c.name != "build_id"]
            conn.execute(
                table.insert().from_select(
                    [*names, "build_id"],
                    select(*(own.c[n] for n in names), own.c.build_id),  # fmt: skip
                )
            )
            conn.execute(text(f"DROP TABLE {own.name}"))
    assert load_index(engine).people.height > 0
    new = build_index(config).build_id
    assert _serving(engine) == new
    for table in t.BUILD_TABLES:
        assert _count(engine, table, old) == 0


def test_failed_build_leaves_the_previous_index_serving(setup, monkeypatch) -> None:
    config, _ = setup
    good = build_index(config).build_id
    real_insert = build_module.insert_frame

    def failing(engine, table, frame, build_id, on_rows=None):
        if table is t.people:
            raise RuntimeError("disk full")
        return real_insert(engine, table, frame, build_id, on_rows)

    monkeypatch.setattr(build_module, "insert_frame", failing)
    with pytest.raises(LinkageError, match="previous index is still being served"):
        build_index(config)
    engine = make_engine(config.storage.index_url)
    assert _serving(engine) == good
    with engine.connect() as conn:
        failed = conn.execute(
            select(t.builds.c.build_id).where(t.builds.c.status == "failed")
        ).scalar_one()
    for table in t.BUILD_TABLES:
        assert _count(engine, table, failed) == 0
    assert _count(engine, t.records, good) > 0


def test_evaluate_scores_the_index_against_truth(setup) -> None:
    config, truth_dir = setup
    build_index(config)
    scores = evaluate(config, truth_dir)
    assert scores["records_matched"] == scores["records_in_truth"]
    assert scores["precision"] >= 0.99
    assert scores["f1"] >= 0.95
    assert 0 <= scores["family"]["recall"] <= 1


def test_cli_build_and_evaluate_json(setup, capsys) -> None:
    config, truth_dir = setup
    path = str(config.base_dir / "config.toml")
    assert main(["build", "--config", path]) == 0
    assert "people:" in capsys.readouterr().out
    assert (
        main(["evaluate", "--config", path, "--truth", str(truth_dir), "--json"]) == 0
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert {"precision", "recall", "f1"} <= set(json.loads(last))


def test_cli_reports_errors_without_a_traceback(tmp_path, capsys) -> None:
    assert main(["build", "--config", str(tmp_path / "missing.toml")]) == 1
    assert "Error:" in capsys.readouterr().err


def test_end_to_end_on_a_generated_population(tmp_path) -> None:
    generate = pytest.importorskip("synthetic").generate
    generate(1500, 3, tmp_path / "demo")
    config = load_config(tmp_path / "demo" / "config.toml")
    summary = build_index(config)
    assert summary.records > 0 and summary.people > 0
    scores = evaluate(config, tmp_path / "demo" / "truth")
    assert scores["records_matched"] == summary.records
    assert scores["precision"] >= 0.99
    assert scores["f1"] >= 0.95


def _broken(*_args, **_kwargs) -> None:
    raise OSError("connection lost")


@pytest.mark.postgres
def test_build_and_rollback_on_postgresql(setup, postgres_url, monkeypatch) -> None:
    config, truth_dir = setup
    config = replace(config, storage=replace(config.storage, index_url=postgres_url))
    good = build_index(config).build_id
    monkeypatch.setattr(build_module, "publish", _broken)
    with pytest.raises(LinkageError):
        build_index(config)
    engine = make_engine(postgres_url)
    assert _serving(engine) == good
    assert load_index(engine).people.height > 0
    assert evaluate(config, truth_dir)["precision"] >= 0.99
    engine.dispose()


def test_a_broken_source_is_served_from_its_last_good_snapshot(tmp_path) -> None:
    generate = pytest.importorskip("synthetic").generate
    generate(400, 11, tmp_path / "demo")
    config = load_config(tmp_path / "demo" / "config.toml")
    first = build_index(config)
    housing = next(s for s in config.sources if s.name == "housing")
    (config.base_dir / housing.path).unlink()  # the next extract never arrives
    second = build_index(config)
    assert second.records == first.records  # nothing lost
    engine = make_engine(config.storage.index_url)
    index = load_index(engine)
    loads = index.source_loads.filter(pl.col("source") == "housing").row(0, named=True)
    assert not loads["ok"] and loads["stale"] and loads["stale_since"]
    assert loads["current_as_of"] is not None
    stale = [s for s in configured_sources(index.source_loads) if s.stale_since]
    assert [s.source for s in stale] == ["housing"] and stale[0].ok
    assert "newer extracts have failed since" in stale_text(stale[0])
    engine.dispose()


def test_an_older_index_gains_new_columns(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE source_loads (build_id TEXT, source TEXT)")
    added = add_missing_columns(engine)
    assert "source_loads.stale_since" in added
    assert "source_loads.ok" not in added  # NOT NULL columns are never added
    assert add_missing_columns(engine) == []
    engine.dispose()
