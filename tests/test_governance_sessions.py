"""Server-side sessions: idle and absolute time-outs, token expiry, sign-out
revokes for good, one active session per user; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.config import GovernanceConfig
from governance.audit import Actor, read_events, verify_chain
from governance.sessions import (
    SessionRules,
    end_session,
    open_session,
    session_row,
    token_session_id,
    touch_session,
    verdict,
)

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
RULES = SessionRules(timedelta(minutes=10), timedelta(hours=8), True)


def actor(session: str, user: str = "u1") -> Actor:
    return Actor(user, "User One", "front_door", session)


@pytest.fixture
def engine(audit_engine):
    return audit_engine


def test_rules_come_from_config() -> None:
    gov = GovernanceConfig(idle_timeout_minutes=5, absolute_timeout_minutes=60,
                           one_session_per_user=False)  # fmt: skip
    assert SessionRules.from_config(gov) == SessionRules(
        timedelta(minutes=5), timedelta(hours=1), False
    )
    assert SessionRules.from_config(GovernanceConfig()).idle == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("minutes_later", "expected"),
    [(5, "active"), (9, "active"), (10, "idle"), (45, "idle")],
)
def test_idle_timeout(engine, minutes_later, expected) -> None:
    open_session(engine, actor("s1"), "demo", T0, RULES)
    later = T0 + timedelta(minutes=minutes_later)
    assert touch_session(engine, actor("s1"), later, RULES) == expected


def test_use_extends_until_the_absolute_limit(engine) -> None:
    open_session(engine, actor("s1"), "demo", T0, RULES)
    moment = T0
    for _ in range(53):  # every 9 minutes for 7 hours 57 minutes
        moment += timedelta(minutes=9)
        assert touch_session(engine, actor("s1"), moment, RULES) == "active"
    moment += timedelta(minutes=9)
    assert touch_session(engine, actor("s1"), moment, RULES) == "absolute"
    assert touch_session(engine, actor("s1"), moment, RULES) == "absolute"
    assert read_events(engine)[0]["kind"] == "session_expired"


def test_expired_token_is_refused(engine) -> None:
    open_session(engine, actor("s1"), "oidc", T0, RULES, T0 + timedelta(minutes=3))
    assert touch_session(engine, actor("s1"), T0 + timedelta(minutes=2), RULES) == (
        "active"
    )
    assert touch_session(engine, actor("s1"), T0 + timedelta(minutes=4), RULES) == (
        "token_expired"
    )


def test_sign_out_revokes_for_good(engine) -> None:
    open_session(engine, actor("s1"), "oidc", T0, RULES)
    end_session(engine, "s1", T0 + timedelta(minutes=1), "sign_out")
    assert touch_session(engine, actor("s1"), T0 + timedelta(minutes=2), RULES) == (
        "sign_out"
    )
    assert session_row(engine, "s1")["end_reason"] == "sign_out"
    assert verdict(None, T0, RULES) == "unknown"


def test_one_active_session_per_user(engine) -> None:
    open_session(engine, actor("s1"), "oidc", T0, RULES)
    open_session(engine, actor("s9", user="u2"), "oidc", T0, RULES)
    open_session(engine, actor("s2"), "oidc", T0 + timedelta(minutes=1), RULES)
    now = T0 + timedelta(minutes=2)
    assert touch_session(engine, actor("s1"), now, RULES) == "replaced"
    assert touch_session(engine, actor("s2"), now, RULES) == "active"
    assert touch_session(engine, actor("s9", user="u2"), now, RULES) == "active"
    relaxed = SessionRules(RULES.idle, RULES.absolute, one_per_user=False)
    open_session(engine, actor("s3"), "oidc", now, relaxed)
    assert touch_session(engine, actor("s2"), now, RULES) == "active"
    assert verify_chain(engine).valid


def test_token_session_id_is_stable_per_sign_in() -> None:
    claims = {"iss": "https://idp", "sub": "abc", "iat": 1, "nonce": "n1"}
    assert token_session_id(claims) == token_session_id(dict(claims))
    assert token_session_id(claims) != token_session_id({**claims, "iat": 2})


@pytest.mark.parametrize(
    "forged",
    [Actor("u1", "User One", "social_worker", "s1"),  # same person, another role
     Actor("u2", "Someone Else", "front_door", "s1")],  # another person
)  # fmt: skip
def test_a_cookie_that_differs_from_its_session_is_refused_and_recorded(
    engine, forged
) -> None:
    """A live session's cookie re-signed with another role or identity keeps the
    session id: the server-side row, not the cookie, says who signed in."""
    open_session(engine, actor("s1"), "oidc", T0, RULES)
    now = T0 + timedelta(minutes=1)
    assert touch_session(engine, forged, now, RULES) == "mismatch"
    refused = read_events(engine, limit=1)[0]
    assert (refused["kind"], refused["data"]["why"], refused["role"]) == (
        "sign_in_failed", "session_mismatch", forged.role
    )  # fmt: skip
    assert refused["data"]["session_role"] == "front_door"
    assert session_row(engine, "s1")["end_reason"] == "mismatch"
    # the session is over for the real cookie too, and stays over
    assert touch_session(engine, actor("s1"), now, RULES) == "mismatch"
    assert verify_chain(engine).valid
