"""A member taken into a family from a child's home lives with the child, not
with everyone on the child's case: a father named on the case who lives
elsewhere is never told the child's half-brother or the mother's partner live
at his address, while the mother who lives with them is."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from conftest import TODAY
from support.disclosure_world import write_world

from lookup.family import FamilyView, family_view

HOME = {"address": "4 Mill Lane, Demo Town", "postcode": "DT5 5EE"}
AWAY = {"address": "20 Far Road, Other Town", "postcode": "OT9 9XX"}
CASE = {"source": "csc", "family_ref": "csc:F2", "involvement_current": True,
        "involvement_start": date(2025, 2, 1)}  # fmt: skip
#: Where the housing service has each person at the child's home since 2021.
HOUSED = {"source": "housing", "involvement_start": date(2021, 4, 1),
          "involvement_current": True, **HOME}  # fmt: skip


def _person(pid: str, first: str, born: date, **rest: Any) -> dict[str, Any]:
    return {"person_id": pid, "first_name": first, "last_name": "Case",
            "dob": born, **rest}  # fmt: skip


#: The children's case names the child, her mother and her father (another
#: address); the half-brother and the mother's partner are on no case, known
#: only to housing at the child's home.
ROWS = (
    _person("kid", "Olivia", date(2016, 3, 1), record_id="C1", relationship="Child",
            **CASE, **HOME),
    _person("kid", "Olivia", date(2016, 3, 1), record_id="H1", **HOUSED),
    _person("mum", "Beth", date(1988, 5, 5), record_id="C2", relationship="Mother",
            **CASE, **HOME),
    _person("mum", "Beth", date(1988, 5, 5), record_id="H2", **HOUSED),
    _person("dad", "Noah", date(1986, 7, 7), record_id="C3", relationship="Father",
            **CASE, **AWAY),
    _person("bro", "Zak", date(2020, 9, 9), record_id="H3", **HOUSED),
    _person("ray", "Ray", date(1984, 1, 1), record_id="H4", **HOUSED),
)  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("child-home") / "world.db", ROWS, ())


def _said(view: FamilyView, pid: str) -> tuple[str, tuple[str, ...]]:
    m = next(m for m in view.members if m.person_id == pid)
    return m.relationship, m.relationship_evidence


@pytest.mark.parametrize(
    ("member", "who"), [("bro", "Child"), ("ray", "Adult")]
)  # fmt: skip
def test_the_non_resident_father_is_told_they_live_with_the_child(
    index, member, who
) -> None:
    label, why = _said(family_view(index, "dad", TODAY), member)
    assert label == (
        f"{who} living with a child of the family, relationship not recorded"
    )
    assert "household" not in label and "same address" not in str(why)
    assert why == ("Lives with a child of this family (Children's social care, "
                   "Housing)",)  # fmt: skip


@pytest.mark.parametrize("focus", ["mum", "kid"])
@pytest.mark.parametrize(
    ("member", "who"), [("bro", "Child"), ("ray", "Adult")]
)  # fmt: skip
def test_those_who_live_there_are_told_of_the_household(
    index, focus, member, who
) -> None:
    label, why = _said(family_view(index, focus, TODAY), member)
    assert label == f"{who} in the household since 2021, relationship not recorded"
    assert why == ("Lives at the same address (Housing)",)
