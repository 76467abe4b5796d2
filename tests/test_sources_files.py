"""File extracts as councils send them: BOM, cp1252, tab and pipe delimiters,
quoted newlines, duplicate headers, ragged rows, and folders of dated drops."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from core.config import parse_config
from sources.load import load_source, load_sources

COLUMNS = {"record_id": "Ref", "first_name": "First", "last_name": "Last", "dob": "DOB"}


def src(path: str, **keys) -> dict:
    return {"name": "s", "service": "S", "path": path, "columns": COLUMNS, **keys}


def load(base: Path, **keys):
    config = parse_config({"sources": [src(**keys)]}, base)
    return load_source(config, config.sources[0])


@pytest.mark.parametrize(
    ("encoding", "delimiter", "prefix"),
    [("utf-8", ",", "\ufeff"), ("cp1252", "\t", ""), ("utf-8", "|", "")],
)
def test_encodings_delimiters_and_quoted_newlines(
    tmp_path, encoding, delimiter, prefix
):
    d = delimiter
    rows = [
        f"Ref{d}First{d}Last{d}DOB",
        f'R1{d}Zoë{d}"O\'Brien{d} the\nsecond"{d}2001-02-03',
        f"R2{d}Seán{d}Müller{d}2002-03-04",
    ]
    text = prefix + "\r\n".join(rows) + "\r\n"
    (tmp_path / "x.csv").write_bytes(text.encode(encoding))
    loaded = load(tmp_path, path="x.csv", encoding=encoding, delimiter=delimiter)
    assert loaded.report.ok, loaded.report.problems
    records = loaded.records
    assert records["record_id"].to_list() == ["R1", "R2"]
    assert records["first_name"].to_list() == ["Zoë", "Seán"]
    assert records["last_name"][0] == f"O'Brien{d} the\nsecond"
    assert records["dob"].to_list() == [date(2001, 2, 3), date(2002, 3, 4)]


def test_duplicate_header_names_the_column(tmp_path):
    (tmp_path / "x.csv").write_text("Ref,First,Last,DOB, First\nR1,A,B,C,D\n")
    report = load(tmp_path, path="x.csv").report
    assert not report.ok
    assert "column 'First'" in report.problems[0]
    assert "2 times" in report.problems[0]


def test_duplicate_header_in_excel(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    sheet = book.add_worksheet("People")
    sheet.write_row(0, 0, ["Ref", "First", "Last", "Last"])
    sheet.write_row(1, 0, ["R1", "Amy", "Lee", "Lee"])
    book.close()
    report = load(tmp_path, path="x.xlsx", format="excel", sheet="People").report
    assert not report.ok and "column 'Last'" in report.problems[0]


def test_row_with_too_many_fields_is_named(tmp_path):
    (tmp_path / "x.csv").write_text("Ref,First,Last,DOB\nR1,A,B,C\nR2,A,B,C,D,E\n")
    report = load(tmp_path, path="x.csv").report
    assert not report.ok
    assert "row 2" in report.problems[0] and "C,D" not in report.problems[0]


def write_drop(folder: Path, day: str, body: str | None, name: str = "x.csv") -> Path:
    drop = folder / day
    drop.mkdir(parents=True)
    if body is not None:
        (drop / name).write_text(body, encoding="utf-8")
    return drop


GOOD = "Ref,First,Last,DOB\nR1,Amy,Lee,2001-02-03\n"


def test_newest_complete_drop_is_used(tmp_path):
    drops = tmp_path / "drops"
    write_drop(drops, "2026-10-01", "Ref,First,Last,DOB\nOLD,A,B,2001-01-01\n")
    write_drop(drops, "2026-11-01", GOOD)
    loaded = load(tmp_path, path="drops")
    assert loaded.report.ok and loaded.report.drop == "2026-11-01"
    assert loaded.records["record_id"].to_list() == ["R1"]
    assert loaded.report.extract_date == date(2026, 11, 1)
    assert loaded.report.problems == ()


@pytest.mark.parametrize(
    "newest", [None, "Ref,First\nA,B\n", "Ref,First\x00\nbroken,row,extra\n"]
)
def test_incomplete_newest_drop_falls_back_with_a_warning(tmp_path, newest):
    drops = tmp_path / "drops"
    write_drop(drops, "2026-11-01", GOOD)
    write_drop(drops, "2026-11-08", newest)
    loaded = load(tmp_path, path="drops")
    assert loaded.report.ok and loaded.report.drop == "2026-11-01"
    text = "\n".join(loaded.report.problems)
    assert "drop 2026-11-08 is" in text and "used the drop of 2026-11-01" in text


def test_drop_files_must_all_be_there(tmp_path):
    drops = tmp_path / "drops"
    write_drop(drops, "2026-11-01", GOOD)
    (drops / "2026-11-01" / "manifest.txt").write_text("1 file")
    write_drop(drops, "2026-11-08", GOOD)  # no manifest yet: still arriving
    loaded = load(tmp_path, path="drops", drop_files=["x.csv", "manifest.txt"])
    assert loaded.report.drop == "2026-11-01"
    assert "missing manifest.txt" in "\n".join(loaded.report.problems)


def test_dated_files_and_no_complete_drop(tmp_path):
    drops = tmp_path / "drops"
    drops.mkdir()
    (drops / "police_20261101.csv").write_text(GOOD)
    (drops / "police_20261108.csv").write_text("")
    loaded = load(tmp_path, path="drops")
    assert loaded.report.drop == "2026-11-01"
    (drops / "police_20261101.csv").write_text("")
    report = load(tmp_path, path="drops").report
    assert not report.ok and all("empty" in p or "drop" in p for p in report.problems)


def test_ssd_drops_need_every_table(tmp_path):
    from support.ssd_tables import ssd_folder

    drops = tmp_path / "csc"
    drops.mkdir()
    ssd_folder(drops / "2026-11-01")
    ssd_folder(drops / "2026-11-08", with_professionals=False)
    config = parse_config(
        {"sources": [{"name": "csc", "service": "C", "format": "ssd_csv",
                      "path": "csc"}]},
        tmp_path,
    )  # fmt: skip
    report = load_sources(config).reports[0]
    assert report.ok and report.drop == "2026-11-01"
    assert "ssd_professionals.csv" in "\n".join(report.problems)


def test_drop_date_ignores_modification_time(tmp_path):
    drops = tmp_path / "drops"
    old = write_drop(drops, "2026-11-01", GOOD)
    os.utime(old / "x.csv", (0, 0))
    assert load(tmp_path, path="drops").report.extract_date == date(2026, 11, 1)
