"""Blocking: each rule finds the pairs it is for; huge blocks are skipped."""

from __future__ import annotations

from datetime import date

import pytest
from support.population import records_frame

from linkage.blocking import (
    DEFAULT_RULES,
    NO_REFINEMENT,
    BlockingRule,
    Refinement,
    block,
    refining_keys,
)
from linkage.names import load_name_tables
from linkage.standardise import standardise

D = date(2010, 3, 4)
#: A date of birth of which the source knows only the year.
YEAR_1996 = {"dob": date(1996, 1, 1), "dob_year_only": True}


def _pairs(
    rows: list[dict], rules=DEFAULT_RULES, max_block: int = 400, refine=NO_REFINEMENT
):
    std = standardise(records_frame(rows), load_name_tables())
    found = block(std, rules, max_block, refine)
    return set(found.pairs.iter_rows()), found


@pytest.mark.parametrize(
    ("left", "right", "rule"),
    [
        ({"first_name": "John", "last_name": "Smith", "dob": D},
         {"first_name": "Smith", "last_name": "John", "dob": None}, "swapped_names"),
        ({"first_name": "John", "last_name": "Smith", "dob": D},
         {"first_name": "Jon", "last_name": "Smyth", "dob": date(2010, 4, 3)},
         "swapped_dob_surname"),
        ({"first_name": "Bob", "last_name": "Jones", "dob": None},
         {"first_name": "Robert", "last_name": "Jones", "dob": D}, "names_no_dob"),
        ({"first_name": "Li", "last_name": "Zhang", "dob": D},
         {"first_name": "Lee", "last_name": "Cheung", "dob": D},
         "dob_initial"),
        ({"first_name": "Amy", "postcode": "SK1 3AB"},
         {"first_name": "Anna", "postcode": "sk13ab"}, "postcode_initial"),
        ({"nhs_number": "9434765919"}, {"nhs_number": "9434765919"}, "nhs_number"),
        ({"first_name": "Chloe", "last_name": "Ryan", "dob": D},
         {"first_name": "Ryna", "last_name": "Chloe", "dob": D}, "crossed_name_dob"),
        ({"first_name": "Lauren", "last_name": "Frahn", "dob": date(1918, 7, 1)},
         {"first_name": "Laurex", "last_name": "Frahn", "dob": date(1981, 7, 1)},
         "surname_day_month_initial"),
        ({"first_name": "Casey", "last_name": "Flatman", "source": "a",
          "case_number": "9564208", "dob": D},
         {"first_name": "Casey", "last_name": "Platan", "source": "a",
          "case_number": "9564028"}, "case_number_slip_names"),
        ({"first_name": "Emily", "last_name": "Hingston", "dob": D,
          "address": "15 Paul Coe Crescent, Mooroolbark 2565"},
         {"first_name": "Emma", "last_name": "Hingstxon", "dob": None,
          "address": "15 Paul Coe Crescent, Mooroolbark 2556"}, "initials_street"),
        ({"first_name": "Marianne", "last_name": "Reni", "dob": D,
          "address": "23 Bath Place, Casino 5118"},
         {"first_name": "Marianne", "last_name": "Reni", "dob": date(1935, 7, 13),
          "address": "23 Bat H Pace, Casnio 5118"}, "names_numbers"),
        ({"first_name": "Brooke", "last_name": "Burford", "town": "Kinglake"},
         {"first_name": "Brooe", "last_name": "Burford", "town": "KINGLAKE"},
         "initial_surname_town"),
        ({"first_name": "Ridley", "last_name": "Blake", "dob": D},
         {"first_name": None, "last_name": "Blae", "dob": D},
         "dob_surname_initial"),
        ({"first_name": "Jon", "last_name": "Smith", "dob": None},
         {"first_name": "John", "last_name": "Smyth", "dob": D},
         "names_sound_no_dob"),
        # A date known only by its year: its initials, house number or a name
        # given in the other's place, with the year.
        ({"first_name": "Lachlqn", "last_name": "Rivers", **YEAR_1996},
         {"first_name": "Lachlan", "last_name": "Rievrs", "dob": date(1996, 9, 4)},
         "initials_year_no_dob"),
        ({"first_name": "Barnayb", "last_name": "Reid", **YEAR_1996,
          "address": "51 Lakes Retirement Estate, Kempsey"},
         {"first_name": "Barnaby", "last_name": "Siggins", "dob": date(1996, 10, 21),
          "address": "51 Hurley Street, Kempsey"}, "initial_number_year_no_dob"),
        ({"first_name": "Willian", "last_name": "Carrsill", **YEAR_1996,
          "address": "9 Costello Circuit"},
         {"first_name": "Ella", "last_name": "Carraill", "dob": date(1996, 3, 16),
          "address": "9 Costello Circuit"}, "surname_initial_number_year_no_dob"),
        ({"first_name": "Raquel", "last_name": "Wztkin", **YEAR_1996},
         {"first_name": "Tommy", "last_name": "Raquel", "dob": date(1996, 3, 12)},
         "crossed_name_year_no_dob"),
        ({"first_name": "Flynn", "last_name": "Weller", **YEAR_1996},
         {"first_name": "Weller", "last_name": "Ebony", "dob": date(1996, 1, 6)},
         "crossed_surname_year_no_dob"),
    ],
)  # fmt: skip
def test_each_rule_finds_its_pair(left: dict, right: dict, rule: str) -> None:
    pairs, found = _pairs([left, right])
    assert pairs == {(0, 1)}
    assert found.pairs_per_rule[rule] == 1


def test_names_alone_only_pair_a_record_without_a_date_of_birth() -> None:
    rule = tuple(r for r in DEFAULT_RULES if r.name == "names_no_dob")
    bob = {"first_name": "Bob", "last_name": "Jones"}
    pairs, _ = _pairs([{**bob, "dob": D}, {**bob, "dob": date(1970, 1, 1)}], rule)
    assert pairs == set()
    pairs, _ = _pairs([{**bob, "dob": D}, {**bob, "dob": None}, bob], rule)
    assert pairs == {(0, 1), (0, 2), (1, 2)}


def test_year_rules_pair_only_a_record_without_a_whole_date() -> None:
    rule = tuple(r for r in DEFAULT_RULES if r.name == "initials_year_no_dob")
    ann = {"first_name": "Ann", "last_name": "Lee"}
    dated = [{**ann, "dob": date(1996, 5, 2)}, {**ann, "dob": date(1996, 8, 9)}]
    pairs, _ = _pairs(dated, rule)
    assert pairs == set()
    pairs, _ = _pairs([*dated, {**ann, **YEAR_1996}, {**ann, "dob": None}], rule)
    assert pairs == {(0, 2), (1, 2)}


def test_unrelated_records_are_not_paired() -> None:
    pairs, _ = _pairs(
        [
            {"first_name": "John", "last_name": "Smith", "dob": D},
            {"first_name": "Priya", "last_name": "Patel", "dob": date(1990, 1, 1)},
        ]
    )
    assert pairs == set()


def test_huge_blocks_are_skipped_and_counted() -> None:
    rule = (BlockingRule("postcode", ("pc",)),)
    rows = [{"postcode": "SK1 3AB"}] * 5 + [{"postcode": "SK9 9ZZ"}] * 2
    pairs, found = _pairs(rows, rule, max_block=3)
    assert pairs == {(5, 6)}
    assert found.blocks_skipped == {"postcode": 1}


def test_pairs_are_unique_and_ordered() -> None:
    rows = [{"first_name": "John", "last_name": "Smith", "dob": D}] * 3
    pairs, _ = _pairs(rows)
    assert pairs == {(0, 1), (0, 2), (1, 2)}


POSTCODE = (BlockingRule("postcode", ("pc",)),)
BY_SEX = Refinement(3, ("sx",))


def test_a_block_too_large_is_split_and_a_record_without_the_key_joins_each_part():
    rows = [{"postcode": "SK1 3AB", "sex": sex} for sex in ("M", "M", "F", "F", None)]
    pairs, found = _pairs(rows, POSTCODE, refine=BY_SEX)
    assert pairs == {(0, 1), (2, 3), (0, 4), (1, 4), (2, 4), (3, 4)}
    assert found.blocks_skipped == {"postcode": 0}


def test_a_block_no_key_splits_is_kept_up_to_max_block_then_skipped():
    rows = [{"postcode": "SK1 3AB", "sex": "F"}] * 4 + [{"postcode": "SK2 1AA"}] * 2
    pairs, found = _pairs(rows, POSTCODE, refine=BY_SEX)
    every_f = {(a, b) for a in range(4) for b in range(a + 1, 4)}
    assert pairs == every_f | {(4, 5)}
    pairs, found = _pairs(rows, POSTCODE, max_block=3, refine=BY_SEX)
    assert pairs == {(4, 5)}
    assert found.blocks_skipped == {"postcode": 1}


def test_blocks_are_split_on_the_keys_in_turn_only_while_too_large():
    rows = [
        {"postcode": "SK1 3AB", "sex": "F", "dob": date(1990, 1, 1)},
        {"postcode": "SK1 3AB", "sex": "F", "dob": date(1990, 5, 1)},
        {"postcode": "SK1 3AB", "sex": "F", "dob": date(1991, 1, 1)},
        {"postcode": "SK1 3AB", "sex": "F", "dob": date(1991, 2, 1)},
        {"postcode": "SK1 3AB", "sex": "M", "dob": date(1991, 2, 1)},
        {"postcode": "SK1 3AB", "sex": "M", "dob": date(1980, 2, 1)},
    ]
    pairs, _ = _pairs(rows, POSTCODE, refine=Refinement(3, ("sx", "dob_y")))
    # four women split by year; the two men's part is small enough already
    assert pairs == {(0, 1), (2, 3), (4, 5)}


def test_no_splitting_below_the_bound_or_when_off():
    rows = [{"postcode": "SK1 3AB", "sex": sex} for sex in ("M", "F", "F")]
    pairs, _ = _pairs(rows, POSTCODE, refine=BY_SEX)
    assert pairs == {(0, 1), (0, 2), (1, 2)}
    rows = rows * 2
    pairs, _ = _pairs(rows, POSTCODE, refine=Refinement(0, ("sx",)))
    assert len(pairs) == 15


def test_a_rule_on_an_identifier_is_never_split():
    rows = [{"nhs_number": "9434765919", "sex": sex} for sex in ("M", "F", "F", "M")]
    rule = (BlockingRule("nhs", ("nhs",)),)
    pairs, _ = _pairs(rows, rule, refine=Refinement(2, ("sx",)))
    assert len(pairs) == 6


def test_a_one_sided_rule_is_split_on_both_sides():
    rule = (BlockingRule("names_no_dob", ("fn_canons", "ln_phon"), (), "dob"),)
    rows = [
        {"first_name": "Amy", "last_name": "Hart", "sex": "F"},
        {"first_name": "Amy", "last_name": "Hart", "sex": "F", "dob": D},
        {"first_name": "Amy", "last_name": "Hart", "sex": "M", "dob": D},
        {"first_name": "Amy", "last_name": "Hart", "sex": "M", "dob": D},
    ]
    pairs, _ = _pairs(rows, rule, refine=Refinement(3, ("sx", "dob_y")))
    assert pairs == {(0, 1)}  # dob_y is not used: one side has no date


def test_refining_keys_skip_what_a_rule_already_says():
    keys = ("sx", "dob_y", "fn_init", "ln_init", "pc_district")
    dob_initial = BlockingRule("dob_initial", ("dob", "fn_init"))
    assert refining_keys(dob_initial, keys) == ("sx", "ln_init", "pc_district")
    no_dob = BlockingRule("names_no_dob", ("fn_canons", "ln_phon"), (), "dob")
    assert refining_keys(no_dob, keys) == ("sx", "ln_init", "pc_district")
    postcode = BlockingRule("postcode_initial", ("pc", "fn_init"))
    assert refining_keys(postcode, keys) == ("sx", "dob_y", "ln_init")
    assert refining_keys(BlockingRule("upn", ("upn_c",)), keys) == ()
