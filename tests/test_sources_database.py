"""Sources read from databases: SQLAlchemy URLs (SQLite, PostgreSQL) and real
ODBC (unixODBC + psqlODBC against the local PostgreSQL). What arrives equals
the same extract read from its file, and read = accepted + quarantined."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import create_engine
from support.databases import odbc_string, schema_of

from core.config import Config, load_config, parse_config
from sources.load import load_source
from sources.readers.database import describe, read_only_problem
from synthetic import generate

COMPARED = ["record_id", "first_name", "last_name", "dob", "nhs_number", "postcode"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Config:
    out = tmp_path_factory.mktemp("gen")
    generate(120, 5, out)
    return load_config(out / "config.toml")


def source(config: Config, name: str):
    return next(s for s in config.sources if s.name == name)


def as_table(config: Config, name: str) -> pl.DataFrame:
    """A generated CSV extract as the text table a warehouse would hold."""
    src = source(config, name)
    text = config.source_path(src).read_bytes().decode(src.encoding)
    return pl.read_csv(text.encode(), separator=src.delimiter, infer_schema=False)


def assert_same(config: Config, name: str, **db_keys) -> None:
    src = source(config, name)
    from_file = load_source(config, src)
    db = dataclasses.replace(src, format=db_keys.pop("format"), path="", **db_keys)
    from_db = load_source(config, db)
    report = from_db.report
    assert report.ok, report.problems
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert report.rows_read == from_file.report.rows_read
    assert from_db.records.select(COMPARED).equals(from_file.records.select(COMPARED))
    assert from_db.quarantine.equals(from_file.quarantine)


def test_sqlite_table_and_query_match_the_file(generated, tmp_path):
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    engine = create_engine(url)
    as_table(generated, "police").write_database("police", engine)
    engine.dispose()
    assert_same(generated, "police", format="sql", url=url, table="police")
    query = "-- the police extract\nSELECT * FROM police;"
    assert_same(generated, "police", format="sql", url=url, query=query)


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM police",
        "SELECT 1; DROP TABLE police",
        "WITH x AS (SELECT 1) DELETE FROM police",
        "SELECT * INTO copy FROM police",
        "EXEC sp_who",
        "",
    ],
)
def test_anything_but_one_select_is_refused(generated, tmp_path, query):
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    src = dataclasses.replace(
        source(generated, "police"), format="sql", path="", url=url, query=query
    )
    report = load_source(generated, src).report
    assert not report.ok and "query" in report.problems[0]


def test_strings_and_comments_do_not_trip_the_check():
    assert read_only_problem("SELECT 'drop; delete' AS x /* insert */ FROM t") is None
    quoted = 'WITH a AS (SELECT "update" FROM t) SELECT * FROM a'
    assert read_only_problem(quoted) is None


def test_missing_table_and_bad_login_say_what_to_fix(generated, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    src = dataclasses.replace(
        source(generated, "police"), format="sql", path="", url=url, table="nope"
    )
    report = load_source(generated, src).report
    assert not report.ok
    assert "table nope" in report.problems[0] and "not found" in report.problems[0]
    odbc = dataclasses.replace(
        src, format="odbc", url="", odbc_connect="DSN=nowhere;PWD=secret"
    )
    report = load_source(generated, odbc).report
    assert not report.ok and "ODBC driver or DSN" in report.problems[0]
    assert "secret" not in report.path + "".join(report.problems)


def test_passwords_never_reach_reports():
    src = parse_config(
        {
            "sources": [
                {
                    "name": "w",
                    "service": "W",
                    "format": "odbc",
                    "odbc_connect": "Driver={X};Server=s;UID=u;PWD={p;w};Encrypt=yes",
                    "table": "t",
                    "columns": {"full_name": "n"},
                }
            ]
        },
        Path("."),
    ).sources[0]
    assert "p;w" not in describe(src) and "Encrypt=yes" in describe(src)
    url = dataclasses.replace(src, url="postgresql://u:hunter2@h/db")
    assert "hunter2" not in describe(url)


def test_config_requires_where_the_database_is():
    from core.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        parse_config(
            {
                "sources": [
                    {"name": "a", "service": "A", "format": "sql", "table": "t"},
                    {"name": "b", "service": "B", "format": "ssd"},
                ]
            },
            Path("."),
        )
    where = [p.where for p in info.value.problems]
    assert "sources[0].url" in where and "sources[0].columns" in where
    assert "sources[1].url" in where


# --- PostgreSQL: through SQLAlchemy and through real ODBC -----------------------


def test_postgres_through_sqlalchemy_and_odbc(generated, postgres_url):
    engine = create_engine(postgres_url)
    for name in ("police", "housing"):
        as_table(generated, name).write_database(name, engine)
    engine.dispose()
    assert_same(generated, "police", format="sql", url=postgres_url, table="police")
    odbc = odbc_string(postgres_url)
    schema = schema_of(postgres_url)
    assert_same(
        generated, "police", format="odbc", odbc_connect=odbc, table=f"{schema}.police"
    )
    query = f'WITH h AS (SELECT * FROM {schema}."housing") SELECT * FROM h'
    assert_same(
        generated, "housing", format="odbc", odbc_connect=odbc, query=query,
        batch_size=37,
    )  # fmt: skip


def test_odbc_dsn_form_is_accepted(monkeypatch):
    from core.errors import SourceError
    from sources.readers import database

    seen = {}

    class Stop(Exception):
        pass

    def connect(target, **kwargs):
        seen["target"], seen["kwargs"] = target, kwargs
        raise Stop

    import pyodbc

    monkeypatch.setattr(pyodbc, "connect", connect)
    src = parse_config(
        {"sources": [{"name": "w", "service": "W", "format": "odbc",
                      "odbc_connect": "Warehouse", "table": "t",
                      "columns": {"full_name": "n"}}]},
        Path("."),
    ).sources[0]  # fmt: skip
    with pytest.raises(SourceError):
        database.fetch(src)
    assert seen["target"] == "DSN=Warehouse" and seen["kwargs"]["readonly"] is True
