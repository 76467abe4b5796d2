"""Search kinds and match labels: a family name with a date of birth, postcode
or age range; previous and other names; what each label says; how many fit."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from conftest import TODAY
from support.lookup_index import make_index

from core.errors import UserInputError
from lookup.disclosure import Disclosure
from lookup.index import (
    LinkedIndex,
    assemble_index,
    current_build_id,
    load_index,
    read_frames,
)
from lookup.match_words import Matched, first_how, match_label, without_place
from lookup.query import parse_query
from lookup.search import search
from lookup.seen_results import narrowing_prompt, seen_search
from lookup.services import configured_sources

#: People added to the test index: a renamed man, a Christopher, a baby; the
#: last, names a record states were theirs (``previous_names``).
EXTRA = (
    ("z1", "Daniel", "Zhang", "2010-06-01", ["Daniel Leung"], []),
    ("z2", "Christopher", "Smith", "1979-09-09", [], []),
    ("z3", "Baby", "Walker", "2026-10-30", [], []),
    ("z4", "Olivia", "Walker", "2026-10-30", ["Baby Walker"], []),
    ("z5", "Ruth", "Oyelaran", "1980-01-01", ["Ruth Oyelaram"], []),
    ("z6", "Stacey", "Watson-Smith", "1981-03-09", ["Stacey Watson"], []),
    (
        "z7",
        "Amy",
        "Carter",
        "1985-05-05",
        ["Amy Reid", "Amy Carta"],
        ["Amy Reid", "Amy Carta"],
    ),
    ("z8", "Robert", "Quinn", "1990-01-01", [], []),
    ("z9", "Bob", "Quinn", "1991-01-01", [], []),
    ("z10", "Gemma", "Edwards", "1982-01-31", ["Gemma Moore"], ["Gemma Moore"]),
    ("z11", "Gemma", "Moore", "1983-08-20", [], []),
)


def _with_people(index: LinkedIndex, frames: dict) -> LinkedIndex:
    people = frames["people"]
    rows = [
        {**people.row(0, named=True), "person_id": pid, "first_name": first,
         "last_name": last, "dob": date.fromisoformat(dob),
         "other_names": json.dumps(other), "previous_names": json.dumps(stated),
         "address": "4 Far Street, Elsewhere", "postcode": "EW9 9ZZ",
         "addresses": json.dumps([])}
        for pid, first, last, dob, other, stated in EXTRA
    ]  # fmt: skip
    added = pl.DataFrame(rows, schema=people.schema)
    more = pl.concat([people, added])
    built = assemble_index(index.build_id, {**frames, "people": more})
    return replace(built, engine=index.engine)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    engine = make_index(tmp_path_factory.mktemp("kinds") / "index.db")
    frames = read_frames(engine, current_build_id(engine))
    return _with_people(load_index(engine), frames)


LABELS = [
    # (first, last, dob, postcode, expected top person, expected label)
    ("Jane", "Smith", "03/07/2015", "", "p1", "exact name and date of birth"),
    ("Jane", "Smith", "07/03/2015", "", "p1",
     "exact name; date of birth with day and month swapped"),
    ("Jane", "Smith", "", "", "p1", "exact name"),
    ("Kaz", "Smith", "", "", "p2", "nickname of the first name; family name"),
    ("Chris", "Smith", "", "", "z2", "nickname of the first name; family name"),
    ("Chri", "Smith", "", "", "z2", "shortened first name; family name"),
    ("Charlie", "Smith", "09/09/1979", "", "z2",
     "nickname of the first name; family name; date of birth"),
    ("Rob", "Jones", "", "", "p3", "nickname of the first name; family name"),
    ("Jane", "Smyth", "20/01/2001", "", "p5", "exact name and date of birth"),
    ("Lily", "Smith", "", "", "p7", "first name; one part of the family name"),
    ("Daniel", "Leung", "", "", "z1", "first name; previous or other family name"),
    ("Daniel", "Leung", "01/06/2010", "", "z1",
     "first name; previous or other family name; date of birth"),
    # a record states it was hers: said so, however like the name shown
    ("Amy", "Reid", "", "", "z7", "first name; previous surname"),
    ("Amy", "Reed", "05/05/1985", "", "z7",
     "first name; previous surname (another spelling of the family name); "
     "date of birth"),
    ("Amy", "Carta", "", "", "z7", "first name; previous surname"),
    # another record's slip is a spelling of the name shown, not another name
    ("Ruth", "Oyelaram", "", "", "z5", "first name; family name spelt differently"),
    ("Stacey", "Watson", "", "", "z6", "first name; one part of the family name"),
    # found by the first name on a shared date of birth: not a spelling of it
    ("Gemma", "Hughes", "20/08/1983", "", "z11",
     "first name; another family name; date of birth"),
    ("Jane", "Smith", "", "dt1 1aa", "p1", "exact name; postcode"),
    ("Smith", "Jane", "", "", "p1",
     "first and family names the other way round; exact name"),
]  # fmt: skip


@pytest.mark.parametrize(("first", "last", "dob", "postcode", "top", "label"), LABELS)
def test_labels_say_what_matched(index, first, last, dob, postcode, top, label):
    found = search(index, parse_query(first, last, dob, "", TODAY, postcode), TODAY, 5)
    assert (found[0].person_id, found[0].matched_on) == (top, label)


RANKED = [
    # (first, last, the people listed, best first)
    # 'Rob' is Robert's; Bob is another short form of Robert: one step further
    ("Rob", "Quinn", ["z8", "z9"]),
    # of two whom the name fits alike, the one whose current name it is first
    ("Gemma", "Moore", ["z11", "z10"]),
]


@pytest.mark.parametrize(("first", "last", "order"), RANKED)
def test_of_two_that_fit_the_nearer_reading_comes_first(index, first, last, order):
    found = search(index, parse_query(first, last), TODAY, 5)
    assert [c.person_id for c in found][: len(order)] == order


FAMILY_ONLY = [
    # (first box, last box, dob, postcode, age range, expected people)
    ("", "Smith", "03/07/2015", "", (None, None), {"p1", "p8"}),
    ("Baby", "Smith", "03/07/2015", "", (None, None), {"p1", "p8"}),
    ("Unborn", "Smith", "07/03/2015", "", (None, None), {"p1", "p8"}),
    ("", "SMITH,", "03/07/2015", "", (None, None), {"p1", "p8"}),
    ("", "Smith", "", "DT1 1AA", (None, None),
     {"p1", "p2", "p4", "p6", "p7", "p8", "p5"}),
    ("", "Smith", "", "", (10, 12), {"p1", "p8"}),
    ("", "Smith", "", "EW9 9ZZ", (None, None), {"z2", "z6"}),
    ("Baby", "Walker", "30/10/2026", "", (None, None), {"z3", "z4"}),
    ("", "Walker", "29/10/2026", "", (None, None), {"z3", "z4"}),
    ("", "Smith", "01/01/1950", "", (None, None), set()),
]  # fmt: skip


@pytest.mark.parametrize(("first", "last", "dob", "postcode", "ages", "want"),
                         FAMILY_ONLY)  # fmt: skip
def test_a_family_name_with_one_more_detail(index, first, last, dob, postcode, ages,
                                            want):  # fmt: skip
    query = parse_query(first, last, dob, "", TODAY, postcode, *ages)
    assert query.family_only
    found = search(index, query, TODAY, 20)
    assert {c.person_id for c in found} == want
    assert all(c.confidence != "Strong match" for c in found)


def test_a_family_name_alone_labels_what_agreed(index) -> None:
    found = search(index, parse_query("Baby", "Walker", "30/10/2026"), TODAY, 5)
    assert {c.matched_on for c in found} == {"family name; date of birth"}
    near = search(index, parse_query("", "Walker", "29/10/2026"), TODAY, 5)
    assert near[0].matched_on == (
        "family name; date of birth with one of day, month or year different"
    )
    there = search(index, parse_query("", "Smyth", postcode="DT1 1AA"), TODAY, 9)
    assert there[0].person_id == "p5"
    assert there[0].matched_on == "family name; postcode"
    aged = search(index, parse_query("", "Smith", age_min=10, age_max=12), TODAY, 9)
    assert {c.matched_on for c in aged} == {"family name; age inside the range given"}


REFUSED = [
    ("", "Smith", "", "", None),
    ("Baby", "Smith", "", "", None),
    ("John", "", "03/07/2015", "", None),
    ("", "", "03/07/2015", "DT1 1AA", 3),
    ("***", "Smith", "", "", None),
]


@pytest.mark.parametrize(("first", "last", "dob", "postcode", "age"), REFUSED)
def test_a_family_name_alone_needs_another_detail(first, last, dob, postcode, age):
    with pytest.raises(UserInputError, match="A last name alone needs a date of"):
        parse_query(first, last, dob, "", TODAY, postcode, age, age)


def test_criteria_of_a_family_name_search() -> None:
    query = parse_query("Baby", "Smith", "03/07/2015")
    assert query.criteria() == {"first": "", "last": "Smith", "dob": "2015-07-03"}


LABEL_PARTS = [
    (Matched("exact", "exact", dob="exact"), "exact name and date of birth"),
    (Matched("exact", "exact", dob="other"),
     "exact name; another recorded date of birth"),
    (Matched("spelling", "nickname", dob="swapped", place="full"),
     "nickname of the first name; another spelling of the family name; date of "
     "birth with day and month swapped; postcode"),
    (Matched("close", "initial", dob="unknown"),
     "first initial; family name spelt differently; no date of birth recorded"),
    (Matched("exact", "exact", previous_last=True), "first name; previous or other "
     "family name"),
    (Matched("close", "exact", previous_last=True, dob="differs"),
     "first name; previous or other family name (family name spelt differently); "
     "a different date of birth"),
    (Matched("exact", "spelling", other_first=True, turned=True, place="district"),
     "first and family names the other way round; another first name on record; "
     "family name; postcode district"),
    (Matched("part", age="unknown"), "one part of the family name; age not recorded"),
    (Matched("differs", "exact", previous_last=True, dob="exact"),
     "first name; another family name; date of birth"),
]  # fmt: skip


@pytest.mark.parametrize(("matched", "label"), LABEL_PARTS)
def test_label_wording(matched, label) -> None:
    assert match_label(matched) == label


FIRST_HOWS = [
    ("will", "olivia", "differs"),
    ("amy", "emma", "differs"),
    ("omar", "umir", "spelling"),  # two slips in a short name
    ("catherine", "kathryn", "spelling"),
    ("sean", "shaun", "spelling"),
    ("tom", "tim", "spelling"),
    ("will", "william", "short"),
    ("j", "john", "initial"),
]


@pytest.mark.parametrize(("typed", "recorded", "how"), FIRST_HOWS)
def test_a_first_name_far_from_the_one_typed_is_another_name(typed, recorded, how):
    assert first_how(typed, recorded, {typed}, {recorded}) == how


def test_another_first_name_is_said_so() -> None:
    matched = Matched("exact", "differs", dob="exact")
    assert match_label(matched) == "a different first name; family name; date of birth"


def test_a_protected_address_takes_the_postcode_out_of_the_label() -> None:
    assert without_place("exact name; postcode") == "exact name"
    assert without_place("family name; postcode district; age not recorded") == (
        "family name; age not recorded"
    )


def _everything(index: LinkedIndex) -> Disclosure:
    return Disclosure.everything(configured_sources(index.source_loads))


def test_more_people_fit_than_are_listed_the_result_asks_for_more(index) -> None:
    query = parse_query("", "Smith", postcode="DT1 1AA")
    got = seen_search(index, query, TODAY, 2, _everything(index))
    assert len(got.candidates) == 2
    # the Smiths recorded there, Lily Smith-Jones and Jane Smyth (another
    # spelling) too; not Christopher Smith (elsewhere)
    assert got.fitting == 7
    assert got.prompt == (
        "7 people fit what you gave; only the best 2 are listed. Add the first "
        "name, the date of birth or an age range, or search by an NHS number, UPN "
        "or case number, to tell them apart."
    )
    one = seen_search(index, parse_query("Jane", "Smith", "03/07/2015"), TODAY, 5,
                      _everything(index))  # fmt: skip
    assert (one.fitting, one.prompt) == (2, "")  # Jayne, born the same day


def test_people_the_viewer_may_not_see_are_not_counted(index) -> None:
    query = parse_query("", "Smith", postcode="DT1 1AA")
    every = _everything(index)
    got = seen_search(index, query, TODAY, 2, Disclosure({}, every.sources))
    assert (got.candidates, got.fitting, got.prompt) == ([], 0, "")
    # John Smith (p6) is known to the police only
    no_police = replace(every, levels={**every.levels, "police": "hidden"})
    assert seen_search(index, query, TODAY, 2, no_police).fitting == 6


PROMPTS = [
    (("Jane", "Smith", "03/07/2015", "DT1 1AA"),
     "Search by an NHS number, UPN or case number to tell them apart."),
    (("Jane", "Smith", "", ""),
     "Add the date of birth, the postcode or an age range, or search by"),
    (("", "Smith", "03/07/2015", ""), "Add the first name or the postcode, or"),
]  # fmt: skip


@pytest.mark.parametrize(("asked", "ends"), PROMPTS)
def test_the_prompt_asks_for_what_was_not_given(asked, ends) -> None:
    first, last, dob, postcode = asked
    query = parse_query(first, last, dob, "", TODAY, postcode)
    assert ends in narrowing_prompt(query, 30, 20)
    assert narrowing_prompt(query, 20, 20) == ""


def test_a_name_only_hidden_records_bear_finds_nobody(index) -> None:
    """Karen's police record gave her a previous family name: a viewer who may
    not see police is not led to her by it, but still finds her by her name."""
    frames = read_frames(index.engine, index.build_id)
    people = frames["people"].with_columns(
        pl.when(pl.col("person_id") == "p2")
        .then(pl.lit(json.dumps(["Karen Leung"])))
        .otherwise(pl.col("other_names"))
        .alias("other_names")
    )
    renamed = replace(
        assemble_index(index.build_id, {**frames, "people": people}),
        engine=index.engine,
    )
    every = _everything(renamed)
    no_police = replace(every, levels={**every.levels, "police": "hidden"})
    leung = parse_query("Karen", "Leung")
    assert [c.person_id for c in seen_search(renamed, leung, TODAY, 5, every)
            .candidates][:1] == ["p2"]  # fmt: skip
    assert "p2" not in {
        c.person_id for c in seen_search(renamed, leung, TODAY, 5, no_police).candidates
    }
    smith = seen_search(renamed, parse_query("Karen", "Smith"), TODAY, 5, no_police)
    assert smith.candidates[0].person_id == "p2"
