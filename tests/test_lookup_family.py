"""Family view: members, Current / Historic / None found wording, age rules, calls."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import TODAY
from support.lookup_index import EXTRACT, make_index

from core.errors import LookupInputError
from lookup.family import FamilyView, Member, family_view, service_detail
from lookup.index import LinkedIndex, load_index
from lookup.services import Source, age_rule_text, none_found_text


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    return load_index(make_index(tmp_path_factory.mktemp("family") / "index.db"))


@pytest.fixture(scope="module")
def view(index: LinkedIndex) -> FamilyView:
    return family_view(index, "p1", TODAY)


def _member(view: FamilyView, pid: str) -> Member:
    return next(m for m in view.members if m.person_id == pid)


def _status(view: FamilyView, pid: str, service: str):
    return next(s for s in _member(view, pid).services if s.service == service)


def test_members_are_everyone_sharing_a_family(view: FamilyView) -> None:
    assert [m.person_id for m in view.members] == ["p1", "p3", "p2", "p4"]
    jane, karen = _member(view, "p1"), _member(view, "p2")
    assert jane.is_focus and jane.how_linked == "Person searched for"
    assert (karen.relationship, karen.age) == ("Mother", 38)
    assert karen.relationship_basis == "stated"
    tom = _member(view, "p4")
    assert (tom.relationship, tom.relationship_basis) == ("Sibling", "stated")
    assert karen.how_linked == "Children's social care case; Housing tenancy household"
    assert jane.possible_match and not karen.possible_match


STATUSES = [
    # (person, service, involvement, summary)
    ("p1", "Children's social care", "Current", "Current since 3 March 2026"),
    ("p1", "CAMHS", "Historic", "Historic: 1 February 2024 to 1 September 2024"),
    ("p2", "Police", "Historic", "Historic: on 9 August 2021"),
    ("p2", "Housing", "Current", "Current since 1 May 2018"),
    ("p2", "Children's social care", "None found",
     "No record in Children's social care data since April 2014"),
    ("p3", "Housing", "None found", "No record in Housing data since April 2014"),
    ("p4", "CAMHS", "None found", "No record in CAMHS data since January 2020"),
    ("p3", "Adult social care", "Not available",
     "Adult social care data could not be loaded in the latest build; "
     "ask Adult social care directly"),
]  # fmt: skip


@pytest.mark.parametrize(("pid", "service", "involvement", "summary"), STATUSES)
def test_service_statuses(view, pid, service, involvement, summary) -> None:
    status = _status(view, pid, service)
    assert (status.involvement, status.summary) == (involvement, summary)
    assert status.current_as_of == EXTRACT


def test_every_service_is_listed_or_hidden_by_age(view: FamilyView) -> None:
    for m in view.members:
        shown = {s.service for s in m.services}
        hidden = {h.split(":")[0] for h in m.hidden}
        assert len(shown) + len(hidden) == 6 and not shown & hidden


def test_age_rules_hide_services(view: FamilyView) -> None:
    tom = _member(view, "p4")
    assert "Police: not shown for people under 18" in tom.hidden
    assert "School: not shown for people under 4" in tom.hidden
    assert "School: not shown for people over 20" in _member(view, "p2").hidden
    assert all(c.person_id != "p4" for c in view.who_to_call)


def test_lead_trust_labels_and_detail(view: FamilyView) -> None:
    csc = _status(view, "p1", "Children's social care")
    assert csc.lead is not None
    assert (csc.lead.name, csc.lead.phone) == ("Pat Lee", "0161 000 1111")
    assert csc.last_contact == date(2026, 10, 20)
    assert csc.detail == "Child in need plan"
    assert csc.coverage == "Demo borough, since April 2014"
    assert _status(view, "p3", "Police").coverage == "Coverage not stated"


def test_sensitive_detail_is_withheld_until_opened(index, view) -> None:
    camhs = _status(view, "p1", "CAMHS")
    police = _status(view, "p3", "Police")
    assert camhs.detail is None and camhs.detail_withheld
    assert police.detail is None and police.detail_withheld
    assert service_detail(index, "p1", "camhs") == "Anxiety referral"
    assert service_detail(index, "p2", "camhs") is None


def test_who_to_call_lists_every_current_involvement(view: FamilyView) -> None:
    calls = [(c.person_id, c.service, c.lead.name, c.since) for c in view.who_to_call]
    assert calls == [
        ("p1", "Children's social care", "Pat Lee", date(2026, 3, 3)),
        ("p1", "School", "Ann Head", date(2019, 9, 4)),
        ("p3", "Police", "PC Dale", date(2025, 12, 1)),
        ("p2", "Housing", "Sue Hall", date(2018, 5, 1)),
    ]
    assert view.who_to_call[3].lead.email == "sue.hall@demo.example"


def test_person_without_family_is_shown_alone(index: LinkedIndex) -> None:
    alone = family_view(index, "p6", TODAY)
    assert [m.person_id for m in alone.members] == ["p6"]
    assert _status(alone, "p6", "Police").involvement == "Historic"


def test_unknown_person_is_refused(index: LinkedIndex) -> None:
    with pytest.raises(LookupInputError, match="search again"):
        family_view(index, "nobody", TODAY)


def _source(**kw) -> Source:
    base = dict(source="h", service="Housing", sensitivity="standard",
                extract_date=None, coverage_from=None, coverage_area=None,
                age_min=None, age_max=None, ok=True)  # fmt: skip
    return Source(**{**base, **kw})


@pytest.mark.parametrize(
    ("coverage_from", "text"),
    [(date(2014, 4, 1), "No record in Housing data since April 2014"),
     (None, "No record in Housing data")],
)  # fmt: skip
def test_none_found_wording(coverage_from, text) -> None:
    assert none_found_text(_source(coverage_from=coverage_from)) == text


@pytest.mark.parametrize(
    ("age_min", "age_max", "age", "text"),
    [(16, None, 15, "Housing: not shown for people under 16"),
     (16, None, 16, None),
     (4, 20, 21, "Housing: not shown for people over 20"),
     (4, 20, 20, None),
     (18, None, None, None)],
)  # fmt: skip
def test_age_rule_text(age_min, age_max, age, text) -> None:
    assert age_rule_text(_source(age_min=age_min, age_max=age_max), age) == text
