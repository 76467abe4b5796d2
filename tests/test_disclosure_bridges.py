"""A record the viewer may not see must not be what joins the records they see.

Dana is known to children's social care under one name and to housing under
another (a new family name, a new address, a date of birth a year out): the two
were never linked to each other, only each to a police record. A role that may
not see police must not be shown them as one person (that would say a police
record joins them): to it Dana is her children's social care record alone, in
every output, exactly as in a build with no police record at all; her housing
record is to it the person such a build makes of it (found by its own name,
opened as its own person, the tenant of Eli's household). A role that sees
police sees one person; links between the records seen keep them together.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import TODAY, ask
from sqlalchemy import Engine, insert
from support.disclosure_world import BUILD, MATRIX, write_world

import governance.access as access
from cli.serialise import plain
from core.errors import AccessDenied, FamilyContextError, NotInIndexError
from governance.audit import Actor
from governance.subject_access import subject_access
from governance.visibility import Policy, parse_matrix
from linkage import index_tables as t
from linkage.cluster import person_id as made_id
from linkage.links import record_links
from lookup.index import LinkedIndex
from lookup.query import parse_query
from ui.summary_doc import SummaryHeader, summary_text

POLICY = Policy(parse_matrix(MATRIX))
HEAD = SummaryHeader("Test Worker", "REF-1", TODAY, "Demo borough")
LEAD = {"lead_role": "Lead", "lead_team": "Team"}
DANA_CSC = {
    "person_id": "d1",
    "source": "csc",
    "record_id": "CSC-D1",
    "first_name": "Dana",
    "last_name": "Bridge",
    "dob": date(1990, 4, 4),
    "address": "2 Bridge Street, Demo Town",
    "postcode": "DT3 3CC",
    "case_number": "CSC-9",
    "involvement_start": date(2026, 2, 1),
    "involvement_current": True,
    "detail": "Assessment",
    "lead_name": "Kim Ash",
    "lead_phone": "0161 000 7777",
    **LEAD,
}
DANA_POLICE = {
    **DANA_CSC,
    "source": "police",
    "record_id": "POL-D1",
    "last_name": "Bridge-Other",
    "case_number": "POL-9",
    "detail": "Harassment report",
    "lead_name": "PC Dale",
    "lead_phone": "101",
}
DANA_HOUSING = {
    "person_id": "d1",
    "source": "housing",
    "record_id": "HOU-D1",
    "first_name": "Dana",
    "last_name": "Other",
    "dob": date(1991, 4, 4),
    "address": "8 Far Road, Far Town",
    "postcode": "FT8 8HH",
    "household_ref": "housing:H9",
    "relationship": "Tenant",
    "case_number": "HOU-9",
    "involvement_start": date(2025, 3, 1),
    "involvement_current": True,
    "detail": "Rent arrears",
    "lead_name": "Lou Park",
    "lead_phone": "0161 000 8888",
    **LEAD,
}
ELI = {
    **DANA_HOUSING,
    "person_id": "e1",
    "record_id": "HOU-E1",
    "first_name": "Eli",
    "dob": date(2012, 8, 8),
    "relationship": "Child",
    "case_number": None,
}
RECORDS = (DANA_CSC, DANA_POLICE, DANA_HOUSING, ELI)  # fmt: skip
#: Dana's records in (source, record_id) order: csc 0, housing 1, police 2.
BRIDGED, DIRECT = "0-2;1-2", "0-1;0-2;1-2"
#: Housing's Dana as a build with no police record would make her: another
#: person, with the id linkage gives her (from her one record's key).
D2 = made_id("housing\x1fHOU-D1")
APART = (DANA_CSC, {**DANA_HOUSING, "person_id": D2}, {**ELI})


def _world(path: Path, rows, links: str | None) -> LinkedIndex:  # noqa: ANN001
    index = write_world(path, rows, pairs=())
    if links is not None:
        with index.engine.begin() as conn:
            row = {"build_id": BUILD, "person_id": "d1", "links": links}
            conn.execute(insert(t.record_links), [row])
    return index


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    folder = tmp_path_factory.mktemp("bridges")
    return {
        "bridged": _world(folder / "bridged.db", RECORDS, BRIDGED),
        "direct": _world(folder / "direct.db", RECORDS, DIRECT),
        "apart": _world(folder / "apart.db", APART, None),
    }


def _request(index: LinkedIndex, audit: Engine, role: str):  # noqa: ANN202
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    return ask(index, audit, who, "Strategy discussion", "REF-1", policy=POLICY)


def _found(request, first: str, last: str) -> list:  # noqa: ANN001
    return access.audited_search(request, parse_query(first, last, ""), 10)


def _outputs(index: LinkedIndex, audit: Engine, role: str) -> dict[str, object]:
    """What the role gets of Dana (by her children's social care name)."""
    request = _request(index, audit, role)
    view = access.audited_family(request, "d1")
    detail = []
    for source in ("csc", "housing"):
        try:
            detail.append(access.audited_service_detail(request, "d1", source))
        except FamilyContextError as exc:
            detail.append(type(exc).__name__)
    return {
        "results": plain(_found(request, "Dana", "Bridge")),
        "family": plain(view),
        "why_linked": plain(view.evidence),
        "summary": summary_text(view, access.sources_for(request), HEAD),
        "detail": detail,
    }


def test_a_hidden_record_joining_two_seen_ones_leaves_no_trace(
    worlds, audit_engine
) -> None:
    """Police hidden: Dana is what a build without the police record shows."""
    got = _outputs(worlds["bridged"], audit_engine, "social_worker")
    assert got == _outputs(worlds["apart"], audit_engine, "social_worker")
    request = _request(worlds["bridged"], audit_engine, "social_worker")
    view = access.audited_family(request, "d1")
    assert [m.person_id for m in view.members] == ["d1"]  # not Eli's household
    dana = view.members[0]
    by = {s.source: s.involvement for s in dana.services}
    assert by["csc"] == "Current" and by["housing"] != "Current"
    assert dana.address == DANA_CSC["address"] and dana.dob == DANA_CSC["dob"]
    assert [e.source for e in view.evidence["d1"]] == ["csc"]
    assert "Lou Park" not in got["summary"] and "Far Road" not in got["summary"]
    with pytest.raises(AccessDenied):
        access.audited_service_detail(request, "d1", "housing")
    [card] = _found(request, "Dana", "Bridge")
    assert card.n_services == 1 and not any("Housing" in c for c in card.case_numbers)


def _apart_outputs(index: LinkedIndex, audit: Engine, role: str) -> dict[str, object]:
    """What the role gets of housing's Dana and of Eli's household."""
    request = _request(index, audit, role)
    found = _found(request, "Dana", "Other")
    fitting = access.audited_search_result(
        request, parse_query("", "Other", "", postcode="FT8 8HH"), 10
    ).fitting
    eli = access.audited_family(request, "e1")
    return {
        "results": plain(found),
        "fitting": fitting,
        "family": plain(access.audited_family(request, D2)),
        "household": plain(eli),
        "why_linked": plain(eli.evidence),
        "detail": access.audited_service_detail(request, D2, "housing"),
    }


def test_records_set_aside_are_the_person_a_build_without_the_join_makes(
    worlds, audit_engine
) -> None:
    """Police hidden: housing's Dana is found by her own name, opens as her own
    person and is the tenant of Eli's household, as with no police record."""
    got = _apart_outputs(worlds["bridged"], audit_engine, "social_worker")
    assert got == _apart_outputs(worlds["apart"], audit_engine, "social_worker")
    assert got["fitting"] == 2  # Dana and Eli Other at FT8 8HH
    request = _request(worlds["bridged"], audit_engine, "social_worker")
    [card] = _found(request, "Dana", "Other")
    assert (card.person_id, card.last_name, card.n_services) == (D2, "Other", 1)
    assert card.address == DANA_HOUSING["address"]
    household = access.audited_family(request, "e1")
    assert {m.person_id for m in household.members} == {"e1", D2}
    text = repr(got)
    assert [w for w in ("d1", "Bridge", "POL-", "Harassment") if w in text] == []
    with pytest.raises(AccessDenied):
        access.audited_service_detail(request, D2, "csc")


def test_an_id_of_records_set_aside_opens_only_for_whom_they_are_set_aside(
    worlds, audit_engine
) -> None:
    """A role that sees the joining record sees one person: the id records set
    aside have for others is not in its index."""
    request = _request(worlds["bridged"], audit_engine, "front_door")
    with pytest.raises(NotInIndexError):
        access.audited_family(request, D2)
    with pytest.raises(NotInIndexError):
        access.audited_family(_request(worlds["direct"], audit_engine,
                                       "social_worker"), D2)  # fmt: skip


@pytest.mark.parametrize(
    ("world", "role", "current"),
    [("bridged", "front_door", {"csc", "housing", "police"}),  # sees the join
     ("direct", "social_worker", {"csc", "housing"})],  # its own links join them
)  # fmt: skip
def test_records_joined_by_what_the_role_sees_stay_one_person(
    worlds, audit_engine, world, role, current
) -> None:
    request = _request(worlds[world], audit_engine, role)
    view = access.audited_family(request, "d1")
    assert {m.person_id for m in view.members} == {"d1", "e1"}
    by = {s.source for s in view.members[0].services if s.involvement == "Current"}
    assert by == current
    assert [c.person_id for c in _found(request, "Dana", "Other")] == ["d1"]
    assert access.audited_service_detail(request, "d1", "housing") == "Rent arrears"


def test_a_build_keeps_the_links_accepted_inside_each_person_of_three() -> None:
    std = pl.DataFrame({
        "rid": [0, 1, 2, 3, 4],
        "source": ["police", "csc", "housing", "csc", "housing"],
        "record_id": ["P1", "C1", "H1", "C2", "H2"],
    })  # fmt: skip
    people = pl.Series(["a", "a", "a", "b", "b"])
    merged = pl.DataFrame({"l": [1, 0, 3], "r": [0, 2, 4],
                           "probability": [0.99] * 3,
                           "explanation": ["[]"] * 3})  # fmt: skip
    got = record_links(std, people, merged)
    # a: csc C1 0, housing H1 1, police P1 2; b has two records: none kept
    assert got.select("person_id", "links").rows() == [("a", "0-2;1-2")]


def test_every_access_to_records_set_aside_names_the_person_they_belong_to(
    worlds, audit_engine
) -> None:
    """A subject access for Dana finds the social worker's search, view and
    detail of her housing record, made under the id it has to them."""
    request = _request(worlds["bridged"], audit_engine, "social_worker")
    _found(request, "Dana", "Other")
    access.audited_family(request, D2)
    access.audited_service_detail(request, D2, "housing")
    ig = Actor("u.ig", "auditor", "auditor", "s-ig")
    report = subject_access(audit_engine, ig, worlds["bridged"], "d1", "SAR-1",
                            "Demo borough", formats=("json",))  # fmt: skip
    kinds = [a["what"] for a in report.accesses if a["role"] == "social_worker"]
    assert {"results_shown", "family_opened", "service_opened"} <= set(kinds)
