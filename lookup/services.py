"""One person's involvement with one service, worded so a blank is never shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

import polars as pl

from lookup.index import LinkedIndex
from lookup.per_index import per_index
from lookup.text import long_date, month_year

Involvement = Literal[
    "Current", "Named on a current case", "Historic", "None found", "Not available"
]


@dataclass(frozen=True)
class Source:
    """A configured service as loaded in this build, with its trust labels."""

    source: str
    service: str
    sensitivity: str
    extract_date: date | None
    coverage_from: date | None
    coverage_area: str | None
    age_min: int | None
    age_max: int | None
    ok: bool  # this build holds records for the source (fresh or a stale snapshot)
    stale_since: date | None = None  # set when loads fail and a snapshot stands in
    failure: str = ""  # why the latest load failed, in plain words ('' if it did not)
    #: roles (lower case) shown whatever the age: "child present", "victim"
    any_age_roles: tuple[str, ...] = ()

    def any_age(self, role: str | None) -> bool:
        """Is a record of this role shown whatever the person's age?"""
        return bool(role) and role.strip().lower() in self.any_age_roles


@dataclass(frozen=True)
class Lead:
    """The lead professional: the person to phone."""

    name: str | None = None
    role: str | None = None
    team: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def who(self) -> str:
        """'Pat Lee, Social worker, Team East' ('' when none of them is recorded)."""
        return ", ".join(p for p in (self.name, self.role, self.team) if p)


@dataclass(frozen=True)
class Incident:
    """One incident a person is recorded in: when, what, and their role in it."""

    on: date | None
    kind: str | None  # the record's detail: "Domestic abuse (high risk)"
    role: str | None  # "Child present", "Victim", "Suspect" …


class Episode(NamedTuple):
    """One involvement of a service with a person."""

    start: date | None
    end: date | None
    current: bool


@dataclass(frozen=True)
class ServiceStatus:
    """What one service knows of one person, with trust labels."""

    source: str
    service: str
    sensitivity: str
    involvement: Involvement
    summary: str  # "Current since 3 March 2026" / "No record in Housing data since …"
    last_start: date | None
    last_end: date | None
    last_contact: date | None
    detail: str | None
    detail_withheld: bool  # sensitive detail is opened on request (and audited)
    lead: Lead | None
    current_as_of: date | None
    coverage: str
    stale_since: date | None = None  # the source's loads have failed since then
    #: Every involvement this service recorded, oldest first: (start, end, current).
    episodes: tuple[Episode, ...] = ()
    #: The incidents the person is recorded in, newest first (a source mapping
    #: a role column), as far as the viewer may see them
    incidents: tuple[Incident, ...] = ()
    #: what the viewer is told of incidents beyond the source's detail_limit
    #: ("and 4 earlier incidents", "Earlier incidents: yes"); '' when none
    incidents_beyond: str = ""


def _limit(value: int | None) -> int | None:
    return None if value is None or value < 0 else int(value)


def configured_sources(source_loads: pl.DataFrame) -> list[Source]:
    """The build's sources in configured order (one per source load row).

    A stale source (its latest load failed, its last good snapshot stands in)
    counts as loaded, dated by the snapshot and marked with ``stale_since``.
    """
    return [
        Source(
            source=r["source"],
            service=r["service"],
            sensitivity=r["sensitivity"],
            extract_date=r.get("current_as_of") or r["extract_date"],
            coverage_from=r["coverage_from"],
            coverage_area=r["coverage_area"],
            age_min=_limit(r["age_min"]),
            age_max=_limit(r["age_max"]),
            ok=bool(r["ok"]) or bool(r.get("stale")),
            stale_since=r.get("stale_since") if r.get("stale") else None,
            failure="" if r["ok"] else r.get("failure") or "",
            any_age_roles=tuple(
                x for x in (r.get("age_any_roles") or "").split(";") if x
            ),
        )
        for r in source_loads.iter_rows(named=True)
    ]


def index_sources(index: LinkedIndex) -> list[Source]:
    """``configured_sources`` of the index's source loads, made once per index
    (a request asks for them several times)."""
    made = per_index(index, "configured_sources",
                     lambda: tuple(configured_sources(index.source_loads)))  # fmt: skip
    return list(made)


def stale_text(src: Source) -> str | None:
    """'Housing data is from 1 May 2026: newer extracts have failed since 3 May'."""
    if src.stale_since is None:
        return None
    as_of = long_date(src.extract_date) or "an earlier load"
    why = f" ({src.failure})" if src.failure else ""
    return (
        f"{src.service} data is from {as_of}: "
        f"newer extracts have failed since {long_date(src.stale_since)}{why}"
    )


def age_rule_text(src: Source, age: int | None) -> str | None:
    """'Police: not shown for people under 18' when the age rule hides the service
    (for a source with roles shown at any age, what it still shows)."""
    if age is None:
        return None
    if src.age_min is not None and age < src.age_min:
        return _partly(src, f"people under {src.age_min}")
    if src.age_max is not None and age > src.age_max:
        return _partly(src, f"people over {src.age_max}")
    return None


def _partly(src: Source, who: str) -> str:
    if not src.any_age_roles:
        return f"{src.service}: not shown for {who}"
    *rest, last = src.any_age_roles
    roles = f"{', '.join(rest)} or {last}" if rest else last
    return (f"{src.service}: for {who}, only incidents where they were recorded as "
            f"{roles} are shown")  # fmt: skip


def partly_shown(src: Source, age: int | None) -> bool:
    """Does the age rule leave this source shown in part (roles at any age)?"""
    return bool(src.any_age_roles) and age_rule_text(src, age) is not None


def newest_first(record: dict) -> tuple:
    """Sort key: current first, then latest start, then latest end (unknown last)."""
    start, end = record["involvement_start"], record["involvement_end"]
    return (
        bool(record["involvement_current"]),
        start is not None,
        start or date.min,
        end is not None,
        end or date.min,
    )


def _episodes(group: list[dict]) -> tuple[Episode, ...]:
    """Distinct involvements, oldest first (undated last)."""
    found = {
        Episode(r["involvement_start"], r["involvement_end"],
                bool(r["involvement_current"]))
        for r in group
    }  # fmt: skip
    return tuple(
        sorted(found, key=lambda e: (e.start is None, e.start or date.min,
                                     e.end or date.max))
    )  # fmt: skip


def _incidents(group: list[dict]) -> tuple[Incident, ...]:
    """Records giving the person's role in an event, newest first (undated last)."""
    held = [r for r in group if r.get("role")]
    start = "involvement_start"
    held.sort(key=lambda r: (r[start] is not None, r[start] or date.min), reverse=True)
    return tuple(Incident(r["involvement_start"], r["detail"], r["role"]) for r in held)


def latest_involvements(records: Iterable[dict]) -> dict[tuple[str, str], dict]:
    """Per (person, source): the latest involvement, current ones first, with the
    last contact across all of them (``contact``) and whether any is current."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for record in records:
        groups.setdefault((record["person_id"], record["source"]), []).append(record)
    latest = {}
    for key, group in groups.items():
        best = max(group, key=newest_first)
        contacts = [r["last_contact"] for r in group if r["last_contact"]]
        latest[key] = {
            **best,
            "episodes": _episodes(group),
            "incidents": _incidents(group),
            "involvement_current": bool(best["involvement_current"]),
            "contact": max(contacts, default=None),
            "any_current": any(r["involvement_current"] for r in group),
        }
    return latest


def coverage_text(src: Source) -> str:
    """'Demo borough, since April 2014' — the period and area the data covers."""
    since = f"since {month_year(src.coverage_from)}" if src.coverage_from else ""
    parts = [p for p in (src.coverage_area or "", since) if p]
    return ", ".join(parts) or "Coverage not stated"


def none_found_text(src: Source) -> str:
    """'No record in Housing data since April 2014' (never a blank)."""
    text = f"No record in {src.service} data"
    return (
        f"{text} since {month_year(src.coverage_from)}" if src.coverage_from else text
    )


def _summary(record: dict) -> str:
    start, end = record["involvement_start"], record["involvement_end"]
    if record["involvement_current"]:
        return f"Current since {long_date(start)}" if start else "Current"
    if start and end:
        if start == end:
            return f"Historic: on {long_date(start)}"
        return f"Historic: {long_date(start)} to {long_date(end)}"
    if end:
        return f"Historic: ended {long_date(end)}"
    if start:
        return f"Historic: started {long_date(start)}"
    # e.g. a parent named on their child's case: known to the service, but the
    # extract gives them no involvement of their own
    return "Named in this service's records, with no involvement dates"


def _lead(record: dict) -> Lead | None:
    keys = ("name", "role", "team", "phone", "email")
    lead = Lead(**{k: record[f"lead_{k}"] for k in keys})
    return lead if any(getattr(lead, k) for k in keys) else None


def service_status(src: Source, record: dict | None) -> ServiceStatus:
    """Current / Historic / None found (or Not available if the load failed)."""
    base = {
        "source": src.source,
        "service": src.service,
        "sensitivity": src.sensitivity,
        "current_as_of": src.extract_date,
        "coverage": coverage_text(src),
        "stale_since": src.stale_since,
    }
    if record is None:
        missing: Involvement = "None found" if src.ok else "Not available"
        summary = (
            none_found_text(src)
            if src.ok
            else f"{src.service} data could not be loaded in the latest build; "
            f"ask {src.service} directly"
        )
        return ServiceStatus(
            **base, involvement=missing, summary=summary, last_start=None,
            last_end=None, last_contact=None, detail=None, detail_withheld=False,
            lead=None,
        )  # fmt: skip
    withheld = src.sensitivity != "standard" and bool(record["detail"])
    base["current_as_of"] = src.extract_date or record["extract_date"]
    return ServiceStatus(
        **base,
        involvement="Current" if record["involvement_current"] else "Historic",
        summary=_summary(record),
        last_start=record["involvement_start"],
        last_end=record["involvement_end"],
        last_contact=record["contact"],
        detail=None if withheld else record["detail"],
        detail_withheld=withheld,
        lead=_lead(record),
        episodes=record["episodes"],
        incidents=record.get("incidents", ()),
    )
