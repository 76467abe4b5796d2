"""Role × output × sensitivity × age: what a role may not see leaves no trace.

Each output a worker can get (results, family view, how linked, why linked,
the summary for case notes, the export event, the facade's detail call) is made
in the world and in a variant that changes only what the role may not see: for
``hidden``, that class's records removed; for ``contact_only``, more and
different records of that class (ids, counts, dates, addresses, relationships)
with the same involvement and lead; for a child and an 18+ source, the child's
records of it removed. The two must be identical. Positive controls check the
full roles do see what the others may not.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from conftest import TODAY, ask
from sqlalchemy import Engine
from support.disclosure_world import (
    BETH,
    CARL,
    MATRIX,
    PEOPLE,
    RECORDS,
    child_offending,
    child_without_police,
    more_of,
    with_roles,
    without,
    write_world,
)

import governance.access as access
from cli.serialise import plain
from core.db import make_engine
from core.errors import AccessDenied, FamilyContextError
from core.vocab import WORKER_ROLES
from governance.audit import Actor, ensure_audit_schema, read_events
from governance.exports import record_summary_export
from governance.visibility import Policy, parse_matrix
from lookup.address_search import parse_address_query
from lookup.index import LinkedIndex
from lookup.query import parse_query
from lookup.search import search
from ui.member import identity_markdown
from ui.summary_doc import SummaryHeader, summary_html, summary_text
from ui.why_linked import evidence_table

POLICY = Policy(parse_matrix(MATRIX))
CLASSES = ("police", "sensitive")
#: The person whose search and family view are looked at, by age.
FOCUS = {"child": "c1", "adult": "m1"}
OUTPUTS = ("results", "family", "how_linked", "why_linked", "summary", "export",
           "detail", "address", "audit")  # fmt: skip
HEAD = SummaryHeader("Test Worker", "REF-1", TODAY, "Demo borough")

WORLDS = {
    "world": RECORDS,
    "without_police": without("police"),
    "without_sensitive": without("sensitive"),
    "more_police": more_of("police"),
    "more_sensitive": more_of("sensitive"),
    "child_without_police": child_without_police(),
}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    folder = tmp_path_factory.mktemp("worlds")
    # every record linked to every other, each link with its own evidence: "why
    # linked" must not show a link to a record the role may not see
    return {name: write_world(folder / f"{name}.db", rows, linked=True)
            for name, rows in WORLDS.items()}  # fmt: skip


def _outcome(call):  # noqa: ANN001, ANN202
    try:
        return plain(call())
    except FamilyContextError as exc:
        return (type(exc).__name__, str(exc))


def _why(view, m) -> list:  # noqa: ANN001
    return list(view.evidence.get(m.person_id, ()))


def _view_outputs(view, request) -> dict[str, object]:  # noqa: ANN001
    sources = access.sources_for(request)
    return {
        "family": plain(view),
        "how_linked": [(m.person_id, m.relationship, m.how_linked)
                       for m in view.members],
        "why_linked": [(m.person_id, identity_markdown(m, _why(view, m)),
                        evidence_table(_why(view, m))) for m in view.members],
        "summary": (summary_text(view, sources, HEAD),
                    summary_html(view, sources, HEAD)),
    }  # fmt: skip


def outputs(index: LinkedIndex, audit: Engine, role: str, focus: str) -> dict:
    """Everything the role gets for one person: results, family view and its
    parts, summary, export event, the detail calls and the audit trail's data."""
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit, who, "Strategy discussion", "REF-1", policy=POLICY)
    person = PEOPLE[focus]
    query = parse_query(person["first_name"], person["last_name"], "")
    got: dict[str, object] = {
        "results": _outcome(lambda: access.audited_search(request, query, 10))
    }
    try:
        view = access.audited_family(request, focus)
    except FamilyContextError as exc:
        refused = (type(exc).__name__, str(exc))
        got.update(dict.fromkeys(("family", "how_linked", "why_linked", "summary",
                                  "export"), refused))  # fmt: skip
    else:
        got.update(_view_outputs(view, request))
        record_summary_export(audit, who, request.reason, view)
        got["export"] = read_events(audit, 1)[0]["data"]
    got["detail"] = [
        _outcome(lambda p=p, s=s: access.audited_service_detail(request, p, s))
        for p in sorted(PEOPLE)
        for s in ("csc", "housing", "police", "camhs")
    ]
    home = parse_address_query(person["postcode"])
    got["address"] = _outcome(lambda: access.audited_address_search(request, home))
    got["audit"] = [(e["kind"], e["data"]) for e in reversed(read_events(audit))]
    return got


@cache
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="disclosure-audit-"))


def _audit(name: str) -> Engine:
    """A fresh audit store per comparison (its events are compared too)."""
    engine = make_engine(f"sqlite:///{_folder() / name}.db")
    ensure_audit_schema(engine)
    return engine


def _compare(worlds, role: str, focus: str, a: str, b: str) -> tuple[dict, dict]:  # noqa: ANN001
    got = [outputs(worlds[w], _audit(f"{w}-{role}-{focus}-{a}{b}"), role, focus)
           for w in (a, b)]  # fmt: skip
    return got[0], got[1]


@pytest.mark.parametrize("age", sorted(FOCUS))
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("role", WORKER_ROLES)
def test_what_a_role_may_not_see_leaves_no_trace(worlds, role, cls, age) -> None:
    level = POLICY.level(role, cls)
    focus = FOCUS[age]
    if level == "full":
        seen, unseen = _compare(worlds, role, focus, "world", f"without_{cls}")
        marker = "POL-" if cls == "police" else "CAMHS"
        assert marker in str(seen) and seen != unseen  # positive control
        return
    variant = f"without_{cls}" if level == "hidden" else f"more_{cls}"
    seen, unseen = _compare(worlds, role, focus, "world", variant)
    leaks = [out for out in OUTPUTS if seen[out] != unseen[out]]
    assert leaks == [], f"{role} ({level} {cls}, {age}) learns from: {leaks}"


@pytest.mark.parametrize("role", WORKER_ROLES)
@pytest.mark.parametrize("focus", sorted(FOCUS.values()))
def test_an_age_rule_removes_the_service_from_every_output(worlds, role, focus):
    seen, unseen = _compare(worlds, role, focus, "world", "child_without_police")
    leaks = [out for out in OUTPUTS if seen[out] != unseen[out]]
    assert leaks == [], f"{role} learns the child's police records from {leaks}"


@pytest.mark.parametrize("role", ["early_help", "social_worker"])
def test_no_ids_counts_or_links_of_a_service_not_seen_in_full(worlds, role):
    """Spelt out for the reader: the same property on the words shown."""
    got = outputs(worlds["world"], _audit(f"plain-{role}"), role, "m1")
    text = str({k: got[k] for k in OUTPUTS if k != "audit"})
    for trace in ("POL-", "CAM-R", "Suspect", "Victim", "Police (safeguarding "
                  "incidents) family", "Carl", "4 records"):  # fmt: skip
        assert trace not in text, f"{role} sees {trace!r}"
    beth = next(c for c in got["results"] if c["person_id"] == "m1")
    assert not beth["possible_match"]  # the other person is known only to police


def test_a_person_known_only_to_a_hidden_service_is_not_found(worlds) -> None:
    got = outputs(worlds["world"], _audit("carl"), "social_worker", "x1")
    assert got["results"] == []
    assert got["family"][0] == "NotInIndexError"
    seen = outputs(worlds["world"], _audit("carl-fd"), "front_door", "x1")
    assert [c["person_id"] for c in seen["results"]] == ["x1"]
    contact = outputs(worlds["world"], _audit("carl-eh"), "early_help", "x1")
    (carl,) = contact["results"]
    assert (carl["first_name"], carl["address"], carl["case_numbers"]) == (
        CARL["first_name"], None, [])  # fmt: skip


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_auditors_and_administrators_get_no_family_data(worlds, role) -> None:
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(worlds["world"], _audit(role), who, "Audit", "REF-1", policy=POLICY)
    query = parse_query(BETH["first_name"], BETH["last_name"], "")
    calls = (
        lambda: access.audited_search(request, query, 10),
        lambda: access.audited_family(request, "m1"),
        lambda: access.audited_service_detail(request, "m1", "csc"),
        lambda: access.audited_address_search(
            request, parse_address_query(BETH["postcode"])
        ),
    )
    for call in calls:
        with pytest.raises(AccessDenied):
            call()


def test_full_roles_still_see_the_child_links_the_others_do_not(worlds) -> None:
    """The cut is not blanket: a front-door worker sees the mother's police and
    the household; the child's own police record stays out (age rule)."""
    got = outputs(worlds["world"], _audit("fd-m1"), "front_door", "m1")
    members = {m["person_id"]: m for m in got["family"]["members"]}
    assert set(members) == {"m1", "c1", "x1"}
    assert "Police (safeguarding incidents) family" in members["x1"]["how_linked"]
    assert "Police" not in members["c1"]["how_linked"]
    assert all(r["source"] != "police" for r in got["family"]["evidence"]["c1"])
    policy = replace(POLICY)
    assert policy.level("front_door", "police") == "full"


def test_a_search_finds_the_same_people_whatever_was_loaded_before(tmp_path):
    """Nicknames were paired with the wrong names when a join reordered rows, so
    "Beth" found "Amy" after some other index had been loaded (fixed in
    lookup.prepared): the comparisons above rely on it."""
    query = parse_query("Beth", "Test", "")
    for i, rows in enumerate((more_of("police"), RECORDS) * 4):
        index = write_world(tmp_path / f"{i}.db", rows)
        found = search(index, query, TODAY, 10)
        assert [c.person_id for c in found] == ["m1"]


#: The same world with incidents by role: police shows a child present or a
#: victim at any age (``age_any_roles``), a child's own offending never.
ROLE_WORLDS = {
    "roles": with_roles(),
    "roles_child_suspect": child_offending(with_roles()),
    "roles_without_police": without("police", with_roles()),
    "roles_more_police": more_of("police", with_roles()),
}


@pytest.fixture(scope="module")
def role_worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    folder = tmp_path_factory.mktemp("role-worlds")
    return {name: write_world(folder / f"{name}.db", rows,
                              any_age_roles="child present;victim")
            for name, rows in ROLE_WORLDS.items()}  # fmt: skip


@pytest.mark.parametrize("role", WORKER_ROLES)
@pytest.mark.parametrize("focus", sorted(FOCUS.values()))
def test_a_childs_own_offending_leaves_no_trace(role_worlds, role, focus) -> None:
    seen, unseen = _compare(role_worlds, role, focus, "roles", "roles_child_suspect")
    leaks = [out for out in OUTPUTS if seen[out] != unseen[out]]
    assert leaks == [], f"{role} learns the child's own offending from {leaks}"


@pytest.mark.parametrize("age", sorted(FOCUS))
@pytest.mark.parametrize("role", WORKER_ROLES)
def test_incidents_by_role_leave_no_trace_beyond_the_level(role_worlds, role, age):
    level = POLICY.level(role, "police")
    focus = FOCUS[age]
    if level == "full":  # positive control: the child's presence is shown
        got = outputs(role_worlds["roles"], _audit(f"inc-{role}-{age}"), role, focus)
        amy = next(m for m in got["family"]["members"] if m["person_id"] == "c1")
        police = next(s for s in amy["services"] if s["source"] == "police")
        assert [i["role"] for i in police["incidents"]] == ["Child present"]
        assert "Child present" in got["summary"][0]
        return
    variant = "roles_without_police" if level == "hidden" else "roles_more_police"
    seen, unseen = _compare(role_worlds, role, focus, "roles", variant)
    leaks = [out for out in OUTPUTS if seen[out] != unseen[out]]
    assert leaks == [], f"{role} ({level} police, {age}) learns from: {leaks}"
    assert "Child present" not in str({k: seen[k] for k in OUTPUTS if k != "audit"})
