"""The true relationship of one person to another, from the truth people table.

``truth/people.csv`` records everyone's parents, partner, household and family
(``synthetic.truth``); this says what that makes one person to another, in the
kinds ``lookup.relationships`` uses, so a bench can check what the family view
states or derives against what the generator knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

#: Columns of truth/people.csv the relationships are made from.
COLUMNS = ("person_id", "household_id", "family_id", "role", "sex", "dob",
           "parent1_id", "parent2_id", "partner_id")  # fmt: skip
ADULT_YEARS = 18


class Kin:
    """truth/people.csv indexed by person, with each person's children."""

    def __init__(self, people: pl.DataFrame) -> None:
        rows = people.select(COLUMNS).iter_rows(named=True)
        self.rows: dict[str, dict] = {r["person_id"]: r for r in rows}
        self.children: dict[str, set[str]] = {}
        for pid, r in self.rows.items():
            for p in _parents(r):
                self.children.setdefault(p, set()).add(pid)

    def parents(self, pid: str | None) -> set[str]:
        return _parents(self.rows.get(pid)) if pid else set()

    def siblings(self, pid: str) -> set[str]:
        """Everyone sharing a parent with ``pid``."""
        return {c for p in self.parents(pid) for c in self.children.get(p, ())} - {pid}


def _parents(row: Mapping | None) -> set[str]:
    if row is None:
        return set()
    return {p for p in (row["parent1_id"], row["parent2_id"]) if p}


def _adult(row: Mapping, today: date) -> bool:
    dob = row["dob"]
    if isinstance(dob, str):
        dob = date.fromisoformat(dob)
    return dob is None or (today.year - dob.year) >= ADULT_YEARS


def true_relationship(kin: Kin, focus: str, other: str, today: date) -> str:
    """What ``other`` truly is to ``focus``: parent, step_parent, sibling,
    half_sibling, grandparent, child, stepchild, grandchild, partner, co_parent,
    aunt_uncle, parent_partner, household_adult / household_child (no kinship,
    same household) or none."""
    f, o = kin.rows.get(focus), kin.rows.get(other)
    if f is None or o is None or focus == other:
        return "none"
    mine, theirs = kin.parents(focus), kin.parents(other)
    if other in mine:
        return "parent"
    if focus in theirs:
        return "child"
    if other in (f["partner_id"],) or o["partner_id"] == focus:
        return "partner"
    if mine & theirs:
        both = len(mine) == 2 and len(theirs) == 2
        return "half_sibling" if both and mine != theirs else "sibling"
    if other in {g for m in mine for g in kin.parents(m)}:
        return "grandparent"
    if focus in {g for t in theirs for g in kin.parents(t)}:
        return "grandchild"
    if o["partner_id"] in mine:
        same_home = o["household_id"] == f["household_id"]
        return "step_parent" if same_home else "parent_partner"
    if f["partner_id"] and f["partner_id"] in theirs:
        return "stepchild"
    if kin.children.get(focus, set()) & kin.children.get(other, set()):
        return "co_parent"
    if other in {s for m in mine for s in kin.siblings(m)}:
        return "aunt_uncle"
    if o["household_id"] == f["household_id"]:
        return "household_adult" if _adult(o, today) else "household_child"
    return "none"
