"""The audited way in: every search, results list and family view is recorded first.

The CLI and the dashboard build one ``AccessRequest`` (index, audit store, actor,
reason, policy, today) and call only these functions with it. Each checks the
role (``permissions.require``), records the event, and only then returns data; if
the audit log cannot be written, ``AuditError`` propagates and nothing is returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, NoReturn

import polars as pl
from sqlalchemy import Engine

from core.errors import AccessDenied
from governance.audit import Actor, Event, EventKind, read_events, record_event
from governance.details import capped_detail
from governance.permissions import deny, require
from governance.protected import withheld, withhold_candidate, withhold_member
from governance.reasons import Reason, check_reason, reason_event
from governance.request import AccessRequest
from governance.restrictions import (
    RESTRICTED_MESSAGE,
    RestrictedRecord,
    active_restrictions_now,
    redact_candidate,
    redact_member,
)
from governance.visibility import view_for_role
from lookup.address_search import (
    AddressQuery,
    AddressResult,
    households,
    living_there,
)
from lookup.family import FamilyView, family_view, who_to_call
from lookup.index import LinkedIndex
from lookup.query import SearchQuery
from lookup.search import Candidate
from lookup.seen import Ages, owner_of, seen_records
from lookup.seen_results import SearchResult, seen_search
from lookup.services import Source, index_sources
from lookup.unplaced import unplaced

__all__ = [
    "AccessRequest",
    "Reason",
    "audit_log",
    "audited_address_search",
    "audited_family",
    "audited_search",
    "audited_search_result",
    "audited_service_detail",
    "audited_sign_in",
    "audited_sign_out",
    "check_reason",
    "restricted_people",
    "source_sensitivity",
    "sources_for",
]


def _record(request: AccessRequest, kind: EventKind, data: Mapping[str, Any]) -> None:
    r = request
    record_event(r.audit, reason_event(kind, r.actor, r.reason, data, r.policy))


def _deny(
    request: AccessRequest, data: Mapping[str, Any], error: AccessDenied
) -> NoReturn:
    r = request
    deny(r.audit, r.actor, data, error, reason=r.reason, policy=r.policy)


def _require_worker(request: AccessRequest, action: str) -> None:
    r = request
    require(r.audit, r.actor, "search", action, reason=r.reason, policy=r.policy)


def restricted_people(
    audit_engine: Engine,
    index: LinkedIndex,
    person_ids: Iterable[str],
    active: Mapping[str, str] | None = None,
) -> set[str]:
    """Who of ``person_ids`` is restricted: by an administrator (``active``, the
    request's one read of the restrictions in force; read here if not given),
    or because a source marks any of their records restricted (an id records
    set aside for a viewer have, ``lookup.disclosure_links``, as the person they
    belong to)."""
    owners = {pid: owner_of(index, pid) for pid in person_ids}
    if not owners:
        return set()
    if active is None:
        active = active_restrictions_now(audit_engine)
    held = index.restricted_people
    return {pid for pid, owner in owners.items() if owner in active or owner in held}


def _owners(index: LinkedIndex, person_ids: Iterable[str]) -> dict[str, Any]:
    """Event data naming the people of the build behind ids that records set
    aside for the viewer have (so a subject access finds every access); none
    when every id is a person of the build's own."""
    found = {owner_of(index, pid) for pid in person_ids} - set(person_ids)
    return {"underlying_ids": sorted(found)} if found else {}


def audited_search(
    request: AccessRequest, query: SearchQuery, limit: int
) -> list[Candidate]:
    """The people ``audited_search_result`` lists."""
    return audited_search_result(request, query, limit).candidates


def audited_search_result(
    request: AccessRequest, query: SearchQuery, limit: int
) -> SearchResult:
    """Search, recording the criteria before and the people listed after, with
    how many people the role may see fit what was given and, when more fit than
    are listed, the words asking for the detail that would tell them apart.

    Restricted people come back as placeholders saying only that a restricted
    record exists (``restrictions.is_redacted``). A postcode given places,
    lifts, labels and counts nobody on a protected address (``lookup.
    unplaced``): each is scored, ranked and counted as a build without that
    address gives: nobody is listed for a family name with a postcode, nor
    read as having changed family name there, for being recorded at it.
    """
    _require_worker(request, "search")
    index, role = request.index, request.actor.role
    _record(request, "search",
            {"criteria": query.criteria(), "build_id": index.build_id})  # fmt: skip
    cut = request.policy.disclosure(role, index)
    active = active_restrictions_now(request.audit)
    kept = withheld(request.audit, index, request.policy, active)
    gone = unplaced(index, kept.keys if query.postcode else ())
    result = seen_search(index, query, request.today, limit, cut, gone)
    found = [withhold_candidate(c, kept) for c in result.candidates]
    restricted = restricted_people(request.audit, index,
                                   (c.person_id for c in found), active)  # fmt: skip
    shown = {"person_ids": [c.person_id for c in found], "count": len(found),
             "restricted_ids": sorted(restricted),
             **_owners(index, (c.person_id for c in found))}  # fmt: skip
    if result.prompt:
        shown["fitting"] = result.fitting
    _record(request, "results_shown", shown)
    found = [redact_candidate(c) if c.person_id in restricted else c for c in found]
    return replace(result, candidates=found)


def audited_address_search(
    request: AccessRequest, query: AddressQuery
) -> AddressResult:
    """Who lives at an address, audited as a person search is: the criteria
    recorded before, the people listed after.

    Made from what the role may see (a person known only to hidden services is
    not listed; addresses from records seen in full). Nobody whose address there
    is protected is listed, nor anyone restricted: being listed at an address
    would give it away. Earlier protected addresses are left off every card.
    """
    _require_worker(request, "search")
    index, role = request.index, request.actor.role
    _record(request, "search",
            {"criteria": query.criteria(), "build_id": index.build_id})  # fmt: skip
    cut = request.policy.disclosure(role, index)
    found = living_there(index, query, request.today, cut)
    active = active_restrictions_now(request.audit)
    kept = withheld(request.audit, index, request.policy, active)
    found = [c for c in found if not kept.hides(c.address, c.postcode)]
    restricted = restricted_people(request.audit, index,
                                   (c.person_id for c in found), active)  # fmt: skip
    found = [
        withhold_candidate(c, kept) for c in found if c.person_id not in restricted
    ]
    result = households(query.postcode, found)
    listed = [c.person_id for c in result.people]
    shown = {"person_ids": listed, "count": len(listed), "restricted_ids": []}
    _record(request, "results_shown", shown)
    return result


def _check_restriction(
    request: AccessRequest, person_id: str, override: str, action: str
) -> dict[str, str]:
    """Refuse a restricted person without an override; record an override used.
    The restrictions in force, as read for this check (the rest of the request
    is cut by the same read)."""
    active = active_restrictions_now(request.audit)
    if person_id not in restricted_people(
        request.audit, request.index, [person_id], active
    ):
        return active
    data = {"action": action, "person_id": person_id,
            **_owners(request.index, [person_id])}  # fmt: skip
    if not override.strip():
        _deny(request, {**data, "restricted": True}, RestrictedRecord(
            RESTRICTED_MESSAGE + " To open it anyway, give a written reason; "
            "the override is recorded and reviewed."
        ))  # fmt: skip
    _record(request, "override", {**data, "override_reason": override.strip()})
    return active


def audited_family(
    request: AccessRequest, person_id: str, *, override: str = "",
    reopen: bool = False,
) -> FamilyView:  # fmt: skip
    """Open a family view cut to the role's visibility, recording every member;
    the linkage evidence it carries is of the records seen in full only.

    A restricted focus person needs ``override`` (a written reason, recorded as
    its own event); restricted relatives are shown only as placeholders.
    ``reopen``: the same session's page was reloaded on this view, recorded as a
    ``reopen`` event rather than a new ``family_opened``.
    """
    _require_worker(request, "family")
    active = _check_restriction(request, person_id, override, "family")
    index, role = request.index, request.actor.role
    cut = request.policy.disclosure(role, index)
    full = family_view(index, person_id, request.today, cut)
    hidden = restricted_people(request.audit, index,
                               (m.person_id for m in full.members), active)  # fmt: skip
    hidden.discard(person_id)
    view = view_for_role(full, role, request.policy)
    kept = withheld(request.audit, index, request.policy, active)
    members = tuple(redact_member(m) if m.person_id in hidden
                    else withhold_member(m, kept) for m in view.members)  # fmt: skip
    view = replace(view, members=members, who_to_call=who_to_call(list(members)))
    evidence = {pid: () if pid in hidden else found
                for pid, found in view.evidence.items()}  # fmt: skip
    view = replace(view, evidence=evidence)
    listed = [m.person_id for m in members]
    data = {"person_id": person_id, "member_ids": listed,
            "restricted_ids": sorted(hidden), "build_id": index.build_id,
            **_owners(index, [person_id, *listed])}  # fmt: skip
    if reopen:
        _record(request, "reopen", data)
    else:
        _record(request, "family_opened", data)
    return view


def audited_service_detail(
    request: AccessRequest, person_id: str, source: str, *, override: str = ""
) -> str | None:
    """One service's withheld detail on one person, recorded as service_opened.

    Refused unless the role sees this source's sensitivity in full and the
    source shares detail at all; at most its ``detail_limit`` involvements.
    """
    _require_worker(request, "service_detail")
    policy, index = request.policy, request.index
    asked = {"action": "service_detail", "source": source}
    age = Ages(index, request.today).of_person(owner_of(index, person_id))
    cut = policy.disclosure(request.actor.role, index)
    seen = seen_records(index, person_id, cut, request.today)
    shown = frozenset() if seen is None else seen.sources.get(person_id, frozenset())
    if cut.level(source, age) == "hidden" or source not in shown:
        _deny(request, {**asked, "why": "not_shown"}, AccessDenied(
            "That service is not shown for this person to your role."
        ))  # fmt: skip
    if policy.level(request.actor.role, source_sensitivity(index, source)) != "full":
        _deny(request, asked, AccessDenied(
            "Your role sees that this service is involved and whom to contact, "
            "not its detail. Contact the lead professional."
        ))  # fmt: skip
    limit = policy.detail_limit(source)
    if limit == 0:
        _deny(request, {**asked, "why": "source_shares_no_detail"}, AccessDenied(
            "This service shares only that it is involved and whom to contact. "
            "Contact the lead professional."
        ))  # fmt: skip
    _check_restriction(request, person_id, override, "service")
    data = {"person_id": person_id, "source": source, "build_id": index.build_id,
            **_owners(index, [person_id])}  # fmt: skip
    if limit > 1:
        data["detail_limit"] = limit
    _record(request, "service_opened", data)
    records = [r for r in seen.records if r["person_id"] == person_id]  # type: ignore[union-attr]
    return capped_detail(index, person_id, source, limit, records)


def sources_for(request: AccessRequest) -> dict[str, Source]:
    """The build's sources the role may see at all (trust labels, data problems,
    the summary's "data current as of"): a hidden one is not even named."""
    levels = request.policy.disclosure(request.actor.role, request.index).levels
    return {
        s.source: s
        for s in index_sources(request.index)
        if levels.get(s.source, "hidden") != "hidden"
    }


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
    require(audit_engine, actor, "audit", "audit_log")
    return read_events(audit_engine, limit)
