"""How many people fit counts a person only on the names of the records seen.

Nia is known to children's social care as Nia Stone and to the police as Nia
Vale; two other women are Nia Vale on records anyone may see. A role that may
not see police searching for Nia Vale must be told exactly what a build without
the police record tells it: two people fit (not three), whether the search
gives a date of birth or not, and Nia Stone is not listed; nor is she counted
by the police case number.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from conftest import ask
from sqlalchemy import Engine
from support.disclosure_world import MATRIX, write_world

import governance.access as access
from cli.serialise import plain
from governance.audit import Actor
from governance.visibility import Policy, parse_matrix
from lookup.index import LinkedIndex
from lookup.query import parse_query

POLICY = Policy(parse_matrix(MATRIX))
NIA = {
    "person_id": "n1", "source": "csc", "record_id": "CSC-N1",
    "first_name": "Nia", "last_name": "Stone", "dob": date(1992, 9, 9),
    "address": "7 Stone Street, Demo Town", "postcode": "DT6 6FF",
    "involvement_current": True, "lead_name": "Kim Ash", "lead_phone": "1",
    "family_ref": "csc:N1", "relationship": "Mother",
}  # fmt: skip
NIA_POLICE = {**NIA, "source": "police", "record_id": "POL-N1", "last_name": "Vale",
              "family_ref": None, "case_number": "PV7731"}  # fmt: skip
VALES = tuple(
    {**NIA, "person_id": f"v{n}", "record_id": f"CSC-V{n}", "last_name": "Vale",
     "address": f"{n} Vale Road, Demo Town", "family_ref": f"csc:V{n}"}
    for n in (1, 2)
)  # fmt: skip
WORLDS = {"world": (NIA, NIA_POLICE, *VALES), "without": (NIA, *VALES)}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    folder = tmp_path_factory.mktemp("names")
    return {name: write_world(folder / f"{name}.db", rows, pairs=())
            for name, rows in WORLDS.items()}  # fmt: skip


def _result(index: LinkedIndex, audit: Engine, role: str, dob: str):  # noqa: ANN202
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit, who, "Strategy discussion", "REF-1", policy=POLICY)
    return access.audited_search_result(request, parse_query("Nia", "Vale", dob), 1)


def _said(result):  # noqa: ANN001, ANN202
    return replace(result, candidates=plain(result.candidates))


@pytest.mark.parametrize("dob", ["", "09/09/1992"])
def test_a_name_only_a_hidden_record_bears_is_not_counted(worlds, audit_engine, dob):
    got = _result(worlds["world"], audit_engine, "social_worker", dob)
    assert _said(got) == _said(_result(worlds["without"], audit_engine,
                                       "social_worker", dob))  # fmt: skip
    assert got.fitting == 2 and got.prompt.startswith("2 people fit")
    assert {c.person_id for c in got.candidates} <= {"v1", "v2"}


def test_a_role_that_sees_the_record_counts_her(worlds, audit_engine) -> None:
    got = _result(worlds["world"], audit_engine, "front_door", "09/09/1992")
    assert got.fitting == 3 and got.prompt.startswith("3 people fit")


def test_an_identifier_only_a_hidden_record_holds_is_not_counted(worlds, audit_engine):
    who = Actor("u.sw", "social_worker", "social_worker", "s-sw")
    for name, want in (("world", 0), ("without", 0)):
        request = ask(worlds[name], audit_engine, who, "Strategy discussion", "REF-1",
                      policy=POLICY)  # fmt: skip
        query = parse_query(identifier="PV7731")
        got = access.audited_search_result(request, query, 1)
        assert (got.candidates, got.fitting, got.prompt) == ([], want, "")
    front = Actor("u.fd", "front_door", "front_door", "s-fd")
    request = ask(worlds["world"], audit_engine, front, "Strategy discussion",
                  "REF-1", policy=POLICY)  # fmt: skip
    got = access.audited_search_result(request, parse_query(identifier="PV7731"), 1)
    assert got.fitting == 1 and [c.person_id for c in got.candidates] == ["n1"]
