"""One token, one server-side session, in the same ``app_sessions`` list as the
dashboard's: its first use is a ``sign_in`` (method ``api``), every later use is
checked for idle and absolute time-outs, expiry, sign-out and, for users, being
replaced by a newer sign-in anywhere (dashboard or API, any replica).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine

from api.identity import Caller
from governance.audit import utc_text
from governance.sessions import (
    SessionRules,
    open_session,
    opening,
    session_row,
    touch_session,
    verdict,
)

#: A session used within this long is not written to again (its idle clock moves
#: on the next use after that), so a busy caller costs one read, not a write.
TOUCH_EVERY = timedelta(seconds=20)

_opening = threading.Lock()


def _rules(caller: Caller, rules: SessionRules) -> SessionRules:
    """Systems may hold several tokens at once (several connector instances);
    one session per user is a rule for people."""
    return replace(rules, one_per_user=False) if caller.system else rules


def _open(engine: Engine, caller: Caller, now: datetime, rules: SessionRules) -> str:
    actor = caller.actor
    with _opening, opening(engine, actor.session_id):
        if session_row(engine, actor.session_id) is not None:
            return touch_session(engine, actor, now, rules)
        open_session(engine, actor, "api", now, rules, caller.token_expiry)
    return "active"


def check_session(
    engine: Engine, caller: Caller, now: datetime, rules: SessionRules
) -> str:
    """'active', or why the token's session is over (``ENDED_MESSAGES`` key)."""
    rules = _rules(caller, rules)
    row = session_row(engine, caller.actor.session_id)
    if row is None:
        return _open(engine, caller, now, rules)
    fresh = row["last_seen_at"] > utc_text(now - TOUCH_EVERY)
    same_role = row["role"] == caller.actor.role
    if fresh and same_role and verdict(row, now, rules) == "active":
        return "active"
    return touch_session(engine, caller.actor, now, rules)
