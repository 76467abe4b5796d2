"""Server-side sessions: the sign-in cookie alone is never trusted.

Streamlit's OIDC cookie is signed, not encrypted, lasts 30 days and still works
when replayed after ``st.logout()``. So every page run checks a row in
``app_sessions``: the user and role it was opened for (a cookie re-signed with
another role is refused), idle and absolute time-outs, the ID token's own
expiry, and whether the session was ended (sign-out, or replaced by a newer sign-in when
one session per user is the rule). An ended session never comes back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, bindparam, insert, select, text, update

from core.config import GovernanceConfig
from core.db import is_postgres, reading
from governance.audit import Actor, Event, record_event, utc_text
from governance.guarded import guarded
from governance.store import app_sessions

ENDED_MESSAGES = {
    "idle": "You were signed out after a period without use. Sign in again.",
    "absolute": "Your session reached its time limit. Sign in again.",
    "token_expired": "Your sign-in has expired. Sign in again.",
    "sign_out": "You signed out. Sign in again to continue.",
    "replaced": "You signed in somewhere else, so this session ended.",
    "unknown": "This session is not recognised. Sign in again.",
    "mismatch": "This sign-in does not match its session, so the session was "
    "ended and recorded. Sign in again.",
}


@dataclass(frozen=True)
class SessionRules:
    """Time-outs and the one-session rule, from ``[governance]``."""

    idle: timedelta = timedelta(minutes=10)
    absolute: timedelta = timedelta(hours=10)
    one_per_user: bool = True

    @classmethod
    def from_config(cls, gov: GovernanceConfig) -> SessionRules:
        return cls(
            timedelta(minutes=gov.idle_timeout_minutes),
            timedelta(minutes=gov.absolute_timeout_minutes),
            gov.one_session_per_user,
        )


def token_session_id(claims: Mapping[str, Any]) -> str:
    """A stable id for one sign-in: the same cookie always maps to the same row."""
    parts = [str(claims.get(k, "")) for k in ("iss", "sub", "iat", "nonce", "sid")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:48]


def verdict(row: Mapping[str, Any] | None, now: datetime, rules: SessionRules) -> str:
    """'active', or why the session is over (a key of ENDED_MESSAGES)."""
    if row is None:
        return "unknown"
    if row["ended_at"]:
        return row["end_reason"] or "sign_out"
    stamp = utc_text(now)
    if row["token_expiry"] and row["token_expiry"] <= stamp:
        return "token_expired"
    if row["absolute_expiry"] <= stamp:
        return "absolute"
    if utc_text(now - rules.idle) >= row["last_seen_at"]:
        return "idle"
    return "active"


#: What a user reads when their session cannot be checked.
SESSION_FAILED = (
    "Your session could not be checked, so nothing is shown. Try again; "
    "if it persists, contact the system administrator."
)


def open_session(
    engine: Engine,
    actor: Actor,
    method: str,
    now: datetime,
    rules: SessionRules,
    token_expiry: datetime | None = None,
) -> None:
    """Record the sign-in, end the user's other sessions if the rule says so.

    The event carries what the session row will say (its expiry, the token's,
    the sessions it replaces), so ``verify`` can tell the row was never changed.
    """
    stamp = utc_text(now)
    replaced = _open_sessions(engine, actor.user_id) if rules.one_per_user else []
    token = utc_text(token_expiry) if token_expiry else None
    data = {"method": method, "expires": utc_text(now + rules.absolute),
            "token_expiry": token}  # fmt: skip
    if replaced:
        data["replaced"] = replaced
    record_event(engine, Event("sign_in", actor, data=data))
    row = {
        "session_id": actor.session_id, "user_id": actor.user_id,
        "role": actor.role, "method": method, "started_at": stamp,
        "last_seen_at": stamp, "absolute_expiry": utc_text(now + rules.absolute),
        "token_expiry": utc_text(token_expiry) if token_expiry else None,
        "ended_at": None, "end_reason": None,
    }  # fmt: skip

    def write() -> None:
        with engine.begin() as conn:
            if replaced:
                conn.execute(
                    update(app_sessions)
                    .where(app_sessions.c.session_id.in_(replaced),
                           app_sessions.c.ended_at.is_(None))
                    .values(ended_at=stamp, end_reason="replaced")
                )  # fmt: skip
            conn.execute(insert(app_sessions), [row])

    guarded(write, SESSION_FAILED)


#: The first of the two 32-bit keys of the lock one session's opening holds
#: (a space of its own: the chain's locks use single 64-bit keys).
_OPENING = 7744


@contextmanager
def opening(engine: Engine, session_id: str) -> Iterator[None]:
    """One process at a time opens a given session: two replicas seeing a
    token's first use at once record one ``sign_in``, the second finding the
    session already open (PostgreSQL; SQLite has no replicas)."""
    if not is_postgres(engine):
        yield
        return
    with engine.begin() as conn:
        guarded(lambda: conn.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:session))"),
            {"space": _OPENING, "session": session_id},
        ), SESSION_FAILED)  # fmt: skip
        yield


def _open_sessions(engine: Engine, user_id: str) -> list[str]:
    def read() -> list[str]:
        with engine.connect() as conn:
            found = conn.execute(
                select(app_sessions.c.session_id)
                .where(
                    app_sessions.c.user_id == user_id, app_sessions.c.ended_at.is_(None)
                )
                .order_by(app_sessions.c.session_id)
            )
            return list(found.scalars())

    return guarded(read, SESSION_FAILED)


@cache
def _session_query() -> Select:
    """The session look-up, made once (every request runs it; building the
    statement again each time cost a fifth of the read)."""
    return select(app_sessions).where(app_sessions.c.session_id == bindparam("sid"))


def session_row(engine: Engine, session_id: str) -> dict[str, Any] | None:
    """The stored session, or None."""

    def read() -> dict[str, Any] | None:
        with reading(engine) as conn:
            found = conn.execute(_session_query(), {"sid": session_id})
            row = found.mappings().first()
            return dict(row) if row else None

    return guarded(read, SESSION_FAILED)


#: Ended sessions whose cookie should never come back: presenting one again is a
#: replay (after sign-out) or a stale copy (after signing in elsewhere).
REVOKED = ("sign_out", "replaced", "unknown", "mismatch")


def touch_session(
    engine: Engine, actor: Actor, now: datetime, rules: SessionRules
) -> str:
    """Check the session on a page run: extend it if active, else end it.

    A time-out is recorded once, as ``session_expired``; a revoked or unknown
    session presented again is refused and recorded as ``sign_in_failed``, and
    so is a sign-in whose user or role differs from the one its session was
    opened with (the session is ended: its cookie was altered).
    """
    row = session_row(engine, actor.session_id)
    state = verdict(row, now, rules)
    if state == "active" and _differs(row, actor):
        data = {"method": row["method"], "why": "session_mismatch",
                "session_role": row["role"]}  # fmt: skip
        record_event(engine, Event("sign_in_failed", actor, data=data))
        end_session(engine, actor.session_id, now, "mismatch")
        return "mismatch"
    if state == "active":
        _set(engine, actor.session_id, last_seen_at=utc_text(now))
    elif row is not None and not row["ended_at"]:
        record_event(engine, Event("session_expired", actor, data={"why": state}))
        end_session(engine, actor.session_id, now, state)
    elif state in REVOKED:
        data = {"method": row["method"] if row else "unknown",
                "why": "revoked_session", "ended": state}  # fmt: skip
        record_event(engine, Event("sign_in_failed", actor, data=data))
    return state


def _differs(row: Mapping[str, Any], actor: Actor) -> bool:
    """The cookie's identity or role is not the one the session was opened for
    (a re-signed or altered cookie): the server-side row decides."""
    return row["user_id"] != actor.user_id or row["role"] != actor.role


def end_session(engine: Engine, session_id: str, now: datetime, why: str) -> None:
    """Revoke a session for good (sign-out, time-out, expiry)."""
    open_only = app_sessions.c.ended_at.is_(None)
    _set(engine, session_id, open_only, ended_at=utc_text(now), end_reason=why)


def _set(engine: Engine, session_id: str, *where, **values: str) -> None:  # noqa: ANN002
    def write() -> None:
        with engine.begin() as conn:
            conn.execute(
                update(app_sessions)
                .where(app_sessions.c.session_id == session_id, *where)
                .values(**values)
            )

    guarded(write, SESSION_FAILED)


def utc_now() -> datetime:
    """Now, in UTC (passed in explicitly so tests can move the clock)."""
    return datetime.now(UTC)
