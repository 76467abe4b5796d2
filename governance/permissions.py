"""The one way to refuse: record ``access_denied``, then raise.

Every role check in governance goes through ``require``; every other refusal
(a service that shares no detail, a restricted person without an override) through
``deny``. The refusal is recorded before it is raised, so an attempt is never
silent, and if it cannot be recorded the ``AuditError`` is raised instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from sqlalchemy import Engine

from core.errors import AccessDenied
from core.frozen import FrozenDict
from governance.audit import Actor, record_event
from governance.reasons import Reason, reason_event
from governance.roles import Permission, may
from governance.visibility import Policy

#: What a person without the permission is told.
REFUSALS: Mapping[Permission, str] = FrozenDict(
    {
        "search": "Your role cannot search people or open family records. If you "
        "need to, ask your manager to change your access.",
        "audit": "Only information-governance auditors can do this.",
        "administer": "Only administrators can do this.",
    }
)


def deny(
    engine: Engine,
    actor: Actor,
    data: Mapping[str, Any],
    error: AccessDenied,
    *,
    reason: Reason | None = None,
    policy: Policy | None = None,
) -> NoReturn:
    """Record ``access_denied`` with ``data`` (and the reason given), then raise
    ``error``."""
    record_event(engine, reason_event("access_denied", actor, reason, data, policy))
    raise error


def require(
    engine: Engine,
    actor: Actor,
    permission: Permission,
    action: str,
    *,
    reason: Reason | None = None,
    policy: Policy | None = None,
) -> None:
    """Return if ``actor``'s role holds ``permission``; otherwise record the refused
    ``action`` and raise ``AccessDenied``."""
    if not may(actor.role, permission):
        refusal = AccessDenied(REFUSALS[permission])
        deny(engine, actor, {"action": action}, refusal, reason=reason, policy=policy)
