"""Who-to-call cards: one card per professional and service, naming everyone in
the family they work with."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from lookup.family import Contact
from lookup.services import Lead
from ui.who_to_call import contact_markdown, grouped

OFFICER = Lead("Leanne Johnson", "Tenancy officer", "Patch South", "07700 900600")
SW = Lead("Nick Parker", "Social worker", "Locality North", "07700 900700")


def _contact(pid: str, name: str, rel: str, service: str, lead: Lead,
             since: date | None) -> Contact:  # fmt: skip
    return Contact(pid, name, rel, service, lead, since)


CONTACTS = (
    _contact("p1", "Leanne FOSTER", "Person searched for", "Housing", OFFICER,
             date(2020, 8, 18)),
    _contact("p1", "Leanne FOSTER", "Person searched for", "Adult social care", SW,
             date(2024, 5, 18)),
    _contact("p2", "Richard EVANS", "Partner", "Housing", OFFICER, date(2020, 8, 18)),
    _contact("p3", "Mia FOSTER", "Child", "School", Lead(), None),
    _contact("p4", "Leo FOSTER", "Child", "School", Lead(), None),
)  # fmt: skip


def test_one_card_per_service_and_lead_in_first_seen_order() -> None:
    cards = grouped(CONTACTS)
    assert [[c.person_id for c in g] for g in cards] == [
        ["p1", "p2"], ["p1"], ["p3"], ["p4"]  # no lead: never merged
    ]  # fmt: skip


def test_a_shared_card_names_everyone_and_one_date_when_equal() -> None:
    text = contact_markdown(grouped(CONTACTS)[0], None)
    assert (
        "For **Leanne FOSTER** (Person searched for) and **Richard EVANS** (Partner)"
        in text
    )
    assert "Since 18 August 2020" in text and "tel:07700900600" in text


def test_different_start_dates_are_given_per_person() -> None:
    later = replace(CONTACTS[2], since=date(2021, 1, 4))
    text = contact_markdown(grouped((CONTACTS[0], later))[0], None)
    assert (
        "Leanne FOSTER: since 18 August 2020; Richard EVANS: since 4 January 2021"
        in text
    )
