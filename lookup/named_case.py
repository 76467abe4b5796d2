"""'Named on a current case': a person a service's records name without an
involvement of their own (a parent on their child's case), while the case that
names them is open.

A family group of the service (``family:`` or a stated pair) holding both the
person and someone whose involvement with that service is current says which
case; the state then names that person and gives the case's lead to call.
"""

from __future__ import annotations

from dataclasses import replace

from lookup.relationships import GroupRow
from lookup.services import ServiceStatus
from lookup.text import long_date

#: Family ids of the groups a service's case makes (``linkage.families``).
CASE_GROUPS = ("family:", "pair:")
NAMED = "Named on a current case"


def _undated(s: ServiceStatus) -> bool:
    return s.involvement == "Historic" and s.last_start is None and s.last_end is None


def _current_on_cases(
    rows: list[GroupRow], current: dict[tuple[str, str], ServiceStatus]
) -> dict[tuple[str, str], tuple[str, ServiceStatus]]:
    """(person, source) -> (whose case, their current status) for everyone in a
    case group of that source with someone current in it."""
    groups: dict[str, list[GroupRow]] = {}
    for r in rows:
        if r.group.startswith(CASE_GROUPS):
            groups.setdefault(r.group, []).append(r)
    out: dict[tuple[str, str], tuple[str, ServiceStatus]] = {}
    for members in groups.values():
        sources = {s for r in members for s in r.sources.split(";") if s}
        for r in members:
            for other in members:
                for source in sources:
                    found = current.get((other.person_id, source))
                    if found and other.person_id != r.person_id:
                        out.setdefault((r.person_id, source), (other.person_id, found))
    return out


def named_on_current_cases(members: list, rows: list[GroupRow]) -> list:
    """``members`` with each undated, not-current service state that a current
    case of the same service names made "Named on a current case"."""
    current = {(m.person_id, s.source): s for m in members for s in m.services
               if s.involvement == "Current"}  # fmt: skip
    cases = _current_on_cases(rows, current)
    names = {m.person_id: m.name for m in members}
    out = []
    for m in members:
        services = []
        for s in m.services:
            case = cases.get((m.person_id, s.source)) if _undated(s) else None
            if case is None:
                services.append(s)
                continue
            whose, status = case
            since = long_date(status.last_start)
            summary = f"Named on {names.get(whose, 'a family member')}'s current case"
            services.append(replace(
                s, involvement=NAMED,
                summary=summary + (f" (open since {since})" if since else ""),
                lead=s.lead or status.lead,
            ))  # fmt: skip
        out.append(replace(m, services=tuple(services)))
    return out
