"""The whole flow on generated data, through the commands a user runs:
generate → build → evaluate → audited search → audited family view → verify."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from core.config import load_config
from core.db import make_engine
from governance.__main__ import main as governance_main
from linkage.__main__ import main as linkage_main
from lookup.__main__ import main as lookup_main
from lookup.index import load_index
from sources.__main__ import main as sources_main

WHO = ["--purpose", "New referral (MASH)", "--case-ref", "REF-1"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("flow") / "demo"
    assert sources_main(["generate", "--people", "1200", "--seed", "3",
                         "--out", str(out), "--quiet"]) == 0  # fmt: skip
    assert linkage_main(["build", "--config", str(out / "config.toml")]) == 0
    return out


def _last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _household_with_records(demo: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A true person with records in two or more sources, and their household."""
    records = pl.read_csv(demo / "truth" / "records.csv")
    people = pl.read_csv(demo / "truth" / "people.csv", infer_schema_length=0)
    busy = (
        records.group_by("person_id", "household_id")
        .agg(pl.col("source").n_unique().alias("n"))
        .filter(pl.col("n") >= 2)
        .sort("n", "person_id", descending=[True, False])
    )
    focus = people.filter(pl.col("person_id") == busy["person_id"][0])
    known = records.filter(pl.col("household_id") == busy["household_id"][0])
    return focus, known


def test_evaluate_reports_high_quality(demo, capsys):
    args = ["evaluate", "--config", str(demo / "config.toml"),
            "--truth", str(demo / "truth"), "--json"]  # fmt: skip
    assert linkage_main(args) == 0
    figures = _last_json(capsys)
    assert figures["precision"] >= 0.99
    assert figures["f1"] >= 0.97


def test_search_then_family_view_shows_the_household(demo, capsys):
    focus, known = _household_with_records(demo)
    first, last = focus["first_name"][0], focus["last_name"][0]
    config = ["--config", str(demo / "config.toml")]
    name = f"{last.upper()}, {first.lower()}*"
    assert lookup_main(["search", *config, "--name", name, *WHO, "--json"]) == 0
    candidates = _last_json(capsys)["candidates"]
    assert candidates, "the person should be found by surname-first entry"
    top = candidates[0]["person_id"]

    assert lookup_main(["family", *config, "--person-id", top, *WHO, "--json"]) == 0
    members = _last_json(capsys)["members"]
    shown = {m["person_id"] for m in members}
    assert top in shown
    assert all(m["services"] for m in members)
    statuses = {s["involvement"] for m in members for s in m["services"]}
    assert statuses <= {"Current", "Historic", "None found", "Not available"}
    assert len(shown) >= min(2, known["person_id"].n_unique())


def test_every_access_is_in_a_valid_audit_chain(demo, capsys):
    config = ["--config", str(demo / "config.toml")]
    assert governance_main(["verify", *config, "--json"]) == 0
    check = _last_json(capsys)
    assert check["valid"] is True
    assert check["events"] >= 3  # search, results shown, family opened


def test_an_identifier_search_needs_no_name(demo, capsys):
    config = load_config(demo / "config.toml")
    index = load_index(make_engine(config.storage.index_url))
    person = index.people.filter(pl.col("nhs_number").is_not_null()).row(0, named=True)
    nhs = person["nhs_number"]
    spaced = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
    args = ["search", "--config", str(demo / "config.toml"), "--id", spaced]
    assert lookup_main([*args, *WHO, "--json"]) == 0
    candidates = _last_json(capsys)["candidates"]
    assert [c["person_id"] for c in candidates] == [person["person_id"]]
