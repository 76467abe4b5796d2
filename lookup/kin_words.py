"""What the words sources use for a person's role in a family or household mean.

A source states a role in one of two ways. A household (housing's household
composition) names a **lead** ("Lead tenant", "Head of household") and gives
everyone else's relationship to them ("Son", "Partner", "Parent", "Lodger").
A family (children's social care, Early Help) names the adults' **roles
towards the family's children** ("Mother", "Step-father", "Carer") and the
children as "Child". ``lookup.relationships`` reads a group one way when it
names a lead, the other way when it does not.
"""

from __future__ import annotations

import re
from typing import Literal

#: What a role word says: the group's lead, or how the person is related to the
#: lead (household) or to the children (family).
Term = Literal[
    "lead", "parent", "step_parent", "carer", "grandparent", "child", "stepchild",
    "grandchild", "partner", "sibling", "other_adult", "other_child",
]  # fmt: skip

WORDS: dict[str, Term] = {
    **dict.fromkeys(
        ("lead tenant", "tenant", "main tenant", "sole tenant", "head of household",
         "householder", "applicant", "lead applicant", "self", "head"), "lead"),
    **dict.fromkeys(
        ("mother", "father", "parent", "birth mother", "birth father", "birth parent",
         "mum", "dad", "adoptive mother", "adoptive father", "adoptive parent"),
        "parent"),
    **dict.fromkeys(
        ("step-mother", "step-father", "step-parent", "stepmother", "stepfather",
         "stepparent", "step mother", "step father", "step parent"), "step_parent"),
    **dict.fromkeys(
        ("carer", "foster carer", "kinship carer", "special guardian", "guardian",
         "connected person carer", "family and friends carer"), "carer"),
    **dict.fromkeys(
        ("grandmother", "grandfather", "grandparent", "grandma", "grandad"),
        "grandparent"),
    **dict.fromkeys(
        ("child", "son", "daughter", "subject child", "adopted child",
         "looked after child", "baby", "unborn child"), "child"),
    **dict.fromkeys(
        ("stepson", "stepdaughter", "step-son", "step-daughter", "stepchild",
         "step-child", "foster child"), "stepchild"),
    **dict.fromkeys(
        ("grandson", "granddaughter", "grandchild"), "grandchild"),
    **dict.fromkeys(
        ("partner", "spouse", "husband", "wife", "civil partner", "cohabitee",
         "joint tenant", "boyfriend", "girlfriend"), "partner"),
    **dict.fromkeys(
        ("brother", "sister", "sibling", "half-brother", "half-sister",
         "half-sibling"), "sibling"),
    **dict.fromkeys(
        ("lodger", "sharer", "other adult", "friend", "joint occupier"),
        "other_adult"),
    **dict.fromkeys(("other child",), "other_child"),
}  # fmt: skip
#: A qualifier in brackets after the word: "Father (non-resident)".
_BRACKETS = re.compile(r"\s*\(([^)]*)\)\s*")


def term(word: str | None) -> tuple[Term | None, str]:
    """The meaning of one role word and its qualifier ("non-resident"), or
    (None, "") for a word not known (never guessed)."""
    if not word:
        return None, ""
    found = _BRACKETS.search(word)
    note = found.group(1).strip().lower() if found else ""
    plain = _BRACKETS.sub(" ", word).strip().lower().replace("_", " ")
    return WORDS.get(re.sub(r"\s+", " ", plain)), note


_FEMALE = re.compile(
    r"\b(mother|mum|daughter|sister|wife|girlfriend|grandmother|"
    r"grandma|granddaughter|stepmother|stepdaughter|aunt)\b|-mother|"
    r"-daughter|-sister"
)
_MALE = re.compile(
    r"\b(father|dad|son|brother|husband|boyfriend|grandfather|"
    r"grandad|grandson|stepfather|stepson|uncle)\b|-father|-son|"
    r"-brother"
)


def word_sex(word: str | None) -> str | None:
    """'F' for "Mother", "Step-daughter"; 'M' for "Father (non-resident)"; else None."""
    plain = (word or "").lower()
    if _FEMALE.search(plain):
        return "F"
    return "M" if _MALE.search(plain) else None


#: The words shown, by relationship kind and sex ("F", "M", else either).
LABELS: dict[str, tuple[str, str, str]] = {
    "parent": ("Mother", "Father", "Parent"),
    "step_parent": ("Step-mother", "Step-father", "Step-parent"),
    "carer": ("Carer", "Carer", "Carer"),
    "grandparent": ("Grandmother", "Grandfather", "Grandparent"),
    "child": ("Daughter", "Son", "Child"),
    "stepchild": ("Stepdaughter", "Stepson", "Stepchild"),
    "grandchild": ("Granddaughter", "Grandson", "Grandchild"),
    "partner": ("Partner", "Partner", "Partner"),
    "sibling": ("Sister", "Brother", "Sibling"),
    "half_sibling": ("Half-sister", "Half-brother", "Half-sibling"),
    "in_care_of": ("Child in their care", "Child in their care", "Child in their care"),
    "aunt_uncle": ("Aunt", "Uncle", "Aunt or uncle"),
}


def label(kind: str, sex: str | None) -> str:
    """'Mother' for a parent who is female, 'Parent' when sex is not recorded."""
    female, male, either = LABELS[kind]
    return female if sex == "F" else male if sex == "M" else either
