"""The synthetic generator: reproducible bytes, truth that matches what the
loader produces, valid identifiers, a config that loads, and a population with
the hard cases linkage has to face."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from core.config import load_config
from sources.generate import generate
from sources.generate.world import build_world
from sources.identifiers import is_valid_nhs, is_valid_upn
from sources.load import load_sources

PEOPLE, SEED = 600, 11


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    generate(PEOPLE, SEED, out)
    return out


@pytest.fixture(scope="module")
def loaded(generated):
    return load_sources(load_config(generated / "config.toml"))


def test_same_seed_gives_the_same_bytes(generated, tmp_path):
    generate(PEOPLE, SEED, tmp_path)
    assert digests(tmp_path) == digests(generated)


def test_another_seed_gives_other_data(generated, tmp_path):
    generate(PEOPLE, SEED + 1, tmp_path)
    ours, theirs = digests(generated), digests(tmp_path)
    assert ours["police_safeguarding.csv"] != theirs["police_safeguarding.csv"]


def test_generated_config_loads_with_every_format_and_the_age_rules(generated):
    config = load_config(generated / "config.toml")
    assert config.app.demo_mode is True
    assert config.storage.index_url == f"sqlite:///{(generated / 'index.db').resolve()}"
    assert config.storage.audit_url == f"sqlite:///{(generated / 'audit.db').resolve()}"
    by_name = {s.name: s for s in config.sources}
    assert len(by_name) >= 9
    assert {s.format for s in config.sources} == {"csv", "excel", "parquet", "ssd_csv"}
    ages = {n: (s.age_min, s.age_max) for n, s in by_name.items()}
    assert ages["adult_social_care"] == (15, -1) and ages["housing"] == (16, -1)
    assert ages["police"] == (18, -1) and ages["school"] == (4, 20)
    assert by_name["police"].encoding == "cp1252"
    assert by_name["substance_misuse"].sensitivity == "sensitive"
    for s in config.sources:
        assert s.extract_date and s.coverage_from and s.lawful_basis and s.service
        assert config.source_path(s).exists()


def test_every_source_loads_cleanly(loaded):
    for report in loaded.reports:
        assert report.ok and report.problems == (), report.source
        assert report.rows_read == report.rows_accepted + report.rows_quarantined


def test_truth_covers_every_loaded_record_exactly(generated, loaded):
    truth = pl.read_csv(generated / "truth" / "records.csv", infer_schema=False)
    assert truth.columns == [
        "source",
        "record_id",
        "person_id",
        "family_id",
        "household_id",
    ]
    keys = ["source", "record_id"]
    assert truth.select(keys).is_duplicated().sum() == 0
    got = loaded.records.select(keys)
    assert got.height == truth.height
    assert got.join(truth, on=keys, how="anti").height == 0
    assert truth.join(got, on=keys, how="anti").height == 0
    assert truth.null_count().row(0) == (0, 0, 0, 0, 0)


def test_truth_lists_the_rows_the_loader_quarantines(generated, loaded):
    expected = pl.read_csv(generated / "truth" / "quarantine.csv")
    got = loaded.quarantine.select("source", "row_number")
    assert got.sort(pl.all()).equals(expected.sort(pl.all()))
    assert expected.height > 0


def test_identifiers_are_valid_and_synthetic(generated):
    people = pl.read_csv(generated / "truth" / "people.csv", infer_schema=False)
    nhs = people["nhs_number"].drop_nulls()
    assert nhs.len() > 0.9 * people.height and nhs.is_unique().all()
    assert all(is_valid_nhs(n) and n.startswith("999") for n in nhs)
    upn = people["upn"].drop_nulls()
    assert upn.len() > 0 and upn.is_unique().all()
    assert all(is_valid_upn(u) for u in upn)


def test_loaded_identifiers_are_mostly_valid(loaded):
    rec = loaded.records
    assert rec["nhs_number"].drop_nulls().len() > 100
    assert all(is_valid_nhs(n) for n in rec["nhs_number"].drop_nulls())
    assert all(is_valid_upn(u) for u in rec["upn"].drop_nulls())


def test_involvement_is_correlated_within_families(generated):
    truth = pl.read_csv(generated / "truth" / "records.csv", infer_schema=False)
    per_family = truth.group_by("family_id").agg(pl.col("source").n_unique().alias("n"))
    assert per_family["n"].max() >= 4


@pytest.fixture(scope="module")
def world():
    return build_world(4000, 3)


def test_everyone_has_names_a_birth_date_and_a_home(world):
    people = world.people
    cols = ("first_name", "surname", "dob", "sex", "hid", "fid")
    assert people.select(cols).null_count().row(0) == (0,) * len(cols)
    assert world.homes["address"].is_unique().all()


def test_twins_share_a_birth_date_but_not_a_first_name(world):
    kids = world.people.filter(pl.col("role") == "C")
    twins = kids.filter(pl.len().over("hid", "dob") > 1)
    assert twins.height > 0
    assert (
        twins.select(
            pl.col("first_name").n_unique().over("hid", "dob")
            == pl.len().over("hid", "dob")
        )
        .to_series()
        .all()
    )


def test_cousins_share_a_surname_and_a_first_name(world):
    kids = world.people.filter((pl.col("role") == "C") & (pl.col("child_idx") == 0))
    pairs = kids.filter(pl.col("cousin_of") >= 0).join(
        kids.select(cousin_of="hid", their_first="first_name", their_last="surname"),
        on="cousin_of",
    )
    assert pairs.height > 0
    assert (pairs["first_name"] == pairs["their_first"]).all()
    assert (pairs["surname"] == pairs["their_last"]).mean() > 0.6


def test_separated_parents_live_elsewhere_in_the_same_family(world):
    people = world.people
    nrp = people.filter(pl.col("role") == "NRP")
    assert nrp.height > 0
    assert (nrp["fid"] == nrp["base_hid"]).all() and (
        nrp["hid"] != nrp["base_hid"]
    ).all()
    kids = people.filter(pl.col("parent2").is_in(nrp["pid"].implode()))
    assert kids.height > 0 and (kids["hid"] != kids["fid"]).sum() == 0


def test_surname_changes_and_diverse_names_occur(world):
    people = world.people
    assert people["prev_surname"].drop_nulls().len() > 0.05 * people.height
    assert people["surname"].str.contains("-").any()
    assert people["surname"].str.contains(" ").any()
    assert people["first_name"].str.contains(r"[^\x00-\x7f]").any()
    assert people["person_heritage"].n_unique() >= 10


def test_police_extract_is_windows_1252_and_its_accents_load(generated, loaded):
    raw = (generated / "police_safeguarding.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    accented = {
        w for w in raw.decode("cp1252").replace(",", " ").split() if not w.isascii()
    }
    police = loaded.records.filter(pl.col("source") == "police")
    names = set(police["first_name"].drop_nulls()) | set(
        police["lead_name"].str.split(" ").explode().drop_nulls()
    )
    assert accented and accented <= names | set(police["last_name"].drop_nulls())
