"""An age range given is scored only on dates of birth the viewer may see.

Fay is known to children's social care with no date of birth; her CAMHS record
gives one (7 July 1985); another Fay Gone has none. A role that may not see
CAMHS must get exactly what a build without the CAMHS record gives: Fay neither
lifted nor labelled "age inside the range given", nor left out for an age
outside it, nor counted among the people who fit the range.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import ask
from sqlalchemy import Engine
from support.disclosure_world import FAY, MATRIX, write_worlds

import governance.access as access
from cli.serialise import plain
from governance.audit import Actor
from governance.visibility import Policy, parse_matrix
from lookup.index import LinkedIndex
from lookup.match_words import with_age
from lookup.prepared import day_number
from lookup.query import parse_query
from lookup.scoring import born_for
from lookup.seen_results import SearchResult
from lookup.text import age_on

POLICY = Policy(parse_matrix(MATRIX))
NO_DOB = {**FAY, "dob": None}
FAY_CAMHS = {**NO_DOB, "source": "camhs", "record_id": "CAM-F1",
             "dob": date(1985, 7, 7)}  # fmt: skip
OTHER_FAY = {**NO_DOB, "person_id": "f2", "record_id": "CSC-F2",
             "address": "8 Far Road, Demo Town", "postcode": "DT9 9ZZ",
             "family_ref": "csc:F8"}  # fmt: skip
WORLDS = {"world": (NO_DOB, FAY_CAMHS, OTHER_FAY), "without": (NO_DOB, OTHER_FAY)}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    return write_worlds(tmp_path_factory.mktemp("ages"), WORLDS)


def _search(
    index: LinkedIndex, audit: Engine, role: str, first: str, ages: tuple,
    limit: int = 10,
) -> SearchResult:  # fmt: skip
    who = Actor(f"u.{role}", role, role, f"s-{role}")
    request = ask(index, audit, who, "Strategy discussion", "REF-1", policy=POLICY)
    query = parse_query(first, "Gone", age_min=ages[0], age_max=ages[1])
    return access.audited_search_result(request, query, limit)


@pytest.mark.parametrize(
    ("first", "ages"),
    [("Fay", (35, 45)), ("", (35, 45)), ("Fay", (None, 45)), ("", (None, 45)),
     ("", (10, 20)), ("Fay", (10, 20))],
)  # fmt: skip
def test_an_age_only_a_hidden_record_gives_counts_for_nothing(
    worlds, audit_engine, first, ages
) -> None:
    got, without = (_search(worlds[w], audit_engine, "early_help", first, ages)
                    for w in ("world", "without"))  # fmt: skip
    assert plain(got.candidates) == plain(without.candidates)
    narrow = [_search(worlds[w], audit_engine, "early_help", first, ages, limit=1)
              for w in ("world", "without")]  # fmt: skip
    assert [(r.fitting, r.prompt) for r in narrow[:1]] == [
        (narrow[1].fitting, narrow[1].prompt)
    ]


def test_a_role_that_sees_the_record_is_given_the_age(worlds, audit_engine):
    got = _search(worlds["world"], audit_engine, "front_door", "Fay", (35, 45))
    fay = next(c for c in got.candidates if c.person_id == "f1")
    assert fay.matched_on == "exact name; age inside the range given"
    assert got.candidates[0].person_id == "f1" and got.fitting == 1
    for first in ("", "Fay"):  # her age, outside the range, is known to them
        got = _search(worlds["world"], audit_engine, "front_door", first, (10, 20))
        assert "f1" not in {c.person_id for c in got.candidates}


@pytest.mark.parametrize(
    ("label", "how", "said"),
    [("exact name; age inside the range given", "unknown",
      "exact name; age not recorded"),
     ("family name; postcode; age not recorded", "", "family name; postcode"),
     ("exact name", "inside", "exact name; age inside the range given")],
)  # fmt: skip
def test_the_label_says_what_the_dates_seen_say(label, how, said) -> None:
    assert with_age(label, how) == said


#: Fay as children's social care has her (born 1990: 36) and as CAMHS twice has
#: her (born 1985: 41), so the person is 41 on every record; a role that may not
#: see CAMHS sees her 36, as a build without the CAMHS records has her.
SEEN_DOB = {**FAY, "dob": date(1990, 1, 1)}
HIDDEN_DOB = [{**FAY_CAMHS, "record_id": f"CAM-F{n}"} for n in (1, 2)]
DIFFERING = {"world": (SEEN_DOB, *HIDDEN_DOB, OTHER_FAY),
             "without": (SEEN_DOB, OTHER_FAY)}  # fmt: skip


@pytest.fixture(scope="module")
def differing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LinkedIndex]:
    return write_worlds(tmp_path_factory.mktemp("differing"), DIFFERING)


@pytest.mark.parametrize(
    ("first", "ages", "found"),
    [("Fay", (30, 38), True), ("", (30, 38), True), ("Fay", (None, 38), True),
     ("Fay", (39, 45), False), ("", (39, 45), False), ("", (36, 40), True)],
)  # fmt: skip
def test_an_age_the_viewer_sees_counts_over_one_a_hidden_record_gives(
    differing, audit_engine, first, ages, found
) -> None:
    got, without = (_search(differing[w], audit_engine, "early_help", first, ages)
                    for w in ("world", "without"))  # fmt: skip
    assert ("f1" in {c.person_id for c in without.candidates}) is found
    assert plain(got.candidates) == plain(without.candidates)
    assert (got.fitting, got.prompt) == (without.fitting, without.prompt)
    whole = _search(differing["world"], audit_engine, "front_door", first, ages)
    assert ("f1" in {c.person_id for c in whole.candidates}) is not found


@pytest.mark.parametrize(
    "today", [date(2028, 2, 29), date(2027, 2, 28), date(2027, 3, 1),
              date(2026, 11, 15), date(2100, 2, 28)],
)  # fmt: skip
@pytest.mark.parametrize(("low", "high"), [(0, 0), (3, 5), (17, 17), (0, 200)])
def test_the_days_of_birth_of_an_age_range_are_the_ages_it_takes_in(
    today, low, high
) -> None:
    first, last = born_for(low, high, today)
    for years in {low, high, high + 1, max(low - 1, 0)}:
        for shift in range(-3, 4):
            try:
                born = today.replace(year=today.year - years)
            except ValueError:  # 29 February in a year without one
                born = date(today.year - years, 3, 1)
            born += timedelta(days=shift)
            if born > today:
                continue
            said = low <= age_on(born, today) <= high
            assert (first <= day_number(born) <= last) is said, born
