"""Children's social care from SSD tables with the published scripts' exact
column names and nulls (data-to-insight ssd-data-model v1.4.5: SystemC's
script, Eclipse's and Mosaic's beside it): the record per person and episode,
and each field as a front-door worker needs it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from support.databases import odbc_string, schema_of
from support.ssd_tables import KEYS, PERSON, SYSTEMC, write

from core.config import Config, parse_config
from core.errors import ConfigError
from sources.load import load_source, load_sources
from sources.readers.ssd_spec import detect
from synthetic.ssd_db import write_ssd_database

SSD = {
    "name": "csc",
    "service": "Children's social care",
    "format": "ssd_csv",
    "path": "csc",
    "extract_date": "2025-03-28",
}


def config(base: Path, **keys) -> Config:
    return parse_config({"sources": [SSD | keys]}, base)


def eclipse_json(one: str, street: str) -> str:
    values = {k: "" for k in KEYS} | {"BUILDING": one, "HOUSE": one, "STREET": street}
    values |= {"TOWN": "Stockport", "UPRN": None}
    return json.dumps(values, separators=(",", ":"))


#: record -> (detail, start, end, lead, team); Bo's and Dan's beside.
EXPECTED = {
    "101/CIN:C1": (
        "Child in need episode",
        date(2024, 1, 1),
        None,
        "Pat Lee",
        "Locality Team North",
    ),
    "101/CLA:E1": (
        "Looked after (period of care)",
        date(2024, 4, 1),
        date(2024, 7, 1),
        "Jo Bloggs",
        "MASH",
    ),
    "101/CLA:E3": (
        "Looked after (period of care)",
        date(2024, 11, 1),
        None,
        "Pat Lee",
        "Locality Team North",
    ),
    "101/CP:CP1": (
        "Child protection plan",
        date(2024, 3, 1),
        None,
        "Pat Lee",
        "Locality Team North",
    ),
    "101/ICPC:P1": (
        "Initial child protection conference",
        date(2025, 4, 10),
        None,
        "Pat Lee",
        "Locality Team North",
    ),
    "101/LEGAL:G1": (
        "Legal status: Interim care order",
        date(2024, 11, 1),
        None,
        "Pat Lee",
        "Locality Team North",
    ),
    "101/MISS:M1": (
        "Missing episode: Missing",
        date(2025, 3, 26),
        None,
        "Pat Lee",
        "Locality Team North",
    ),
    "101/S47:S9": (
        "Section 47 enquiry",
        date(2024, 2, 1),
        date(2024, 2, 20),
        "Jo Bloggs",
        "MASH",
    ),
    "102/EH:H1": (
        "Early help episode",
        date(2019, 1, 1),
        date(2019, 6, 30),
        "Jo Bloggs",
        "MASH",
    ),
    "201": (None, None, None, None, None),
    "301": ("Died 01/05/2024", None, None, None, None),
}


@pytest.fixture
def systemc(tmp_path) -> Config:
    write(tmp_path / "csc", SYSTEMC)
    return config(tmp_path)


def _load(cfg: Config):
    load = load_source(cfg, cfg.sources[0])
    assert load.report.ok, load.report.problems
    assert (
        load.report.rows_read
        == load.report.rows_accepted + load.report.rows_quarantined
    )
    return load.records.sort("record_id")


def _by_id(records: pl.DataFrame) -> dict[str, dict]:
    return {r["record_id"]: r for r in records.iter_rows(named=True)}


def test_one_record_per_person_and_episode_with_its_lead_and_team(systemc):
    """The allocated worker leads (never the team manager beside them), from the
    episode's own worker column (a name, a staff id) or the involvement in post
    on the episode's last day or today; the team by its department name."""
    got = {
        rid: (
            r["detail"],
            r["involvement_start"],
            r["involvement_end"],
            r["lead_name"],
            r["lead_team"],
        )
        for rid, r in _by_id(_load(systemc)).items()
    }
    assert got == EXPECTED


def test_person_fields_from_every_place_the_spec_holds_them(systemc):
    rows = _by_id(_load(systemc))
    amy, bo, cara, dan = rows["101/CIN:C1"], rows["102/EH:H1"], rows["201"], rows["301"]
    # NHS number only in a linked row (the superseded one ignored); UPN from
    # the row with a value, not the null one ahead of it
    assert (amy["nhs_number"], amy["upn"]) == ("9434765919", "B801200005001")
    assert bo["dob"] == date(2017, 5, 15)  # estimated: pers_expected_dob
    # the home address, not the newer correspondence one; quotes unescaped
    assert amy["address"] == 'Flat 2, The "Willows", 9 Oak Road, Stockport'
    assert amy["postcode"] == "SK4 2XY"
    assert (bo["address"], bo["postcode"]) == (None, None)  # every part "", X's
    assert amy["last_contact"] == date(2025, 2, 1)  # not the one after extract
    assert amy["lead_role"] == "Senior Social Worker"
    assert dan["involvement_current"] is None and dan["detail"] == "Died 01/05/2024"
    assert cara["lead_name"] is None


def test_families_per_contact_and_mothers(systemc):
    rows = _by_id(_load(systemc))
    amy, bo, cara = rows["101/CIN:C1"], rows["102/EH:H1"], rows["201"]
    assert amy["family_ref"] == bo["family_ref"] == "csc:F7"
    assert cara["family_ref"] == "csc:F7"  # a mother with none takes her child's
    assert (cara["relationship"], cara["related"]) == (
        "Mother",
        "mother_of:101;mother_of:102",
    )
    assert (amy["relationship"], amy["related"]) == ("Child", "child_of:201")


def test_a_team_manager_alone_is_no_record_and_unknown_team_ids_are_not_shown(
    tmp_path,
):
    tables = {
        k: v for k, v in SYSTEMC.items() if k in ("ssd_person", "ssd_professionals")
    }
    tables["ssd_involvements"] = {
        "invo_involvements_id": ["I1", "I2"],
        "invo_professional_id": ["40002", "40003"],
        "invo_professional_role_id": ["TM", "CW"],
        "invo_professional_team": ["5001", "5012"],
        "invo_person_id": ["201", "201"],
        "invo_involvement_start_date": ["2024-01-01", "2024-01-01"],
        "invo_involvement_end_date": [None, None],
    }
    write(tmp_path / "csc", tables)
    rows = _by_id(_load(config(tmp_path)))
    lead = rows["201/INV:I2"]
    assert (lead["detail"], lead["lead_name"]) == ("Allocated worker", "Pat Lee")
    # 5012 is in no ssd_department: the worker's own department is shown
    assert lead["lead_team"] == "Locality North"
    assert not any(k.startswith("201/INV:I1") for k in rows)


MOSAIC_PERSON = {
    "pers_person_id": ["101", "102"],
    "pers_legacy_id": [None, None],
    "pers_forename": ["Amy", "Bo"],
    "pers_surname": ["Lee", "Lee"],
    "pers_sex": ["Female", "Male"],
    "pers_gender": [None, None],
    "pers_dob": ["2015-03-04", "2017-05-06"],
    "pers_single_unique_id": [None, None],
    "pers_upn": [None, None],
}


def mosaic_tables() -> dict[str, dict]:
    return {
        "ssd_person": MOSAIC_PERSON,
        "ssd_address": {
            "addr_table_id": ["A1"],
            "addr_address_json": [
                "Flat 2\n9 Oak Road\nHeaton Moor\nStockport\nSK4 2XY"
            ],
            "addr_person_id": ["101"],
            "addr_address_type": ["HOME"],
            "addr_address_start_date": ["2020-01-02"],
            "addr_address_end_date": [None],
            "addr_address_postcode": ["SK4 2XY"],
        },
        "ssd_family": {
            "fami_family_id": ["G5", "G5"],
            "fami_person_id": ["101", "102"],
        },
        "ssd_linked_identifiers": {
            "link_table_id": ["R1"],
            "link_person_id": ["102"],
            "link_identifier_type": ["NHS"],
            "link_identifier_value": ["9434765919"],
            "link_valid_from_date": [None],
            "link_valid_to_date": [None],
        },
        "ssd_involvements": {  # no invo_person_id in Mosaic's procedure
            "invo_involvements_id": ["V1", "V2", "V3"],
            "invo_professional_id": ["9001", "9002", "9001"],
            "invo_professional_role_id": [
                "REL.ALLOCATED",
                "REL.TEAMMANAGER",
                "REL.ALLOCATED",
            ],
            "invo_professional_team": ["77", "77", "77"],
            "invo_referral_id": ["3001", "3001", None],
            "invo_involvement_start_date": ["2024-01-01", "2024-01-01", "2020-01-01"],
            "invo_involvement_end_date": [None, None, "2020-02-01"],
        },
        "ssd_professionals": {  # no name column, no professional id
            "prof_professional_id": [None],
            "prof_staff_id": ["9001"],
            "prof_professional_department": ["Locality Team South"],
        },
        "ssd_department": {"dept_team_id": [], "dept_team_name": []},
        "ssd_cin_episodes": {
            "cine_referral_id": ["3001"],
            "cine_person_id": ["101"],
            "cine_referral_date": ["2024-01-01"],
            "cine_close_date": [None],
            "cine_referral_team": ["77"],
            "cine_referral_worker_id": [None],
        },
        "ssd_cin_plans": {
            "cin_plan_id": ["CP7"],
            "cinp_person_id": ["101"],
            "cinp_cin_plan_start_date": ["2024-02-01"],
            "cinp_cin_plan_end_date": [None],
        },
        "ssd_cla_episodes": {  # the next episode starts the day after
            "clae_cla_episode_id": ["E1", "E2"],
            "clae_person_id": ["102", "102"],
            "clae_cla_episode_start_date": ["2024-04-01", "2024-06-02"],
            "clae_cla_primary_need": ["N1", "N1"],
            "clae_cla_episode_ceased_date": ["2024-06-01", None],
            "clae_cla_episode_ceased_reason": ["X1", None],
            "clae_cla_id": ["P1", "P1"],
        },
        "ssd_missing": {  # no miss_person_id: the care episode open, or null
            "miss_table_id": ["M1", "M2"],
            "miss_cla_episode_id": [None, "E2"],
            "miss_missing_episode_start_date": ["2025-01-01", "2025-02-03"],
        },
    }


def test_mosaic_loads_through_referrals_and_the_staff_contact_extract(tmp_path):
    write(tmp_path / "csc", mosaic_tables())
    (tmp_path / "staff.csv").write_text(
        "staff_id,name,job_title,team,email,phone\n"
        "9001,Sam Okafor,Social Worker,Locality Team South,"
        "sam.okafor@council.example.gov.uk,0161 496 0001\n",
        encoding="utf-8",
    )
    cfg = config(tmp_path, ssd_staff_contacts="staff.csv")
    load = load_source(cfg, cfg.sources[0])
    report = load.report
    assert (
        report.ok and report.rows_read == report.rows_accepted + report.rows_quarantined
    )
    assert report.problems == (
        f"source 'csc', file {tmp_path / 'csc' / 'ssd_missing.csv'}, column "
        "miss_cla_episode_id: 1 row(s) name no person (no miss_person_id, and no "
        "care episode in ssd_cla_episodes by this key), so they are not shown; set "
        "[[sources]] ssd_tables.ssd_missing to a query that gives miss_person_id",
    )
    rows = _by_id(load.records)
    assert set(rows) == {"101/CIN:3001", "101/CINP:CP7", "102/CLA:E1", "102/MISS:M2"}
    assert rows["102/MISS:M2"]["involvement_start"] == date(2025, 2, 3)
    cin = rows["101/CIN:3001"]
    assert (
        cin["lead_name"],
        cin["lead_team"],
        cin["lead_email"],
        cin["lead_phone"],
    ) == (
        "Sam Okafor",
        "Locality Team South",
        "sam.okafor@council.example.gov.uk",
        "0161 496 0001",
    )
    assert cin["address"] == "Flat 2, 9 Oak Road, Heaton Moor, Stockport"
    assert cin["sex"] == "F" and rows["102/CLA:E1"]["nhs_number"] == "9434765919"
    assert rows["102/CLA:E1"]["involvement_end"] is None


def test_eclipse_repeated_building_and_house_and_its_professionals(tmp_path):
    tables = {
        "ssd_person": PERSON
        | {"pers_single_unique_id": ["9434765919", None, None, None]},
        "ssd_address": {
            "addr_table_id": ["A1", "A2"],
            "addr_person_id": ["101", "102"],
            "addr_address_type": ["Home", "Home"],
            "addr_address_start_date": ["2020-01-02", "2020-01-02"],
            "addr_address_end_date": [None, None],
            "addr_address_postcode": ["SK42XY", "SK42XY"],
            "addr_address_json": [
                eclipse_json("9", "Oak Road"),
                eclipse_json("Oak House", "9 Oak Road"),
            ],
        },
        "ssd_professionals": {  # one row per relationship
            "prof_professional_id": ["700001", "700001"],
            "prof_staff_id": ["700001", "700001"],
            "prof_professional_name": ["Jo Bloggs", "Jo Bloggs"],
            "prof_professional_job_title": [None, None],
        },
    }
    write(tmp_path / "csc", tables)
    cfg = config(tmp_path)
    rows = _by_id(_load(cfg))
    assert rows["101"]["address"] == "9 Oak Road, Stockport"
    assert rows["102"]["address"] == "Oak House, 9 Oak Road, Stockport"
    assert (
        rows["101"]["postcode"] == "SK4 2XY"
        and rows["101"]["nhs_number"] == "9434765919"
    )


def test_family_groups_are_each_kept_where_rows_are_memberships(tmp_path):
    # Mosaic's and Eclipse's ssd_family rows are family group memberships: Bo
    # is in his own group and his brother's, and keeps both (a father living
    # elsewhere is in his children's group and his own)
    tables = mosaic_tables()
    tables["ssd_family"] = {
        "fami_family_id": ["G5", "G9", "G5", "G5"],
        "fami_person_id": ["101", "102", "102", "102"],
    }
    write(tmp_path / "csc", tables)
    cfg = config(tmp_path)
    rows = _by_id(load_source(cfg, cfg.sources[0]).records)
    assert rows["101/CIN:3001"]["family_ref"] == "csc:G5"
    assert rows["102/CLA:E1"]["family_ref"] == "csc:G5;csc:G9"


def test_systemc_family_is_the_one_most_contacts_name(tmp_path):
    # SystemC's rows are each contact's family of residence: one family, the
    # one most of the person's contacts give (not every family ever recorded)
    tables = dict(SYSTEMC)
    tables["ssd_family"] = {
        "fami_table_id": ["E1", "E2", "E3", "E4"],
        "fami_family_id": ["F7", "F8", "F7", None],
        "fami_person_id": ["101", "101", "101", "201"],
    }
    write(tmp_path / "csc", tables)
    rows = _by_id(_load(config(tmp_path)))
    assert rows["101/CIN:C1"]["family_ref"] == "csc:F7"


def test_flavours_are_detected_from_the_columns_and_values():
    frames = {
        n: pl.DataFrame(c, schema={k: pl.String for k in c})
        for n, c in mosaic_tables().items()
    }
    assert detect(frames) == "mosaic"
    sysc = {
        n: pl.DataFrame(c, schema={k: pl.String for k in c}) for n, c in SYSTEMC.items()
    }
    assert detect(sysc) == "systemc"
    eclipse = dict(sysc)
    eclipse["ssd_professionals"] = pl.DataFrame(
        {
            "prof_professional_id": ["7"],
            "prof_staff_id": ["7"],
            "prof_professional_name": ["Jo"],
            "prof_professional_job_title": [None],
        },
        schema={
            c: pl.String
            for c in (
                "prof_professional_id",
                "prof_staff_id",
                "prof_professional_name",
                "prof_professional_job_title",
            )
        },
    )
    assert detect(eclipse) == "eclipse"


def test_a_table_from_another_file_and_tables_it_cannot_use(tmp_path):
    tables = dict(SYSTEMC)
    tables["my_people"] = tables.pop("ssd_person")
    tables["ssd_family"] = {"family": ["F1"], "person": ["101"]}
    write(tmp_path / "csc", tables)
    cfg = config(tmp_path, ssd_tables={"ssd_person": "my_people.csv"})
    load = load_source(cfg, cfg.sources[0])
    assert load.report.ok and load.records.height == len(EXPECTED)
    assert any(
        "ssd_family.csv, column fami_family_id, fami_person_id: SSD column not found"
        in p
        for p in load.report.problems
    )


def test_missing_person_table_or_column_is_unusable(tmp_path):
    write(tmp_path / "csc", {"ssd_family": {"family": ["F1"], "person": ["101"]}})
    cfg = config(tmp_path)
    report = load_source(cfg, cfg.sources[0]).report
    assert not report.ok
    text = "\n".join(report.problems)
    assert "ssd_person.csv: file not found" in text
    assert "ssd_family.csv, column fami_family_id, fami_person_id" in text
    write(
        tmp_path / "csc",
        {"ssd_person": {"pers_person_id": ["1"], "pers_forename": ["A"]}},
    )
    report = load_source(cfg, cfg.sources[0]).report
    assert not report.ok
    assert (
        "ssd_person.csv, column pers_surname: SSD column not found"
        in report.problems[0]
    )


@pytest.mark.parametrize(
    ("keys", "where", "says"),
    [
        ({"ssd_flavour": "liquidlogic"}, "ssd_flavour", "systemc, eclipse, mosaic"),
        (
            {"ssd_tables": {"ssd_people": "x.csv"}},
            "ssd_tables.ssd_people",
            "not an SSD table",
        ),
        (
            {"ssd_tables": {"ssd_person": "SELECT * FROM p"}},
            "ssd_tables.ssd_person",
            'a query needs format = "ssd"',
        ),
        (
            {
                "format": "ssd",
                "url": "sqlite://",
                "path": "",
                "ssd_tables": {"ssd_person": "dbo.people; DROP TABLE x"},
            },
            "ssd_tables.ssd_person",
            "must be a table name",
        ),
    ],
)
def test_ssd_keys_are_validated(tmp_path, keys, where, says):
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, **keys)
    problems = [str(p) for p in caught.value.problems]
    assert any(where in p and says in p for p in problems), problems


def test_ssd_without_an_optional_table_loads_with_a_warning(tmp_path):
    tables = {k: v for k, v in SYSTEMC.items() if k != "ssd_professionals"}
    write(tmp_path / "csc", tables)
    loaded = load_sources(config(tmp_path))
    report = loaded.reports[0]
    assert report.ok and report.rows_accepted == len(EXPECTED)
    assert "ssd_professionals.csv" in report.problems[0]
    cin = loaded.records.filter(pl.col("record_id") == "101/CIN:C1")
    assert cin["lead_name"].to_list() == ["Pat Lee"]  # the name, as written


ENGINES = ("sqlite", "postgresql", "odbc")


def in_database(tmp_path: Path, tables: dict[str, dict], engine: str, request):
    """A config reading ``tables`` (dates typed, nulls kept) from a database:
    SQLite, PostgreSQL through SQLAlchemy, or PostgreSQL through ODBC."""
    write(tmp_path / "tables", tables)
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'ssd.sqlite'}"
        write_ssd_database(tmp_path / "tables", url)
        return config(tmp_path, format="ssd", path="", url=url)
    url = request.getfixturevalue("postgres_url")
    write_ssd_database(tmp_path / "tables", url)
    if engine == "postgresql":
        return config(tmp_path, format="ssd", path="", url=url)
    odbc = odbc_string(url)
    return config(
        tmp_path, format="ssd", path="", odbc_connect=odbc, schema=schema_of(url)
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_spec_tables_in_a_database_give_the_expected_records(tmp_path, engine, request):
    """SystemC's tables with the spec's names and nulls in each kind of
    warehouse; the UPN rows SystemC leaves empty come first, more of them than
    a driver's type guess looks at, and must not hide the value after them."""
    tables = dict(SYSTEMC)
    links = {k: list(v) for k, v in SYSTEMC["ssd_linked_identifiers"].items()}
    empty = 150
    links["link_table_id"] = [f"K0{i}" for i in range(empty)] + links["link_table_id"]
    links["link_person_id"] = ["101"] * empty + links["link_person_id"]
    links["link_identifier_type"] = ["Unique Pupil Number"] * empty + links[
        "link_identifier_type"
    ]
    for key in ("link_identifier_value", "link_valid_from_date", "link_valid_to_date"):
        links[key] = [None] * empty + links[key]
    tables["ssd_linked_identifiers"] = links
    cfg = in_database(tmp_path, tables, engine, request)
    rows = _by_id(_load(cfg))
    got = {
        rid: (r["detail"], r["involvement_start"], r["involvement_end"])
        + (r["lead_name"], r["lead_team"])
        for rid, r in rows.items()
    }
    assert got == EXPECTED
    amy, bo, cara = rows["101/CIN:C1"], rows["102/EH:H1"], rows["201"]
    assert (amy["nhs_number"], amy["upn"]) == ("9434765919", "B801200005001")
    assert amy["address"] == 'Flat 2, The "Willows", 9 Oak Road, Stockport'
    assert (bo["dob"], bo["address"]) == (date(2017, 5, 15), None)
    assert amy["last_contact"] == date(2025, 2, 1)
    assert (cara["relationship"], cara["related"]) == (
        "Mother",
        "mother_of:101;mother_of:102",
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_mosaic_tables_in_a_database_load_and_name_what_is_unusable(
    tmp_path, engine, request
):
    cfg = in_database(tmp_path, mosaic_tables(), engine, request)
    load = load_source(cfg, cfg.sources[0])
    report = load.report
    assert report.ok, report.problems
    assert report.rows_read == report.rows_accepted + report.rows_quarantined == 4
    assert len(report.problems) == 1
    assert (
        "table ssd_missing, column miss_cla_episode_id: 1 row(s) name no"
        in (report.problems[0])
    )
    rows = _by_id(load.records)
    assert set(rows) == {"101/CIN:3001", "101/CINP:CP7", "102/CLA:E1", "102/MISS:M2"}
    assert (
        rows["101/CIN:3001"]["address"] == "Flat 2, 9 Oak Road, Heaton Moor, Stockport"
    )
    assert rows["102/CLA:E1"]["nhs_number"] == "9434765919"
    assert rows["102/CLA:E1"]["involvement_end"] is None


def test_mosaic_missing_episodes_with_unusable_care_episodes_load(tmp_path):
    tables = mosaic_tables()
    del tables["ssd_cla_episodes"]["clae_cla_episode_start_date"]
    write(tmp_path / "csc", tables)
    load = load_source(config(tmp_path), config(tmp_path).sources[0])
    assert load.report.ok, load.report.problems
    assert any(
        "ssd_cla_episodes.csv, column clae_cla_episode_start_date" in p
        for p in load.report.problems
    )
    assert not any("/MISS:" in r for r in load.records["record_id"].to_list())


def test_a_bad_pers_dob_is_a_field_fault_naming_the_ssd_columns(tmp_path):
    """A date of birth that is no date (or no such day) is counted with its row
    in ssd_person and the SSD's own column, like any source's; so is a name
    with NUL bytes (named pers_forename, not the internal first_name)."""
    person = MOSAIC_PERSON | {
        "pers_dob": ["2015-02-31", "not known"],
        "pers_forename": ["Amy\x00", "Bo"],
    }
    write(tmp_path / "csc", {"ssd_person": person})
    load = load_source(config(tmp_path), config(tmp_path).sources[0])
    assert load.report.ok, load.report.problems
    assert load.records["dob"].to_list() == [None, None]
    faults = load.faults.select("row_number", "field", "column").rows()
    assert (1, "dob", "pers_dob (pers_expected_dob when empty)") in faults
    assert (2, "dob", "pers_dob (pers_expected_dob when empty)") in faults
    assert (1, "first_name", "pers_forename") in faults
    assert not any(c in ("dob", "first_name") for _, _, c in faults)
    assert load.report.field_faults["dob"] == 2


def test_an_expected_dob_is_read_when_pers_dob_is_empty(systemc):
    records = _load(systemc).filter(pl.col("case_number") == "102")
    assert set(records["dob"]) == {date(2017, 5, 15)}
