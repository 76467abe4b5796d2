"""The SSD preset (``format = "ssd"``): the generated SSD tables in SQLite (via
``generate --ssd-sqlite``) and in PostgreSQL (via SQLAlchemy and via ODBC) load
into the same records as the SSD CSV folder, with no mapping written."""

from __future__ import annotations

import dataclasses
import json

import polars as pl
import pytest
from sqlalchemy import create_engine, text
from support.databases import odbc_string, schema_of

from core.config import Config, load_config
from sources.__main__ import main
from sources.load import load_source
from synthetic.ssd_db import write_ssd_database

COMPARED = [
    "record_id", "row_number", "case_number", "first_name", "last_name", "dob",
    "nhs_number", "upn", "address", "postcode", "family_ref", "involvement_start",
    "involvement_end", "lead_name", "lead_team", "lead_email",
]  # fmt: skip


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Config, str]:
    out = tmp_path_factory.mktemp("gen")
    db = out / "ssd.sqlite"
    args = ["generate", "--people", "150", "--seed", "7", "--out", str(out)]
    assert main([*args, "--ssd-sqlite", str(db), "--quiet"]) == 0
    return load_config(out / "config.toml"), f"sqlite:///{db}"


def csc(config: Config):
    return next(s for s in config.sources if s.format == "ssd_csv")


def assert_same_as_folder(config: Config, **keys) -> None:
    src = csc(config)
    folder = load_source(config, src)
    db = load_source(config, dataclasses.replace(src, format="ssd", path="", **keys))
    report = db.report
    assert report.ok, report.problems
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert report.rows_read == folder.report.rows_read > 0
    assert db.records.select(COMPARED).equals(folder.records.select(COMPARED))


def test_ssd_sqlite_from_the_generator(generated):
    config, url = generated
    assert_same_as_folder(config, url=url)


def test_episode_tables_and_linked_identifiers_join_in(generated, tmp_path):
    config, url = generated
    engine = create_engine(url)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT pers_person_id FROM ssd_person")).first()[0]
    person = str(first)
    pl.DataFrame(
        {
            "cppl_cp_plan_id": ["P9"],
            "cppl_person_id": [person],
            "cppl_cp_plan_start_date": ["2024-02-01"],
            "cppl_cp_plan_end_date": [None],
        }
    ).write_database("ssd_cp_plans", engine, if_table_exists="replace")
    engine.dispose()
    src = dataclasses.replace(csc(config), format="ssd", path="", url=url)
    records = load_source(config, src).records
    plan = records.filter(pl.col("record_id") == f"{person}/CP:P9")
    assert plan["detail"].to_list() == ["Child protection plan"]
    assert plan["involvement_current"].to_list() == [True]


def test_missing_person_table_makes_the_source_unusable(generated, tmp_path):
    config, _ = generated
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    src = dataclasses.replace(csc(config), format="ssd", path="", url=url)
    report = load_source(config, src).report
    assert not report.ok
    assert "table ssd_person" in report.problems[0]


def test_ssd_in_postgres_through_sqlalchemy_and_odbc(generated, postgres_url):
    config, _ = generated
    write_ssd_database(config.source_path(csc(config)), postgres_url)
    assert_same_as_folder(config, url=postgres_url)
    schema = schema_of(postgres_url)
    assert_same_as_folder(config, odbc_connect=odbc_string(postgres_url), schema=schema)


def test_check_cli_reports_an_ssd_database_source(generated, tmp_path, capsys):
    config, url = generated
    toml = f"""
[[sources]]
name = "csc"
service = "Children's social care"
format = "ssd"
url = "{url}"
extract_date = "2025-03-28"
"""
    path = tmp_path / "ssd.toml"
    path.write_text(toml, encoding="utf-8")
    assert main(["check", "--config", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    row = summary["csc"]
    assert row["read"] == row["accepted"] + row["quarantined"] > 0
