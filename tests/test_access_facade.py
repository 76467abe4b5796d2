"""The audited facade: role, reason, events recorded before anything is returned."""

from __future__ import annotations

import pytest
from conftest import ask
from sqlalchemy import Engine
from support import family_views

import governance.access as access
from core.db import make_engine
from core.errors import AccessDenied, AuditError, LookupInputError
from governance.audit import Actor, read_events, verify_chain
from lookup.query import parse_query

WORKER = family_views.WORKER
#: the test family, loaded once; a fresh audit store per test
index, audit = family_views.index, family_views.audit
AUDITOR = Actor("demo.auditor", "Jo Patel (demo)", "auditor", "s-2")
JANE = parse_query("Jane", "Smith", "03/07/2015")


def _kinds(engine: Engine) -> list[str]:
    return [e["kind"] for e in reversed(read_events(engine))]


def test_search_records_criteria_then_people_shown(index, audit) -> None:
    found = access.audited_search(
        ask(index, audit, WORKER, "New referral (MASH)", "REF-1"), JANE, 5
    )
    search, shown = reversed(read_events(audit))
    assert (search["kind"], shown["kind"]) == ("search", "results_shown")
    assert search["data"]["criteria"] == JANE.criteria()
    assert shown["data"]["person_ids"] == [c.person_id for c in found]
    for event in (search, shown):
        assert (event["user_id"], event["role"], event["session_id"]) == (
            "demo.frontdoor", "front_door", "s-1"
        )  # fmt: skip
        assert (event["purpose"], event["case_ref"]) == ("New referral (MASH)", "REF-1")
    assert verify_chain(audit).valid


def test_family_and_service_detail_are_recorded(index, audit) -> None:
    request = ask(index, audit, WORKER, "Emergency", "R2", "Child missing tonight")
    view = access.audited_family(request, "p1")
    detail = access.audited_service_detail(request, "p1", "camhs")
    opened, service = reversed(read_events(audit))
    assert opened["kind"] == "family_opened"
    assert opened["data"]["person_id"] == "p1"
    assert opened["data"]["member_ids"] == [m.person_id for m in view.members]
    assert opened["data"]["explanation"] == "Child missing tonight"
    assert service["kind"] == "service_opened"
    assert service["data"]["source"] == "camhs" and detail == "Anxiety referral"


def test_auditor_is_denied_and_the_attempt_recorded(index, audit) -> None:
    with pytest.raises(AccessDenied):
        access.audited_search(ask(index, audit, AUDITOR, "Audit", "IG-1"), JANE, 5)
    with pytest.raises(AccessDenied):
        access.audited_family(ask(index, audit, AUDITOR, "Audit", "IG-1"), "p1")
    assert _kinds(audit) == ["access_denied", "access_denied"]
    assert read_events(audit)[0]["data"] == {"action": "family"}


def test_workers_cannot_read_the_audit_log(audit) -> None:
    with pytest.raises(AccessDenied):
        access.audit_log(audit, WORKER)
    assert len(access.audit_log(audit, AUDITOR)) == 1


@pytest.mark.parametrize(
    ("purpose", "case_ref", "explanation", "message"),
    [("", "REF-1", "", "Choose a purpose"),
     ("New referral (MASH)", "  ", "", "case or referral reference"),
     ("Emergency", "REF-1", "", "Explain the emergency")],
)  # fmt: skip
def test_reason_is_required(index, audit, purpose, case_ref, explanation, message):
    with pytest.raises(LookupInputError, match=message):
        request = ask(index, audit, WORKER, purpose, case_ref, explanation)
        access.audited_search(request, JANE, 5)
    assert _kinds(audit) == []


def test_check_reason_lists_every_problem() -> None:
    with pytest.raises(LookupInputError) as info:
        access.check_reason("Fishing", "", "", purposes=("New referral (MASH)",))
    assert "Choose a purpose from" in str(info.value)
    assert "case or referral reference" in str(info.value)
    reason = access.check_reason(" Emergency ", " R1 ", " why ", ("Emergency",))
    assert reason == access.Reason("Emergency", "R1", "why")


def test_no_audit_log_means_nothing_is_returned(index, tmp_path, monkeypatch) -> None:
    broken = make_engine(f"sqlite:///{tmp_path / 'no-table.db'}")
    called = []
    monkeypatch.setattr(access, "seen_search", lambda *a: called.append(a) or ["leak"])
    with pytest.raises(AuditError):
        access.audited_search(
            ask(index, broken, WORKER, "Emergency", "R", "x"), JANE, 5
        )
    assert called == []
    with pytest.raises(AuditError):
        access.audited_family(ask(index, broken, WORKER, "Emergency", "R", "x"), "p1")


def test_failing_results_event_returns_nothing(index, audit, monkeypatch) -> None:
    real = access.record_event

    def fail_on_results(engine, event):
        if event.kind == "results_shown":
            raise AuditError("audit store unavailable")
        return real(engine, event)

    monkeypatch.setattr(access, "record_event", fail_on_results)
    with pytest.raises(AuditError):
        access.audited_search(
            ask(index, audit, WORKER, "Strategy discussion", "R"), JANE, 5
        )
    assert _kinds(audit) == ["search"]
