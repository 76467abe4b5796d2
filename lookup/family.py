"""The family view: a person, everyone linked to them, every service, whom to call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core.errors import LookupInputError
from lookup.index import LinkedIndex
from lookup.services import (
    Lead,
    ServiceStatus,
    Source,
    age_rule_text,
    configured_sources,
    latest_by_source,
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


def _links(index: LinkedIndex, person_id: str) -> pl.DataFrame:
    """person_id, relationship and evidence of everyone sharing a family."""
    fm = index.family_members
    families = fm.filter(pl.col("person_id") == person_id)["family_id"]
    linked = fm.filter(pl.col("family_id").is_in(families.implode()))
    focus_only = pl.DataFrame(
        {"person_id": [person_id], "relationship": [None], "evidence": [None]},
        schema={"person_id": pl.Utf8, "relationship": pl.Utf8, "evidence": pl.Utf8},
    )
    return (
        pl.concat([focus_only, linked.select(focus_only.columns)])
        .group_by("person_id", maintain_order=True)
        .agg(
            pl.col("relationship").drop_nulls().unique(maintain_order=True),
            pl.col("evidence").drop_nulls().unique(maintain_order=True),
        )
    )


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


def family_view(index: LinkedIndex, person_id: str, today: date) -> FamilyView:
    """The focus person, everyone sharing a family with them, and every service."""
    if person_id not in set(index.people["person_id"]):
        raise LookupInputError(
            "That person is not in the current index; search again, the index may "
            "have been rebuilt."
        )
    links = _links(index, person_id)
    people = index.people.join(links, on="person_id").sort(
        pl.col("person_id") != person_id, "dob", nulls_last=True
    )
    sources = configured_sources(index.source_loads)
    latest = latest_by_source(index.records, people["person_id"])
    pm = index.possible_matches
    flagged = set(pm["person_a"]) | set(pm["person_b"])
    members = []
    for person in people.iter_rows(named=True):
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
    latest = latest_by_source(index.records, pl.Series([person_id]))
    record = latest.get((person_id, source))
    return record["detail"] if record else None
