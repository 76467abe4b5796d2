"""Each family member's relationship to the person searched for, with its basis.

Three steps, strongest first:

1. **Stated**: what a source says of the two people directly: one is the lead
   of a household and the other their "Son"; one is "Mother" and the other a
   "Child" of one family (``lookup.kin_words``); a stated pair such as
   ``mother_of:<case>`` is a family of two (``linkage.families``).
2. **Derived** through the family graph: the lead tenant's two children are
   siblings, the partner of my mother is "Mother's partner", the mother of my
   mother a grandparent, the father of my sibling "Sibling's father".
3. **Inferred** where nothing states it, honestly: "Adult in the household since
   2022, relationship not recorded", "Child named in the same Early Help family,
   relationship not recorded".

Only the family rows and records the viewer sees in full are passed in, so a
relationship never rests on a source the viewer may not see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from lookup.kin_words import Term, label, term, word_sex

Basis = Literal["stated", "derived", "inferred"]
#: What the focus person shares with a member where nothing states how they are
#: related: a home, a home of a child of the family (the member lives with the
#: child; the focus person may not), or only a family group.
Shares = Literal["home", "child_home", "family"]
ADULT_YEARS = 18
#: Fact kinds "a is K of b", most specific first (the first stated one wins).
KINDS = ("parent", "step_parent", "carer", "grandparent", "partner", "sibling")
_ADULT_TERMS = {"parent", "step_parent", "carer", "grandparent"}
_CHILD_TERMS = {"child", "stepchild"}
#: An anchored group's word for the member -> fact (member is K of the lead),
#: or, for the words after ``_INVERSE``, (the lead is K of the member).
_OF_LEAD: dict[Term, str] = {
    "parent": "parent", "step_parent": "step_parent", "carer": "carer",
    "grandparent": "grandparent", "partner": "partner", "sibling": "sibling",
}  # fmt: skip
_LEAD_OF: dict[Term, str] = {
    "child": "parent",
    "stepchild": "step_parent",
    "grandchild": "grandparent",
}
#: The inverse relationship kind: a is K of b -> b is INVERSE[K] of a.
INVERSE = {
    "parent": "child", "step_parent": "stepchild", "carer": "in_care_of",
    "grandparent": "grandchild", "partner": "partner", "sibling": "sibling",
}  # fmt: skip


@dataclass(frozen=True)
class GroupRow:
    """One person in one family or household group, as the family table has it."""

    group: str  # family_id: "family:…", "household:…", "address:#…"
    person_id: str
    role: str | None  # the source's word for their role in the group
    sources: str  # ";"-joined sources the row rests on
    evidence: str | None = None  # how the row links them ("Housing household" …)


@dataclass(frozen=True)
class Person:
    """What the derivation needs of a member: name, sex and age."""

    name: str
    sex: str | None
    age: int | None


@dataclass(frozen=True)
class Relationship:
    """A member's relationship to the focus person and what it rests on."""

    label: str  # "Mother", "Mother's partner", "Adult in the household since 2022, …"
    kind: str  # "parent", "parent_partner", "household_adult" … (``KIND_OF``)
    basis: Basis
    evidence: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Fact:
    kind: str  # a is KIND of b
    why: str
    sources: frozenset[str]
    sex: str | None = None  # of a, as the source's word says ("Mother": F)


@dataclass
class _Graph:
    facts: dict[tuple[str, str], list[_Fact]] = field(default_factory=dict)

    def add(
        self, a: str, kind: str, b: str, why: str, sources: Iterable[str],
        sex: str | None = None,
    ) -> None:  # fmt: skip
        if a != b:
            fact = _Fact(kind, why, frozenset(sources), sex)
            self.facts.setdefault((a, b), []).append(fact)

    def of(self, a: str, kind: str) -> set[str]:
        """Everyone ``a`` is ``kind`` of (``partner`` and ``sibling`` both ways)."""
        out = {b for (x, b), fs in self.facts.items() if x == a
               and any(f.kind == kind for f in fs)}  # fmt: skip
        if kind in ("partner", "sibling"):
            out |= {x for (x, b), fs in self.facts.items() if b == a
                    and any(f.kind == kind for f in fs)}  # fmt: skip
        return out

    def whose(self, b: str, kind: str) -> set[str]:
        """Everyone who is ``kind`` of ``b``."""
        out = {a for (a, y), fs in self.facts.items() if y == b
               and any(f.kind == kind for f in fs)}  # fmt: skip
        return out | (self.of(b, kind) if kind in ("partner", "sibling") else set())

    def between(self, a: str, b: str) -> list[_Fact]:
        return self.facts.get((a, b), [])


def _service(sources: str, services: Mapping[str, str]) -> str:
    names = [services.get(s, s) for s in sources.split(";") if s]
    return " and ".join(dict.fromkeys(names)) or "A source"


def _from_groups(
    rows: Iterable[GroupRow], people: Mapping[str, Person],
    services: Mapping[str, str], graph: _Graph,
) -> None:  # fmt: skip
    by_group: dict[str, list[GroupRow]] = {}
    for r in rows:
        by_group.setdefault(r.group, []).append(r)
    for members in by_group.values():
        terms = {r.person_id: term(r.role) for r in members}
        leads = [r for r in members if terms[r.person_id][0] == "lead"]
        if len(leads) == 1:
            _anchored(leads[0], members, terms, people, services, graph)
        elif not leads:
            _family_roles(members, terms, people, services, graph)


def _name(people: Mapping[str, Person], pid: str) -> str:
    p = people.get(pid)
    return p.name if p else "another member"


def _anchored(
    lead: GroupRow, members: list[GroupRow], terms: dict, people: Mapping,
    services: Mapping[str, str], graph: _Graph,
) -> None:  # fmt: skip
    """A household with one lead: everyone's word is their relationship to them."""
    for r in members:
        t, _ = terms[r.person_id]
        if r is lead or t is None:
            continue
        srcs = {*lead.sources.split(";"), *r.sources.split(";")} - {""}
        why = (f"{_service(r.sources, services)}: {_name(people, r.person_id)} "
               f"recorded as {r.role} of {_name(people, lead.person_id)} "
               f"({lead.role})")  # fmt: skip
        if t in _OF_LEAD:
            sex = word_sex(r.role)
            graph.add(r.person_id, _OF_LEAD[t], lead.person_id, why, srcs, sex)
        elif t in _LEAD_OF:
            graph.add(lead.person_id, _LEAD_OF[t], r.person_id, why, srcs)


def _family_roles(
    members: list[GroupRow], terms: dict, people: Mapping,
    services: Mapping[str, str], graph: _Graph,
) -> None:  # fmt: skip
    """A family without a lead: adults' words are their roles to the children."""
    adults = [r for r in members if terms[r.person_id][0] in _ADULT_TERMS]
    kids = [r for r in members if terms[r.person_id][0] in _CHILD_TERMS]
    # a "Sibling" of the family is a sibling of its children
    siblings = [r for r in members if terms[r.person_id][0] == "sibling"]
    for a in adults + siblings:
        kind = terms[a.person_id][0]
        for c in kids:
            srcs = {*a.sources.split(";"), *c.sources.split(";")} - {""}
            why = (f"{_service(a.sources, services)}: {_name(people, a.person_id)} "
                   f"recorded as {a.role} in the family of "
                   f"{_name(people, c.person_id)}")  # fmt: skip
            graph.add(a.person_id, kind, c.person_id, why, srcs, word_sex(a.role))


def _direct(graph: _Graph, focus: str, pid: str) -> tuple[str, list[_Fact]] | None:
    """The most specific stated relationship of ``pid`` to ``focus``."""
    found = [(f.kind, f) for f in graph.between(pid, focus)]
    found += [(INVERSE[f.kind], f) for f in graph.between(focus, pid)]
    if not found:
        return None
    order = [*KINDS, *INVERSE.values()]
    best = min(found, key=lambda kf: order.index(kf[0]))[0]
    return best, [f for k, f in found if k == best]


@dataclass(frozen=True)
class _Derived:
    kind: str
    label: str
    via: tuple[str, ...]  # people the derivation passes through


def _other_parents(graph: _Graph, child: str, besides: str) -> set[str]:
    return graph.whose(child, "parent") - {besides}


def _derived(graph: _Graph, focus: str, pid: str, people: Mapping) -> _Derived | None:
    """A relationship through one other member (the first rule that applies)."""
    sex = people[pid].sex if pid in people else None
    parents = graph.whose(focus, "parent")
    for x in sorted(parents & graph.whose(pid, "parent")):
        mine, theirs = _other_parents(graph, focus, x), _other_parents(graph, pid, x)
        half = bool(mine and theirs and not mine & theirs)
        kind = "half_sibling" if half else "sibling"
        return _Derived(kind, label(kind, sex), (x,))
    for x in sorted(parents & graph.of(pid, "partner")):
        whose = label("parent", people[x].sex if x in people else None)
        return _Derived("parent_partner", f"{whose}'s partner", (x,))
    for x in sorted(parents & graph.of(pid, "parent")):
        return _Derived("grandparent", label("grandparent", sex), (x,))
    for x in sorted(p for p in parents if pid in _siblings(graph, p)):
        return _Derived("aunt_uncle", label("aunt_uncle", sex), (x,))
    mine = graph.of(focus, "parent")
    for x in sorted(mine & graph.whose(pid, "parent")):
        return _Derived("grandchild", label("grandchild", sex), (x,))
    for x in sorted(mine & graph.of(pid, "parent")):
        return _Derived("co_parent", f"Other parent of {_name(people, x)}", (x,))
    for x in sorted(graph.of(focus, "partner") & graph.whose(pid, "parent")):
        child = label("child", sex).lower()
        return _Derived("partner_child", f"Partner's {child}", (x,))
    return None


def _siblings(graph: _Graph, focus: str) -> set[str]:
    """The focus person's siblings, stated or through a shared parent."""
    out = graph.of(focus, "sibling")
    for x in graph.whose(focus, "parent"):
        out |= graph.of(x, "parent")
    return out - {focus}


def _sibling_parent(
    graph: _Graph, focus: str, pid: str, people: Mapping
) -> _Derived | None:
    for x in sorted(_siblings(graph, focus) & graph.of(pid, "parent")):
        sex = people[pid].sex if pid in people else None
        return _Derived("sibling_parent",
                        f"Sibling's {label('parent', sex).lower()}", (x,))  # fmt: skip
    return None


def _facts_on_path(graph: _Graph, path: tuple[str, ...]) -> list[_Fact]:
    return [f for i, a in enumerate(path) for b in path[i + 1:]
            for f in graph.between(a, b) + graph.between(b, a)]  # fmt: skip


@dataclass(frozen=True)
class Household:
    """What the focus person shares with a member beyond any stated relationship
    (``Shares``; ``since``: the member's earliest record at the home), with the
    services that say so."""

    shares: Shares
    since: date | None
    services: tuple[str, ...]
    sources: tuple[str, ...]


#: An inference's words by what is shared: (kind prefix, label, evidence);
#: ``who`` is "Adult" or "Child", ``services`` "A and B", ``listed`` "A, B".
_INFERRED: dict[Shares, tuple[str, str, str]] = {
    "home": ("household_", "{who} in the household{since}",
             "Lives at the same address ({listed})"),
    "child_home": ("child_home_", "{who} living with a child of the family",
                   "Lives with a child of this family ({listed})"),
    "family": ("family_", "{who} named in the same {services} family",
               "Named in one family by {listed}"),
}  # fmt: skip


def inferred(person: Person, shared: Household | None) -> Relationship:
    """'Adult in the household since 2022, relationship not recorded'."""
    adult = person.age is None or person.age >= ADULT_YEARS
    who = "Adult" if adult else "Child"
    if shared is None:
        text = f"{who} linked in the same family, relationship not recorded"
        return Relationship(text, "family_" + who.lower(), "inferred")
    kind, text, why = _INFERRED[shared.shares]
    words = {
        "who": who,
        "since": f" since {shared.since.year}" if shared.since else "",
        "services": " and ".join(shared.services),
        "listed": ", ".join(shared.services),
    }
    said = text.format(**words) + ", relationship not recorded"
    return Relationship(said, kind + who.lower(), "inferred",
                        (why.format(**words),), shared.sources)  # fmt: skip


def _evidence(facts: list[_Fact]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    why = tuple(dict.fromkeys(f.why for f in facts))
    return why, tuple(sorted({s for f in facts for s in f.sources}))


def relationships(
    focus: str,
    rows: Iterable[GroupRow],
    people: Mapping[str, Person],
    services: Mapping[str, str],
    shared: Mapping[str, Household] | None = None,
) -> dict[str, Relationship]:
    """Every member's relationship to ``focus`` (not the focus person)."""
    graph = _Graph()
    _from_groups(rows, people, services, graph)
    shared = shared or {}
    out = {}
    for pid, person in people.items():
        if pid == focus:
            continue
        direct = _direct(graph, focus, pid)
        if direct is not None:
            kind, facts = direct
            why, srcs = _evidence(facts)
            said = [f.sex for f in graph.between(pid, focus) if f in facts and f.sex]
            sex = person.sex or next(iter(said), None)
            out[pid] = Relationship(label(kind, sex), kind, "stated", why, srcs)
            continue
        found = _derived(graph, focus, pid, people) or _sibling_parent(
            graph, focus, pid, people
        )
        if found is not None:
            why, srcs = _evidence(_facts_on_path(graph, (focus, *found.via, pid)))
            out[pid] = Relationship(found.label, found.kind, "derived", why, srcs)
            continue
        out[pid] = inferred(person, shared.get(pid))
    return out
