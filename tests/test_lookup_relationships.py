"""Relationships to the person searched for: stated, derived through the family
graph, or inferred honestly from a shared home (small tables, expected values)."""

from __future__ import annotations

from datetime import date

import pytest

from lookup.kin_words import term, word_sex
from lookup.relationships import GroupRow, Household, Person, relationships

SERVICES = {"housing": "Housing", "eh": "Early Help", "csc": "Children's social care"}
PEOPLE = {
    "olivia": Person("Olivia", "F", 5),
    "mei": Person("Mei", "F", 16),
    "amelia": Person("Amelia", "F", 38),
    "noah": Person("Noah", "M", 37),
    "ray": Person("Ray", "M", 40),
    "gran": Person("Joan", "F", 66),
    "zak": Person("Zak", "M", 2),
    "lodger": Person("Sam", None, 30),
    "stranger": Person("Kim", None, 12),
}


def _rows(group: str, source: str, *members: tuple[str, str | None]) -> list[GroupRow]:
    return [GroupRow(group, pid, role, source) for pid, role in members]


HOUSING = _rows(
    "household:housing:T1", "housing",
    ("amelia", "Lead tenant"), ("olivia", "Daughter"), ("mei", "Daughter"),
    ("ray", "Partner"), ("gran", "Parent"), ("lodger", "Lodger"),
)  # fmt: skip
EARLY_HELP = _rows(
    "family:eh:F1", "eh",
    ("amelia", "Mother"), ("noah", "Father (non-resident)"), ("olivia", "Child"),
)  # fmt: skip
#: Zak is Mei's son by a father not in the family (a family of two: CSC's
#: stated mother and child), so Olivia is his aunt and Mei is not Olivia's
#: parent.
PAIR = _rows("pair:csc:mei>zak", "csc", ("mei", "Mother"), ("zak", "Child"))
HOME = Household("home", date(2022, 5, 1), ("Schools",), ("school",))
ALL = [*HOUSING, *EARLY_HELP, *PAIR]

CASES = [
    # (focus, rows, member, label, kind, basis)
    ("olivia", ALL, "amelia", "Mother", "parent", "stated"),
    ("olivia", ALL, "noah", "Father", "parent", "stated"),
    ("olivia", HOUSING, "mei", "Sister", "sibling", "derived"),
    ("olivia", HOUSING, "ray", "Mother's partner", "parent_partner", "derived"),
    ("olivia", HOUSING, "gran", "Grandmother", "grandparent", "derived"),
    ("olivia", ALL, "lodger",
     "Adult in the household since 2022, relationship not recorded",
     "household_adult", "inferred"),
    ("olivia", ALL, "zak", "Child in the household since 2022, relationship not "
     "recorded", "household_child", "inferred"),
    ("amelia", ALL, "olivia", "Daughter", "child", "stated"),
    ("amelia", ALL, "ray", "Partner", "partner", "stated"),
    ("amelia", ALL, "noah", "Other parent of Olivia", "co_parent", "derived"),
    ("amelia", ALL, "gran", "Mother", "parent", "stated"),
    ("amelia", ALL, "zak", "Grandson", "grandchild", "derived"),
    ("noah", ALL, "mei", "Child in the household since 2022, relationship not "
     "recorded", "household_child", "inferred"),
    ("ray", HOUSING, "olivia", "Partner's daughter", "partner_child", "derived"),
    ("gran", HOUSING, "olivia", "Granddaughter", "grandchild", "derived"),
    ("zak", ALL, "mei", "Mother", "parent", "stated"),
    ("zak", ALL, "amelia", "Grandmother", "grandparent", "derived"),
    ("zak", ALL, "olivia", "Aunt", "aunt_uncle", "derived"),
]  # fmt: skip


@pytest.mark.parametrize(("focus", "rows", "member", "text", "kind", "basis"), CASES)
def test_relationship_to_the_focus_person(focus, rows, member, text, kind, basis):
    people = {p: PEOPLE[p] for p in {r.person_id for r in rows}}
    shared = dict.fromkeys(people, HOME)
    got = relationships(focus, rows, people, SERVICES, shared)[member]
    assert (got.label, got.kind, got.basis) == (text, kind, basis)
    assert got.evidence, "every relationship says what it rests on"


def test_stated_relationship_names_its_source_and_words() -> None:
    got = relationships("olivia", EARLY_HELP, {p: PEOPLE[p] for p in
                        ("amelia", "noah", "olivia")}, SERVICES)["noah"]  # fmt: skip
    assert got.evidence == (
        "Early Help: Noah recorded as Father (non-resident) in the family of Olivia",
    )
    assert got.sources == ("eh",)


def test_half_siblings_have_different_stated_other_parents() -> None:
    rows = [
        *_rows("family:eh:A", "eh", ("amelia", "Mother"), ("noah", "Father"),
               ("olivia", "Child")),
        *_rows("family:eh:B", "eh", ("amelia", "Mother"), ("ray", "Father"),
               ("mei", "Child")),
    ]  # fmt: skip
    people = {p: PEOPLE[p] for p in ("amelia", "noah", "ray", "olivia", "mei")}
    got = relationships("olivia", rows, people, SERVICES)
    assert (got["mei"].label, got["mei"].kind) == ("Half-sister", "half_sibling")
    assert got["ray"].label == "Sibling's father"


def test_sex_unknown_uses_the_sources_word_else_a_neutral_one() -> None:
    people = {"amelia": Person("A", None, 38), "olivia": Person("O", None, 5),
              "mei": Person("M", None, 16)}  # fmt: skip
    got = relationships("olivia", [*EARLY_HELP[:1], *EARLY_HELP[2:],
                        GroupRow("family:eh:F1", "mei", "Child", "eh")],
                        people, SERVICES)  # fmt: skip
    assert got["amelia"].label == "Mother"  # the word says so
    assert got["mei"].label == "Sibling"  # nothing says which


def test_named_only_in_a_family_says_so_and_who_is_a_child() -> None:
    rows = _rows("family:csc:F9", "csc", ("olivia", None), ("stranger", None))
    shared = {"stranger": Household("family", None, ("Children's social care",),
                                    ("csc",))}  # fmt: skip
    people = {p: PEOPLE[p] for p in ("olivia", "stranger")}
    got = relationships("olivia", rows, people, SERVICES, shared)["stranger"]
    assert got.label == (
        "Child named in the same Children's social care family, relationship not "
        "recorded"
    )
    assert (got.kind, got.basis, got.sources) == ("family_child", "inferred", ("csc",))


def test_an_unknown_word_is_not_guessed() -> None:
    rows = _rows("household:h:1", "housing", ("amelia", "Lead tenant"),
                 ("olivia", "Cousin twice removed"))  # fmt: skip
    people = {p: PEOPLE[p] for p in ("olivia", "amelia")}
    got = relationships("olivia", rows, people, SERVICES)["amelia"]
    assert got.basis == "inferred"


WORDS = [
    ("Lead tenant", "lead", ""), ("Father (non-resident)", "parent", "non-resident"),
    ("STEP-FATHER", "step_parent", ""), ("Son", "child", ""),
    ("special guardian", "carer", ""), ("Joint tenant", "partner", ""),
    ("Lodger", "other_adult", ""), (None, None, ""), ("Neighbour", None, ""),
]  # fmt: skip


@pytest.mark.parametrize(("word", "meaning", "note"), WORDS)
def test_role_words(word, meaning, note) -> None:
    assert term(word) == (meaning, note)


@pytest.mark.parametrize(
    ("word", "sex"),
    [("Mother", "F"), ("Step-daughter", "F"), ("Father (non-resident)", "M"),
     ("Son", "M"), ("Parent", None), ("Lead tenant", None), (None, None)],
)  # fmt: skip
def test_word_sex(word, sex) -> None:
    assert word_sex(word) == sex
