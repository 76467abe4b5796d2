"""What a search says and counts rests only on records the viewer may see.

Fay is known to children's social care (at DT4 4DD, born 1 January 1980) and to
CAMHS, whose record gives another postcode (DT9 9ZZ) and date of birth (7 July
1985); another Fay Gone's own record has both. A role that may not see CAMHS
must get exactly what a build without the CAMHS record gives: Fay neither
lifted by the CAMHS postcode nor counted among the people who fit the CAMHS
details (so not named in "N people fit" or its prompt).
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ask
from sqlalchemy import Engine
from support.disclosure_world import FAY, MATRIX, write_worlds

import governance.access as access
from cli.serialise import plain
from governance.audit import Actor
from governance.visibility import Policy, parse_matrix
from lookup.index import LinkedIndex
from lookup.match_words import with_place
from lookup.query import parse_query
from lookup.seen_results import SearchResult

POLICY = Policy(parse_matrix(MATRIX))
FAY_CAMHS = {
    **FAY,
    "source": "camhs",
    "record_id": "CAM-F1",
    "dob": date(1985, 7, 7),
    "address": "9 Far Road, Demo Town",
    "postcode": "DT9 9ZZ",
}
OTHER_FAY = {
    **FAY,
    "person_id": "f2",
    "record_id": "CSC-F2",
    "dob": date(1985, 7, 7),
    "address": "8 Far Road, Demo Town",
    "postcode": "DT9 9ZZ",
    "family_ref": "csc:F8",
}
WORLDS = {"world": (FAY, FAY_CAMHS, OTHER_FAY), "without": (FAY, OTHER_FAY)}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    return write_worlds(tmp_path_factory.mktemp("places"), WORLDS)


def _search(
    index: LinkedIndex, audit: Engine, role: str, boxes: tuple, limit: int = 10,
    last: str = "Gone",
) -> SearchResult:  # fmt: skip
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit, who, "Strategy discussion", "REF-1", policy=POLICY)
    first, dob, postcode = boxes
    query = parse_query(first, last, dob, postcode=postcode)
    return access.audited_search_result(request, query, limit)


def _both(worlds, audit, boxes, limit=10, last="Gone") -> tuple[SearchResult, ...]:  # noqa: ANN001
    return tuple(_search(worlds[w], audit, "early_help", boxes, limit, last)
                 for w in ("world", "without"))  # fmt: skip


@pytest.mark.parametrize("first", ["", "Fay"])
def test_a_postcode_only_a_hidden_record_holds_lifts_nobody(
    worlds, audit_engine, first
) -> None:
    got, without = _both(worlds, audit_engine, (first, "", "DT9 9ZZ"))
    assert plain(got.candidates) == plain(without.candidates)
    assert got.candidates[0].person_id == "f2"
    fay = [c for c in got.candidates if c.person_id == "f1"]
    if not first:  # a family name with a postcode: she was never recorded there
        assert fay == []
    else:  # her name alone: ranked and labelled without the postcode
        assert fay[0].score < got.candidates[0].score
        assert "postcode" not in fay[0].matched_on


@pytest.mark.parametrize(
    "boxes", [("Fay", "01/01/1980", "DT9 9ZZ"), ("Fay", "07/07/1985", "DT4 4DD")]
)
def test_a_score_past_the_top_is_lowered_from_where_it_was(
    worlds, audit_engine, boxes
) -> None:
    """A score shown as 1 may have been more (a postcode on an exact name and
    date): what a hidden record gave is taken from the score it was ranked on."""
    got, without = _both(worlds, audit_engine, boxes)
    assert plain(got.candidates) == plain(without.candidates)


@pytest.mark.parametrize(
    "boxes",
    [("", "07/07/1985", ""), ("Fay", "07/07/1985", ""), ("Fay", "", "DT9 9ZZ")],
)
def test_nobody_fits_only_through_a_hidden_record(worlds, audit_engine, boxes) -> None:
    got, without = _both(worlds, audit_engine, boxes, limit=1)
    assert (got.fitting, got.prompt) == (without.fitting, without.prompt)
    assert got.fitting == 1 and got.prompt == ""


@pytest.mark.parametrize(
    "boxes",
    [("Fay", "", "DT9 9ZZ"), ("Fay", "01/01/1980", "DT9 9ZZ"),
     ("Fay", "07/07/1985", "DT4 4DD")],
)  # fmt: skip
def test_a_changed_family_name_rests_only_on_records_seen(
    worlds, audit_engine, boxes
) -> None:
    """'Fay New' at a postcode: Fay Gone, recorded there with that first name
    (and date of birth), is read as having changed family name; where the
    postcode or the date is only on the CAMHS record, a role that may not see
    it gets what a build without that record gives."""
    got, without = _both(worlds, audit_engine, boxes, last="New")
    assert plain(got.candidates) == plain(without.candidates)
    seen = _search(worlds["world"], audit_engine, "front_door", boxes, last="New")
    fay = next(c for c in seen.candidates if c.person_id == "f1")
    assert "another family name" in fay.matched_on
    assert fay.matched_on.endswith("; postcode")
    assert fay.score > max(
        (c.score for c in got.candidates if c.person_id == "f1"), default=0
    )


def test_a_role_that_sees_the_record_counts_and_lifts_her(worlds, audit_engine):
    got = _search(worlds["world"], audit_engine, "front_door", ("Fay", "", "DT9 9ZZ"))
    assert got.fitting == 2
    assert {c.person_id for c in got.candidates} == {"f1", "f2"}
    fay = next(c for c in got.candidates if c.person_id == "f1")
    assert "postcode" in fay.matched_on


@pytest.mark.parametrize(
    ("label", "place", "said"),
    [("exact name; postcode", "", "exact name"),
     ("family name; postcode; age inside the range given", "district",
      "family name; postcode district; age inside the range given"),
     ("exact name; age not recorded", "full",
      "exact name; postcode; age not recorded")],
)  # fmt: skip
def test_the_label_says_what_the_postcodes_seen_say(label, place, said) -> None:
    assert with_place(label, place) == said
