"""The audited way in: every search, results list and family view is recorded first.

The CLI and the dashboard call only these functions. Each checks the role, checks
the reason for access, records the event, and only then returns data; if the
audit log cannot be written, ``AuditError`` propagates and nothing is returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine

from core.errors import AccessDenied, LookupInputError
from governance.audit import Actor, Event, read_events, record_event
from governance.roles import may_audit, may_search
from lookup.family import FamilyView, family_view, service_detail
from lookup.index import LinkedIndex
from lookup.query import SearchQuery
from lookup.search import Candidate, search


@dataclass(frozen=True)
class Reason:
    """Why a worker is looking: a purpose, a case or referral reference, and for an
    emergency a short explanation."""

    purpose: str
    case_ref: str
    explanation: str = ""


def is_emergency(purpose: str) -> bool:
    """Emergency ('break glass') purposes need a written explanation."""
    return purpose.strip().lower().startswith("emergency")


def check_reason(
    purpose: str,
    case_ref: str,
    explanation: str = "",
    purposes: Sequence[str] | None = None,
) -> Reason:
    """A checked Reason; raises LookupInputError listing everything missing."""
    problems = []
    if not purpose.strip():
        problems.append("Choose a purpose.")
    elif purposes is not None and purpose.strip() not in purposes:
        problems.append(f"Choose a purpose from: {', '.join(purposes)}.")
    if not case_ref.strip():
        problems.append("Enter the case or referral reference.")
    if is_emergency(purpose) and not explanation.strip():
        problems.append("Explain the emergency in a few words.")
    if problems:
        raise LookupInputError(" ".join(problems))
    return Reason(purpose.strip(), case_ref.strip(), explanation.strip())


def _record(
    engine: Engine, kind: str, actor: Actor, reason: Reason, data: Mapping[str, Any]
) -> None:
    extra = {"explanation": reason.explanation} if reason.explanation else {}
    record_event(
        engine,
        Event(kind, actor, reason.purpose, reason.case_ref, {**data, **extra}),
    )


def _require_worker(engine: Engine, actor: Actor, action: str, reason: Reason) -> None:
    if not may_search(actor.role):
        _record(engine, "access_denied", actor, reason, {"action": action})
        raise AccessDenied(
            "Your role cannot search people or open family records. If you need "
            "to, ask your manager to change your access."
        )


def audited_search(
    index: LinkedIndex,
    audit_engine: Engine,
    actor: Actor,
    purpose: str,
    case_ref: str,
    query: SearchQuery,
    today: date,
    limit: int,
    *,
    explanation: str = "",
) -> list[Candidate]:
    """Search, recording the criteria before and the people listed after."""
    reason = Reason(purpose.strip(), case_ref.strip(), explanation.strip())
    _require_worker(audit_engine, actor, "search", reason)
    check_reason(purpose, case_ref, explanation)
    criteria = {"criteria": query.criteria(), "build_id": index.build_id}
    _record(audit_engine, "search", actor, reason, criteria)
    found = search(index, query, today, limit)
    shown = {"person_ids": [c.person_id for c in found], "count": len(found)}
    _record(audit_engine, "results_shown", actor, reason, shown)
    return found


def audited_family(
    index: LinkedIndex,
    audit_engine: Engine,
    actor: Actor,
    purpose: str,
    case_ref: str,
    person_id: str,
    today: date,
    *,
    explanation: str = "",
) -> FamilyView:
    """Open a family view, recording the focus person and every member shown."""
    reason = Reason(purpose.strip(), case_ref.strip(), explanation.strip())
    _require_worker(audit_engine, actor, "family", reason)
    check_reason(purpose, case_ref, explanation)
    view = family_view(index, person_id, today)
    members = [m.person_id for m in view.members]
    data = {"person_id": person_id, "member_ids": members, "build_id": index.build_id}
    _record(audit_engine, "family_opened", actor, reason, data)
    return view


def audited_service_detail(
    index: LinkedIndex,
    audit_engine: Engine,
    actor: Actor,
    purpose: str,
    case_ref: str,
    person_id: str,
    source: str,
    *,
    explanation: str = "",
) -> str | None:
    """One service's withheld detail on one person, recorded as service_opened."""
    reason = Reason(purpose.strip(), case_ref.strip(), explanation.strip())
    _require_worker(audit_engine, actor, "service_detail", reason)
    check_reason(purpose, case_ref, explanation)
    data = {"person_id": person_id, "source": source, "build_id": index.build_id}
    _record(audit_engine, "service_opened", actor, reason, data)
    return service_detail(index, person_id, source)


def audited_sign_in(audit_engine: Engine, actor: Actor, method: str) -> None:
    """Record a sign-in (method: 'demo' or 'oidc')."""
    record_event(audit_engine, Event("sign_in", actor, data={"method": method}))


def audited_sign_out(audit_engine: Engine, actor: Actor) -> None:
    """Record a sign-out."""
    record_event(audit_engine, Event("sign_out", actor))


def audit_log(audit_engine: Engine, actor: Actor, limit: int = 2000) -> list[dict]:
    """The newest audit events, for auditors only."""
    if not may_audit(actor.role):
        record_event(
            audit_engine, Event("access_denied", actor, data={"action": "audit_log"})
        )
        raise AccessDenied("Only information-governance auditors can read the log.")
    return read_events(audit_engine, limit)
