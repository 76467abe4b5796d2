"""Proactive flags over small event tables, the review queue (audited decisions,
closed items never reopen), filters, and the formula-safe CSV export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import polars as pl
import pytest

from core.db import make_engine
from core.errors import AccessDenied, LookupInputError
from governance import flags
from governance.audit import (
    Actor,
    Event,
    ensure_audit_schema,
    read_events,
    record_event,
)
from governance.review import (
    EventFilter,
    decide,
    events_frame,
    export_csv,
    neutralise,
    queue,
    sync_queue,
)

RULES = flags.FlagRules(unusual_volume=3, dormant_days=30, searches_without_view=2)
AUDITOR = Actor("ig.jo", "Jo Patel", "auditor", "s-ig")


def ev(seq, at, kind, user="u1", name="Alex Morgan", session="s1", data=None,
       purpose="New referral (MASH)", case="R1"):  # fmt: skip
    return {"seq": seq, "at_utc": at, "kind": kind, "user_id": user,
            "user_name": name, "role": "front_door", "session_id": session,
            "purpose": purpose, "case_ref": case,
            "data": json.dumps(data or {}, sort_keys=True)}  # fmt: skip


def frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=flags.EVENT_SCHEMA)


def search(seq, at, last="Smith", **kw):
    return ev(seq, at, "search", data={"criteria": {"first": "A", "last": last}}, **kw)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([search(1, "2026-11-16T10:00:00.000000Z", last="MORGAN")], 1),
        ([search(1, "2026-11-16T10:00:00.000000Z", last="Morgan-Smith")], 1),
        (
            [
                search(
                    1,
                    "2026-11-16T10:00:00.000000Z",
                    last="Smith",
                    name="Alex Morgan-Smith",
                )
            ],
            1,
        ),
        (
            [
                search(
                    1,
                    "2026-11-16T10:00:00.000000Z",
                    last="van der Berg",
                    name="Berg, Pieter",
                )
            ],
            1,
        ),
        ([search(1, "2026-11-16T10:00:00.000000Z", last="Morganson")], 0),
        (
            [
                ev(
                    1,
                    "2026-11-16T10:00:00.000000Z",
                    "search",
                    data={"criteria": {"identifier": "9434765919"}},
                )
            ],
            0,
        ),
        ([search(1, "2026-11-16T10:00:00.000000Z", last="Smith")], 0),
        (
            [
                search(
                    1,
                    "2026-11-16T10:00:00.000000Z",
                    last="Morgan",
                    name="Alex Morgan (demo)",
                )
            ],
            1,
        ),  # fmt: skip
    ],
)
def test_own_surname(rows, expected) -> None:
    assert flags.own_surname(frame(rows)).height == expected


@pytest.mark.parametrize(
    ("at", "flagged"),
    [
        ("2026-11-16T08:30:00.000000Z", False),  # Monday 08:30 GMT
        ("2026-11-16T07:59:00.000000Z", True),  # before 08:00
        ("2026-11-16T18:00:00.000000Z", True),  # from 18:00
        ("2026-07-13T17:30:00.000000Z", True),  # 18:30 BST in summer
        ("2026-07-13T16:30:00.000000Z", False),  # 17:30 BST
        ("2026-11-15T12:00:00.000000Z", True),  # Sunday
    ],
)
def test_out_of_hours_uses_local_time(at, flagged) -> None:
    assert flags.out_of_hours(frame([search(1, at)]), RULES).height == int(flagged)


def test_unusual_volume_counts_per_user_per_day() -> None:
    day = [search(i, f"2026-11-16T1{i}:00:00.000000Z") for i in range(4)]
    other = [search(9, "2026-11-17T10:00:00.000000Z")]
    found = flags.unusual_volume(frame(day + other), RULES)
    assert found["detail"].to_list() == ["4 searches on 2026-11-16"]


def test_searches_never_followed_by_a_view() -> None:
    rows = [search(1, "2026-11-16T10:00:00.000000Z"),
            search(2, "2026-11-16T10:01:00.000000Z"),
            search(3, "2026-11-16T10:02:00.000000Z", session="s2"),
            search(4, "2026-11-16T10:03:00.000000Z", session="s2"),
            ev(5, "2026-11-16T10:04:00.000000Z", "family_opened", session="s2"),
    ]  # fmt: skip
    found = flags.search_no_view(frame(rows), RULES)
    assert found["key"].to_list() == ["search_no_view:s1"]


def test_emergency_override_and_dormant() -> None:
    rows = [
        ev(1, "2026-09-01T10:00:00.000000Z", "sign_in"),
        ev(2, "2026-09-02T10:00:00.000000Z", "sign_in"),
        ev(3, "2026-11-16T10:00:00.000000Z", "sign_in"),
        ev(4, "2026-11-16T10:01:00.000000Z", "search", purpose="Emergency",
           data={"criteria": {}, "emergency": True}),
        ev(5, "2026-11-16T10:02:00.000000Z", "override",
           data={"person_id": "p1", "override_reason": "court order"}),
    ]  # fmt: skip
    events = frame(rows)
    found = flags.emergency_and_override(events)
    assert found["flag"].to_list() == ["emergency", "override"]
    assert found["detail"].to_list() == ["case R1", "p1: court order"]
    dormant = flags.dormant(events, RULES)
    assert dormant["key"].to_list() == ["dormant:3"]
    assert flags.all_flags(events, RULES)["flag"].to_list() == [
        "dormant", "emergency", "override"]  # fmt: skip


def test_neutralise_spreadsheet_formulas() -> None:
    for bad in ("=1+1", "+44 161", "-2", "@SUM(A1)", "\tx", "\rx", " =1", "\u00a0=1",
                "\uff1dcmd"):  # fmt: skip
        assert neutralise(bad) == "'" + bad
    assert neutralise("Smith") == "Smith" and neutralise(None) == ""


def test_queue_export_and_filters(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    worker = Actor("u1", "Alex Morgan", "front_door", "s1")
    record_event(
        engine,
        Event(
            "search",
            worker,
            "Emergency",
            "=HYPERLINK(1)",
            {"criteria": {"last": "Morgan"}, "emergency": True},
        ),
    )
    record_event(
        engine,
        Event(
            "override",
            worker,
            "Emergency",
            "R2",
            {"person_id": "p7", "override_reason": "x"},
        ),
    )
    with pytest.raises(AccessDenied):
        events_frame(engine, worker)
    events = events_frame(engine, AUDITOR)

    def where(**kw) -> list[str]:
        return events_frame(engine, AUDITOR, where=EventFilter(**kw))["kind"].to_list()

    assert where(person="p7") == ["override"]
    assert where(searched="MORG") == ["search"] and where(searched="jones") == []
    assert where(user="u1", kinds=("search",)) == ["search"]
    assert len(where(purpose="Emergency", start=date(2000, 1, 1))) == 2
    raised = sync_queue(engine, RULES)  # + out_of_hours, by the clock
    open_items = queue(engine)
    assert raised == open_items.height and sync_queue(engine, RULES) == 0
    assert {"own_surname", "emergency", "override"} <= set(open_items["flag"])
    item = open_items["item_id"][0]
    with pytest.raises(LookupInputError):
        decide(engine, AUDITOR, item, "closed", " ")
    decide(engine, AUDITOR, item, "escalated", "Referred to IG lead")
    assert read_events(engine, 1)[0]["kind"] == "review_decision"
    assert queue(engine).height == raised - 1
    assert sync_queue(engine, RULES) == 0
    assert queue(engine, "escalated")["note"].to_list() == ["Referred to IG lead"]
    text = export_csv(engine, AUDITOR, events)
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    assert read_events(engine, 1)[0]["kind"] == "export"


def test_emergency_without_a_search_is_flagged_once_per_session_and_case() -> None:
    """``python -m lookup family`` opens a record with no search event first."""
    urgent = {"person_id": "p1", "emergency": True}
    rows = [ev(1, "2026-11-16T10:00:00.000000Z", "family_opened", data=urgent,
               purpose="Emergency"),
            ev(2, "2026-11-16T10:01:00.000000Z", "service_opened", data=urgent,
               purpose="Emergency")]  # fmt: skip
    found = flags.emergency_and_override(frame(rows))
    assert found["key"].to_list() == ["emergency:s1:R1"]
