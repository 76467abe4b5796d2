"""Failed sign-ins are audit events: a refused demo sign-in, a revoked or unknown
session presented again (a replayed cookie); a time-out is recorded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import AccessDenied
from governance.audit import Actor, read_events
from governance.sessions import (
    SessionRules,
    end_session,
    open_session,
    session_row,
    touch_session,
)
from governance.signin import demo_sign_in, failed_sign_in

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
RULES = SessionRules(timedelta(minutes=10), timedelta(hours=8), True)


def _kinds(engine) -> list[str]:
    return [e["kind"] for e in reversed(read_events(engine))]


def test_demo_sign_in_opens_a_session(audit_engine) -> None:
    actor = demo_sign_in(audit_engine, "demo.earlyhelp", True, T0, RULES)
    assert (actor.user_id, actor.role) == ("demo.earlyhelp", "early_help")
    assert session_row(audit_engine, actor.session_id)["method"] == "demo"
    assert _kinds(audit_engine) == ["sign_in"]


@pytest.mark.parametrize(
    ("user", "allowed", "why", "recorded_user"),
    [
        ("demo.frontdoor", False, "demo_not_allowed", "demo.frontdoor"),
        ("someone.else", True, "unknown_user", "unknown"),
        ("someone.else", False, "demo_not_allowed", "unknown"),
    ],
)
def test_refused_demo_sign_in_is_recorded(audit_engine, user, allowed, why,
                                          recorded_user) -> None:  # fmt: skip
    with pytest.raises(AccessDenied, match="Demo sign-in works only"):
        demo_sign_in(audit_engine, user, allowed, T0, RULES)
    (event,) = read_events(audit_engine)
    assert event["kind"] == "sign_in_failed"
    assert event["data"] == {"method": "demo", "why": why}
    assert (event["user_id"], event["role"]) == (recorded_user, "none")
    assert session_row(audit_engine, event["session_id"]) is None


def test_oidc_refusal_is_recorded(audit_engine) -> None:
    who = Actor("oid-1", "Carol Nobody", "none", "tok-1")
    failed_sign_in(audit_engine, who, "oidc", "no_role")
    assert read_events(audit_engine)[0]["data"] == {"method": "oidc", "why": "no_role"}


@pytest.mark.parametrize("ended", ["sign_out", "replaced"])
def test_revoked_session_presented_again_is_a_failed_sign_in(audit_engine, ended):
    actor = Actor("u1", "User One", "front_door", "s1")
    open_session(audit_engine, actor, "oidc", T0, RULES)
    end_session(audit_engine, "s1", T0 + timedelta(minutes=1), ended)
    assert touch_session(audit_engine, actor, T0 + timedelta(minutes=2), RULES) == (
        ended
    )
    event = read_events(audit_engine)[0]
    assert event["kind"] == "sign_in_failed"
    assert event["data"] == {"method": "oidc", "why": "revoked_session",
                             "ended": ended}  # fmt: skip
    assert session_row(audit_engine, "s1")["end_reason"] == ended


def test_unknown_session_is_a_failed_sign_in(audit_engine) -> None:
    actor = Actor("u1", "User One", "front_door", "never-opened")
    assert touch_session(audit_engine, actor, T0, RULES) == "unknown"
    assert read_events(audit_engine)[0]["data"]["why"] == "revoked_session"


def test_time_out_is_recorded_once(audit_engine) -> None:
    actor = Actor("u1", "User One", "front_door", "s1")
    open_session(audit_engine, actor, "demo", T0, RULES)
    later = T0 + timedelta(minutes=30)
    assert touch_session(audit_engine, actor, later, RULES) == "idle"
    assert touch_session(audit_engine, actor, later, RULES) == "idle"
    assert _kinds(audit_engine) == ["sign_in", "session_expired"]
