"""The family view in AppTest: who to call, members and trust labels, the timeline,
why records were linked, reports to administrators, and the audited summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TODAY
from sqlalchemy import select, text
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
from support.family_db import make_family_db

from core.db import make_engine
from governance.audit import Actor
from governance.reports import data_reports
from governance.restrictions import RESTRICTED_MESSAGE, set_restriction
from lookup.family import family_view
from lookup.index import load_index
from ui.summary_doc import SummaryHeader, summary_html, summary_text
from ui.trust import sources_of


@pytest.fixture(scope="module")
def family_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_family_db(tmp_path_factory.mktemp("family") / "index.db")


def _open(at: AppTest, person: str = "p1") -> AppTest:
    at = _search(at, "Jane", "Smith", "03/07/2015")
    at = at.button(key=f"open_{person}").click().run()
    return at.button(key="confirm_open").click().run()


@pytest.fixture
def family(tmp_path: Path, family_db: Path) -> tuple[AppTest, Path]:
    config = _config(tmp_path, family_db)
    return _open(_reason(_sign_in(_app(config), "demo.frontdoor"))), config


def _audit(config: Path):
    return make_engine(f"sqlite:///{config.parent}/audit.db")


def test_who_to_call_lists_every_current_involvement_with_links(family) -> None:
    at, _ = family
    headings = [s.value for s in at.subheader]
    assert headings[:2] == ["Who to call", "Timeline of involvement"]
    page = _texts(at.markdown)
    assert "[Call 0161 000 1111](tel:01610001111)" in page
    assert "[Email pat.lee@demo.example](mailto:pat.lee@demo.example)" in page
    assert "Pat Lee, Social worker, Team East" in page
    assert "Since 3 March 2026" in page
    assert "[Email sue.hall@demo.example](mailto:sue.hall@demo.example)" in page
    assert "[Call 101](tel:101)" in page  # the mother's partner's police contact
    assert "#### School" in page and "Ann Head" in page
    assert "4 current involvements across the family" in _texts(at.caption)
    assert "Should never show" not in page  # police for a three-year-old
    assert not at.exception


def test_members_show_relationship_services_and_trust_labels(family) -> None:
    at, _ = family
    page = _texts(at.markdown)
    assert "### Karen SMITH" in page and "Mother · age 38" in page
    assert "Relationship as recorded: Children's social care: Karen" in page
    assert "How linked to the family: Children's social care case" in page
    assert "No record in Housing data since April 2014" in page  # Robert's row
    assert "Demo borough, since April 2014" in page
    assert "Current as of 1 November 2026 · Covers Demo borough, since" in page
    assert ":orange-badge[Current]" in page and ":gray-badge[Historic]" in page
    assert "Police: not shown for people under 18" in _texts(at.caption)
    assert "Records joined: 2 records from 2 services · Very likely" in page


def test_stale_source_is_said_plainly(family) -> None:
    at, _ = family
    assert (
        "Housing data is from 1 October 2026: newer extracts have failed since "
        "10 November 2026" in _texts(at.warning)
    )
    assert "Out of date: newer extracts failing since 10 November 2026" in _texts(
        at.markdown
    )
    assert "**Out of date:** contact details are from 1 October 2026" in _texts(
        at.markdown
    )


def test_timeline_is_a_chart_with_a_table_alternative(family) -> None:
    at, _ = family
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "text"]
    table = at.table[0].value
    assert list(table.columns) == ["Person", "Service", "Involvement", "From", "To"]
    rows = table.to_dict("records")
    assert {
        "Person": "Jane SMITH",
        "Service": "Children's social care",
        "Involvement": "Current",
        "From": "3 March 2026",
        "To": "now",
    } in rows
    assert not any(r["Service"] == "Police" and r["Person"] == "Tom SMITH"
                   for r in rows)  # fmt: skip


def test_why_records_were_linked_opens_on_demand(family) -> None:
    at, _ = family
    assert "| Record | How sure | First name | Date of birth | Address |" not in _texts(
        at.markdown
    )
    at.session_state["why_p1"] = True
    at = at.run()
    page = _texts(at.markdown)
    assert "| Record | How sure | First name | Date of birth | Address |" in page
    row = next(r for r in page.splitlines() if "Children's social care r0" in r)
    assert "exact: strongly for (+12.7)" in row
    assert "same postcode district: against (-3.2)" in row
    assert "| School r2 | Above 99.9% | exact: for (+7.6) |" in page
    assert "not compared" in page  # the school record had no address comparison
    assert " rX " not in page  # police evidence is not shown for a child
    assert not at.exception


def _report(at: AppTest, key: str, note: str) -> AppTest:
    if f"report_form_{key}_note" not in [a.key for a in at.text_area]:
        at = at.button(key="report_" + key).click().run()
    at.text_area(key=f"report_form_{key}_note").input(note)
    return at.button(key=f"FormSubmitter:report_form_{key}-Send report").click().run()


def test_not_same_person_report_is_audited_and_queued(family, tmp_path) -> None:
    at, config = family
    at = _report(at, "not_same_person_p1_person", "  ")
    assert "Write a short note" in _texts(at.error)
    assert _events(config)[-1]["kind"] == "family_opened"
    at = _report(at, "not_same_person_p1_person", "School record is a cousin")
    assert "Report sent to the administrators" in _texts(at.success)
    assert "report_not_same_person_p1_person" not in [b.key for b in at.button]
    event = _events(config)[-1]
    assert event["kind"] == "report" and event["case_ref"] == "REF-1"
    assert event["data"]["report"] == "not_same_person"
    with _audit(config).connect() as conn:
        row = conn.execute(select(data_reports)).mappings().one()
    assert (row["person_id"], row["status"]) == ("p1", "open")
    admin = _sign_in(_app(config), "demo.admin")
    assert "Reports from workers" in [s.value for s in admin.subheader]
    assert "School record is a cousin" in _texts(admin.markdown)
    admin.text_input(key=f"done_{row['report_id']}").input("Cannot-link recorded")
    admin = admin.button(key=f"close_{row['report_id']}").click().run()
    assert "No open reports." in _texts(admin.caption)
    assert _events(config)[-1]["kind"] == "report_closed"


def test_contact_out_of_date_report_names_the_source(family) -> None:
    at, config = family
    at = _report(at, "contact_out_of_date_p1_csc", "Pat Lee has left the team")
    data = _events(config)[-1]["data"]
    assert (data["report"], data["person_id"], data["source"]) == (
        "contact_out_of_date", "p1", "csc")  # fmt: skip


def test_summary_is_audited_before_it_is_shown(family) -> None:
    at, config = family
    assert not at.download_button and "summary" not in _texts(at.html)
    at = at.button(key="prepare_summary").click().run()
    event = _events(config)[-1]
    assert event["kind"] == "export" and event["data"]["what"] == "family_summary"
    assert event["data"]["person_id"] == "p1" and event["case_ref"] == "REF-1"
    assert [b.label for b in at.download_button] == [
        "Download summary (web page)", "Download summary (plain text)"]  # fmt: skip
    at = at.button(key="print_view").click().run()
    body = _texts(at.html)
    assert "<h1>Family context summary</h1>" in body and "0161 000 1111" in body
    assert "Anxiety referral" not in body  # no service detail in the summary
    assert not at.subheader  # the print view shows only the summary
    at = at.button(key="close_print").click().run()
    assert at.subheader[0].value == "Who to call"
    assert [e["kind"] for e in _events(config)].count("export") == 1


def test_no_audit_no_summary(family) -> None:
    at, config = family
    with _audit(config).begin() as conn:
        conn.execute(text("DROP TABLE audit_events"))
    at = at.button(key="prepare_summary").click().run()
    assert "could not be recorded" in _texts(at.error)
    assert not at.download_button and "summary" not in _texts(at.html)


def test_restricted_relative_is_a_placeholder_everywhere(tmp_path, family_db) -> None:
    config = _config(tmp_path, family_db)
    at = _reason(_sign_in(_app(config), "demo.frontdoor"))
    admin = Actor("demo.admin", "Admin", "administrator", "s-a")
    set_restriction(_audit(config), admin, "p2", "protected_address")
    at = _open(at)
    page = _texts(at.markdown)
    assert f"### Restricted record\n{RESTRICTED_MESSAGE}" in page
    assert "Karen" not in page and "sue.hall" not in page
    assert "report_not_same_person_p2_person" not in [b.key for b in at.button]
    at = at.button(key="prepare_summary").click().run()
    at = at.button(key="print_view").click().run()
    assert "Karen" not in _texts(at.html) and "Restricted record" in _texts(at.html)


def test_summary_documents_escape_and_cover_the_family(family_db) -> None:
    index = load_index(make_engine(f"sqlite:///{family_db}"))
    view = family_view(index, "p1", TODAY)
    head = SummaryHeader("Alex <Morgan>", "REF-1", TODAY, "Demo borough")
    text_doc = summary_text(view, sources_of(index), head)
    assert "CURRENT INVOLVEMENTS: WHO TO CALL" in text_doc
    assert (
        "Service: Children's social care; For: Jane SMITH (Person searched for); "
        in text_doc
    )
    # each member's relationship and what it rests on, every service's state
    # and dates, "None found" worded as on the page, and the age-rule notes
    assert "Name: Karen SMITH; Relationship: Mother; Age: 38;" in text_doc
    assert "Relationship rests on: Children's social care: Karen recorded as " in (
        text_doc
    )
    assert (
        "Name: Jane SMITH; Service: CAMHS; State: Historic; Dates: Historic: "
        "1 February 2024 to 1 September 2024;" in text_doc
    )
    assert (
        "Name: Karen SMITH; Service: Children's social care; State: None found; "
        "Dates: No record in Children's social care data since April 2014;" in text_doc
    )
    assert "Name: Tom SMITH; Why: Police: not shown for people under 18" in text_doc
    assert "Housing: 1 October 2026" not in text_doc  # as-of is per column
    assert "Service: Housing; Current as of: 1 October 2026" in text_doc
    assert "DATA PROBLEMS\n- Housing data is from 1 October 2026" in text_doc
    page = summary_html(view, sources_of(index), head)
    assert "Alex &lt;Morgan&gt;" in page and "<Morgan>" not in page
    assert '<th scope="col">Lead professional</th>' in page
