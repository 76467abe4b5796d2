"""Workers' reports and summary exports: audited first, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, LookupInputError
from governance.access import Reason
from governance.audit import Actor, read_events, verify_chain
from governance.exports import record_summary_export
from governance.reports import close_report, ensure_reports_schema, reports, send_report
from lookup.family import FamilyView

WORKER = Actor("w1", "Worker", "front_door", "s-w")
ADMIN = Actor("a1", "Admin", "administrator", "s-a")
AUDITOR = Actor("i1", "Auditor", "auditor", "s-i")
WHY = Reason("New referral (MASH)", "REF-7")


@pytest.fixture
def engine(audit_engine):
    ensure_reports_schema(audit_engine)
    return audit_engine


def _kinds(engine) -> list[str]:
    return [e["kind"] for e in reversed(read_events(engine))]


def test_report_is_audited_queued_and_closed(engine) -> None:
    report_id = send_report(
        engine, WORKER, WHY, "contact_out_of_date", "p1", " Worker has left ",
        source="csc", build_id="b1",
    )  # fmt: skip
    [row] = reports(engine, ADMIN)
    assert (row["report_id"], row["note"], row["source"]) == (
        report_id, "Worker has left", "csc")  # fmt: skip
    close_report(engine, ADMIN, report_id, "New contact loaded")
    assert reports(engine, ADMIN) == []
    assert reports(engine, ADMIN, "closed")[0]["closing_note"] == "New contact loaded"
    assert _kinds(engine) == ["report", "report_closed"]
    assert read_events(engine)[1]["case_ref"] == "REF-7"
    assert verify_chain(engine).valid


@pytest.mark.parametrize(
    ("kind", "note", "message"),
    [("not_same_person", "", "short note"), ("merge_please", "x", "Choose a report"),
     ("not_same_person", "x" * 501, "under 500")],
)  # fmt: skip
def test_bad_reports_are_refused_before_anything_is_written(
    engine, kind: str, note: str, message: str
) -> None:
    with pytest.raises(LookupInputError, match=message):
        send_report(engine, WORKER, WHY, kind, "p1", note)
    assert _kinds(engine) == []


def test_only_workers_report_and_only_administrators_read(engine) -> None:
    with pytest.raises(AccessDenied):
        send_report(engine, AUDITOR, WHY, "not_same_person", "p1", "x")
    with pytest.raises(AccessDenied):
        reports(engine, WORKER)
    assert _kinds(engine) == ["access_denied", "access_denied"]


def test_summary_export_is_recorded_for_workers_only(engine) -> None:
    view = FamilyView(build_id="b1", focus_id="p1", who_to_call=(), members=())
    record_summary_export(engine, WORKER, WHY, view)
    event = read_events(engine, 1)[0]
    assert (event["kind"], event["data"]["what"]) == ("export", "family_summary")
    with pytest.raises(AccessDenied):
        record_summary_export(engine, ADMIN, WHY, view)
    assert _kinds(engine) == ["export", "access_denied"]
