"""The review queue reads the whole log, in chunks, however long since an auditor
looked: nothing is skipped, nothing is raised twice, sessions still running are
not judged early, and dormancy and daily volume see across earlier runs. On
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

import governance.queue_sync as queue_sync
from governance.audit import Actor, Event, record_event
from governance.flags import FlagRules
from governance.review import queue, sync_queue

T0 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # a Monday, in working hours
RULES = FlagRules(unusual_volume=3, dormant_days=30, searches_without_view=3,
                  session_limit=timedelta(hours=10))  # fmt: skip


def _event(engine, kind: str, at: datetime, session: str = "s1", user: str = "u1",
           **data) -> None:  # fmt: skip
    actor = Actor(user, "Alex Morgan", "front_door", session)
    record_event(engine, Event(kind, actor, "New referral (MASH)", "R1", data, at))


def _search(engine, at: datetime, **kw) -> None:
    _event(engine, "search", at, criteria={"first": "A", "last": "Smith"}, **kw)


def _flags(engine) -> list[str]:
    return sorted(queue(engine, None)["flag"].to_list())


@pytest.fixture
def engine(audit_engine, monkeypatch):
    monkeypatch.setattr(queue_sync, "CHUNK", 3)  # many chunks from a few events
    return audit_engine


def test_every_event_is_read_in_chunks_and_raised_once(engine) -> None:
    _event(engine, "override", T0, person_id="p1", override_reason="court order")
    for i in range(10):
        _event(engine, "family_opened", T0 + timedelta(minutes=i + 1), person_id="p2")
    _event(engine, "override", T0 + timedelta(minutes=20), person_id="p3",
           override_reason="strategy meeting")  # fmt: skip
    now = T0 + timedelta(hours=1)
    assert sync_queue(engine, RULES, now) == 2
    assert sync_queue(engine, RULES, now) == 0
    _event(engine, "override", T0 + timedelta(minutes=30), person_id="p4",
           override_reason="police request")  # fmt: skip
    assert sync_queue(engine, RULES, now) == 1
    details = sorted(queue(engine)["detail"].to_list())
    assert details == ["p1: court order", "p3: strategy meeting", "p4: police request"]


def test_a_running_session_is_judged_only_once_over(engine) -> None:
    for i in range(3):
        _search(engine, T0 + timedelta(minutes=i))
    assert sync_queue(engine, RULES, T0 + timedelta(hours=1)) == 0
    _search(engine, T0 + timedelta(hours=2), session="s2", user="u2")
    assert sync_queue(engine, RULES, T0 + timedelta(hours=3)) == 0
    _event(engine, "sign_out", T0 + timedelta(hours=4), session="s3", user="u3")
    assert sync_queue(engine, RULES, T0 + timedelta(hours=11)) == 1
    assert _flags(engine) == ["search_no_view"]


def test_a_signed_out_session_is_judged_at_once(engine) -> None:
    for i in range(3):
        _search(engine, T0 + timedelta(minutes=i))
    _event(engine, "sign_out", T0 + timedelta(minutes=5))
    assert sync_queue(engine, RULES, T0 + timedelta(minutes=6)) == 1


def test_dormancy_and_daily_volume_see_across_runs(engine) -> None:
    _event(engine, "sign_in", T0 - timedelta(days=90), session="old")
    for i in range(8):
        _event(engine, "sign_out", T0 - timedelta(days=80 - i), user=f"x{i}")
    assert sync_queue(engine, RULES, T0 - timedelta(days=70)) == 0
    _event(engine, "sign_in", T0, session="s1")
    _search(engine, T0 + timedelta(minutes=1))
    _search(engine, T0 + timedelta(minutes=2))
    _event(engine, "family_opened", T0 + timedelta(minutes=3), person_id="p1")
    assert sync_queue(engine, RULES, T0 + timedelta(minutes=4)) == 1
    assert _flags(engine) == ["dormant"]
    _search(engine, T0 + timedelta(hours=1))
    _search(engine, T0 + timedelta(hours=2))
    assert sync_queue(engine, RULES, T0 + timedelta(hours=3)) == 1
    assert queue(engine).filter(flag="unusual_volume")["detail"].to_list() == [
        "4 searches on 2026-11-16"
    ]


def test_auditors_syncing_at_once_raise_each_item_once(engine) -> None:
    for i in range(12):
        _event(engine, "override", T0 + timedelta(minutes=i), person_id=f"p{i}",
               override_reason="court order")  # fmt: skip
    raised, errors = [], []

    def sync() -> None:
        try:
            raised.append(sync_queue(engine, RULES, T0 + timedelta(hours=1)))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=sync) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sum(raised) == 12
    assert queue(engine).height == 12
