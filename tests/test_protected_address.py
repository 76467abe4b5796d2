"""A protected address is withheld for everyone who shares it, on every output.

The mother has a protected address (an administrator's restriction, or a code
her source puts on a record); her child and the man recorded at the same flat
must not show it either: not on result cards, family-view cards, the summary
for case notes or the CLI's JSON. On SQLite and PostgreSQL audit stores.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import TODAY, ask
from support.disclosure_world import HOME, RECORDS, SAM, write_world

import governance.access as access
from cli.serialise import plain
from governance.audit import Actor
from governance.protected import Withheld, withheld, withheld_text
from governance.restrictions import set_restriction
from governance.visibility import Policy
from lookup.addresses import address_keys
from lookup.query import parse_query
from ui.summary_doc import SummaryHeader, summary_html, summary_text

ADMIN = Actor("demo.admin", "Admin", "administrator", "s-a")
WORKER = Actor("u.fd", "Front door", "front_door", "s-fd")
TRACES = ("1 Test Road", "DT1 1AA", "1testroad")
HEAD = SummaryHeader("Test Worker", "REF-1", TODAY, "Demo borough")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("pa") / "world.db")


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """The same borough, the mother's housing record marked "Refuge"."""
    rows = tuple({**r, "restricted": "Refuge"}
                 if r["record_id"] == "HOU-R1" else r for r in RECORDS)  # fmt: skip
    return write_world(tmp_path_factory.mktemp("pa-coded") / "world.db", rows)


def _everything(index, audit, policy: Policy | None = None) -> str:  # noqa: ANN001
    """Every output the worker gets about the child and the man at the flat."""
    request = ask(index, audit, WORKER, "Strategy discussion", "REF-1",
                  policy=policy)  # fmt: skip
    out = []
    for first, last in (("Amy", "Test"), ("Carl", "Hidden"), ("Sam", "Secret")):
        out.append(plain(access.audited_search(request, parse_query(first, last, ""),
                                               10)))  # fmt: skip
    view = access.audited_family(request, "c1")
    sources = access.sources_for(request)
    out += [plain(view), summary_text(view, sources, HEAD),
            summary_html(view, sources, HEAD)]  # fmt: skip
    return str(out)


def test_the_flat_is_withheld_on_every_card_of_everyone_there(index, audit_engine):
    before = _everything(index, audit_engine)
    assert "1 Test Road" in before  # the control: shown until it is protected
    set_restriction(audit_engine, ADMIN, "m1", "protected_address")
    after = _everything(index, audit_engine)
    for trace in TRACES:
        assert trace not in after, f"the protected address shows as {trace!r}"
    assert withheld_text("the information governance lead") in after
    assert SAM["address"] in after  # another address stays


def test_a_source_code_protects_and_the_contact_comes_from_the_config(
    coded, audit_engine
) -> None:
    policy = Policy(protected_contact="the MASH duty manager on 0161 000 9999")
    after = _everything(coded, audit_engine, policy)
    for trace in TRACES:
        assert trace not in after
    assert "Address withheld — contact the MASH duty manager on 0161 000 9999" in after


def test_the_address_is_recognised_however_it_is_written(index, audit_engine):
    set_restriction(audit_engine, ADMIN, "m1", "protected_address")
    kept = withheld(audit_engine, index, Policy())
    assert kept.hides("1, TEST ROAD,  Demo Town")
    assert kept.hides("Flat 0, 1 Test Rd", HOME["postcode"]) is False  # a flat in it
    assert kept.hides("1 Test Rd", "dt1 1aa")  # postcode and number agree
    assert not kept.hides("3 Test Road, Demo Town", "DT1 1AA")
    # reworded, no postcode: the number and the street still say it
    assert kept.hides("1 Test Rd., Demotown")
    assert kept.hides("house 1, TEST ROAD")
    assert not kept.hides("11 Test Road")
    assert not kept.hides("Flat 2, 1 Test Road")
    assert not kept.hides(None)
    assert Withheld(frozenset(), "x").hides("1 Test Road") is False
    assert address_keys([]) == []


def test_nobody_at_a_protected_address_is_listed_as_a_changed_family_name(
    index, coded, audit_engine
) -> None:
    """'Beth Other' at the flat's postcode finds Beth Test there (read as a
    changed family name): listed only because she is recorded there, so not
    listed when that address is protected."""
    query = parse_query("Beth", "Other", "", postcode=HOME["postcode"])

    def listed(world) -> list:  # noqa: ANN001
        request = ask(world, audit_engine, WORKER, "Strategy discussion", "REF-1")
        return [c for c in access.audited_search(request, query, 10)
                if c.person_id == "m1"]  # fmt: skip

    shown = listed(index)
    assert shown and "another family name" in shown[0].matched_on
    assert listed(coded) == []


#: A neighbour at the flat's postcode, at another address there, who shares the
#: mother's name: the postcode is hers to be lifted by.
NEIGHBOUR = {
    **RECORDS[2], "person_id": "n1", "record_id": "CSC-N1", "dob": None,
    "family_ref": "csc:N1", "address": "3 Test Road, Demo Town",
}  # fmt: skip
#: The man at the flat, also recorded next door (the postcode is his there).
CARL_NEXT_DOOR = {
    **RECORDS[6], "source": "housing", "record_id": "HOU-X1", "case_number": None,
    "family_ref": None, "address": "7 Test Road, Demo Town",
    "involvement_start": date(2015, 1, 1), "involvement_current": False,
}  # fmt: skip
#: The flat's postcode given in every way search reads it: a name (and a
#: changed family name), a family name alone, a misspelt name, a district.
PLACES = [
    ("Beth", "Test", HOME["postcode"]), ("Amy", "Test", HOME["postcode"]),
    ("", "Test", HOME["postcode"]), ("Beth", "Other", HOME["postcode"]),
    ("Bteh", "Tset", HOME["postcode"]), ("Amy", "Test", "DT1 9ZZ"),
    ("Carl", "Hidden", HOME["postcode"]), ("", "Hidden", HOME["postcode"]),
    ("Carl", "Other", HOME["postcode"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """The borough with the neighbour, its housing record coded "Refuge"; and
    the build of the same records without the flat's address at all."""
    rows = (*({**r, "restricted": "Refuge"} if r["record_id"] == "HOU-R1" else r
              for r in RECORDS), NEIGHBOUR, CARL_NEXT_DOOR)  # fmt: skip
    gone = tuple(
        {**r, "address": None, "postcode": None} if r["address"] == HOME["address"]
        else {**r, "restricted": None} for r in rows
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("pa-places")
    return {"world": write_world(folder / "world.db", rows),
            "without": write_world(folder / "without.db", gone),
            "open": write_world(folder / "open.db",
                                (*RECORDS, NEIGHBOUR, CARL_NEXT_DOOR))}  # fmt: skip


def _said(index, audit, role: str, boxes: tuple, limit: int = 10) -> tuple:  # noqa: ANN001
    """What a search says of everyone but their addresses: who, in what order,
    the score, its word and label; how many fit, and the prompt."""
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit, who, "Strategy discussion", "REF-1")
    first, last, postcode = boxes
    query = parse_query(first, last, "", postcode=postcode)
    got = access.audited_search_result(request, query, limit)
    return ([(c.person_id, c.score, c.confidence, c.matched_on)
             for c in got.candidates], got.fitting, got.prompt)  # fmt: skip


@pytest.mark.parametrize("boxes", PLACES)
@pytest.mark.parametrize("role", ["front_door", "social_worker", "early_help"])
@pytest.mark.parametrize("limit", [1, 10])
def test_a_protected_address_lifts_ranks_and_counts_nobody(
    places, audit_engine, boxes, role, limit
) -> None:
    """Everyone at the flat is scored, ranked, labelled and counted at its
    postcode exactly as a build without the address gives the viewer."""
    got = _said(places["world"], audit_engine, role, boxes, limit)
    assert got == _said(places["without"], audit_engine, role, boxes, limit)


def test_the_lift_is_withheld_only_from_the_flat(places, audit_engine) -> None:
    """The neighbour, and the man recorded next door as well as at the flat,
    keep the postcode's lift; unprotected, the mother has it
    too (what every role got before the address was protected)."""
    boxes = ("Beth", "Test", HOME["postcode"])
    listed, fitting, _ = _said(places["world"], audit_engine, "front_door", boxes)
    assert [c[:2] for c in listed] == [("n1", 0.97), ("m1", 0.85)]
    assert fitting == 1 and listed[0][3] == "exact name; postcode"
    carl = ("Carl", "Hidden", HOME["postcode"])  # recorded next door too
    listed, fitting, _ = _said(places["world"], audit_engine, "front_door", carl)
    assert [c[:2] for c in listed] == [("x1", 0.97)] and fitting == 1
    for role in ("front_door", "social_worker"):
        shown, fitting, _ = _said(places["open"], audit_engine, role, boxes)
        assert sorted(c[:2] for c in shown if c[0] in ("m1", "n1")) == [
            ("m1", 0.97), ("n1", 0.97)
        ]  # fmt: skip
        assert fitting == 2
