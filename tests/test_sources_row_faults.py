"""Every value not used as given is a fault row naming its source, data row,
field and column, and what was done: counted by ``sources check`` (text and
JSON) and kept in the index's ``field_faults`` table, never only "set to
empty". No value from the extract is copied into it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from core.config import parse_config
from core.db import make_engine
from linkage.build import build_index
from linkage.index_tables import built, field_faults, index_state, records
from sources.__main__ import main as sources_main
from sources.load import load_source, load_sources
from sources.snapshots import SnapshotStore

COLUMNS = {
    "record_id": "Ref", "first_name": "First", "last_name": "Last", "dob": "DOB",
    "nhs_number": "NHS", "involvement_start": "Start", "involvement_end": "End",
    "last_contact": "Seen", "detail": "Detail",
}  # fmt: skip
HEADER = ["Ref", "First", "Last", "DOB", "NHS", "Start", "End", "Seen", "Detail"]
GOOD = ["R{n}", "Amy", "Lee", "01/02/2010", "", "01/03/2020", "", "02/03/2020", "ok"]


def source(base: Path, path: str = "a.csv", **extra) -> dict:
    return {"name": "a", "service": "A", "path": path, "columns": COLUMNS,
            "date_format": "%d/%m/%Y", "extract_date": "2025-03-31",
            **extra}  # fmt: skip


def config(base: Path, *sources: dict):
    return parse_config(
        {"sources": list(sources) or [source(base)],
         "storage": {"index_url": f"sqlite:///{base / 'index.db'}"}},
        base,
    )  # fmt: skip


def write(base: Path, changes: dict[int, dict[str, str]], rows: int = 6) -> None:
    """``rows`` good rows, row n (1-based) changed as ``changes[n]`` says."""
    body = []
    for n in range(1, rows + 1):
        row = dict(zip(HEADER, (v.format(n=n) for v in GOOD), strict=True))
        row |= changes.get(n, {})
        body.append(row)
    pl.DataFrame(body).write_csv(base / "a.csv")


CASES = [
    # (row change, field, column, fault words, value kept)
    ({"DOB": "31/02/2020"}, "dob", "DOB", "not a date in format %d/%m/%Y", None),
    ({"DOB": "soon"}, "dob", "DOB", "not a date in format", None),
    ({"DOB": "01/01/2026"}, "dob", "DOB", "date of birth before 1900 or after", None),
    ({"DOB": "01/01/1850"}, "dob", "DOB", "cannot be true", None),
    ({"Start": "03/03/2099"}, "involvement_start", "Start", "more than a year", None),
    ({"Seen": "01/05/2025"}, "last_contact", "Seen", "after the extract date", None),
    ({"NHS": "1234567890"}, "nhs_number", "NHS", "not a valid NHS number", None),
    ({"Last": "LE\x00E"}, "last_name", "Last", "control characters", "LEE"),
    ({"Detail": "x" * 100_000}, "detail", "Detail", "longer than 2,000", "x" * 2_000),
]


@pytest.mark.parametrize(
    ("change", "field", "column", "words", "kept"),
    CASES,
    ids=["no-such-day", "not-a-date", "born-after-extract", "born-1850",
         "incident-2099", "seen-after-extract", "nhs-check-digit", "nul-byte",
         "100k-characters"],
)  # fmt: skip
def test_each_row_fault_names_its_row_and_column(
    tmp_path, change, field, column, words, kept
):
    write(tmp_path, {4: change})
    cfg = config(tmp_path)
    load = load_source(cfg, cfg.sources[0])
    faults = load.faults.to_dicts()
    assert [
        (f["source"], f["row_number"], f["field"], f["column"]) for f in faults
    ] == [("a", 4, field, column)]
    assert words in faults[0]["fault"]
    assert load.report.field_faults == {field: 1}
    value = load.records.filter(row_number=4)[field].item()
    assert value == kept if kept is not None else value is None
    # the fault row holds no value from the extract
    assert all(str(v) not in faults[0]["fault"] for v in change.values() if len(v) > 3)


def test_a_later_end_date_is_not_a_fault(tmp_path):
    """An end may be planned years ahead, or written as 31/12/2099 for 'open'."""
    write(tmp_path, {2: {"End": "31/12/2099"}})
    cfg = config(tmp_path)
    load = load_source(cfg, cfg.sources[0])
    assert load.faults.is_empty() and load.report.field_faults == {}


def test_a_repeated_record_id_names_the_row_it_repeats(tmp_path):
    write(tmp_path, {3: {"Ref": "R1"}, 5: {"Ref": "R1"}})
    cfg = config(tmp_path)
    load = load_source(cfg, cfg.sources[0])
    rows = load.faults.select("row_number", "field", "column", "other_row").rows()
    assert rows == [(3, "record_id", "Ref", 1), (5, "record_id", "Ref", 1)]
    assert load.records["record_id"].to_list() == [
        "R1", "R2", "R1~row-3", "R4", "R1~row-5", "R6"
    ]  # fmt: skip
    (count,) = load.report.faults
    assert "3 (repeats row 1), 5 (repeats row 1)" in count.line()


def test_typed_dates_that_cannot_be_true_are_faults_too(tmp_path):
    from datetime import date

    pl.DataFrame(
        {"Ref": ["R1", "R2"], "First": ["Amy", "Bo"], "Last": ["Lee", "Li"],
         "Start": [date(2020, 1, 1), date(2099, 3, 3)]}
    ).write_parquet(tmp_path / "a.parquet")  # fmt: skip
    src = source(tmp_path, "a.parquet", format="parquet")
    kept = ("Ref", "First", "Last", "Start")
    src["columns"] = {k: v for k, v in COLUMNS.items() if v in kept}
    cfg = config(tmp_path, src)
    load = load_source(cfg, cfg.sources[0])
    assert load.faults.select("row_number", "field").rows() == [
        (2, "involvement_start")
    ]


def test_sources_check_lists_faults_by_row_and_column(tmp_path, capsys):
    write(tmp_path, {2: {"DOB": "31/02/2020"}, 5: {"DOB": "99/99/1999"},
                     3: {"Last": "A\x00B"}})  # fmt: skip
    (tmp_path / "config.toml").write_text(
        "[[sources]]\nname = 'a'\nservice = 'A'\npath = 'a.csv'\n"
        "date_format = '%d/%m/%Y'\nextract_date = '2025-03-31'\n"
        "[sources.columns]\n" + "".join(f"{k} = '{v}'\n" for k, v in COLUMNS.items())
    )
    assert sources_main(["check", "--config", str(tmp_path / "config.toml"),
                         "--json"]) == 0  # fmt: skip
    out = capsys.readouterr().out.strip().splitlines()
    text = "\n".join(out[:-1])
    assert "values not used as given (3 in all, by row)" in text
    assert "dob, column 'DOB': not a date in format %d/%m/%Y" in text
    assert "2 rows: 2, 5" in text
    assert "last_name, column 'Last': held control characters" in text
    a = json.loads(out[-1])["a"]
    assert a["field_faults"] == {"dob": 2, "last_name": 1}
    dob = next(f for f in a["faults"] if f["field"] == "dob")
    assert (dob["column"], dob["rows"], dob["first_rows"]) == ("DOB", 2, [2, 5])


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_the_build_keeps_every_fault_row_and_a_stale_source_keeps_its_own(
    tmp_path, request, store
):
    write(tmp_path, {2: {"DOB": "31/02/2020"}, 4: {"Last": "LE\x00E"},
                     6: {"Ref": "R1"}})  # fmt: skip
    cfg = config(tmp_path)
    if store == "postgres":
        from dataclasses import replace

        url = request.getfixturevalue("postgres_url")
        cfg = replace(cfg, storage=replace(cfg.storage, index_url=url))
    expected = [(2, "dob", "DOB", None), (4, "last_name", "Last", None),
                (6, "record_id", "Ref", 1)]  # fmt: skip
    build_index(cfg)
    assert _faults_served(cfg.storage.index_url) == expected
    (tmp_path / "a.csv").write_text(",".join(HEADER) + "\n")  # header only now
    summary = build_index(cfg)
    assert summary.stale_sources == ("a",)
    assert _faults_served(cfg.storage.index_url) == expected
    engine = make_engine(cfg.storage.index_url)
    with engine.connect() as conn:
        served = conn.execute(select(index_state.c.build_id)).scalar_one()
        held = built(conn, records, served)
        names = conn.execute(
            select(held.c.last_name).where(held.c.build_id == served)
        ).scalars()
        assert "\x00" not in "".join(n or "" for n in names)
    engine.dispose()


def _faults_served(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            served = conn.execute(select(index_state.c.build_id)).scalar_one()
            faults = built(conn, field_faults, served).c
            return [
                tuple(r)
                for r in conn.execute(
                    select(faults.row_number, faults.field, faults.column,
                           faults.other_row)
                    .where(faults.build_id == served)
                    .order_by(faults.row_number)
                )
            ]  # fmt: skip
    finally:
        engine.dispose()


def test_snapshot_restores_the_fault_summary(tmp_path):
    write(tmp_path, {2: {"DOB": "31/02/2020"}})
    cfg = config(tmp_path)
    store = SnapshotStore(tmp_path / "snapshots")
    load_sources(cfg, store)
    (tmp_path / "a.csv").unlink()
    loaded = load_sources(cfg, store)
    (rep,) = loaded.reports
    assert rep.stale and rep.field_faults == {"dob": 1}
    assert loaded.faults.select("row_number", "field").rows() == [(2, "dob")]
