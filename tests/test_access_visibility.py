"""Every role against every sensitivity class, and restricted people, through the
audited facade (so the CLI and the dashboard behave the same), on SQLite and
PostgreSQL audit stores."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import polars as pl
import pytest
from conftest import ask
from support.lookup_index import make_index

import governance.access as access
from core.config import GovernanceConfig, SourceConfig
from core.errors import AccessDenied
from governance.audit import Actor, read_events, verify_chain
from governance.restrictions import (
    RESTRICTED_MESSAGE,
    RestrictedRecord,
    is_redacted,
    lift_restriction,
    set_restriction,
)
from governance.visibility import (
    CONTACT_FIELDS,
    CONTACT_ONLY_NOTE,
    Policy,
    parse_matrix,
)
from lookup.index import (
    LinkedIndex,
    assemble_index,
    current_build_id,
    load_index,
    read_frames,
)
from lookup.query import parse_query

ROLES = ("front_door", "early_help", "social_worker", "auditor", "administrator")
#: One source of each class in the test index, and a person it has a record on.
CLASSES = {"standard": ("csc", "p1"), "police": ("police", "p2"),
           "sensitive": ("camhs", "p1")}  # fmt: skip
DEFAULT = Policy()
ADMIN = Actor("demo.admin", "Admin", "administrator", "s-a")
JANE = parse_query("Jane", "Smith", "03/07/2015")


def actor(role: str) -> Actor:
    return Actor(f"u.{role}", role, role, f"s-{role}")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    return load_index(make_index(tmp_path_factory.mktemp("vis") / "index.db"))


@pytest.fixture
def audit(audit_engine):
    return audit_engine


def _open(index, audit, who: Actor, person: str = "p1", policy=None, **kw):
    request = ask(index, audit, who, "Strategy discussion", "R1", policy=policy)
    return access.audited_family(request, person, **kw)


def _service(view, person: str, source: str):
    member = next(m for m in view.members if m.person_id == person)
    return next((s for s in member.services if s.source == source), None), member


@pytest.mark.parametrize("sensitivity", sorted(CLASSES))
@pytest.mark.parametrize("role", ROLES)
def test_role_sees_each_class_as_the_matrix_says(index, audit, role, sensitivity):
    source, person = CLASSES[sensitivity]
    who = actor(role)
    level = DEFAULT.level(role, sensitivity)
    if role in ("auditor", "administrator"):
        with pytest.raises(AccessDenied):
            _open(index, audit, who, person)
        assert read_events(audit)[0]["kind"] == "access_denied"
        return
    service, member = _service(_open(index, audit, who, person), person, source)
    if level == "hidden":
        assert service is None and any("not shown for your role" in h
                                       for h in member.hidden)  # fmt: skip
    elif level == "contact_only":
        assert service.detail is None and not service.detail_withheld
        assert service.last_start is None and CONTACT_ONLY_NOTE in service.summary
        assert service.involvement in ("Current", "Historic")
        extra = {f.name: getattr(service, f.name) for f in fields(service)
                 if f.name not in CONTACT_FIELDS | {"summary"}}  # fmt: skip
        assert not any(extra.values()), f"contact-only role sees {extra}"
        with pytest.raises(AccessDenied, match="not its detail"):
            access.audited_service_detail(
                ask(index, audit, who, "Strategy discussion", "R1"), person, source
            )
    else:
        assert service is not None and service.involvement in ("Current", "Historic")
        if sensitivity != "standard":
            assert service.detail_withheld and service.detail is None
            detail = access.audited_service_detail(
                ask(index, audit, who, "Strategy discussion", "R1"), person, source
            )
            assert detail and read_events(audit)[0]["kind"] == "service_opened"
    assert verify_chain(audit).valid


def test_matrix_from_config_can_hide_a_class(index, audit) -> None:
    gov = GovernanceConfig(
        visibility={"front_door": {"standard": "full", "police": "hidden"}}
    )
    policy = Policy.from_config(gov)
    assert parse_matrix(gov.visibility)[("front_door", "police")] == "hidden"
    view = _open(index, audit, actor("front_door"), "p2", policy=policy)
    police, member = _service(view, "p2", "police")
    assert police is None and "Police: not shown for your role" in member.hidden
    assert policy.level("front_door", "sensitive") == "hidden"  # unlisted = hidden
    assert all(c.service != "Police" for c in view.who_to_call)


def test_results_neither_count_nor_name_a_hidden_service(index, audit) -> None:
    who = actor("front_door")
    search = access.audited_search
    full = search(ask(index, audit, who, "Strategy discussion", "R1"), JANE, 5)[0]
    policy = Policy.from_config(
        GovernanceConfig(
            visibility={"front_door": {"police": "full", "sensitive": "full"}}
        )
    )
    cut = search(ask(index, audit, who, "Strategy discussion", "R1", policy=policy),
                 JANE, 5)[0]  # fmt: skip
    assert full.person_id == cut.person_id == "p1"
    assert any(n.startswith("Children's social care case") for n in full.case_numbers)
    assert cut.case_numbers == ()
    # p1 is known to csc and school (standard, hidden here) and camhs (sensitive)
    assert (full.n_services, cut.n_services) == (3, 1)


def test_emergency_is_configurable_and_flagged(index, audit) -> None:
    policy = Policy(emergency_purposes=("Urgent safeguarding",))
    with pytest.raises(Exception, match="Explain the emergency"):
        access.audited_search(ask(index, audit, actor("front_door"),
                                  "Urgent safeguarding", "R9", policy=policy),
                              JANE, 5)  # fmt: skip
    access.audited_search(ask(index, audit, actor("front_door"), "Urgent safeguarding",
                              "R9", "Child missing", policy=policy),
                          JANE, 5)  # fmt: skip
    assert all(e["data"]["emergency"] for e in read_events(audit))


def test_restricted_person_shows_only_the_placeholder(index, audit) -> None:
    set_restriction(audit, ADMIN, "p1", "protected_address")
    worker = actor("front_door")
    found = access.audited_search(
        ask(index, audit, worker, "Strategy discussion", "R1"), JANE, 5
    )
    jane = next(c for c in found if c.person_id == "p1")
    assert is_redacted(jane) and jane.last_name is None and jane.dob is None
    assert jane.matched_on == RESTRICTED_MESSAGE
    assert read_events(audit)[0]["data"]["restricted_ids"] == ["p1"]
    with pytest.raises(RestrictedRecord, match="restricted record exists"):
        _open(index, audit, worker, "p1")
    assert read_events(audit)[0]["data"]["restricted"] is True


def test_override_is_its_own_event_and_relatives_stay_hidden(index, audit) -> None:
    set_restriction(audit, ADMIN, "p1", "adoption")
    set_restriction(audit, ADMIN, "p4", "staff_relative")
    view = _open(index, audit, actor("social_worker"), "p1",
                 override="Court-ordered assessment")  # fmt: skip
    opened, override = read_events(audit)[:2]
    assert override["kind"] == "override"
    assert override["data"]["override_reason"] == "Court-ordered assessment"
    assert opened["kind"] == "family_opened" and opened["data"]["restricted_ids"]
    tom = next(m for m in view.members if m.person_id == "p4")
    assert tom.name == "Restricted record" and tom.services == ()
    assert all(c.person_id != "p4" for c in view.who_to_call)
    lift_restriction(audit, ADMIN, "p1")
    assert _open(index, audit, actor("social_worker"), "p1").focus_id == "p1"


def test_only_administrators_manage_restrictions(audit) -> None:
    with pytest.raises(AccessDenied):
        set_restriction(audit, actor("front_door"), "p1", "adoption")
    kinds = [e["kind"] for e in read_events(audit)]
    assert kinds == ["access_denied"]
    set_restriction(audit, ADMIN, "p1", "high_profile")
    assert read_events(audit)[0]["kind"] == "restriction_set"


@pytest.fixture(scope="module")
def police_history(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    """The test index with three more (older) police involvements for p2, built
    like any index so its per-person structures hold them too."""
    engine = make_index(tmp_path_factory.mktemp("history") / "index.db")
    frames = read_frames(engine, current_build_id(engine))
    records = frames["records"]
    p2 = records.filter(person_id="p2", source="police")
    older = pl.concat([
        p2.with_columns(involvement_start=pl.lit(date(2019 - i, 3, 1)),
                        detail=pl.lit(f"Incident {i}").cast(p2["detail"].dtype))
        for i in range(3)
    ])  # fmt: skip
    frames["records"] = pl.concat([records, older])
    return assemble_index(current_build_id(engine), frames)


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (1, "Domestic incident (victim)"),
        (3, "9 August 2021: Domestic incident (victim); 1 March 2019: Incident 0; "
            "1 March 2018: Incident 1"),
    ],
)  # fmt: skip
def test_police_detail_is_capped_as_the_source_says(
    police_history, audit, limit, expected
):
    policy = Policy(detail_limits={"police": limit})
    detail = access.audited_service_detail(
        ask(police_history, audit, actor("front_door"),
            "Strategy discussion", "R1", policy=policy), "p2", "police",
    )  # fmt: skip
    assert detail == expected
    opened = read_events(audit)[0]
    assert opened["kind"] == "service_opened"
    assert opened["data"].get("detail_limit", 1) == limit


def test_a_source_sharing_no_detail_offers_none(index, audit) -> None:
    policy = Policy(detail_limits={"police": 0})
    view = _open(index, audit, actor("front_door"), "p2", policy=policy)
    police, _ = _service(view, "p2", "police")
    assert police.involvement == "Historic" and police.lead is None
    assert police.detail is None and not police.detail_withheld
    with pytest.raises(AccessDenied, match="only that it is involved"):
        access.audited_service_detail(ask(index, audit, actor("front_door"),
                                          "Strategy discussion", "R1", policy=policy),
                                      "p2", "police")  # fmt: skip
    denied = read_events(audit)[0]
    assert denied["data"]["why"] == "source_shares_no_detail"


def test_detail_limits_come_from_each_source() -> None:
    sources = (SourceConfig(name="police", detail_limit=3), SourceConfig(name="csc"))
    policy = Policy.from_config(GovernanceConfig(), sources)
    assert (policy.detail_limit("police"), policy.detail_limit("csc")) == (3, 1)
    assert policy.detail_limit("unlisted") == 1
