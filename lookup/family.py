"""The family view: a person, everyone linked to them, every service, whom to call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from core.errors import NotInIndexError
from lookup.evidence import RecordEvidence, family_evidence
from lookup.family_index import family_rows, person_row, record_rows
from lookup.index import LinkedIndex
from lookup.services import (
    Lead,
    ServiceStatus,
    Source,
    age_rule_text,
    configured_sources,
    latest_involvements,
    service_status,
)
from lookup.text import age_on, display_name


@dataclass(frozen=True)
class Member:
    """One person in the family view and what each service knows of them."""

    person_id: str
    name: str
    dob: date | None
    age: int | None
    relationship: str
    how_linked: str
    is_focus: bool
    address: str | None
    postcode: str | None
    possible_match: bool
    services: tuple[ServiceStatus, ...]
    hidden: tuple[str, ...]  # "Police: not shown for people under 18"


@dataclass(frozen=True)
class Contact:
    """A current involvement to phone about: who, for whom, since when."""

    person_id: str
    member_name: str
    relationship: str
    service: str
    lead: Lead
    since: date | None


@dataclass(frozen=True)
class FamilyView:
    """Everything the family page shows, who-to-call first."""

    build_id: str
    focus_id: str
    who_to_call: tuple[Contact, ...]
    members: tuple[Member, ...]
    #: person id -> why their records were linked, from the sources shown only
    evidence: Mapping[str, tuple[RecordEvidence, ...]] = field(default_factory=dict)


def _links(index: LinkedIndex, row: int) -> dict[int, tuple[list[str], list[str]]]:
    """people row -> (relationships, evidence) of everyone sharing a family with
    the person at ``row`` (focus first), in the family table's order."""
    fam = index.prepared_families
    links: dict[int, tuple[list[str], list[str]]] = {row: ([], [])}
    fm = index.family_members
    for r in family_rows(fam, row):
        member = int(fam.member_person[r])
        if member < 0:
            continue
        rels, evidence = links.setdefault(member, ([], []))
        _, _, relationship, why = fm.row(int(r))
        for values, value in ((rels, relationship), (evidence, why)):
            if value is not None and value not in values:
                values.append(value)
    return links


def _records(index: LinkedIndex, rows: np.ndarray) -> list[dict]:
    """The records of the people at ``rows``, as dicts (a family's handful)."""
    found = record_rows(index.prepared_families, rows)
    return [index.records.row(int(r), named=True) for r in found]


def person_records(index: LinkedIndex, person_id: str) -> list[dict]:
    """One person's records, as dicts (none if the person is not in the build)."""
    row = person_row(index.people["person_id"], person_id)
    return _records(index, np.array([row])) if row >= 0 else []


def person_sources(index: LinkedIndex, person_id: str) -> frozenset[str]:
    """The sources holding any record of the person (empty if not in the build)."""
    return frozenset(r["source"] for r in person_records(index, person_id))


def _member(
    person: dict,
    focus_id: str,
    statuses: list[ServiceStatus],
    hidden: list[str],
    flagged: set[str],
    today: date,
) -> Member:
    is_focus = person["person_id"] == focus_id
    relationship = "; ".join(person["relationship"]) or "Not recorded"
    return Member(
        person_id=person["person_id"],
        name=display_name(person["first_name"], person["last_name"]),
        dob=person["dob"],
        age=age_on(person["dob"], today),
        relationship=relationship,
        how_linked="Person searched for"
        if is_focus
        else "; ".join(person["evidence"]) or "Linked in the same family",
        is_focus=is_focus,
        address=person["address"],
        postcode=person["postcode"],
        possible_match=person["person_id"] in flagged,
        services=tuple(statuses),
        hidden=tuple(hidden),
    )


def _member_services(
    sources: list[Source],
    latest: dict[tuple[str, str], dict],
    pid: str,
    age: int | None,
) -> tuple[list[ServiceStatus], list[str]]:
    statuses: list[ServiceStatus] = []
    hidden: list[str] = []
    for src in sources:
        rule = age_rule_text(src, age)
        if rule:
            hidden.append(rule)
        else:
            statuses.append(service_status(src, latest.get((pid, src.source))))
    return statuses, hidden


def _people(index: LinkedIndex, links: dict, focus_id: str) -> list[dict]:
    """The linked people as dicts: the focus person first, then oldest first."""
    people = []
    for row, (rels, evidence) in links.items():
        person = index.people.row(row, named=True)
        flagged = bool(index.prepared_people.flagged[row])
        people.append(
            {**person, "relationship": rels, "evidence": evidence, "flagged": flagged}
        )
    born = [p["dob"].toordinal() if p["dob"] else 10**7 for p in people]
    order = sorted(
        range(len(people)),
        key=lambda i: (
            people[i]["person_id"] != focus_id,
            born[i],
            people[i]["person_id"],
        ),
    )
    return [people[i] for i in order]


def family_view(index: LinkedIndex, person_id: str, today: date) -> FamilyView:
    """The focus person, everyone sharing a family with them, and every service.

    Works through the family's own rows only (offsets built at load time); the
    few rows are handled as dicts because per-call frame overhead would dominate.
    """
    row = person_row(index.people["person_id"], person_id)
    if row < 0:
        raise NotInIndexError(
            "That person is not in the current index; search again, the index may "
            "have been rebuilt."
        )
    links = _links(index, row)
    people = _people(index, links, person_id)
    sources = configured_sources(index.source_loads)
    latest = latest_involvements(_records(index, np.fromiter(links, dtype=np.int64)))
    flagged = {p["person_id"] for p in people if p["flagged"]}
    members = []
    for person in people:
        age = age_on(person["dob"], today)
        statuses, hidden = _member_services(sources, latest, person["person_id"], age)
        members.append(_member(person, person_id, statuses, hidden, flagged, today))
    return FamilyView(
        build_id=index.build_id,
        focus_id=person_id,
        who_to_call=who_to_call(members),
        members=tuple(members),
    )


def who_to_call(members: list[Member]) -> tuple[Contact, ...]:
    """Every current involvement shown in the view, focus person first."""
    return tuple(
        Contact(
            person_id=m.person_id,
            member_name=m.name,
            relationship="Person searched for" if m.is_focus else m.relationship,
            service=s.service,
            lead=s.lead or Lead(),
            since=s.last_start,
        )
        for m in members
        for s in m.services
        if s.involvement == "Current"
    )


def service_detail(index: LinkedIndex, person_id: str, source: str) -> str | None:
    """The latest detail one service holds on one person (opened on request)."""
    record = latest_involvements(person_records(index, person_id)).get(
        (person_id, source)
    )
    return record["detail"] if record else None


def with_evidence(view: FamilyView, index: LinkedIndex) -> FamilyView:
    """``view`` with each member's linkage evidence from the services shown for
    them (none for a placeholder), so evidence never reveals a record the view
    itself leaves out."""
    shown = {m.person_id: {s.source for s in m.services} for m in view.members}
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    found = family_evidence(index.record_evidence, shown, services)
    return replace(view, evidence={pid: tuple(rs) for pid, rs in found.items()})
