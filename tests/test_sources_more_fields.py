"""Town, an address over several columns, identifiers of any kind, year-only
dates of birth, and the reasons rows are set aside, per source."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from core.config import parse_config
from core.errors import ConfigError
from sources.check import report_json, report_lines
from sources.load import load_source


def _config(tmp_path, rows: list[dict], **source) -> tuple:
    pl.DataFrame(rows).write_csv(tmp_path / "extract.csv")
    table = {
        "name": "housing", "service": "Housing", "path": "extract.csv",
        "extract_date": "2025-03-31",
        "columns": {"first_name": "First", "last_name": "Last", "dob": "DOB"},
        **source,
    }  # fmt: skip
    config = parse_config({"sources": [table]}, tmp_path)
    return config, config.sources[0]


ROW = {"First": "Ana", "Last": "Silva", "DOB": "1984-05-02"}


def test_town_address_parts_and_identifiers_are_mapped(tmp_path) -> None:
    rows = [
        {**ROW, "L1": "Flat 2", "L2": "10 Mill Lane", "City": "Stockport",
         "Email": " Ana.Silva@Example.ORG ", "Mob": "+44 7700 900123",
         "NINO": "ab 12 34 56 c"},
        {**ROW, "L1": None, "L2": "4 Hill Road", "City": None, "Email": None,
         "Mob": None, "NINO": None},
    ]  # fmt: skip
    config, src = _config(
        tmp_path, rows, address_parts=["L1", "L2"],
        identifiers={"email": "Email", "phone": "Mob", "ni": "NINO"},
        columns={**ROW_COLUMNS, "town": "City"},
    )  # fmt: skip
    out = load_source(config, src).records
    assert out["address"].to_list() == ["Flat 2, 10 Mill Lane", "4 Hill Road"]
    assert out["town"].to_list() == ["Stockport", None]
    assert out["identifiers"].to_list() == [
        "email:ana.silva@example.org phone:07700900123 ni:AB123456C",
        None,
    ]


ROW_COLUMNS = {"first_name": "First", "last_name": "Last", "dob": "DOB"}


def test_a_missing_part_or_identifier_column_is_named(tmp_path) -> None:
    config, src = _config(
        tmp_path, [ROW], address_parts=["Line 1"], identifiers={"pnc": "PNC"}
    )
    report = load_source(config, src).report
    assert not report.ok
    text = " ".join(report.problems)
    assert "column 'Line 1'" in text and "address_parts[0]" in text
    assert "column 'PNC'" in text and "identifiers.pnc" in text


def test_a_year_only_source_accepts_bare_years(tmp_path) -> None:
    rows = [{**ROW, "DOB": "1984"}, {**ROW, "DOB": "1990-01-01"}, {**ROW, "DOB": ""}]
    config, src = _config(tmp_path, rows, dob_year_only=True)
    load = load_source(config, src)
    assert load.records["dob"].to_list() == [date(1984, 1, 1), date(1990, 1, 1), None]
    assert load.records["dob_year_only"].to_list() == [True, True, None]
    assert load.report.field_faults.get("dob", 0) == 0


def test_dates_are_full_unless_the_source_says_otherwise(tmp_path) -> None:
    config, src = _config(tmp_path, [{**ROW, "DOB": "1984"}, ROW])
    load = load_source(config, src)
    assert load.records["dob"].to_list() == [None, date(1984, 5, 2)]
    assert load.records["dob_year_only"].to_list() == [None, False]
    assert load.report.field_faults["dob"] == 1


def test_check_names_why_rows_were_set_aside(tmp_path) -> None:
    rows = [ROW, {"First": "unknown", "Last": None, "DOB": "1984-05-02"}]
    config, src = _config(tmp_path, rows)
    report = load_source(config, src).report
    assert report.rows_quarantined == 1
    ((reason, n),) = report.quarantine_reasons.items()
    assert n == 1 and reason.startswith("no usable name and no identifier")
    assert any(f"set aside (1): {reason}" in line for line in report_lines([report]))
    assert report_json([report])["housing"]["quarantine_reasons"] == {reason: 1}


def test_a_record_with_only_an_identifier_is_kept(tmp_path) -> None:
    rows = [{"First": None, "Last": None, "DOB": None, "NINO": "AB123456C"}]
    config, src = _config(tmp_path, rows, identifiers={"ni": "NINO"})
    assert load_source(config, src).report.rows_quarantined == 0


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ({"identifiers": {"E-mail": "Email"}}, "sources[0].identifiers.E-mail"),
        ({"address_parts": ["A"], "columns": {**ROW_COLUMNS, "address": "B"}},
         "sources[0].address_parts"),
    ],
)  # fmt: skip
def test_bad_field_settings_are_named(tmp_path, source, key) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, [ROW], **source)
    assert key in str(err.value)
