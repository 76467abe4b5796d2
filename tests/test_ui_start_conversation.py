"""Start the conversation: the prepared request's words (email and phone) and its
own audited event; a reload's reopen event and the session's saved place."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from conftest import ask
from support import family_views
from support.databases import allow, refuse

import governance.access as access
from core.errors import AccessDenied, AuditError
from governance.audit import Actor, read_events, verify_chain
from governance.exports import record_request_prepared
from governance.places import Place, load_place, save_place
from governance.reasons import Reason
from lookup.family import Contact
from lookup.services import Lead
from ui.audit_table import summarise
from ui.contact_request import (
    DEFAULT_QUESTION,
    Sender,
    Subject,
    mailto,
    prepare,
    subjects,
)

WORKER = family_views.WORKER
#: the test family, loaded once; a fresh audit store per test
index, audit = family_views.index, family_views.audit
AUDITOR = Actor("demo.auditor", "Jo Patel (demo)", "auditor", "s-2")
PAT = Lead("Pat Lee", "Social worker", "Team East", "0161 000 1111",
           "pat.lee@demo.example")  # fmt: skip
JANE = Contact("p1", "Jane SMITH", "Person searched for", "Children's social care",
               PAT, date(2026, 3, 3))  # fmt: skip
TOM = replace(JANE, person_id="p4", member_name="Tom SMITH", relationship="Brother")
ME = Sender("Alex Morgan", "MASH, Demo borough", "0161 474 0000")


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (Subject("Jane SMITH", date(2015, 7, 3), ("CSC-1001",)),
         "Jane SMITH, born 3 July 2015 (your record CSC-1001)"),
        (Subject("Jane SMITH", None, ()), "Jane SMITH"),
        (Subject("Tom SMITH", date(2023, 1, 5), ("A", "B", "C", "D")),
         "Tom SMITH, born 5 January 2023 (your records A, B and 2 more)"),
    ],
)  # fmt: skip
def test_each_person_is_named_as_the_service_knows_them(subject, expected) -> None:
    assert subject.text() == expected


def test_the_email_and_the_call_say_who_asks_about_whom_and_what() -> None:
    people = subjects([JANE, TOM], {"p1": date(2015, 7, 3), "p4": None},
                      {"p1": ["CSC-1001"]})  # fmt: skip
    done = prepare([JANE, TOM], people, ME, "REF-77", "Is the plan still open?")
    assert done.subject == "REF-77: Children's social care: request for information"
    assert done.body.startswith("Dear Pat Lee,\n\nI am Alex Morgan, MASH, Demo "
                                "borough, working on case REF-77.")  # fmt: skip
    assert ("involved with Jane SMITH, born 3 July 2015 (your record CSC-1001) and "
            "Tom SMITH.") in done.body  # fmt: skip
    assert "Is the plan still open?" in done.body
    assert "You can reach me on 0161 474 0000." in done.body
    assert done.body.endswith("Thank you,\nAlex Morgan\nMASH, Demo borough")
    assert done.script.startswith("Hello, is that Pat Lee? My name is Alex Morgan, "
                                  "MASH, Demo borough. I am calling about case "
                                  "REF-77.")  # fmt: skip
    assert done.script.endswith("If it is easier to call me back, I am on "
                                "0161 474 0000.")  # fmt: skip


def test_no_lead_no_team_no_contact_and_no_question_still_read_well() -> None:
    nobody = replace(JANE, lead=Lead())
    done = prepare([nobody], subjects([nobody], {}, {}), Sender("Alex", "", ""),
                   "R1", "  ")  # fmt: skip
    assert done.body.startswith("Dear colleague,\n\nI am Alex, working on case R1.")
    assert DEFAULT_QUESTION in done.body and DEFAULT_QUESTION in done.script
    assert "Please reply to this email." in done.body
    assert done.script.startswith("Hello. My name is Alex. I am calling")
    assert "call me back" not in done.script


def test_the_mailto_address_carries_subject_and_body_encoded() -> None:
    done = prepare([JANE], subjects([JANE], {}, {}), ME, "REF 1&2", "Why?")
    link = mailto("pat.lee@demo.example", done)
    assert link.startswith("mailto:pat.lee@demo.example?subject=REF%201%262%3A")
    assert "&body=Dear%20Pat%20Lee%2C%0A" in link and " " not in link


def test_preparing_a_request_is_its_own_audited_event(index, audit) -> None:
    request = ask(index, audit, WORKER, "New referral (MASH)", "REF-1")
    view = access.audited_family(request, "p1")
    record_request_prepared(audit, WORKER, request.reason, view, ["p1"], "csc")
    event = next(iter(read_events(audit)))
    assert (event["kind"], event["case_ref"]) == ("request_prepared", "REF-1")
    assert event["data"] == {"person_ids": ["p1"], "source": "csc",
                             "formats": ["email", "phone"], "person_id": "p1",
                             "build_id": view.build_id}  # fmt: skip
    assert summarise("request_prepared", event["data"]) == (
        "prepared an email and call to csc about p1"
    )
    assert verify_chain(audit).valid


def test_no_event_no_request_and_an_auditor_may_not(index, audit) -> None:
    request = ask(index, audit, WORKER, "New referral (MASH)", "REF-1")
    view = access.audited_family(request, "p1")
    refuse(audit, "request_prepared")
    with pytest.raises(AuditError):
        record_request_prepared(audit, WORKER, request.reason, view, ["p1"], "csc")
    allow(audit, "request_prepared")
    with pytest.raises(AccessDenied):
        record_request_prepared(audit, AUDITOR, request.reason, view, ["p1"], "csc")
    events = list(read_events(audit))
    assert (events[0]["kind"], events[0]["user_id"]) == ("access_denied",
                                                         "demo.auditor")  # fmt: skip
    assert not [e for e in events if e["kind"] == "request_prepared"
                and e["user_id"] == "demo.auditor"]  # fmt: skip


def test_a_reopen_is_recorded_as_such_with_the_same_data(index, audit) -> None:
    request = ask(index, audit, WORKER, "New referral (MASH)", "REF-1")
    access.audited_family(request, "p1")
    access.audited_family(request, "p1", reopen=True)
    again, first = list(read_events(audit))[:2]
    assert (first["kind"], again["kind"]) == ("family_opened", "reopen")
    assert again["data"] == first["data"]
    assert summarise("reopen", again["data"]).startswith("reopened p1")


def test_a_session_place_is_saved_replaced_and_read_only_for_itself(audit) -> None:
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert load_place(audit, "s-1") == Place(None)
    why = Reason("New referral (MASH)", "REF-1")
    save_place(audit, "s-1", Place(why, "p1"), now)
    save_place(audit, "s-1", Place(why, None), now)
    save_place(audit, "s-2", Place(Reason("Emergency", "R2", "Missing"), "p4"), now)
    assert load_place(audit, "s-1") == Place(why, None)
    assert load_place(audit, "s-2").person_id == "p4"
    save_place(audit, "s-2", Place(None, "p4"), now)  # no reason: no person either
    assert load_place(audit, "s-2") == Place(None)
    assert load_place(audit, "s-3") == Place(None)
