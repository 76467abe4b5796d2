"""The linkage evidence ("why were these records linked?") comes inside the
audited family view, cut like the view: a record of a service the role does not
see, or of a restricted relative, is never explained."""

from __future__ import annotations

import json

import pytest
from conftest import ask
from sqlalchemy import insert
from support.lookup_index import BUILD, make_index

import governance.access as access
from core.config import GovernanceConfig
from governance.audit import Actor
from governance.restrictions import set_restriction
from governance.visibility import Policy
from linkage import index_tables as t
from lookup.index import load_index

WORKER = Actor("u.fd", "Front door", "front_door", "s-fd")
ADMIN = Actor("u.admin", "Admin", "administrator", "s-a")
WHY = json.dumps([{"field": "dob", "level": "exact", "weight": 9.5}])
EVIDENCE = [
    ("p1", "csc", "CSC-1001"),
    ("p1", "school", "S-1"),
    ("p2", "housing", "H-7"),
    ("p2", "police", "P-3"),
    ("p3", "police", "P-9"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    engine = make_index(tmp_path_factory.mktemp("evidence") / "index.db", filler=0)
    rows = [
        {"build_id": BUILD, "person_id": p, "source": s, "record_id": r,
         "probability": 0.999, "explanation": WHY}
        for p, s, r in EVIDENCE
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(t.record_evidence), rows)
    return load_index(engine)


def _explained(view) -> dict[str, list[str]]:
    return {
        pid: sorted(r.source for r in records)
        for pid, records in view.evidence.items()
        if records
    }


def test_the_view_explains_only_the_services_it_shows(index, audit_engine):
    hide_police = Policy.from_config(
        GovernanceConfig(
            visibility={"front_door": {"standard": "full", "police": "hidden"}}
        )
    )
    request = ask(index, audit_engine, WORKER, "Strategy discussion", "R1")
    full = access.audited_family(request, "p1")
    cut = access.audited_family(
        ask(index, audit_engine, WORKER, "Strategy discussion", "R1",
            policy=hide_police),
        "p1",
    )  # fmt: skip
    assert _explained(full) == {"p1": ["csc", "school"], "p2": ["housing", "police"],
                                "p3": ["police"]}  # fmt: skip
    assert _explained(cut) == {"p1": ["csc", "school"], "p2": ["housing"]}
    shown = {m.person_id: {s.source for s in m.services} for m in cut.members}
    for pid, records in cut.evidence.items():
        assert {r.source for r in records} <= shown[pid]


def test_a_restricted_relative_is_never_explained(index, audit_engine):
    set_restriction(audit_engine, ADMIN, "p2", "protected_address")
    request = ask(index, audit_engine, WORKER, "Strategy discussion", "R1")
    view = access.audited_family(request, "p1")
    assert view.evidence["p2"] == ()
    assert "p2" not in _explained(view) and "p1" in _explained(view)
