"""A search matches a viewer only on what the records they may see say.

Fay is known to children's social care (born 1 January 1980) and to CAMHS,
whose record gives another date of birth (7 July 1985). A role that may not see
CAMHS must get, for a search with the CAMHS date, exactly what a build without
the CAMHS record gives: Fay not found by her family name and that date, and by
her whole name ranked and labelled on her social care date, below another Fay
Gone whose own record has that date.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ask
from sqlalchemy import Engine
from support.disclosure_world import FAY, MATRIX, write_world

import governance.access as access
from cli.serialise import plain
from governance.audit import Actor
from governance.visibility import Policy, parse_matrix
from lookup.index import LinkedIndex
from lookup.match_words import with_dob
from lookup.query import parse_query

POLICY = Policy(parse_matrix(MATRIX))
FAY_CAMHS = {**FAY, "source": "camhs", "record_id": "CAM-F1", "dob": date(1985, 7, 7)}
OTHER_FAY = {
    **FAY,
    "person_id": "f2",
    "record_id": "CSC-F2",
    "dob": date(1985, 7, 7),
    "address": "4 High Road, Demo Town",
    "family_ref": "csc:F8",
}
WORLD = (FAY, FAY_CAMHS, OTHER_FAY)
WITHOUT_CAMHS = (FAY, OTHER_FAY)
WORLDS = {"world": WORLD, "without": WITHOUT_CAMHS}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    folder = tmp_path_factory.mktemp("fields")
    return {name: write_world(folder / f"{name}.db", rows, pairs=())
            for name, rows in WORLDS.items()}  # fmt: skip


def _search(index: LinkedIndex, audit: Engine, role: str, first: str) -> list:
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit, who, "Strategy discussion", "REF-1", policy=POLICY)
    return access.audited_search(request, parse_query(first, "Gone", "07/07/1985"), 10)


@pytest.mark.parametrize("first", ["", "Fay"])
def test_a_date_only_a_hidden_record_holds_finds_and_ranks_nobody(
    worlds, audit_engine, first
) -> None:
    got = _search(worlds["world"], audit_engine, "early_help", first)
    assert plain(got) == plain(
        _search(worlds["without"], audit_engine, "early_help", first)
    )
    assert got[0].person_id == "f2"
    fay = [c for c in got if c.person_id == "f1"]
    if not first:  # a family name alone must fit the date: she does not
        assert fay == []
    else:  # her name alone: ranked and labelled on the date seen
        assert fay[0].score < got[0].score
        assert fay[0].dob == date(1980, 1, 1)
        assert "a different date of birth" in fay[0].matched_on


def test_a_role_that_sees_the_record_finds_her_by_its_date(worlds, audit_engine):
    got = _search(worlds["world"], audit_engine, "front_door", "")
    assert {c.person_id for c in got} == {"f1", "f2"}


@pytest.mark.parametrize(
    ("label", "how", "said"),
    [("exact name and date of birth", "differs",
      "exact name; a different date of birth"),
     ("exact name; another recorded date of birth; postcode", "exact",
      "exact name and date of birth; postcode"),
     ("nickname of the first name; family name; date of birth", "swapped",
      "nickname of the first name; family name; "
      "date of birth with day and month swapped")],
)  # fmt: skip
def test_the_label_says_what_the_dates_seen_say(label, how, said) -> None:
    assert with_dob(label, how) == said
