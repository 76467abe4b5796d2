"""'Named on a current case': a parent a service names with no involvement of
their own while the child's case in that service is open (not "Historic")."""

from __future__ import annotations

from datetime import date

from lookup.family import Member
from lookup.named_case import NAMED, named_on_current_cases
from lookup.relationships import GroupRow
from lookup.services import Lead, ServiceStatus

LEAD = Lead("Pat Lee", "Social worker", "Team East")


def _status(involvement: str, start: date | None = None) -> ServiceStatus:
    return ServiceStatus(
        "csc", "Children's social care", "standard", involvement, "x", start, None,
        None, None, False, LEAD if start else None, None, "",
    )  # fmt: skip


def _member(pid: str, name: str, status: ServiceStatus) -> Member:
    return Member(pid, name, None, None, "", "", pid == "kid", None, None, False,
                  (status,), ())  # fmt: skip


def _named(rows: list[GroupRow], child: str = "Current") -> dict[str, ServiceStatus]:
    members = [
        _member("kid", "Olivia WALKER", _status(child, date(2026, 7, 14))),
        _member("dad", "Noah WALKER", _status("Historic")),  # named, no dates
    ]
    return {m.person_id: m.services[0] for m in named_on_current_cases(members, rows)}


CASE = [GroupRow("family:csc:FAM1", p, None, "csc") for p in ("kid", "dad")]


def test_a_parent_on_an_open_case_is_named_on_it_with_its_lead() -> None:
    dad = _named(CASE)["dad"]
    assert dad.involvement == NAMED
    assert (
        dad.summary == "Named on Olivia WALKER's current case (open since 14 July 2026)"
    )
    assert dad.lead == LEAD


def test_a_closed_case_or_another_service_or_a_household_leaves_it_historic():
    assert _named(CASE, child="Historic")["dad"].involvement == "Historic"
    other = [GroupRow("family:eh:F1", p, None, "eh") for p in ("kid", "dad")]
    assert _named(other)["dad"].involvement == "Historic"
    home = [GroupRow("household:csc:H1", p, None, "csc") for p in ("kid", "dad")]
    assert _named(home)["dad"].involvement == "Historic"
    assert _named(CASE)["kid"].involvement == "Current"
