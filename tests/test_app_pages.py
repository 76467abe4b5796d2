"""The dashboard, page by page, with Streamlit's AppTest (no browser).

Tests count as reached on localhost by passing ``host`` to ``ui.main.run``; the
real app always reads the request's Host header instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest
from support.app_harness import (
    _app,
    _config,
    _events,
    _reason,
    _search,
    _sign_in,
    _texts,
)
from support.lookup_index import make_index

from app import config_path
from core.db import make_engine
from ui.layout import DEMO_BANNER
from ui.sign_in import NOT_CONFIGURED


@pytest.fixture
def worker(tmp_path: Path, index_db: Path) -> tuple[AppTest, Path]:
    config = _config(tmp_path, index_db)
    at = _reason(_sign_in(_app(config), "demo.frontdoor"))
    return at, config


def test_demo_sign_in_page(tmp_path: Path, index_db: Path) -> None:
    at = _app(_config(tmp_path, index_db))
    assert DEMO_BANNER in _texts(at.markdown)
    assert at.radio(key="demo_user").options == [
        "Alex Morgan (demo) — Front-door (MASH) worker",
        "Chris Evans (demo) — Early Help worker",
        "Sam Okafor (demo) — Social worker",
        "Jo Patel (demo) — Information-governance auditor",
        "Ravi Shah (demo) — Administrator",
    ]
    assert not at.exception


def test_worker_journey_to_family_view(worker) -> None:
    at, config = worker
    assert at.header[0].value == "Find a person"
    assert "REF-1" in _texts(at.info)
    at = _search(at, "Jane", "Smith", "03/07/2015")
    assert at.subheader[0].value == "3 people found"
    assert "Strong match" in _texts(at.markdown)
    assert "verify before relying on this" in _texts(at.warning)
    at = at.button(key="open_p1").click().run()
    assert "may hold sensitive information" in _texts(at.warning)
    assert [e["kind"] for e in _events(config)][-1] == "results_shown"
    at = at.button(key="confirm_open").click().run()
    page = _texts(at.markdown)
    assert at.header[0].value == "Jane SMITH and linked people"
    assert at.subheader[0].value == "Who to call"
    assert "[Call 0161 000 1111](tel:01610001111)" in page
    assert "[Email pat.lee@demo.example](mailto:pat.lee@demo.example)" in page
    assert "No record in Housing data since April 2014" in page
    assert "1 November 2026" in page
    assert "Police: not shown for people under 18" in _texts(at.caption)
    assert DEMO_BANNER in _texts(at.markdown)
    kinds = [e["kind"] for e in _events(config)]
    assert kinds == ["config", "sign_in", "search", "results_shown", "family_opened"]
    at = at.button(key="back").click().run()
    assert at.subheader[0].value == "3 people found"
    assert not at.exception


def test_sensitive_detail_opens_on_request(worker) -> None:
    at, config = worker
    at = _search(at, "Jane", "Smith", "03/07/2015")
    at = at.button(key="open_p1").click().run()
    at = at.button(key="confirm_open").click().run()
    assert "Anxiety referral" not in _texts(at.markdown)
    at = at.button(key="reveal_p1_camhs").click().run()
    assert "Anxiety referral" in _texts(at.markdown)
    assert _events(config)[-1]["kind"] == "service_opened"


def test_cancel_keeps_the_record_closed(worker) -> None:
    at, config = worker
    at = _search(at, "Jane", "Smith")
    at = at.button(key="open_p1").click().run()
    at = at.button(key="cancel_open").click().run()
    assert at.subheader[0].value == "3 people found"
    assert "family_opened" not in [e["kind"] for e in _events(config)]


def test_no_results_state(worker) -> None:
    at, config = worker
    at = _search(at, "Quentin", "Zebedee-Xylophone")
    assert at.subheader[0].value == "No matching people found"
    assert "without the date of birth" in _texts(at.markdown)
    assert _events(config)[-1]["data"]["count"] == 0


def test_incomplete_search_is_explained_not_recorded(worker) -> None:
    at, config = worker
    at = _search(at, "Jane", "")
    assert "first name and a last name" in _texts(at.error)
    assert [e["kind"] for e in _events(config)] == ["config", "sign_in"]


@pytest.mark.parametrize(
    ("purpose", "case", "message"),
    [("New referral (MASH)", "", "case or referral reference"),
     ("Emergency", "REF-2", "Explain the emergency")],
)  # fmt: skip
def test_reason_is_required(tmp_path, index_db, purpose, case, message) -> None:
    at = _sign_in(_app(_config(tmp_path, index_db)), "demo.socialworker")
    at = _reason(at, purpose, case)
    assert message in _texts(at.error)
    assert at.header[0].value == "Why are you looking?"


def test_change_reason_and_sign_out(worker) -> None:
    at, config = worker
    at = _search(at, "Jane", "Smith")
    at = at.button(key="change_reason").click().run()
    assert at.header[0].value == "Why are you looking?"
    at = at.button(key="sign_out").click().run()
    assert at.radio(key="demo_user")
    assert _events(config)[-1]["kind"] == "sign_out"
    assert "q_last" not in at.session_state and "fc_results" not in at.session_state


def test_auditor_sees_only_the_audit_log(tmp_path: Path, index_db: Path) -> None:
    config = _config(tmp_path, index_db)
    at = _sign_in(_app(config), "demo.auditor")
    assert [h.value for h in at.header] == ["Audit log"]
    # log filters and the subject access request: no person search
    assert [t.key for t in at.text_input] == [
        "f_person", "f_searched", "sar_person", "sar_ref"]  # fmt: skip
    assert not at.form
    table = at.dataframe[0].value
    assert list(table.columns)[:4] == ["Time (UTC)", "User", "Role", "Kind"]
    assert table["Kind"].tolist() == ["audit_search", "sign_in", "config"]
    at.multiselect[0].set_value(["search"])
    assert at.run().dataframe[0].value.empty
    at = at.button(key="verify").click().run()
    assert "Audit log intact" in _texts(at.success)
    at.text_input(key="sar_person").set_value("p1")
    at.text_input(key="sar_ref").set_value("SAR-9")
    at = at.button(key="sar_prepare").click().run()
    assert not at.exception and not at.error
    assert _events(config)[-1]["kind"] == "subject_access"
    assert "Child in need plan" not in _texts(at.markdown)  # a download, not a page
    assert DEMO_BANNER in _texts(at.markdown)


@pytest.mark.parametrize(
    ("demo", "host"),
    [(False, "localhost"), (True, "family.example.gov.uk"), (True, None)],
)
def test_no_demo_sign_in_unless_demo_mode_on_localhost(
    tmp_path: Path, index_db: Path, demo: bool, host: str | None
) -> None:
    at = _app(_config(tmp_path, index_db, demo=demo), host=host)
    assert _texts(at.info) == NOT_CONFIGURED
    assert not at.radio and not at.button
    assert (DEMO_BANNER in _texts(at.markdown)) is demo


def test_index_not_built_is_explained(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    make_index(empty, filler=0, built=False)
    at = _reason(_sign_in(_app(_config(tmp_path, empty)), "demo.frontdoor"))
    assert "run the build" in _texts(at.error)
    assert not at.text_input and not at.exception


def test_app_entry_point_treats_a_missing_host_as_remote(
    tmp_path: Path, index_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """app.py itself, run as Streamlit runs it: no Host header, so no demo picker."""
    _config(tmp_path, index_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["app.py"])
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"))
    at.run(timeout=30)
    assert _texts(at.info) == NOT_CONFIGURED
    assert DEMO_BANNER in _texts(at.markdown)
    assert not at.radio and not at.exception


def test_audit_failure_shows_only_the_error(worker) -> None:
    at, config = worker
    with make_engine(f"sqlite:///{config.parent}/audit.db").begin() as conn:
        conn.execute(text("DROP TABLE audit_events"))
    at = _search(at, "Jane", "Smith")
    assert "could not be recorded" in _texts(at.error)
    assert not at.subheader and not at.text_input
    assert not at.exception


def test_app_reads_config_path_from_the_command_line() -> None:
    assert config_path(["--config", "data/demo/config.toml"]) == "data/demo/config.toml"
    assert config_path([]) == "config.toml"
