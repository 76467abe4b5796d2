"""One disagreeing field weighed, not a veto, unless a household shows: twins
stay apart, a first name written wrongly does not."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest
from support.population import records_frame

from linkage.cluster import cluster
from linkage.groups import DobConflict, Groups
from linkage.guards import (
    born_apart,
    household_sign,
    identified_by_slip,
    names_crossed,
    names_outvoted,
    twin_like,
)
from linkage.names import load_name_tables
from linkage.standardise import standardise

D = date(2015, 3, 4)
HOME = {"address": "12 Mill Lane", "postcode": "SK1 3AB", "last_name": "Ryan"}
AMELIA = {**HOME, "first_name": "Amelia", "dob": D}
EDWARD = {**HOME, "first_name": "Edward", "dob": D}
MOTHER = {**HOME, "first_name": "Karen", "dob": date(1984, 6, 1)}


def _levels(**cols: list[int]) -> pl.DataFrame:
    base = {"first_name": 5, "last_name": 0, "dob": 0, "sex": -1, "address": 0,
            "nhs_number": -1, "upn": -1, "case_number": -1}  # fmt: skip
    n = len(next(iter(cols.values())))
    frame = {k: cols.get(k, [v] * n) for k, v in base.items()}
    return pl.DataFrame(
        {"l": [0] * n, "r": [1] * n, **frame},
        schema={"l": pl.UInt32, "r": pl.UInt32, **dict.fromkeys(base, pl.Int8)},
    )


def test_twin_like_needs_surname_dob_and_address_agreeing_and_names_differing() -> None:
    lv = _levels(
        first_name=[5, 3, 0, 5, 5, 5, 5, -1],
        dob=[0, 2, 0, 7, 0, 0, 0, 0],
        address=[0, 3, 0, 0, 7, -1, 0, 0],
        sex=[0, -1, -1, -1, -1, -1, 1, -1],
    )
    expected = [True, True, False, False, False, False, False, False]
    assert twin_like(lv).tolist() == expected


def test_born_apart_is_one_name_placed_together_with_dates_years_apart() -> None:
    lv = _levels(
        first_name=[0, 1, 0, 0, 2, 0], dob=[7, 7, 8, 5, 7, 8], address=[0] * 5 + [7]
    )
    assert born_apart(lv).tolist() == [True, True, True, False, False, False]


SENIOR = {**HOME, "first_name": "Mitchell", "dob": date(1968, 10, 12)}
JUNIOR = {**HOME, "first_name": "Mitchell", "dob": date(1993, 12, 29)}


@pytest.mark.parametrize(
    ("others", "outvoted"),
    [
        ([], True),  # alone at the address: one man, one date written wrongly
        ([SENIOR], False),  # the older date seen again: a father and his son
        ([JUNIOR], False),  # the younger seen again: the same
        ([{**MOTHER, "dob": date(1995, 6, 1)}], False),  # a family home
    ],
)
def test_dates_a_generation_apart_are_weighed_only_for_a_lone_pair(
    others: list[dict], outvoted: bool
) -> None:
    """A parent and child of one name stay apart whenever either is seen again
    or the home holds a family; two lone records are one person's, weighed."""
    std = standardise(records_frame([SENIOR, JUNIOR, *others]), load_name_tables())
    lv = _levels(first_name=[0], dob=[8])
    assert names_outvoted(lv, std).tolist() == [outvoted]


@pytest.mark.parametrize(
    ("others", "sign"),
    [
        ([], False),  # the two records alone: one person, a name written wrongly
        ([MOTHER], True),  # a parent at the address: a family home, twins
        ([AMELIA, EDWARD], True),  # each name seen again: two people
        ([AMELIA], False),  # only one of them seen again
        ([{**MOTHER, "dob": date(2005, 6, 1)}], False),  # a sister, not a generation
        ([{**MOTHER, "postcode": "M1 1AA"}], False),  # a parent elsewhere
    ],
)
def test_household_sign(others: list[dict], sign: bool) -> None:
    std = standardise(records_frame([AMELIA, EDWARD, *others]), load_name_tables())
    got = household_sign(std, pl.Series([0], dtype=pl.UInt32), pl.Series([1]))
    assert got.tolist() == [sign]


def test_names_outvoted_only_without_a_household_sign() -> None:
    lv = _levels(first_name=[5])
    alone = standardise(records_frame([AMELIA, EDWARD]), load_name_tables())
    family = standardise(records_frame([AMELIA, EDWARD, MOTHER]), load_name_tables())
    assert names_outvoted(lv, alone).tolist() == [True]
    assert names_outvoted(lv, family).tolist() == [False]
    assert names_outvoted(lv).tolist() == [False]  # no records: no judgement


def test_a_case_number_slip_vouches_with_one_more_agreement() -> None:
    lv = _levels(
        case_number=[1, 1, 1, 1, 1, 2, 1],
        first_name=[-1, 5, 2, 5, 5, -1, 5],
        last_name=[0, 0, 0, 4, 4, 0, 0],
        dob=[8, -1, 8, 0, 0, -1, 0],
        address=[2, 0, -1, 3, 7, 0, 0],
        sex=[-1, -1, -1, -1, -1, -1, 1],
    )
    expected = [True, True, True, True, False, False, False]
    assert identified_by_slip(lv).tolist() == expected


JAMES = {**HOME, "first_name": "James", "last_name": "Coleman", "dob": D}


@pytest.mark.parametrize(
    ("other", "levels", "crossed"),
    [
        ({"first_name": "Howie", "last_name": "James"}, {}, True),
        ({"first_name": "Coleman", "last_name": "Howie"}, {}, True),
        ({"first_name": "Howie", "last_name": "Hope"}, {}, False),  # no crossing
        ({"first_name": "Howie", "last_name": "James"}, {"dob": [2]}, False),
        ({"first_name": "Howie", "last_name": "James"}, {"address": [7]}, False),
        ({"first_name": "Howie", "last_name": "James"}, {"sex": [1]}, False),
    ],
)
def test_names_crossed_is_one_name_in_the_others_place(
    other: dict, levels: dict, crossed: bool
) -> None:
    """The same date of birth and home, both names different, but one record's
    first name is the other's surname: the names given the other way round."""
    std = standardise(records_frame([JAMES, {**JAMES, **other}]), load_name_tables())
    lv = _levels(**{"first_name": [5], "last_name": [4], **levels})
    assert names_crossed(lv, std).tolist() == [crossed]
    assert names_outvoted(lv, std).tolist() == [crossed]


def test_a_case_number_slip_vouches_for_one_first_name_at_one_home() -> None:
    """A surname changed (a marriage) and a date of birth written wrongly: the
    slip, the first name and the home say one person; elsewhere they do not."""
    lv = _levels(
        case_number=[1, 1, 1, 2],
        first_name=[0, 2, 0, 0],
        last_name=[4] * 4,
        dob=[8, 7, 8, 8],
        address=[0, 3, 7, 0],
    )
    assert identified_by_slip(lv).tolist() == [True, True, False, False]


def _groups(names: list) -> Groups:
    n = len(names)
    none = [None] * n
    return Groups(none, none, none, names, [None] * n)


def test_an_outvoted_pair_joins_one_record_to_a_person_never_two_people() -> None:
    g = _groups([["amelia"], ["edward"], ["edward"], ["amelia"]])
    assert g.union(1, 2) is True  # Edward seen twice
    assert g.union(0, 1) is False  # names differ: refused unless outvoted
    assert g.union(0, 1, outvoted=True) is True  # Amelia written once: outvoted
    g = _groups([["amelia"], ["edward"], ["edward"], ["amelia"]])
    g.union(1, 2)
    g.union(0, 3)
    assert g.union(0, 1, outvoted=True) is False  # two people each seen twice


def test_dates_a_generation_apart_are_weighed_only_for_one_record_outvoted() -> None:
    """Without weights any generation gap refuses; with them it still does,
    unless one record joins on an outvoted pair, whose dates are weighed."""
    weights = {0: 14.0, 7: -4.5, 8: -4.4}
    conflict = DobConflict(weights, threshold=6.6)
    dated = ["19681012", "19031229"]
    for strong, expected in ((16.0, True), (6.0, False)):
        g = Groups([None] * 2, [None] * 2, dated, [["mitchell"]] * 2, [None] * 2,
                   conflict)  # fmt: skip
        assert g.union(0, 1, weight=strong, own=-4.4, outvoted=True) is expected
    g = Groups([None] * 2, [None] * 2, dated, [["mitchell"]] * 2, [None] * 2,
               conflict)  # fmt: skip
    assert g.union(0, 1, weight=16.0, own=-4.4) is False  # not outvoted
    bare = Groups([None] * 2, [None] * 2, dated, [None] * 2, [None] * 2)
    assert bare.union(0, 1, weight=16.0, own=-4.4, outvoted=True) is False


def _clustered(rows: list[dict], pairs: list[tuple[int, int, float, bool]]) -> list:
    std = standardise(records_frame(rows), load_name_tables())
    left, right, p, outvoted = zip(*pairs, strict=True)
    scored = pl.DataFrame(
        {"l": left, "r": right, "probability": p,
         "weight": [math.log2(x / (1 - x)) for x in p],
         "eligible": [True] * len(p), "names_outvoted": outvoted},
        schema_overrides={"l": pl.UInt32, "r": pl.UInt32},
    )  # fmt: skip
    return cluster(std, scored, 0.99).person_ids.to_list()


def test_clustering_outvotes_a_first_name_written_once_but_keeps_twins() -> None:
    once = _clustered(
        [AMELIA, EDWARD, EDWARD], [(1, 2, 0.99999, False), (0, 1, 0.9999, True)]
    )
    assert len(set(once)) == 1
    twins = _clustered(
        [AMELIA, AMELIA, EDWARD, EDWARD],
        [(0, 1, 0.99999, False), (2, 3, 0.99999, False), (0, 2, 0.9999, True)],
    )
    assert twins[0] == twins[1] != twins[2] == twins[3]
    refused = _clustered(
        [AMELIA, EDWARD, EDWARD], [(1, 2, 0.99999, False), (0, 1, 0.9999, False)]
    )
    assert refused[0] != refused[1] == refused[2]
