"""Children's social care from SSD tables: the joins, the record per person and
involvement, and what happens when a table or column is missing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

from core.config import Config, parse_config
from sources.load import load_source, load_sources

SSD = {
    "name": "csc",
    "service": "Children's social care",
    "format": "ssd_csv",
    "path": "csc",
}


def config(base: Path, **keys) -> Config:
    return parse_config({"sources": [SSD | keys]}, base)


def address(**parts: str) -> str:
    return json.dumps(parts)


def ssd_folder(folder: Path, with_professionals: bool = True) -> None:
    folder.mkdir()
    old = address(HOUSE="1", STREET="Old Lane", TOWN="Stockport")
    new = address(FLAT="Flat 2", HOUSE="9", STREET="Oak Road", TOWN="Stockport")
    tables = {
        "ssd_person": {
            "pers_person_id": ["101", "102"],
            "pers_forename": ["Amy", "Bo"],
            "pers_surname": ["Lee", "Lee"],
            "pers_sex": ["F", "M"],
            "pers_dob": ["2015-03-04 00:00:00.000", "2017-05-06 00:00:00.000"],
            "pers_common_child_id": ["9434765919", None],
            "pers_upn": ["B801200005001", None],
        },
        "ssd_address": {
            "addr_person_id": ["101", "101"],
            "addr_address_json": [old, new],
            "addr_address_postcode": ["SK1 1AA", "sk4 2xy"],
            "addr_address_start_date": ["2015-03-04", "2020-01-02"],
            "addr_address_end_date": ["2020-01-01", None],
        },
        "ssd_family": {
            "fami_family_id": ["F1", "F1"],
            "fami_person_id": ["101", "102"],
        },
        "ssd_involvements": {
            "invo_involvements_id": ["I1", "I2"],
            "invo_person_id": ["101", "101"],
            "invo_professional_id": ["W1", "W1"],
            "invo_professional_team": ["MASH", "Locality North"],
            "invo_involvement_start_date": ["2020-01-01", "2024-01-01"],
            "invo_involvement_end_date": ["2020-06-01", None],
        },
    }
    if with_professionals:
        tables["ssd_professionals"] = {
            "prof_professional_id": ["W1"],
            "prof_professional_name": ["Jo Bloggs"],
            "prof_professional_job_title": ["Social Worker"],
        }
    for name, columns in tables.items():
        pl.DataFrame(columns).write_csv(folder / f"{name}.csv")


#: Column -> value for each record: Amy's two involvements, then Bo with none.
EXPECTED = {
    "record_id": ["101/I1", "101/I2", "102"],
    "row_number": [1, 1, 2],
    "case_number": ["101", "101", "102"],
    "first_name": ["Amy", "Amy", "Bo"],
    "dob": [date(2015, 3, 4), date(2015, 3, 4), date(2017, 5, 6)],
    "sex": ["F", "F", "M"],
    "nhs_number": ["9434765919", "9434765919", None],
    "upn": ["B801200005001", "B801200005001", None],
    "address": ["Flat 2, 9 Oak Road, Stockport"] * 2 + [None],
    "postcode": ["SK4 2XY", "SK4 2XY", None],
    "family_ref": ["csc:F1"] * 3,
    "involvement_start": [date(2020, 1, 1), date(2024, 1, 1), None],
    "involvement_end": [date(2020, 6, 1), None, None],
    "involvement_current": [False, True, None],
    "lead_name": ["Jo Bloggs", "Jo Bloggs", None],
    "lead_role": ["Social Worker", "Social Worker", None],
    "lead_team": ["MASH", "Locality North", None],
    "lead_email": [None, None, None],
}


def test_ssd_tables_are_joined_per_person_and_involvement(tmp_path):
    ssd_folder(tmp_path / "csc")
    loaded = load_sources(config(tmp_path, extract_date="2025-03-01"))
    got = loaded.records.select(list(EXPECTED)).to_dict(as_series=False)
    assert got == EXPECTED
    assert loaded.reports[0].problems == ()


def test_ssd_without_an_optional_table_loads_with_a_warning(tmp_path):
    ssd_folder(tmp_path / "csc", with_professionals=False)
    loaded = load_sources(config(tmp_path))
    report = loaded.reports[0]
    assert report.ok and report.rows_accepted == 3
    assert "ssd_professionals.csv" in report.problems[0]
    assert loaded.records["lead_team"].to_list() == ["MASH", "Locality North", None]


def test_ssd_missing_person_table_or_column_is_unusable(tmp_path):
    ssd_folder(tmp_path / "csc")
    (tmp_path / "csc" / "ssd_family.csv").write_text("family,person\nF1,101\n")
    (tmp_path / "csc" / "ssd_person.csv").unlink()
    cfg = config(tmp_path)
    report = load_source(cfg, cfg.sources[0]).report
    assert not report.ok
    text = "\n".join(report.problems)
    assert "ssd_person.csv" in text
    assert "ssd_family.csv, column fami_family_id" in text
    assert "ssd_family.csv, column fami_person_id" in text
