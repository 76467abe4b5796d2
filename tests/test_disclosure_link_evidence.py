"""'Why linked' says only what the links between records the viewer sees say.

Gil is known to children's social care, to housing and to the police. Each of
the social care and housing records has its strongest link to the police
record, and a weaker one to the other. A role that may not see police must be
shown, for "why linked" and "records joined", exactly what a build without the
police record gives: the social care and housing records joined by their own
link. Where the records seen are joined only through a police record the role
sees only as "involved, contact …", each says "Linked through records you
cannot see", naming no service, record, date of birth or address from it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import ask
from sqlalchemy import Engine, delete, insert
from support.disclosure_world import BUILD, MATRIX, write_world

import governance.access as access
from governance.audit import Actor
from governance.visibility import Policy, parse_matrix
from linkage import index_tables as t
from linkage.explain import record_evidence
from linkage.links import record_links
from lookup.evidence import THROUGH_UNSEEN
from lookup.index import LinkedIndex, load_index
from ui.member import identity_markdown
from ui.why_linked import evidence_table

POLICY = Policy(parse_matrix(MATRIX))
GIL_CSC = {
    "person_id": "g1", "source": "csc", "record_id": "CSC-G1",
    "first_name": "Gil", "last_name": "Link", "dob": date(1988, 2, 2),
    "address": "6 Link Road, Demo Town", "postcode": "DT5 5EE",
    "case_number": "CSC-7", "involvement_current": True,
    "lead_name": "Kim Ash", "lead_phone": "1",
}  # fmt: skip
GIL_HOUSING = {**GIL_CSC, "source": "housing", "record_id": "HOU-G1",
               "case_number": "HOU-7", "lead_name": "Lou Park",
               "household_ref": "housing:HG", "relationship": "Tenant"}  # fmt: skip
GIL_POLICE = {**GIL_CSC, "source": "police", "record_id": "POL-G1",
              "dob": date(1988, 3, 2), "address": "99 Hidden Way, Far Town",
              "postcode": "FT7 7XX", "case_number": "POL-7",
              "lead_name": "PC Dale"}  # fmt: skip


def _why(field: str, level: str, weight: float) -> list[dict]:
    return [{"field": field, "level": level, "weight": weight}]


#: The links, by (source, record_id) positions: csc 0, housing 1, police 2.
TO_POLICE = {(0, 2): (0.99995, _why("dob", "day and month swapped", 11.2)),
             (1, 2): (0.9994, _why("address", "differs", -2.5))}  # fmt: skip
BETWEEN_SEEN = {(0, 1): (0.981, _why("last_name", "exact", 7.3))}


def _index(path: Path, rows, links: dict) -> LinkedIndex:  # noqa: ANN001
    """The world of ``rows`` with Gil's records joined by ``links`` (each
    record's evidence its strongest link, as a build keeps it)."""
    index = write_world(path, rows, pairs=())
    best: dict[int, tuple[float, list]] = {}
    for (a, b), (p, why) in links.items():
        for end in (a, b):
            if end not in best or p > best[end][0]:
                best[end] = (p, why)
    ordered = sorted(rows, key=lambda r: (r["source"], r["record_id"]))
    evidence = [
        {"build_id": BUILD, "person_id": "g1", "source": r["source"],
         "record_id": r["record_id"], "probability": best[i][0],
         "explanation": json.dumps(best[i][1])}
        for i, r in enumerate(ordered)
    ]  # fmt: skip
    with index.engine.begin() as conn:
        conn.execute(delete(t.record_evidence))
        conn.execute(insert(t.record_evidence), evidence)
        if len(rows) >= 3:
            pairs = sorted(links.items())
            conn.execute(insert(t.record_links), [{
                "build_id": BUILD, "person_id": "g1",
                "links": ";".join(f"{a}-{b}" for (a, b), _ in pairs),
                "evidence": json.dumps([{"p": p, "fields": why}
                                        for _, (p, why) in pairs]),
            }])  # fmt: skip
    return load_index(index.engine)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    folder = tmp_path_factory.mktemp("link_evidence")
    every = (GIL_CSC, GIL_HOUSING, GIL_POLICE)
    return {
        "linked": _index(folder / "linked.db", every, TO_POLICE | BETWEEN_SEEN),
        "bridged": _index(folder / "bridged.db", every, TO_POLICE),
        "without": _index(folder / "without.db", every[:2], BETWEEN_SEEN),
    }


def _why_linked(index: LinkedIndex, audit: Engine, role: str):  # noqa: ANN202
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit, who, "Strategy discussion", "REF-1", policy=POLICY)
    view = access.audited_family(request, "g1")
    [gil] = view.members
    records = list(view.evidence["g1"])
    return records, identity_markdown(gil, records), evidence_table(records)


@pytest.mark.parametrize("role", ["social_worker", "early_help"])
def test_why_linked_shows_the_link_between_records_seen(worlds, audit_engine, role):
    """Police hidden or contact only: what a build without police shows."""
    got = _why_linked(worlds["linked"], audit_engine, role)
    assert got == _why_linked(worlds["without"], audit_engine, role)
    records, _, table = got
    assert [(r.source, r.probability) for r in records] == [
        ("csc", 0.981), ("housing", 0.981)
    ]  # fmt: skip
    assert "swapped" not in table and "differs" not in table


def test_records_joined_only_through_unseen_ones_say_so_and_nothing_more(
    worlds, audit_engine
) -> None:
    records, card, table = _why_linked(worlds["bridged"], audit_engine, "early_help")
    assert [(r.source, r.probability, r.fields, r.unseen) for r in records] == [
        ("csc", None, (), True), ("housing", None, (), True)
    ]  # fmt: skip
    assert THROUGH_UNSEEN in table and THROUGH_UNSEEN in card
    for said in ("Police", "POL-", "swapped", "differs", "Hidden Way", "FT7",
                 "1988-03-02", "2 March 1988"):  # fmt: skip
        assert said not in table + card


def test_a_role_that_sees_every_record_sees_every_records_best_link(
    worlds, audit_engine
) -> None:
    records, _, table = _why_linked(worlds["linked"], audit_engine, "front_door")
    assert [(r.source, r.probability) for r in records] == [
        ("csc", 0.99995), ("housing", 0.9994), ("police", 0.99995)
    ]  # fmt: skip
    assert "swapped" in table and not any(r.unseen for r in records)


def test_a_build_keeps_every_accepted_links_evidence() -> None:
    std = pl.DataFrame({"rid": [0, 1, 2], "source": ["police", "csc", "housing"],
                        "record_id": ["P1", "C1", "H1"]})  # fmt: skip
    strong, weak = _why("dob", "exact", 9.5), _why("dob", "differs", -4.0)
    explained = pl.DataFrame({
        "l": [1, 0], "r": [0, 2], "probability": [0.999, 0.97],
        "explanation": [json.dumps(strong), json.dumps(weak)],
    })  # fmt: skip
    people = pl.Series(["a", "a", "a"])
    [(pid, links, evidence)] = record_links(std, people, explained).rows()
    # csc C1 0, housing H1 1, police P1 2: C1-P1 and P1-H1, each with its own
    assert (pid, links) == ("a", "0-2;1-2")
    assert json.loads(evidence) == [{"p": 0.999, "fields": strong},
                                    {"p": 0.97, "fields": weak}]  # fmt: skip
    best = record_evidence(std, people, explained)
    assert best.filter(pl.col("record_id") == "H1")["probability"].to_list() == [0.97]


@pytest.mark.parametrize("drop", [False, True])
def test_an_index_without_link_evidence_shows_each_records_kept_link(
    tmp_path, audit_engine, drop
) -> None:
    """Evidence null (or no column: an index written before it was kept): each
    record's link as record_evidence holds it, until the next build."""
    every = (GIL_CSC, GIL_HOUSING, GIL_POLICE)
    index = _index(tmp_path / "old.db", every, TO_POLICE | BETWEEN_SEEN)
    with index.engine.begin() as conn:
        if drop:
            conn.exec_driver_sql("ALTER TABLE record_links DROP COLUMN evidence")
        else:
            conn.exec_driver_sql("UPDATE record_links SET evidence = NULL")
    records, _, _ = _why_linked(load_index(index.engine), audit_engine, "early_help")
    assert [(r.source, r.probability, r.unseen) for r in records] == [
        ("csc", 0.99995, False), ("housing", 0.9994, False)
    ]  # fmt: skip
