"""The inputs of ``lookup.relationships`` for one family view, from what the
viewer sees in full: the family rows kept (stated pairs such as a mother and
her child are family rows of their own, ``linkage.families``), each member's
name, sex and age, and where each member shares a home with the person searched
for (only on home groups both are in: a member taken into a family from a
child's home lives with the child, not with every adult on the child's case)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from linkage.families import LIVES_WITH_CHILD
from lookup.disclosure import Disclosure
from lookup.relationships import GroupRow, Household, Person, Relationship, Shares
from lookup.relationships import relationships as derive
from lookup.text import display_name

#: Family ids of household and address groups (``linkage.families``).
HOME_GROUPS = ("household:", "address:")


def _full(
    records: Iterable[dict], disclosure: Disclosure, age: Callable[[str], int | None]
) -> list[dict]:
    return [r for r in records if disclosure.full(r["source"], age(r["person_id"]))]


def _since(records: list[dict], sources: set[str]) -> date | None:
    """The earliest date a home's sources have the member there (a tenancy's
    start, a record at the address)."""
    dates = [r["involvement_start"] or r["last_contact"] for r in records
             if r["source"] in sources]  # fmt: skip
    return min((d for d in dates if d), default=None)


def _shares(theirs: list[GroupRow]) -> tuple[Shares, list[GroupRow]]:
    """What a member's rows in the focus person's groups say they share, and
    the rows saying it: a home group (one the focus person is in too), else a
    child's home the family took them in from (which the focus person need not
    live in: a father named on the child's case), else only the family."""
    homes = [r for r in theirs if r.group.startswith(HOME_GROUPS)]
    if homes:
        return "home", homes
    with_child = [r for r in theirs if (r.evidence or "").startswith(LIVES_WITH_CHILD)]
    return ("child_home", with_child) if with_child else ("family", theirs)


def households(
    focus: str, rows: list[GroupRow], records: list[dict], services: Mapping[str, str]
) -> dict[str, Household]:
    """Per member, what they share with ``focus`` beyond a stated relationship:
    a home only on rows placing both in one home group."""
    mine = {r.group for r in rows if r.person_id == focus}
    out: dict[str, Household] = {}
    by_person: dict[str, list[GroupRow]] = {}
    for r in rows:
        if r.person_id != focus and r.group in mine:
            by_person.setdefault(r.person_id, []).append(r)
    for pid, theirs in by_person.items():
        shares, used = _shares(theirs)
        srcs = sorted({s for r in used for s in r.sources.split(";") if s})
        own = [r for r in records if r["person_id"] == pid]
        out[pid] = Household(
            shares=shares,
            since=_since(own, set(srcs)) if shares == "home" else None,
            services=tuple(dict.fromkeys(services.get(s, s) for s in srcs)),
            sources=tuple(srcs),
        )
    return out


def member_relationships(
    focus: str,
    people: list[dict],
    rows: list[GroupRow],
    records: list[dict],
    disclosure: Disclosure,
    age: Callable[[str], int | None],
    services: Mapping[str, str],
) -> dict[str, Relationship]:
    """Each member's relationship to ``focus`` from what the viewer sees in full."""
    full = _full(records, disclosure, age)
    persons = {
        p["person_id"]: Person(
            p["first_name"] or display_name(p["first_name"], p["last_name"]),
            p.get("sex"),
            age(p["person_id"]),
        )
        for p in people
    }
    return derive(
        focus, rows, persons, services, households(focus, rows, full, services)
    )
