"""The data page: sources, as-of dates, coverage, rows, stale and failed sources;
for workers and administrators, never for auditors, and never personal data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.app_harness import _app, _config, _sign_in, _texts
from support.family_db import make_family_db
from support.lookup_index import PEOPLE

from ui.nav import DATA


@pytest.fixture(scope="module")
def data_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_family_db(tmp_path_factory.mktemp("data") / "index.db")


def _data_page(at: AppTest) -> AppTest:
    at.radio(key="nav").set_value(DATA)
    return at.run()


def _everything(at: AppTest) -> str:
    table = at.table[0].value.to_csv() if at.table else ""
    return "\n".join([_texts(at.markdown), _texts(at.caption), _texts(at.warning),
                      table])  # fmt: skip


def test_worker_sees_every_source_without_giving_a_reason(tmp_path, data_db) -> None:
    at = _data_page(_sign_in(_app(_config(tmp_path, data_db)), "demo.frontdoor"))
    assert at.header[0].value == "About the data"
    rows = at.table[0].value.to_dict("records")
    assert [r["Service"] for r in rows] == [
        "Children's social care", "Housing", "Police", "School", "CAMHS",
        "Adult social care"]  # fmt: skip
    csc, housing, police, school = rows[:4]
    assert csc == {"Service": "Children's social care", "Status": "Up to date",
                   "Current as of": "1 November 2026",
                   "Data covers": "Demo borough, since April 2014",
                   "Ages shown": "All ages", "Rows read": "1", "Rows accepted": "1",
                   "Rows set aside": "0"}  # fmt: skip
    assert housing["Status"] == "Out of date: extracts failing since 10 November 2026"
    assert housing["Current as of"] == "1 October 2026"
    assert (police["Ages shown"], school["Ages shown"]) == ("18 and over", "4 to 20")
    assert rows[-1]["Status"] == "Not loaded: latest extract failed"
    warning = _texts(at.warning)
    assert "Housing data is from 1 October 2026" in warning
    assert "Adult social care data could not be loaded" in warning
    assert "Problems reported by the latest load" not in [s.value for s in at.subheader]
    assert not at.exception


def test_data_page_holds_no_personal_data(tmp_path, data_db) -> None:
    at = _data_page(_sign_in(_app(_config(tmp_path, data_db)), "demo.socialworker"))
    shown = _everything(at)
    for _, first, last, dob in PEOPLE:
        assert first not in shown and last.upper() not in shown
        assert dob is None or dob.isoformat() not in shown


def test_administrator_also_sees_load_problems(tmp_path, data_db) -> None:
    at = _sign_in(_app(_config(tmp_path, data_db)), "demo.admin")
    assert at.header[0].value == "Sources and builds"
    at = _data_page(at)
    assert at.header[0].value == "About the data"
    assert "Problems reported by the latest load" in [s.value for s in at.subheader]


def test_auditor_has_no_data_page(tmp_path, data_db) -> None:
    at = _sign_in(_app(_config(tmp_path, data_db)), "demo.auditor")
    assert "nav" not in [r.key for r in at.radio]
    at.session_state["nav"] = DATA
    at = at.run()
    assert [h.value for h in at.header] == ["Audit log"]


def test_back_to_work_keeps_the_reason_step(tmp_path, data_db) -> None:
    at = _data_page(_sign_in(_app(_config(tmp_path, data_db)), "demo.frontdoor"))
    at.radio(key="nav").set_value("Find a person")
    at = at.run()
    assert at.header[0].value == "Why are you looking?"


def test_why_a_source_failed_is_said_on_the_data_and_admin_pages(tmp_path, data_db):
    """A header-only extract: the worker reads why Housing is out of date, the
    administrator sees it stale, since when and why on the admin page."""
    from sqlalchemy import update

    from core.db import make_engine
    from linkage import index_tables as t

    db = make_family_db(tmp_path / "index.db")
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(
            update(t.source_loads)
            .where(t.source_loads.c.source == "housing")
            .values(failure="the latest extract had no usable rows")
        )
    engine.dispose()
    config = _config(tmp_path, db)
    at = _data_page(_sign_in(_app(config), "demo.frontdoor"))
    housing = at.table[0].value.to_dict("records")[1]
    assert housing["Status"] == (
        "Out of date: extracts failing since 10 November 2026 "
        "(the latest extract had no usable rows)"
    )
    assert "(the latest extract had no usable rows\\)" in _texts(at.warning)
    admin = _sign_in(_app(config), "demo.admin")
    loads = admin.dataframe[0].value
    row = loads[loads["source"] == "housing"].to_dict("records")[0]
    assert (row["stale"], str(row["stale_since"])[:10], row["failure"]) == (
        True, "2026-11-10", "the latest extract had no usable rows"
    )  # fmt: skip
    assert not admin.exception


def test_administrator_sees_row_faults_by_row_and_column(tmp_path):
    from sqlalchemy import insert
    from support.lookup_index import BUILD

    from core.db import make_engine
    from linkage import index_tables as t

    db = make_family_db(tmp_path / "index.db")
    engine = make_engine(f"sqlite:///{db}")
    fault = "not a date in format %d/%m/%Y (or no such day); set to empty"
    with engine.begin() as conn:
        conn.execute(insert(t.field_faults), [
            {"build_id": BUILD, "source": "police", "row_number": n, "field": "dob",
             "column": "DOB", "fault": fault, "other_row": None} for n in (9, 3)
        ])  # fmt: skip
    engine.dispose()
    config = _config(tmp_path, db)
    admin = _data_page(_sign_in(_app(config), "demo.admin"))
    assert "Values not used as given, by row" in [s.value for s in admin.subheader]
    assert "dob, column 'DOB': not a date" in _texts(admin.markdown)
    assert "— 2 rows: 3, 9" in _texts(admin.markdown)
    worker = _data_page(_sign_in(_app(config), "demo.frontdoor"))
    assert "Values not used as given, by row" not in [s.value for s in worker.subheader]
