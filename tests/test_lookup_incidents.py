"""Incidents with the person's role, per-role age rules and detail limits, through
the doorway: a child present at an incident shows at any age, their own
offending only inside the age range; a contact-only role sees no incident."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ask
from sqlalchemy import insert, update
from support.lookup_index import BUILD, EXTRACT, make_index

import governance.access as access
from core.config import load_config
from core.errors import ConfigError
from governance.audit import Actor
from governance.visibility import Policy, capped_incidents, parse_matrix
from linkage import index_tables as t
from lookup.disclosure import Disclosure
from lookup.index import LinkedIndex, load_index
from lookup.services import Incident, ServiceStatus, Source, age_rule_text
from sources.records import STANDARD_SCHEMA

POLICE = Source("police", "Police", "police", EXTRACT, None, None, 18, None, True,
                any_age_roles=("child present", "victim"))  # fmt: skip
LEVELS = [
    # (role's level, age, role in the record, expected level of the record)
    ("full", 30, "Suspect", "full"),
    ("full", 11, "Suspect", "hidden"),
    ("full", 11, "Child present", "full"),
    ("full", 11, "VICTIM ", "full"),
    ("full", 11, None, "hidden"),
    ("contact_only", 11, "Child present", "contact_only"),
    ("contact_only", 11, "Suspect", "hidden"),
    ("hidden", 11, "Child present", "hidden"),
    ("full", None, "Suspect", "full"),  # age unknown: no age rule applies
]  # fmt: skip


@pytest.mark.parametrize(("level", "age", "role", "expected"), LEVELS)
def test_record_level_by_role_and_age(level, age, role, expected) -> None:
    cut = Disclosure({"police": level}, {"police": POLICE})
    assert cut.record_level("police", age, role) == expected
    # identity and links still rest on the source's own level: none for a child
    assert cut.full("police", age) == (level == "full" and (age is None or age >= 18))


def test_age_rule_text_says_what_still_shows() -> None:
    assert age_rule_text(POLICE, 11) == (
        "Police: for people under 18, only incidents where they were recorded as "
        "child present or victim are shown"
    )
    assert age_rule_text(POLICE, 18) is None
    plain = Source("x", "Housing", "standard", None, None, None, 16, None, True)
    assert age_rule_text(plain, 11) == "Housing: not shown for people under 16"


def _status(n: int) -> ServiceStatus:
    incidents = tuple(Incident(date(2026, 1, 10 - i), "Assault", "Victim")
                      for i in range(n))  # fmt: skip
    return ServiceStatus(
        "police", "Police", "police", "Historic", "", None, None, None, None, False,
        None, None, "", incidents=incidents,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("n", "limit", "beyond", "kept", "words"),
    [(5, 3, "count", 3, "and 2 earlier incidents"),
     (4, 3, "count", 3, "and 1 earlier incident"),
     (5, 3, "yes_no", 3, "Earlier incidents: yes"),
     (2, 3, "count", 2, ""), (0, 3, "yes_no", 0, "")],
)  # fmt: skip
def test_incidents_beyond_the_detail_limit(n, limit, beyond, kept, words) -> None:
    got = capped_incidents(_status(n), limit, beyond)
    assert (len(got.incidents), got.incidents_beyond) == (kept, words)
    assert [i.on for i in got.incidents] == [i.on for i in _status(n).incidents][:kept]


def _police(pid: str, i: int, on: date, kind: str, role: str) -> dict:
    row = dict.fromkeys(STANDARD_SCHEMA)
    row.update(
        build_id=BUILD, person_id=pid, source="police", record_id=f"pi{i}",
        row_number=100 + i, involvement_start=on, involvement_current=False,
        detail=kind, role=role, extract_date=EXTRACT, lead_name="DC Shaw",
    )  # fmt: skip
    return row


#: Jane (11) was a child present twice and a suspect once; Karen (38) a victim
#: four times.
INCIDENTS = [
    ("p1", date(2026, 5, 12), "Domestic abuse", "Child present"),
    ("p1", date(2025, 11, 2), "Domestic abuse", "Child present"),
    ("p1", date(2026, 6, 1), "Criminal damage", "Suspect"),
    ("p2", date(2026, 5, 12), "Domestic abuse", "Victim"),
    ("p2", date(2025, 11, 2), "Domestic abuse", "Victim"),
    ("p2", date(2024, 3, 3), "Domestic abuse", "Victim"),
    ("p2", date(2023, 1, 1), "Domestic abuse", "Victim"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    engine = make_index(tmp_path_factory.mktemp("incidents") / "index.db")
    with engine.begin() as conn:
        conn.execute(insert(t.records), [_police(p, i, on, k, r) for i, (p, on, k, r)
                                         in enumerate(INCIDENTS)])  # fmt: skip
        conn.execute(update(t.source_loads).where(t.source_loads.c.source == "police")
                     .values(age_any_roles="child present;victim"))  # fmt: skip
    return load_index(engine)


MATRIX = {"front_door": {"standard": "full", "police": "full", "sensitive": "full"},
          "early_help": {"standard": "full", "police": "contact_only",
                         "sensitive": "contact_only"},
          "social_worker": {"standard": "full", "police": "hidden",
                            "sensitive": "full"}}  # fmt: skip
POLICY = Policy(parse_matrix(MATRIX), detail_limits={"police": 3})


def _view(index, audit_engine, role: str, pid: str = "p1"):  # noqa: ANN001, ANN202
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit_engine, who, "New referral (MASH)", "R-1",
                  policy=POLICY)  # fmt: skip
    view = access.audited_family(request, pid)
    return {m.person_id: m for m in view.members}


def _police_of(member):  # noqa: ANN001, ANN202
    return next((s for s in member.services if s.source == "police"), None)


def test_a_child_present_shows_at_any_age_and_their_offending_does_not(
    index: LinkedIndex, audit_engine
) -> None:
    jane = _police_of(_view(index, audit_engine, "front_door")["p1"])
    assert [(i.on, i.kind, i.role) for i in jane.incidents] == [
        (date(2026, 5, 12), "Domestic abuse", "Child present"),
        (date(2025, 11, 2), "Domestic abuse", "Child present"),
    ]
    assert jane.involvement == "Historic" and jane.last_start == date(2026, 5, 12)
    assert "Criminal damage" not in repr(jane)  # the suspect record leaves no trace


def test_the_detail_limit_caps_the_incidents_listed(
    index: LinkedIndex, audit_engine
) -> None:
    karen = _police_of(_view(index, audit_engine, "front_door")["p2"])
    assert [i.on.year for i in karen.incidents] == [2026, 2025, 2024]
    assert {i.role for i in karen.incidents} == {"Victim"}
    assert karen.incidents_beyond == "and 1 earlier incident"


def test_a_contact_only_role_sees_no_incident(index: LinkedIndex, audit_engine):
    members = _view(index, audit_engine, "early_help")
    for pid in ("p1", "p2"):
        police = _police_of(members[pid])
        assert police.involvement == "Historic" and police.lead is not None
        assert (police.incidents, police.incidents_beyond) == ((), "")
        assert police.last_start is None and police.detail is None


def test_a_hidden_service_leaves_no_trace(index: LinkedIndex, audit_engine) -> None:
    members = _view(index, audit_engine, "social_worker")
    assert all(_police_of(m) is None for m in members.values())
    assert "Police: not shown for your role" in members["p1"].hidden


def test_age_any_roles_needs_a_role_column(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[[sources]]\nname = "police"\nservice = "Police"\nformat = "csv"\n'
        'path = "p.csv"\nage_min = 18\nage_any_roles = ["Child present"]\n'
        'beyond_limit = "some"\n[sources.columns]\nfirst_name = "F"\n'
        'last_name = "L"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "sources[0].age_any_roles" in text and "columns.role" in text
    assert "sources[0].beyond_limit" in text
