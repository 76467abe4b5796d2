"""Who lives at an address: households at a postcode, audited like a person search,
cut like every other output (hidden services, contact only, protected addresses)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ask
from support.disclosure_world import HOME, MATRIX, RECORDS, write_world

import governance.access as access
from core.errors import AccessDenied, UserInputError
from governance.audit import Actor, read_events
from governance.restrictions import set_restriction
from governance.visibility import Policy, parse_matrix
from lookup.address_search import (
    AT_ADDRESS,
    AddressQuery,
    households,
    parse_address_query,
)
from lookup.search import Candidate

POLICY = Policy(parse_matrix(MATRIX))
ADMIN = Actor("demo.admin", "Admin", "administrator", "s-a")
#: A second household at the same postcode, and a man who moved away from it.
NEIGHBOUR = {"person_id": "n1", "first_name": "Nia", "last_name": "Next",
             "dob": date(1970, 2, 2), "address": "3 Test Road, Demo Town",
             "postcode": "DT1 1AA"}  # fmt: skip
MOVED = {"person_id": "g1", "first_name": "Gus", "last_name": "Gone",
         "dob": date(1960, 3, 3), "postcode": "DT1 1AA"}  # fmt: skip


def _rows() -> tuple:
    base = next(r for r in RECORDS if r["source"] == "csc")
    template = {k: v for k, v in base.items() if k not in ("family_ref",)}
    extra = (
        {**template, **NEIGHBOUR, "source": "housing", "record_id": "HOU-N1",
         "case_number": "HN1"},
        {**template, **MOVED, "address": "9 Test Road, Demo Town",
         "source": "housing", "record_id": "HOU-G1", "case_number": "HG1",
         "involvement_current": False},
        {**template, **MOVED, "address": "4 Far Road, Far Town", "postcode": "FT1 1AA",
         "source": "csc", "record_id": "CSC-G1", "case_number": "CG1"},
    )  # fmt: skip
    return (*RECORDS, *extra)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    return write_world(tmp_path_factory.mktemp("address") / "world.db", _rows())


def _who(role: str) -> Actor:
    return Actor(f"u.{role}", role, role, f"s-{role}")


def _listed(index, audit, role: str, postcode: str = "DT1 1AA", house: str = ""):  # noqa: ANN001, ANN202
    request = ask(index, audit, _who(role), "Strategy discussion", "REF-1",
                  policy=POLICY)  # fmt: skip
    found = access.audited_address_search(request, parse_address_query(postcode, house))
    return {h.address: [c.person_id for c in h.residents] for h in found.households}


ROLES = [
    # front door sees police and CAMHS in full: Carl (police only) lives there too
    ("front_door", {"1 Test Road, Demo Town": ["x1", "m1", "c1"],
                    "3 Test Road, Demo Town": ["n1"]}),
    # police contact only: Carl's police record gives no address
    ("early_help", {"1 Test Road, Demo Town": ["m1", "c1"],
                    "3 Test Road, Demo Town": ["n1"]}),
    ("social_worker", {"1 Test Road, Demo Town": ["m1", "c1"],
                       "3 Test Road, Demo Town": ["n1"]}),
]  # fmt: skip


@pytest.mark.parametrize(("role", "want"), ROLES)
def test_households_at_a_postcode_as_each_role_sees_them(index, audit_engine, role,
                                                         want) -> None:  # fmt: skip
    assert _listed(index, audit_engine, role) == want


def test_a_house_number_narrows_it_to_one_address(index, audit_engine) -> None:
    assert _listed(index, audit_engine, "front_door", "dt11aa", "3") == {
        "3 Test Road, Demo Town": ["n1"]
    }
    assert _listed(index, audit_engine, "front_door", "DT1 1AA", "33") == {}


def test_someone_who_moved_away_is_not_listed_where_they_lived(index, audit_engine):
    assert "g1" not in str(_listed(index, audit_engine, "front_door"))
    assert _listed(index, audit_engine, "front_door", "FT1 1AA") == {
        "4 Far Road, Far Town": ["g1"]
    }


def test_recorded_like_a_person_search(index, audit_engine) -> None:
    _listed(index, audit_engine, "front_door", "dt1 1aa", "1")
    shown, asked = read_events(audit_engine, 2)
    assert asked["kind"] == "search"
    assert asked["data"]["criteria"] == {"kind": "address", "postcode": "DT11AA",
                                         "house": "1"}  # fmt: skip
    assert (asked["purpose"], asked["case_ref"]) == ("Strategy discussion", "REF-1")
    assert shown["kind"] == "results_shown"
    assert shown["data"]["person_ids"] == ["x1", "m1", "c1"]  # as listed


def test_a_protected_address_lists_nobody_there(index, audit_engine) -> None:
    set_restriction(audit_engine, ADMIN, "m1", "protected_address")
    listed = _listed(index, audit_engine, "front_door")
    assert listed == {"3 Test Road, Demo Town": ["n1"]}
    shown = read_events(audit_engine, 1)[0]
    assert shown["data"]["person_ids"] == ["n1"]
    assert HOME["address"] not in str(read_events(audit_engine, 5))


def test_a_restricted_person_is_not_listed(index, audit_engine) -> None:
    set_restriction(audit_engine, ADMIN, "n1", "adoption")
    assert "n1" not in str(_listed(index, audit_engine, "front_door"))


def test_only_workers_may_ask(index, audit_engine) -> None:
    for role in ("auditor", "administrator"):
        request = ask(index, audit_engine, _who(role), "Audit", "R", policy=POLICY)
        with pytest.raises(AccessDenied):
            access.audited_address_search(request, parse_address_query("DT1 1AA"))


ASKED = [
    ("DT1 1AA", "", AddressQuery("DT11AA")),
    (" dt1 1aa ", " 12, ", AddressQuery("DT11AA", "12")),
    ("dt11aa", "Rose  Cottage", AddressQuery("DT11AA", "Rose Cottage")),
]


@pytest.mark.parametrize(("postcode", "house", "want"), ASKED)
def test_parse_address_query(postcode, house, want) -> None:
    assert parse_address_query(postcode, house) == want


@pytest.mark.parametrize("postcode", ["", None, "   ", "12 High Street", "SK1"])
def test_a_full_postcode_is_needed(postcode) -> None:
    with pytest.raises(UserInputError, match="postcode"):
        parse_address_query(postcode, "12")


def _card(pid: str, address: str, dob_year: int | None) -> Candidate:
    dob = date(dob_year, 1, 1) if dob_year else None
    return Candidate(pid, 1.0, "", "A", "B", dob, None, address, "DT1 1AA", None,
                     None, (), 1, False, AT_ADDRESS)  # fmt: skip


def test_households_group_one_address_however_written_in_house_order() -> None:
    people = [
        _card("a", "Flat 2, 10 High Street", 1990),
        _card("b", "10 High St, flat 2", 1980),
        _card("c", "3 High Street", None),
        _card("d", "Flat 1, 10 High Street", 2000),
        _card("e", "3 High Street", 2010),
    ]
    found = households("DT11AA", people)
    assert found.postcode == "DT1 1AA"
    assert [[c.person_id for c in h.residents] for h in found.households] == [
        ["e", "c"], ["d"], ["b", "a"]
    ]  # fmt: skip
    assert [p.person_id for p in found.people] == ["e", "c", "d", "b", "a"]
