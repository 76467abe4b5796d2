"""What the facade returned, as response bodies: field for field, no cut of its own.

Everything here reads only what ``governance.access`` handed back (already cut to
the role, restricted people already placeholders); it adds the dashboard's own
wording (``lookup.labels``) and nothing else.
"""

from __future__ import annotations

import dataclasses

from api import models
from governance.restrictions import is_redacted, is_redacted_member
from lookup import family as fam
from lookup import search as srch
from lookup.address_search import AddressResult
from lookup.evidence import RecordEvidence, link_confidence
from lookup.labels import NO_INVOLVEMENT, as_of_text, none_found_line, problem_lines
from lookup.seen_results import SearchResult
from lookup.services import (
    Lead,
    ServiceStatus,
    Source,
    configured_sources,
    coverage_text,
)


def _lead(lead: Lead | None) -> models.Lead | None:
    return models.Lead(**dataclasses.asdict(lead)) if lead is not None else None


def service(s: ServiceStatus) -> models.Service:
    return models.Service(
        source=s.source,
        service=s.service,
        sensitivity=s.sensitivity,
        involvement=s.involvement,
        summary=s.summary,
        last_start=s.last_start,
        last_end=s.last_end,
        last_contact=s.last_contact,
        detail=s.detail,
        detail_withheld=s.detail_withheld,
        lead=_lead(s.lead),
        current_as_of=s.current_as_of,
        current_as_of_text=as_of_text(s),
        coverage=s.coverage,
        stale_since=s.stale_since,
        episodes=[
            models.Episode(start=e.start, end=e.end, current=e.current)
            for e in s.episodes
        ],
        none_found_text=none_found_line(s) if s.involvement == "None found" else None,
    )


def candidate(c: srch.Candidate) -> models.Candidate:
    return models.Candidate(
        person_id=c.person_id,
        restricted=is_redacted(c),
        score=c.score,
        confidence=c.confidence,
        first_name=c.first_name,
        last_name=c.last_name,
        dob=c.dob,
        age=c.age,
        address=c.address,
        postcode=c.postcode,
        previous_addresses=list(c.previous_addresses),
        nhs_number=c.nhs_number,
        upn=c.upn,
        case_numbers=list(c.case_numbers),
        known_to_services=c.n_services,
        possible_match=c.possible_match,
        matched_on=c.matched_on,
    )


def search_result(result: SearchResult, cap: int) -> models.SearchResult:
    """The dashboard's split: sure matches first, then the possible-match band;
    and, when more people fit than are listed, the dashboard's prompt."""
    found = result.candidates
    return models.SearchResult(
        count=len(found),
        cap=cap,
        capped=len(found) >= cap,
        fitting=result.fitting,
        prompt=result.prompt or None,
        results=[candidate(c) for c in found if not c.possible_match],
        possible_matches=[candidate(c) for c in found if c.possible_match],
    )


def address_result(result: AddressResult) -> models.AddressResult:
    """The dashboard's households, each with its residents' cards."""
    return models.AddressResult(
        postcode=result.postcode,
        count=len(result.people),
        households=[
            models.Household(
                address=h.address, residents=[candidate(c) for c in h.residents]
            )
            for h in result.households
        ],
    )


def _person_fields(m: fam.Member) -> dict:
    return dict(
        person_id=m.person_id,
        restricted=is_redacted_member(m),
        name=m.name,
        dob=m.dob,
        age=m.age,
        relationship=m.relationship,
        how_linked=m.how_linked,
        is_focus=m.is_focus,
        address=m.address,
        postcode=m.postcode,
        possible_match=m.possible_match,
        hidden=list(m.hidden),
    )


def focus(view: fam.FamilyView) -> fam.Member:
    return next(m for m in view.members if m.is_focus)


def person(view: fam.FamilyView) -> models.Person:
    return models.Person(**_person_fields(focus(view)))


def services(view: fam.FamilyView) -> models.Services:
    m = focus(view)
    by = {
        kind: [service(s) for s in m.services if s.involvement == kind]
        for kind in ("Current", "Named on a current case", "Historic", "None found",
                     "Not available")
    }  # fmt: skip
    named = by["Named on a current case"]
    shown = by["Current"] or named or by["Historic"] or by["Not available"]
    return models.Services(
        person_id=m.person_id,
        current=by["Current"],
        named_on_current_case=named,
        historic=by["Historic"],
        none_found=by["None found"],
        not_available=by["Not available"],
        hidden=list(m.hidden),
        summary=None if shown else NO_INVOLVEMENT,
    )


def _contacts(view: fam.FamilyView) -> list[models.Contact]:
    statuses = {(m.person_id, s.service): s for m in view.members for s in m.services}
    out = []
    for c in view.who_to_call:
        s = statuses.get((c.person_id, c.service))
        out.append(
            models.Contact(
                person_id=c.person_id,
                member_name=c.member_name,
                relationship=c.relationship,
                service=c.service,
                lead=_lead(c.lead) or models.Lead(),
                since=c.since,
                current_as_of=s.current_as_of if s else None,
                stale_since=s.stale_since if s else None,
            )
        )
    return out


def source_warnings(sources: list[Source]) -> list[str]:
    """The dashboard's "Some data is out of date or missing" lines."""
    return problem_lines({s.source: s for s in sources})


def who_to_call(view: fam.FamilyView, sources: list[Source]) -> models.WhoToCall:
    return models.WhoToCall(
        person_id=view.focus_id,
        contacts=_contacts(view),
        source_warnings=source_warnings(sources),
    )


def _records(records: tuple[RecordEvidence, ...]) -> list[models.RecordEvidence]:
    return [
        models.RecordEvidence(
            source=r.source, service=r.service, record_id=r.record_id,
            probability=r.probability, linked_unseen=r.unseen,
            fields=[models.FieldEvidence(**dataclasses.asdict(f)) for f in r.fields],
        )
        for r in records
    ]  # fmt: skip


def member(m: fam.Member, records: tuple[RecordEvidence, ...]) -> models.Member:
    """A member with their services and why their records were linked."""
    redacted = is_redacted_member(m)
    no_records = redacted or not records
    return models.Member(
        **_person_fields(m),
        relationship_basis="" if redacted else m.relationship_basis,
        relationship_evidence=[] if redacted else list(m.relationship_evidence),
        services=[service(s) for s in m.services],
        link_confidence="No linkage details held" if no_records
        else link_confidence(list(records)),
        records=_records(records),
    )  # fmt: skip


def family(view: fam.FamilyView, sources: list[Source]) -> models.Family:
    members = [member(m, view.evidence.get(m.person_id, ())) for m in view.members]
    return models.Family(
        build_id=view.build_id,
        focus_id=view.focus_id,
        who_to_call=_contacts(view),
        members=members,
        source_warnings=source_warnings(sources),
    )


def _status(src: Source) -> str:
    if src.stale_since is not None:
        return "out_of_date"
    return "up_to_date" if src.ok else "not_loaded"


def sources(build_id: str, loads) -> models.Sources:  # noqa: ANN001 (a polars frame)
    """Each configured source, how current, what it covers (no personal data)."""
    found = configured_sources(loads)
    return models.Sources(
        build_id=build_id,
        sources=[
            models.SourceInfo(
                source=s.source,
                service=s.service,
                sensitivity=s.sensitivity,
                status=_status(s),
                current_as_of=s.extract_date,
                stale_since=s.stale_since,
                coverage=coverage_text(s),
                age_min=s.age_min,
                age_max=s.age_max,
            )
            for s in found
        ],
        problems=source_warnings(found),
    )
