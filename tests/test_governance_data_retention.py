"""Retention of linked data: a record its source no longer sends is gone from the
served index after the next build, with nothing of the earlier build left behind
(audit retention is separate: ``test_audit_retention``)."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import inspect, select
from support.linkage_build import SERVICES, _loaded, _write_config
from support.population import make_population

from core.config import load_config
from core.db import make_engine
from linkage import build as build_module
from linkage import index_tables as t
from linkage.build import build_index
from lookup.index import load_index


@pytest.fixture(scope="module")
def population() -> pl.DataFrame:
    return make_population(80, seed=11)[0]


def _build(config, monkeypatch, records: pl.DataFrame) -> str:  # noqa: ANN001
    monkeypatch.setattr(build_module, "_load_sources", lambda _c: _loaded(records))
    return build_index(config).build_id


def _held(config) -> tuple[set[str], set[str]]:  # noqa: ANN001
    """(record ids, build ids) anywhere in the index's record tables (the shared
    one and every build's own)."""
    engine = make_engine(config.storage.index_url)
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        owners = list(conn.execute(select(t.builds.c.build_id)).scalars())
        tables = {t.records, *(t.built(conn, t.records, b) for b in owners)}
        assert {n for n in names if n.startswith("records")} <= {r.name for r in tables}
        rows = [r for table in tables for r in conn.execute(
            select(table.c.record_id, table.c.build_id)).all()]  # fmt: skip
    return {r[0] for r in rows}, {r[1] for r in rows}


def test_records_a_source_stops_sending_are_dropped(tmp_path, monkeypatch,
                                                    population) -> None:  # fmt: skip
    config = load_config(_write_config(tmp_path))
    _build(config, monkeypatch, population)
    gone_source = "housing"
    kept = population.filter(pl.col("source") != gone_source)
    dropped = population.filter(pl.col("source") == gone_source).head(5)
    later = pl.concat([kept, population.filter(pl.col("source") == gone_source)
                       .slice(5)])  # fmt: skip
    second = _build(config, monkeypatch, later)
    ids, builds = _held(config)
    assert builds == {second} and set(kept["record_id"]) <= ids
    assert not ids & set(dropped["record_id"])
    third = _build(config, monkeypatch, kept)  # the source sends nothing at all
    ids, builds = _held(config)
    assert builds == {third}
    assert not ids & set(population.filter(pl.col("source") == gone_source)
                         ["record_id"])  # fmt: skip
    index = load_index(make_engine(config.storage.index_url))
    assert gone_source not in set(index.records["source"])
    assert set(index.people["person_id"]) == set(index.records["person_id"])
    assert gone_source in SERVICES
