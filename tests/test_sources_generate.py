"""The synthetic generator: reproducible bytes, truth that matches what the
loader produces, valid identifiers, a config that loads, and a population with
the hard cases linkage has to face."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from core.config import load_config
from sources.__main__ import main
from sources.identifiers import is_valid_nhs, is_valid_upn
from sources.load import load_sources
from synthetic import csc, early_help, generate, police
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import REF_DATE, build_world

PEOPLE, SEED = 600, 11
#: A leap day, 1,065 days after the reference date (2025-03-31).
AS_OF = date(2028, 2, 29)


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


def text_digest(folder: Path) -> str:
    """One hash of every text file (csv, txt, toml) with its path."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".csv", ".txt", ".toml"):
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def records_per_source(folder: Path) -> dict[str, int]:
    truth = pl.read_csv(folder / "truth" / "records.csv", infer_schema=False)
    return dict(truth.group_by("source").len().sort("source").iter_rows())


def test_default_output_is_unchanged(generated):
    """Pinned before the builders were refactored and dates could move: a
    change here changes every seed's data (update the figures only on purpose)."""
    assert records_per_source(generated) == {
        "adult_social_care": 23,
        "camhs": 3,
        "csc": 42,  # a record per episode of the SSD tables (28 per involvement)
        "early_help": 22,
        "health_visiting": 92,
        "housing": 141,
        "police": 41,
        "school": 113,
        "substance_misuse": 8,
        "youth_justice": 3,
    }
    sources = load_config(generated / "config.toml").sources
    extract = {s.name: s.extract_date for s in sources}
    assert str(extract["police"]) == "2025-03-30"
    assert str(extract["school"]) == "2025-03-14"
    # moved on purpose: last contact dates in five extracts, the police role
    # mapping and incident truth (issue 15); then a previous surname column in
    # seven extracts (its own random stream); record counts unchanged
    expected = "1a5d6695fec40ac8565eadfcdf399b301881476a1f698b65ee9455b0732e447e"
    assert text_digest(generated) == expected


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
    assert ages["adult_social_care"] == (15, None) and ages["housing"] == (16, None)
    assert ages["police"] == (18, None) and ages["school"] == (4, 20)
    assert by_name["police"].encoding == "cp1252"
    assert by_name["substance_misuse"].sensitivity == "sensitive"
    # a party's role in an incident is police detail, never a family relationship
    assert "relationship" not in dict(by_name["police"].columns)
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


def _true(frame: pl.DataFrame, world, key: str, truth: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each row's true person's role, family and household."""
    people = world.people.select("pid", "role", "fid", "hid")
    ids = truth.select(pl.col("record_id").alias(key), "pid").unique()
    return frame.join(ids, on=key).join(people, on="pid")


def _one_family_each(rows: pl.DataFrame, ref: str) -> bool:
    return (rows.group_by(ref).agg(pl.col("fid").n_unique())["fid"] == 1).all()


def _apart_from_their_children(rows: pl.DataFrame, ref: str) -> bool:
    """Some non-resident parent shares ``ref`` with a child living elsewhere."""
    kids = rows.filter(pl.col("role") == "C").select(ref, kid_hid="hid")
    together = rows.filter(pl.col("role") == "NRP").join(kids, on=ref)
    return together.height > 0 and (together["hid"] != together["kid_hid"]).all()


def test_csc_names_parents_in_the_childrens_family(world):
    extract = csc.build(world)
    ids = extract.truth.with_columns(pl.col("record_id").str.split("/").list.first())
    # SystemC's ssd_family: a row per contact, the family of residence often null
    family = extract.tables["csc/ssd_family.csv"].drop_nulls("fami_family_id")
    rows = _true(family, world, "fami_person_id", ids)
    assert {"C", "A1", "NRP"} <= set(rows["role"])
    assert _one_family_each(rows, "fami_family_id")
    assert _apart_from_their_children(rows, "fami_family_id")
    person = _true(extract.tables["csc/ssd_person.csv"], world, "pers_person_id", ids)
    # a parent's own record keeps a pupil number only if they were a child here
    involved = extract.truth.filter(pl.col("record_id").str.contains("/"))["pid"]
    parents = person.filter(
        pl.col("role").is_in(["A1", "A2", "NRP"])
        & ~pl.col("pid").is_in(involved.implode())
    )
    assert parents.height > 0 and parents["pers_upn"].null_count() == parents.height


def test_early_help_families_include_some_non_resident_parents(world):
    extract = early_help.build(world)
    table = extract.tables["early_help.xlsx"]
    rows = _true(table, world, "Episode Member ID", extract.truth)
    nrp = rows.filter(pl.col("role") == "NRP")
    assert nrp.height > 0
    assert nrp["Role in Family"].str.ends_with(" (non-resident)").all()
    assert _one_family_each(rows, "EH Family ID")
    assert _apart_from_their_children(rows, "EH Family ID")


def test_police_ppi_ref_joins_one_family_but_an_incident_also_strangers(world):
    extract = police.build(world)
    table = extract.tables["police_safeguarding.csv"]
    rows = _true(table, world, "Incident Person Ref", extract.truth)
    ppi = rows.drop_nulls("PPI Ref")
    assert ppi["Incident Type"].str.starts_with("Domestic abuse").all()
    assert _one_family_each(ppi, "PPI Ref")
    assert _apart_from_their_children(ppi, "PPI Ref")
    incidents = rows.group_by("Incident Ref").agg(
        pl.col("fid").n_unique().alias("families"), pl.col("PPI Ref").first()
    )
    strangers = incidents.filter(pl.col("families") > 1)
    assert (
        strangers.height > 0 and strangers["PPI Ref"].null_count() == strangers.height
    )


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


@pytest.fixture(scope="module")
def moved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("as_of")
    generate(PEOPLE, SEED, out, as_of=AS_OF)
    return out


def test_as_of_moves_every_source_date_by_the_same_days(generated, moved):
    shift = AS_OF - REF_DATE
    before = {s.name: s for s in load_config(generated / "config.toml").sources}
    after = {s.name: s for s in load_config(moved / "config.toml").sources}
    assert after.keys() == before.keys()
    for name, src in after.items():
        old = before[name]
        assert src.extract_date == old.extract_date + shift, name
        assert src.coverage_start == old.coverage_start + shift, name
    assert str(after["police"].extract_date) == "2028-02-28"
    assert "as of 2028-02-29" in (moved / "config.toml").read_text().splitlines()[0]


def test_as_of_keeps_everyone_as_old_as_on_the_reference_date(generated, moved):
    cols = ("person_id", "dob", "moved_on", "last_name_changed_on")
    then = pl.read_csv(generated / "truth" / "people.csv", try_parse_dates=True)
    now = pl.read_csv(moved / "truth" / "people.csv", try_parse_dates=True)
    pairs = then.select(cols).join(now.select(cols), on="person_id", suffix="_now")
    assert pairs.height == then.height == now.height
    days = {
        "age_then": (pl.lit(REF_DATE) - pl.col("dob")).dt.total_days(),
        "age_now": (pl.lit(AS_OF) - pl.col("dob_now")).dt.total_days(),
    }
    ages = pairs.select(**days)
    assert ages["age_then"].equals(ages["age_now"], check_names=False)
    years = ages.select((pl.all() / 365.25).floor())
    assert years["age_then"].equals(years["age_now"], check_names=False)
    for c in ("moved_on", "last_name_changed_on"):
        gap = pairs.select((pl.col(f"{c}_now") - pl.col(c)).dt.total_days())
        assert set(gap.to_series().drop_nulls()) == {(AS_OF - REF_DATE).days}
    assert then.drop(cols, "upn").equals(now.drop(cols, "upn"))


def test_as_of_output_loads_and_reconciles_with_its_truth(moved):
    loaded = load_sources(load_config(moved / "config.toml"))
    for report in loaded.reports:
        assert report.ok and report.problems == (), report.source
    truth = pl.read_csv(moved / "truth" / "records.csv", infer_schema=False)
    keys = ["source", "record_id"]
    got = loaded.records.select(keys)
    assert got.height == truth.height
    assert got.join(truth, on=keys, how="anti").height == 0
    expected = pl.read_csv(moved / "truth" / "quarantine.csv")
    quarantined = loaded.quarantine.select("source", "row_number")
    assert quarantined.sort(pl.all()).equals(expected.sort(pl.all()))
    assert loaded.records["extract_date"].max() <= AS_OF


def test_as_of_is_deterministic_and_the_reference_date_is_the_default(
    generated, moved, tmp_path
):
    generate(PEOPLE, SEED, tmp_path / "again", as_of=AS_OF)
    assert digests(tmp_path / "again") == digests(moved)
    generate(PEOPLE, SEED, tmp_path / "ref", as_of=REF_DATE)
    ref, default = digests(tmp_path / "ref"), digests(generated)
    assert ref.pop("config.toml") != default.pop("config.toml")  # "as of" noted
    assert ref == default


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--as-of", "2026-11-20"], 0),
        (["--as-of", "2026-02-30"], 2),
        (["--as-of", "20/11/2026"], 2),
    ],
)
def test_cli_takes_as_of_as_an_iso_date(tmp_path, capsys, argv, code):
    args = ["generate", "--people", "60", "--out", str(tmp_path), "--quiet"]
    if code:
        with pytest.raises(SystemExit) as exit_:
            main(args + argv)
        assert exit_.value.code == code
        assert "YYYY-MM-DD" in capsys.readouterr().err
        return
    assert main(args + argv) == 0
    config = load_config(tmp_path / "config.toml")
    assert str(max(s.extract_date for s in config.sources)) == "2026-11-19"


def _service(columns: dict[str, str]) -> Service:
    spec = SourceSpec("s", "S", "csv", "s.csv", REF_DATE, REF_DATE, columns)
    staff = StaffSpec((("Worker", 1.0),), ("Team",), "example.gov.uk", block=0)
    return Service(spec, Noise(), staff, "S", dates="text", sex="letter")


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ({}, ["Ref", "Name", "Start", "Worker"]),
        ({"Kind": "Name"}, ["Ref", "Name", "Kind", "Start", "Worker"]),
        ({"Kind": "Ref", "Start": "Kind"}, ["Ref", "Kind", "Start", "Name", "Worker"]),
        ({"Kind": "Worker"}, ["Ref", "Name", "Start", "Worker", "Kind"]),
    ],
)
def test_service_columns_follow_the_mapping_then_placements(after, expected):
    mapped = {
        "record_id": "Ref",
        "first_name": "Name",
        "involvement_start": "Start",
        "last_contact": "Start",
        "lead_name": "Worker",
    }
    own = {"Kind": pl.lit("k")} if "Kind" in expected else {}
    assert list(_service(mapped).columns(own, after)) == expected


def test_service_columns_name_every_problem_at_once():
    service = _service({"record_id": "Ref", "detail": "Summary"})
    with pytest.raises(ValueError) as problem:
        service.columns({"Typo": pl.lit("x"), "Kind": pl.lit("k")}, {"Kind": "Nope"})
    assert str(problem.value) == (
        "columns of s: 'Kind' cannot follow 'Nope': no such column; "
        "no expression for 'Summary'; 'Typo' is neither mapped nor placed"
    )


def test_every_source_with_contacts_maps_its_last_contact(generated):
    """Last contact dates are generated and mapped wherever the service has
    them (a school roll has no contact date; the SSD gives it from contacts)."""
    sources = {s.name: s for s in load_config(generated / "config.toml").sources}
    without = {n for n, s in sources.items() if "last_contact" not in s.columns}
    assert without == {"csc", "school"}
    police = sources["police"]
    assert police.columns["role"] == "Role" and police.detail_limit == 3
    assert police.age_any_roles == ("Child present", "Victim", "Missing person")
    truth = pl.read_csv(generated / "truth" / "incidents.csv")
    assert set(truth["role"]) >= {"Child present", "Victim", "Suspect"}
