"""Loading extracts: every reader, broken sources, quarantine and reconciliation.

Problems must name the source, file and column and say what to do, and must
never contain a value from the extract (names, dates of birth, identifiers).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from core.config import Config, parse_config
from core.errors import SourceError
from sources.load import load_source, load_sources

NAMES = ("Siobhán", "Zoë", "Renée", "Chloë", "Seán", "Wójcik", "Müller")
POLICE_COLUMNS = {
    "record_id": "Ref",
    "case_number": "Nominal",
    "first_name": "Forenames",
    "last_name": "Surname",
    "dob": "DOB",
}


def config(base: Path, *sources: dict) -> Config:
    return parse_config({"sources": list(sources)}, base)


def source(name: str, path: str, **keys) -> dict:
    keys.setdefault("columns", {"first_name": "First", "last_name": "Last"})
    return {"name": name, "service": name.title(), "path": path, **keys}


def police_csv(path: Path, encoding: str = "cp1252") -> None:
    rows = ["Ref,Nominal,Forenames,Surname,DOB"]
    rows += [f"R{i},N{i},{n},O'BRIEN,0{i + 1}/02/2001" for i, n in enumerate(NAMES)]
    path.write_bytes("\r\n".join(rows).encode(encoding))


def all_problems(loaded) -> str:
    return "\n".join(p for r in loaded.reports for p in r.problems)


def test_cp1252_csv_with_accents_round_trips(tmp_path):
    police_csv(tmp_path / "police.csv")
    src = source(
        "police",
        "police.csv",
        encoding="cp1252",
        date_format="%d/%m/%Y",
        columns=POLICE_COLUMNS,
    )
    loaded = load_sources(config(tmp_path, src))
    assert loaded.records["first_name"].to_list() == list(NAMES)
    assert loaded.records["dob"].to_list()[0] == date(2001, 2, 1)
    assert loaded.records["record_id"].to_list()[:2] == ["R0", "R1"]


def test_wrong_encoding_is_reported_without_the_text(tmp_path):
    police_csv(tmp_path / "police.csv")
    src = source("police", "police.csv", columns=POLICE_COLUMNS)  # utf-8 by default
    load = load_source(config(tmp_path, src), config(tmp_path, src).sources[0])
    assert not load.report.ok
    text = "\n".join(load.report.problems)
    assert "police.csv" in text and "encoding" in text and "cp1252" in text
    assert not any(n in text for n in NAMES)


def test_pipe_delimited_utf8_with_byte_order_mark(tmp_path):
    (tmp_path / "h.txt").write_bytes("\ufeffFirst|Last|Ref\nAmy|Lee|T1\n".encode())
    src = source(
        "housing",
        "h.txt",
        delimiter="|",
        columns={"first_name": "First", "last_name": "Last", "household_ref": "Ref"},
    )
    rec = load_sources(config(tmp_path, src)).records
    assert rec.select("first_name", "last_name", "household_ref", "record_id").row(
        0
    ) == ("Amy", "Lee", "housing:T1", "row-1")


def test_excel_sheet_by_name_with_native_dates(tmp_path):
    frame = pl.DataFrame(
        {
            "First": ["Amy", "Bob"],
            "Last": ["Lee", "Ng"],
            "Start": [date(2024, 1, 2), None],
            "NHS": ["943 476 5919", None],
        }
    )
    frame.write_excel(tmp_path / "eh.xlsx", worksheet="Episodes")
    cols = {
        "first_name": "First",
        "last_name": "Last",
        "involvement_start": "Start",
        "nhs_number": "NHS",
    }
    src = source(
        "early_help", "eh.xlsx", format="excel", sheet="Episodes", columns=cols
    )
    rec = load_sources(config(tmp_path, src)).records
    assert rec["involvement_start"].to_list() == [date(2024, 1, 2), None]
    assert rec["nhs_number"].to_list() == ["9434765919", None]


def test_missing_sheet_lists_the_sheets_there(tmp_path):
    pl.DataFrame({"First": ["Amy"], "Last": ["Lee"]}).write_excel(
        tmp_path / "eh.xlsx", worksheet="Cases"
    )
    src = source("early_help", "eh.xlsx", format="excel", sheet="Episodes")
    cfg = config(tmp_path, src)
    report = load_source(cfg, cfg.sources[0]).report
    assert not report.ok
    assert "sheet 'Episodes'" in report.problems[0] and "'Cases'" in report.problems[0]


def test_parquet_keeps_types(tmp_path):
    pl.DataFrame(
        {
            "given": ["Amy"],
            "family": ["Lee"],
            "born": [datetime(2015, 3, 4)],
            "nhs": [9434765919],
            "sex": ["2"],
        }
    ).write_parquet(tmp_path / "hv.parquet")
    cols = {
        "first_name": "given",
        "last_name": "family",
        "dob": "born",
        "nhs_number": "nhs",
        "sex": "sex",
    }
    src = source("hv", "hv.parquet", format="parquet", columns=cols)
    rec = load_sources(config(tmp_path, src)).records
    assert rec.select("dob", "nhs_number", "sex").row(0) == (
        date(2015, 3, 4),
        "9434765919",
        "F",
    )


def test_missing_file_names_source_file_and_what_to_do(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("First,Last\nAmy,Lee\n")
    cfg = config(
        tmp_path, source("good", "good.csv"), source("police", "nowhere/police.csv")
    )
    loaded = load_sources(cfg)
    bad = {r.source: r for r in loaded.reports}["police"]
    assert not bad.ok and bad.rows_read == 0
    assert "police.csv" in bad.problems[0] and "not found" in bad.problems[0]
    assert "[[sources]] path" in bad.problems[0]
    assert loaded.records["source"].to_list() == ["good"]


def test_every_missing_column_is_reported_at_once(tmp_path):
    (tmp_path / "p.csv").write_text("Forenames,Surname\nSeán,Murphy\n")
    src = source(
        "police",
        "p.csv",
        columns={
            "first_name": "Forenames",
            "last_name": "Surname",
            "dob": "DOB",
            "nhs_number": "NHS",
        },
    )
    cfg = config(tmp_path, src)
    report = load_source(cfg, cfg.sources[0]).report
    assert not report.ok and len(report.problems) == 2
    assert "p.csv" in report.problems[0] and "'DOB'" in report.problems[0]
    assert "columns.dob" in report.problems[0] and "'NHS'" in report.problems[1]
    assert not any(v in " ".join(report.problems) for v in ("Seán", "Murphy"))


def test_only_when_nothing_loads_is_an_error_raised(tmp_path):
    cfg = config(
        tmp_path, source("a", "a.csv"), source("b", "b.parquet", format="parquet")
    )
    with pytest.raises(SourceError) as caught:
        load_sources(cfg)
    text = str(caught.value)
    assert "a.csv" in text and "b.parquet" in text


def test_quarantine_and_reconciliation(tmp_path):
    (tmp_path / "p.csv").write_text(
        "Ref,Nominal,Forenames,Surname,DOB\n"
        "R1,N1,Amy,Lee,01/01/2000\n"
        "R2,,,UNKNOWN,\n"
        "R3,N3,,,\n"
        "R4,,,,02/02/2002\n"
        "R5,,Baby,,\n"
        "R6,,,O'Brien,\n"
    )
    src = source("police", "p.csv", date_format="%d/%m/%Y", columns=POLICE_COLUMNS)
    loaded = load_sources(config(tmp_path, src))
    report = loaded.reports[0]
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (
        6,
        3,
        3,
    )
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert loaded.records["record_id"].to_list() == ["R1", "R3", "R6"]
    assert loaded.quarantine["row_number"].to_list() == [2, 4, 5]
    assert loaded.quarantine["source"].to_list() == ["police"] * 3
    assert "02/02/2002" not in loaded.quarantine["reason"][0]


def test_extract_date_from_config_or_file_date(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("First,Last\nAmy,Lee\n")
    stamp = datetime(2024, 6, 1, 12).timestamp()
    os.utime(path, (stamp, stamp))
    cfg = config(
        tmp_path, source("a", "a.csv"), source("b", "a.csv", extract_date="2025-01-31")
    )
    dates = {r.source: r.extract_date for r in load_sources(cfg).reports}
    assert dates == {"a": date(2024, 6, 1), "b": date(2025, 1, 31)}


def test_a_wrong_date_format_is_flagged(tmp_path):
    (tmp_path / "a.csv").write_text(
        "First,Last,DOB\nAmy,Lee,2001-02-03\nBo,Ng,2002-03-04\n"
    )
    cols = {"first_name": "First", "last_name": "Last", "dob": "DOB"}
    src = source("a", "a.csv", date_format="%d/%m/%Y", columns=cols)
    report = load_sources(config(tmp_path, src)).reports[0]
    assert report.ok and report.field_faults == {"dob": 2}
    assert "column 'DOB'" in report.problems[0] and "%d/%m/%Y" in report.problems[0]
    assert "2001-02-03" not in report.problems[0]
