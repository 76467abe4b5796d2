"""Signing in and failing to: every refused attempt is a ``sign_in_failed`` event.

Council (OIDC) refusals are decided in ``oidc`` and ``sessions`` and recorded by
``failed_sign_in``; the demo picker signs in through ``demo_sign_in``, which
refuses (and records) anything but a known demo user in demo mode on localhost.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Engine

from core.errors import AccessDenied
from governance.audit import Actor, Event, record_event
from governance.roles import DEMO_USERS
from governance.sessions import SessionRules, open_session

DEMO_REFUSED = (
    "Demo sign-in works only in demo mode on this computer, with a listed demo "
    "user. Use your council sign-in."
)


def failed_sign_in(engine: Engine, actor: Actor, method: str, why: str) -> None:
    """Record a refused sign-in (raises AuditError if it cannot be recorded)."""
    data = {"method": method, "why": why}
    record_event(engine, Event("sign_in_failed", actor, data=data))


def demo_sign_in(
    engine: Engine,
    user_id: str,
    allowed: bool,
    now: datetime,
    rules: SessionRules,
) -> Actor:
    """Sign a demo user in and open their server-side session, or refuse.

    ``allowed`` is ``roles.demo_sign_in_allowed`` for this request; a refusal is
    recorded as ``sign_in_failed`` and raised as AccessDenied.
    """
    user = {u.user_id: u for u in DEMO_USERS}.get(user_id)
    session = str(uuid.uuid4())
    if user is None or not allowed:
        actor = (
            Actor(user.user_id, user.name, "none", session)
            if user
            else Actor("unknown", "unknown", "none", session)
        )
        why = "demo_not_allowed" if not allowed else "unknown_user"
        failed_sign_in(engine, actor, "demo", why)
        raise AccessDenied(DEMO_REFUSED)
    actor = Actor(user.user_id, user.name, user.role, session)
    open_session(engine, actor, "demo", now, rules)
    return actor
