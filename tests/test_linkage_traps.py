"""The whole linking pipeline on a synthetic population with the known traps in it.

Twins, households, a father and son of one name (even dates one digit apart)
and two NHS numbers must stay apart; nicknames, other languages' forms, swapped
day and month, typos, drifted dates and moves must still link.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from support.population import make_population, records_frame

from core.config import LinkageConfig
from linkage.evaluate import pairwise
from linkage.pipeline import Linkage, link_records

A = ("12 Orchard Way, Demo Town", "SK4 2QT")
B = ("9 Canal Street, Other Town", "SK9 7LP")
C = ("87 Poynton Street, Demo Town", "SK2 5HD")


def _rec(key: str, first: str, last: str, dob: date | None, sex: str, **kw) -> dict:
    address, postcode = kw.pop("at", A)
    return {"record_id": key, "first_name": first, "last_name": last, "dob": dob,
            "sex": sex, "address": address, "postcode": postcode, **kw}  # fmt: skip


def _traps() -> list[tuple[str, dict]]:
    """(true person, record) for every trap record."""
    twin = date(2016, 4, 9)
    rows = []
    for src in ("health", "school", "csc"):
        rows += [
            ("oliver", _rec(f"{src}-ol", "Oliver", "Quenby", twin, "M", source=src)),
            ("olivia", _rec(f"{src}-oa", "Olivia", "Quenby", twin, "F", source=src)),
            ("amelia", _rec(f"{src}-am", "Amelia", "Quenby", twin, "F", source=src)),
            ("amelie", _rec(f"{src}-ae", "Amelie", "Quenby", twin, "F", source=src)),
            ("jack", _rec(f"{src}-jc", "Jack", "Ravel", twin, "M", source=src)),
            ("jake", _rec(f"{src}-jk", "Jake", "Ravel", twin, "M", source=src)),
            ("sarah", _rec(f"{src}-sa", "Sarah", "Ostrow", date(1985, 2, 1), "F",
                           source=src)),
            ("tom", _rec(f"{src}-to", "Tom", "Ostrow", date(1983, 6, 30), "M",
                         source=src)),
            ("ella", _rec(f"{src}-el", "Ella", "Ostrow", date(2012, 9, 14), "F",
                          source=src)),
            ("max", _rec(f"{src}-mx", "Max", "Ostrow", date(2014, 1, 22), "M",
                         source=src)),
            ("peter_sr", _rec(f"{src}-ps", "Peter", "Lindqvist", date(1970, 3, 15),
                              "M", source=src)),
            ("peter_jr", _rec(f"{src}-pj", "Peter", "Lindqvist", date(2001, 8, 2),
                              "M", source=src)),
        ]  # fmt: skip
    rows += [
        ("jake", _rec("police-slip", "Jaek", "Ravel", twin, "M", source="police")),
        ("bob", _rec("health-b1", "Robert", "Penhallow", date(1979, 3, 4), "M",
                     source="health")),
        ("bob", _rec("police-b2", "Bob", "Penhallow", date(1979, 4, 3), "M",
                     source="police", at=B)),
        ("bob", _rec("housing-b3", "ROBERT", "PENHALOW", date(1979, 3, 4), "M",
                     source="housing", at=B)),
        ("grace1", _rec("health-g1", "Grace", "Tallis", date(2011, 5, 6), "F",
                        source="health", nhs_number="9434765919")),
        ("grace2", _rec("health-g2", "Grace", "Tallis", date(2011, 5, 6), "F",
                        source="health", nhs_number="4010232137")),
        ("grace1", _rec("school-g3", "Grace", "Tallis", date(2011, 5, 6), "F",
                        source="school")),
        ("unnamed", _rec("police-un", None, "Quenby", twin, "F", source="police")),
        ("ines", _rec("health-in", "Ines", "Marchetti", date(2009, 10, 2), "F",
                      source="health", at=B)),
        ("ines", _rec("school-in", "Ines", "Marchetti", date(2009, 10, 2), "F",
                      source="school", at=B)),
        ("ines", _rec("police-in", None, "Marchetti", date(2009, 10, 2), None,
                      source="police", at=B)),
        # a tenant with no date of birth elsewhere: names alone, never merged
        ("tenant", _rec("housing-fa", "FATIMA", "ASLAM", None, None,
                        source="housing", at=B)),
        ("pupil", _rec("school-fa", "Fatima", "Aslam", date(2007, 7, 4), "F",
                       source="school")),
        ("pupil", _rec("health-fa", "Fatima", "Aslam", date(2007, 7, 4), "F",
                       source="health")),
        ("pupil", _rec("police-fa", "Fatima", "Aslam", None, None,
                       source="police")),
        # another language's form, a variant spelling and a small edit of a
        # rare name: one person each, though their records share an address
        ("guillaume", _rec("health-gu", "William", "Swayne", date(1990, 5, 17),
                           "M", source="health", at=B)),
        ("guillaume", _rec("police-gu", "Guillaume", "Swayne", date(1990, 5, 17),
                           "M", source="police", at=B)),
        ("frederick", _rec("housing-fr", "Frederick", "Maude", date(1966, 2, 9),
                           "M", source="housing")),
        ("frederick", _rec("police-fr", "Frederic", "Maude", date(1966, 2, 9),
                           "M", source="police")),
        ("karrley", _rec("school-ka", "Karrley", "Nagar", date(2010, 7, 1), "F",
                         source="school", at=B)),
        ("karrley", _rec("health-ka", "Krley", "Nagar", date(2010, 7, 1), "F",
                         source="health", at=B)),
        # a parent and child of one name in one home, the dates of birth one
        # digit (a generation) apart: two people
        ("john_sr", _rec("housing-js", "John", "Ashdown", date(1933, 6, 14), "M",
                         source="housing")),
        ("john_jr", _rec("police-js", "John", "Ashdown", date(1983, 6, 14), "M",
                         source="police")),
        ("john_jr", _rec("health-js", "John", "Ashdown", date(1983, 6, 14), "M",
                         source="health")),
        # a rare spelling one slip from a name, no date of birth on one side,
        # the same home: one person
        ("nicholas", _rec("health-ni", "Nicholas", "Smith", date(1984, 12, 12),
                          "M", source="health", at=C)),
        ("nicholas", _rec("housing-ni", "Nichooas", "Smith", None, None,
                          source="housing", at=C)),
        # two men of one name known only by a year of birth (placeholders on
        # both sides), in two places: two people
        ("george_a", _rec("police-gt", "George", "Thomas", date(1957, 1, 1), "M",
                          source="police", dob_year_only=True)),
        ("george_b", _rec("housing-gt", "George", "Thomas", date(1957, 1, 1), "M",
                          source="housing", at=B, dob_year_only=True)),
        # a date of birth drifted by weeks, the same name and home: one person
        ("gabriel", _rec("police-ga", "Gabriel", "Bartlett", date(1973, 10, 17),
                         "M", source="police", at=B)),
        ("gabriel", _rec("housing-ga", "Gabriel", "Bartlett", date(1973, 12, 9),
                         "M", source="housing", at=B)),
    ]  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def linked() -> tuple[Linkage, pl.DataFrame]:
    records, truth = make_population(250, seed=11)
    traps = _traps()
    trap_records = records_frame([r for _, r in traps])
    trap_truth = pl.DataFrame(
        {
            "source": trap_records["source"],
            "record_id": trap_records["record_id"],
            "person_id": [f"trap-{p}" for p, _ in traps],
            "family_id": "trap",
            "household_id": "trap",
        }
    )
    all_records = pl.concat([records, trap_records])
    services = {"csc": "Children's social care", "housing": "Housing"}
    result = link_records(all_records, LinkageConfig(), services)
    return result, pl.concat([truth, trap_truth])


def _person(result: Linkage, record_id: str) -> str:
    rows = result.records.filter(pl.col("record_id") == record_id)
    return rows["person_id"].item()


def _people(result: Linkage, prefix: str) -> set[str]:
    rows = result.records.filter(pl.col("record_id").str.ends_with(prefix))
    return set(rows["person_id"])


@pytest.mark.parametrize(
    ("one", "other"),
    [("-ol", "-oa"), ("-am", "-ae"), ("-jc", "-jk")],
)
def test_twins_stay_two_people(linked, one: str, other: str) -> None:
    result, _ = linked
    assert len(_people(result, one)) == 1
    assert len(_people(result, other)) == 1
    assert _people(result, one) != _people(result, other)


def test_a_household_is_never_merged(linked) -> None:
    result, _ = linked
    groups = [_people(result, key) for key in ("-sa", "-to", "-el", "-mx")]
    assert all(len(g) == 1 for g in groups)
    assert len(set.union(*groups)) == 4


def test_father_and_son_of_one_name_stay_apart(linked) -> None:
    result, _ = linked
    assert _people(result, "-ps").isdisjoint(_people(result, "-pj"))


def test_a_slip_between_twins_names_joins_neither_twin(linked) -> None:
    result, _ = linked
    jaek = _person(result, "police-slip")
    assert jaek not in _people(result, "-jc")


def test_a_record_without_a_first_name_joins_no_twin(linked) -> None:
    result, _ = linked
    unnamed = _person(result, "police-un")
    for twin in ("-ol", "-oa", "-am", "-ae"):
        assert unnamed not in _people(result, twin)


def test_a_record_without_a_first_name_links_when_no_twin_is_known(linked) -> None:
    result, _ = linked
    assert len(_people(result, "-in")) == 1


def test_nickname_swapped_dob_typo_and_move_still_link(linked) -> None:
    result, _ = linked
    ids = {_person(result, k) for k in ("health-b1", "police-b2", "housing-b3")}
    assert len(ids) == 1


def test_names_alone_never_merge_but_are_offered_for_review(linked) -> None:
    """No date of birth and another address: the same name is only a possible
    match; the same name with no date at the same address still links."""
    result, _ = linked
    tenant, pupil = _person(result, "housing-fa"), _person(result, "school-fa")
    assert tenant != pupil
    assert _person(result, "health-fa") == _person(result, "police-fa") == pupil
    pairs = result.possible_matches.select("person_a", "person_b").rows()
    assert tuple(sorted((tenant, pupil))) in pairs


@pytest.mark.parametrize("key", ["-gu", "-fr", "-ka", "-ga"])
def test_transliteration_variant_small_edit_and_drifted_date_link(linked, key) -> None:
    """William / Guillaume, Frederick / Frederic, Karrley / Krley at one address
    with the same date of birth are not 'clearly different' first names, and a
    date drifted by seven weeks does not veto a pair everything else supports."""
    result, _ = linked
    assert len(_people(result, key)) == 1


def test_a_rare_spelling_one_slip_away_links_without_a_date(linked) -> None:
    """Nicholas / Nichooas at one address, one record without a date of birth:
    the address counts, as it would for the same name."""
    result, _ = linked
    assert len(_people(result, "-ni")) == 1


def test_year_only_dates_on_both_sides_do_not_merge_two_places(linked) -> None:
    """George Thomas born "1957" in one place and "1957" in another: a year
    is no date of birth to vouch for a pair whose addresses differ."""
    result, _ = linked
    assert _person(result, "police-gt") != _person(result, "housing-gt")


def test_parent_and_child_of_one_name_stay_apart(linked) -> None:
    """Same name, same home, dates one digit but fifty years apart."""
    result, _ = linked
    assert _person(result, "housing-js") != _person(result, "police-js")
    assert _person(result, "police-js") == _person(result, "health-js")


def test_two_nhs_numbers_are_two_people(linked) -> None:
    result, _ = linked
    assert _person(result, "health-g1") != _person(result, "health-g2")


def test_population_links_well(linked) -> None:
    result, truth = linked
    joined = result.records.join(truth, on=["source", "record_id"], suffix="_true")
    scores = pairwise(joined["person_id"], joined["person_id_true"])
    assert scores["precision"] >= 0.99
    assert scores["f1"] >= 0.95


def test_outputs_are_complete(linked) -> None:
    result, _ = linked
    assert result.records["person_id"].null_count() == 0
    assert result.people.height == result.records["person_id"].n_unique()
    assert result.record_evidence.height == result.records.height
    people = result.people
    for column in ("case_numbers", "other_names", "other_dobs", "addresses"):
        assert people[column].str.starts_with("[").all()
    assert (people["n_records"] >= 1).all()
    assert result.family_members["evidence"].null_count() == 0
    pm = result.possible_matches
    assert (pm["person_a"] < pm["person_b"]).all()
