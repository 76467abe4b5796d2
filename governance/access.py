"""The audited way in: every search, results list and family view is recorded first.

The CLI and the dashboard call only these functions. Each checks the role, checks
the reason for access, records the event, and only then returns data; if the
audit log cannot be written, ``AuditError`` propagates and nothing is returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Engine

from core.errors import AccessDenied
from governance.audit import Actor, Event, read_events, record_event
from governance.details import capped_detail
from governance.reasons import Reason, check_reason, is_emergency
from governance.restrictions import (
    RESTRICTED_MESSAGE,
    RestrictedRecord,
    redact_candidate,
    redact_member,
    restricted_ids,
)
from governance.roles import may_audit, may_search
from governance.visibility import Policy, candidates_for_role, view_for_role
from lookup.family import FamilyView, family_view, who_to_call
from lookup.index import LinkedIndex
from lookup.query import SearchQuery
from lookup.search import Candidate, search


def _record(
    engine: Engine,
    kind: str,
    actor: Actor,
    reason: Reason,
    data: Mapping[str, Any],
    policy: Policy | None = None,
) -> None:
    extra: dict[str, Any] = (
        {"explanation": reason.explanation} if reason.explanation else {}
    )
    if is_emergency(reason.purpose, policy):
        extra["emergency"] = True
    record_event(
        engine,
        Event(kind, actor, reason.purpose, reason.case_ref, {**data, **extra}),
    )


def restricted_people(
    audit_engine: Engine, index: LinkedIndex, person_ids: Iterable[str]
) -> set[str]:
    """Who of ``person_ids`` is restricted: by an administrator, or because a
    source marks any of their records restricted."""
    ids = list(person_ids)
    return restricted_ids(audit_engine, ids) | (set(ids) & index.restricted_people)


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
    policy: Policy | None = None,
) -> list[Candidate]:
    """Search, recording the criteria before and the people listed after.

    Restricted people come back as placeholders saying only that a restricted
    record exists (``restrictions.is_redacted``).
    """
    reason = Reason(purpose.strip(), case_ref.strip(), explanation.strip())
    _require_worker(audit_engine, actor, "search", reason)
    check_reason(purpose, case_ref, explanation, policy=policy)
    criteria = {"criteria": query.criteria(), "build_id": index.build_id}
    _record(audit_engine, "search", actor, reason, criteria, policy)
    found = candidates_for_role(
        index, search(index, query, today, limit), actor.role, policy or Policy()
    )
    restricted = restricted_people(audit_engine, index, (c.person_id for c in found))
    shown = {"person_ids": [c.person_id for c in found], "count": len(found),
             "restricted_ids": sorted(restricted)}  # fmt: skip
    _record(audit_engine, "results_shown", actor, reason, shown, policy)
    return [redact_candidate(c) if c.person_id in restricted else c for c in found]


def _check_restriction(
    audit_engine: Engine,
    index: LinkedIndex,
    actor: Actor,
    reason: Reason,
    person_id: str,
    override: str,
    action: str,
) -> None:
    """Refuse a restricted person without an override; record an override used."""
    if person_id not in restricted_people(audit_engine, index, [person_id]):
        return
    data = {"action": action, "person_id": person_id}
    if not override.strip():
        _record(audit_engine, "access_denied", actor, reason,
                {**data, "restricted": True})  # fmt: skip
        raise RestrictedRecord(
            RESTRICTED_MESSAGE + " To open it anyway, give a written reason; "
            "the override is recorded and reviewed."
        )
    _record(audit_engine, "override", actor, reason,
            {**data, "override_reason": override.strip()})  # fmt: skip


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
    override: str = "",
    policy: Policy | None = None,
) -> FamilyView:
    """Open a family view cut to the role's visibility, recording every member.

    A restricted focus person needs ``override`` (a written reason, recorded as
    its own event); restricted relatives are shown only as placeholders.
    """
    reason = Reason(purpose.strip(), case_ref.strip(), explanation.strip())
    _require_worker(audit_engine, actor, "family", reason)
    check_reason(purpose, case_ref, explanation, policy=policy)
    _check_restriction(audit_engine, index, actor, reason, person_id, override,
                       "family")  # fmt: skip
    full = family_view(index, person_id, today)
    hidden = restricted_people(audit_engine, index, (m.person_id for m in full.members))
    hidden.discard(person_id)
    view = view_for_role(full, actor.role, policy or Policy())
    members = tuple(redact_member(m) if m.person_id in hidden else m
                    for m in view.members)  # fmt: skip
    view = replace(view, members=members, who_to_call=who_to_call(list(members)))
    data = {"person_id": person_id, "member_ids": [m.person_id for m in members],
            "restricted_ids": sorted(hidden), "build_id": index.build_id}  # fmt: skip
    _record(audit_engine, "family_opened", actor, reason, data, policy)
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
    override: str = "",
    policy: Policy | None = None,
) -> str | None:
    """One service's withheld detail on one person, recorded as service_opened.

    Refused unless the role sees this source's sensitivity in full and the
    source shares detail at all; at most its ``detail_limit`` involvements.
    """
    reason = Reason(purpose.strip(), case_ref.strip(), explanation.strip())
    _require_worker(audit_engine, actor, "service_detail", reason)
    check_reason(purpose, case_ref, explanation, policy=policy)
    sensitivity = source_sensitivity(index, source)
    if (policy or Policy()).level(actor.role, sensitivity) != "full":
        _record(audit_engine, "access_denied", actor, reason,
                {"action": "service_detail", "source": source})  # fmt: skip
        raise AccessDenied(
            "Your role sees that this service is involved and whom to contact, "
            "not its detail. Contact the lead professional."
        )
    limit = (policy or Policy()).detail_limit(source)
    if limit == 0:
        _record(audit_engine, "access_denied", actor, reason,
                {"action": "service_detail", "source": source,
                 "why": "source_shares_no_detail"})  # fmt: skip
        raise AccessDenied(
            "This service shares only that it is involved and whom to contact. "
            "Contact the lead professional."
        )
    _check_restriction(audit_engine, index, actor, reason, person_id, override,
                       "service")  # fmt: skip
    data = {"person_id": person_id, "source": source, "build_id": index.build_id}
    if limit > 1:
        data["detail_limit"] = limit
    _record(audit_engine, "service_opened", actor, reason, data, policy)
    return capped_detail(index, person_id, source, limit)


def source_sensitivity(index: LinkedIndex, source: str) -> str:
    """The sensitivity class a source had in this build (unknown = sensitive)."""
    loads = index.source_loads.filter(pl.col("source") == source)
    return loads["sensitivity"][0] if loads.height else "sensitive"


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
