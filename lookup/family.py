"""The family view: a person, everyone linked to them, every service, whom to call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from core.errors import NotInIndexError
from linkage.families import SEPARATOR
from lookup.disclosure import Disclosure
from lookup.disclosure_links import Split
from lookup.evidence import RecordEvidence
from lookup.index import LinkedIndex
from lookup.named_case import named_on_current_cases
from lookup.people_rows import people_row
from lookup.prepared import gather_ranges
from lookup.relationships import GroupRow, Relationship
from lookup.relationships_seen import member_relationships
from lookup.seen import Ages, Seen, aside_for, owner_of, records_of, seen_by
from lookup.services import (
    Lead,
    ServiceStatus,
    Source,
    age_rule_text,
    index_sources,
    latest_involvements,
    partly_shown,
    service_status,
)
from lookup.text import age_on, display_name

NOT_IN_INDEX = (
    "That person is not in the current index; search again, the index may have "
    "been rebuilt."
)


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
    #: what the relationship rests on: "stated", "derived", "inferred" ('' focus)
    relationship_basis: str = ""
    #: why: "Early Help: Noah recorded as Father in the family of Olivia"
    relationship_evidence: tuple[str, ...] = ()
    #: the relationship's kind (``lookup.relationships``: "parent", "sibling" …)
    relationship_kind: str = ""


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
    #: person id -> why their records were linked: only records the viewer sees
    #: in full (``lookup.seen``), none for a restricted placeholder
    evidence: Mapping[str, tuple[RecordEvidence, ...]] = field(default_factory=dict)


#: Which person a family row attaches to (people row, the sources it rests on):
#: a person id, or None when the row does not count for the viewer.
Attach = Callable[[int, str | None], str | None]


def _links(
    index: LinkedIndex, row: int, focus: str, attach: Attach
) -> tuple[dict[str, list[str]], list[tuple[int, GroupRow]], dict[str, int]]:
    """person id -> evidence of everyone sharing a family with ``focus`` (at
    people row ``row``; focus first), in the family table's order, the family
    rows themselves (people row, row) for ``lookup.relationships``, and each
    person's people row.

    Only rows ``attach(people row, sources)`` gives a person count, for that
    person (one made of records set aside for the viewer, say): a family the
    focus is in only through rows it refuses is not opened, and a member
    linked only by such rows is not linked."""
    fam = index.prepared_families
    fm = index.family_members
    mine = np.arange(*fam.member_bounds[row])
    mine = np.array([r for r in mine if attach(row, _sources(fm, int(r))) == focus],
                    dtype=int)  # fmt: skip
    codes = np.unique(fam.member_family[mine])
    links: dict[str, list[str]] = {focus: []}
    at = {focus: row}
    rows: list[tuple[int, GroupRow]] = []
    for r in np.sort(gather_ranges(fam.by_family, fam.family_offsets, codes)):
        member = int(fam.member_person[r])
        sources = _sources(fm, int(r))
        pid = None if member < 0 else attach(member, sources)
        if pid is None:
            continue
        evidence = links.setdefault(pid, [])
        at[pid] = member
        group, _, relationship, why = fm.row(int(r))[:4]
        rows.append((member, GroupRow(group, pid, relationship, sources or "", why)))
        if why is not None and why not in evidence:
            evidence.append(why)
    return links, rows, at


def _plain(index: LinkedIndex, disclosure: Disclosure, ages: Ages) -> Attach:
    """Rows resting on sources seen in full, each for its own person."""
    ids = index.people["person_id"]

    def attach(row: int, sources: str | None) -> str | None:
        return ids[row] if disclosure.rests_on_full(sources, ages(row)) else None

    return attach


def _resting_on_kept(
    index: LinkedIndex, found: Split, disclosure: Disclosure, ages: Ages,
) -> Attach:  # fmt: skip
    """Which family rows count when some of a person's services are set aside
    for the viewer (``lookup.disclosure_links``): as ever, only rows resting on
    sources seen in full; a row resting on sources set aside counts for the
    person those records are to the viewer when it rests on their records'
    sources alone (a tenancy of the housing record, say), else not at all."""
    split = {pid for pid, _ in found.aside}
    ids = index.people["person_id"]
    apart: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for aid, a in found.apart.items():
        mine = frozenset(s for s, _ in a.keys)
        apart.setdefault(a.person_id, []).append((aid, mine))

    def attach(row: int, sources: str | None) -> str | None:
        if not disclosure.rests_on_full(sources, ages(row)):
            return None
        pid = ids[row]
        if pid not in split:
            return pid
        if sources is None:
            return None
        resting = {s for s in sources.split(SEPARATOR) if s}
        if not any((pid, s) in found.aside for s in resting):
            return pid
        made = [aid for aid, mine in apart.get(pid, ()) if resting <= mine]
        return made[0] if len(made) == 1 else None

    return attach


def _sources(fm: pl.DataFrame, r: int) -> str | None:
    """The sources a family row rests on (None in builds that did not keep them)."""
    return fm["sources"][r] if "sources" in fm.columns else None


def person_records(index: LinkedIndex, person_id: str) -> list[dict]:
    """One person's records, as dicts (none if the person is not in the build)."""
    row = people_row(index, person_id)
    return records_of(index, np.array([row])) if row >= 0 else []


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
    relationship: Relationship | None,
) -> Member:
    is_focus = person["person_id"] == focus_id
    return Member(
        person_id=person["person_id"],
        name=display_name(person["first_name"], person["last_name"]),
        dob=person["dob"],
        age=age_on(person["dob"], today),
        relationship="Person searched for"
        if is_focus or relationship is None
        else relationship.label,
        how_linked="Person searched for"
        if is_focus
        else "; ".join(person["evidence"]) or "Linked in the same family",
        is_focus=is_focus,
        address=person["address"],
        postcode=person["postcode"],
        possible_match=person["person_id"] in flagged,
        services=tuple(statuses),
        hidden=tuple(hidden),
        relationship_basis="" if relationship is None else relationship.basis,
        relationship_evidence=() if relationship is None else relationship.evidence,
        relationship_kind="" if relationship is None else relationship.kind,
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
        if not rule or partly_shown(src, age):
            statuses.append(service_status(src, latest.get((pid, src.source))))
    return statuses, hidden


def _people(
    index: LinkedIndex, links: dict, at: dict[str, int], focus_id: str, seen: Seen
) -> list[dict]:
    """The linked people as dicts, as the viewer sees them: the focus person
    first, then oldest first."""
    people = []
    for pid, evidence in links.items():
        person = index.people.row(at[pid], named=True)
        person.update(seen.identity.get(pid, {}))
        flagged = seen.flagged(person["person_id"])
        people.append({**person, "evidence": evidence, "flagged": flagged})
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


def family_view(
    index: LinkedIndex,
    person_id: str,
    today: date,
    disclosure: Disclosure | None = None,
) -> FamilyView:
    """The focus person, everyone sharing a family with them, and every service,
    made only from what ``disclosure`` lets through (default: every source, age
    rules applied). A viewer who may see none of the person's services is told
    the person is not in the index, as for an unknown id.

    Works through the family's own rows only (offsets built at load time); the
    few rows are handled as dicts because per-call frame overhead would dominate.
    """
    row = people_row(index, person_id)
    owner = person_id
    if row < 0 and disclosure is not None:
        # records set aside for a viewer, opened as the person they are to them
        owner = owner_of(index, person_id)
        row = people_row(index, owner) if owner != person_id else -1
    if row < 0:
        raise NotInIndexError(NOT_IN_INDEX)
    sources = index_sources(index)
    viewer = disclosure is not None
    disclosure = disclosure or Disclosure.everything(sources)
    ages = Ages(index, today)
    links, rows, at = _links(index, row, owner, _plain(index, disclosure, ages))
    ages.know(at.values())
    records = records_of(index, np.fromiter(at.values(), dtype=np.int64))
    found = aside_for(index, records, disclosure, ages.of_person)
    ages.alias(found.apart)
    if owner != person_id and person_id not in found.apart:
        raise NotInIndexError(NOT_IN_INDEX)  # not set aside for this viewer
    if found.aside:
        links, rows, at = _links(
            index, row, person_id, _resting_on_kept(index, found, disclosure, ages)
        )
        ids = index.people["person_id"]
        kept = {ids[r] for r in at.values()}
        records = [r for r in records if r["person_id"] in kept]
    seen = seen_by(index, records, disclosure, ages.of_person, found)
    if viewer and not seen.sources.get(person_id):
        raise NotInIndexError(NOT_IN_INDEX)  # known only where the viewer can't see
    people = _people(index, links, at, person_id, seen)
    latest = latest_involvements(seen.shown_records)
    flagged = {p["person_id"] for p in people if p["flagged"]}
    related = member_relationships(
        person_id, people, [r for _, r in rows], seen.records, disclosure,
        ages.of_person,
        {s.source: s.service for s in sources},
    )  # fmt: skip
    members = []
    for person in people:
        pid = person["person_id"]
        statuses, hidden = _member_services(sources, latest, pid, ages.of_person(pid))
        member = _member(
            person, person_id, statuses, hidden, flagged, today, related.get(pid)
        )
        members.append(member)
    members = named_on_current_cases(members, [r for _, r in rows])
    return FamilyView(
        build_id=index.build_id,
        focus_id=person_id,
        who_to_call=who_to_call(members),
        members=tuple(members),
        evidence={m.person_id: seen.evidence.get(m.person_id, ()) for m in members},
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


def service_detail(
    index: LinkedIndex, person_id: str, source: str,
    records: list[dict] | None = None,
) -> str | None:  # fmt: skip
    """The latest detail one service holds on one person (opened on request);
    ``records``: the person's (default: their records in the build)."""
    if records is None:
        records = person_records(index, person_id)
    record = latest_involvements(records).get((person_id, source))
    return record["detail"] if record else None
