"""Handing family data out of the dashboard: recorded before anything is given.

A printable summary for case notes is an export of what the worker already sees.
``record_summary_export`` writes the ``export`` event; only if that succeeds may
the caller build the file or the print view (no audit, no data).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from governance.audit import Actor, record_event
from governance.permissions import require
from governance.reasons import Reason, reason_event
from lookup.family import FamilyView

SUMMARY_FORMATS = ("print", "html", "text")


def record_summary_export(
    engine: Engine,
    actor: Actor,
    reason: Reason,
    view: FamilyView,
    formats: Sequence[str] = SUMMARY_FORMATS,
) -> None:
    """Record that this family view's summary is handed out (raises AuditError)."""
    data = {
        "what": "family_summary",
        "formats": list(formats),
        "person_id": view.focus_id,
        "member_ids": [m.person_id for m in view.members],
        "build_id": view.build_id,
    }
    require(engine, actor, "search", "export", reason=reason)
    record_event(engine, reason_event("export", actor, reason, data))


def record_request_prepared(
    engine: Engine,
    actor: Actor,
    reason: Reason,
    view: FamilyView,
    person_ids: Sequence[str],
    source: str,
) -> None:
    """Record that a request to ``source``'s professional about these people of the
    view was prepared, an email and the words for a call (raises AuditError)."""
    data = {
        "person_ids": list(person_ids),
        "source": source,
        "formats": ["email", "phone"],
        "person_id": view.focus_id,
        "build_id": view.build_id,
    }
    require(engine, actor, "search", "request_prepared", reason=reason)
    record_event(engine, reason_event("request_prepared", actor, reason, data))
