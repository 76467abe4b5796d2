"""Measures against truth: the same figures every run."""

from __future__ import annotations

import polars as pl

from linkage.evaluate import family_measure, family_misses


def test_family_measure_breaks_ties_by_true_person() -> None:
    """A found person holding as many records of one true person as of another
    counts as the one with the smaller id, every run: 300 such people, each in a
    family with a person whose true family holds that smaller id."""
    n = 300
    rows = []
    for i in range(n):
        rows += [(f"p{i}", f"A{i:03}", f"F{i}")] * 2
        rows += [(f"p{i}", f"B{i:03}", None)] * 2
        rows.append((f"q{i}", f"C{i:03}", f"F{i}"))
    joined = pl.DataFrame(
        rows, schema=["person_id", "true_person", "family_id"], orient="row"
    ).with_columns(household_id=pl.lit(None, dtype=pl.Utf8))
    members = pl.DataFrame(
        {
            "family_id": [f"G{i}" for i in range(n) for _ in (0, 1)],
            "person_id": [p for i in range(n) for p in (f"p{i}", f"q{i}")],
        }
    )
    for _ in range(3):
        scores = family_measure(joined, members)
        assert scores["precision"] == 1.0
        assert scores["recall"] == 1.0


def test_family_misses_says_what_each_missed_pair_shares() -> None:
    """Six people of one true family and an outsider: the index finds p1 with
    p2 only; p1 and p5 share an address (and so its postcode), p6 a postcode
    with both, p3 and p4 are each in a group with the outsider, and the other
    ten missed pairs share nothing, so at most 5 of the 15 true pairs can be
    found."""
    rows = [
        ("i1", "p1", "F", "1 High Street", "SK1 1AA"),
        ("i2", "p2", "F", None, None),
        ("i3", "p3", "F", None, None),
        ("i4", "p4", "F", None, None),
        ("i5", "p5", "F", "1 High St", "sk11aa"),
        ("i6", "p6", "F", "9 Low Road", "SK1 1AA"),
        ("iX", "X", "G", "4 Mill Lane", "SK2 2BB"),
    ]
    joined = pl.DataFrame(
        rows,
        schema=["person_id", "true_person", "family_id", "address", "postcode"],
        orient="row",
    ).with_columns(household_id=pl.lit(None, dtype=pl.Utf8))
    members = pl.DataFrame(
        {
            "family_id": ["G1", "G1", "G2", "G2", "G3", "G3"],
            "person_id": ["i1", "i2", "i3", "iX", "iX", "i4"],
        }
    )
    misses = family_misses(joined, members)
    assert misses == {
        "same_address": 1,
        "same_postcode": 2,
        "through_another": 1,
        "nothing_shared": 10,
        "recall_ceiling": 5 / 15,
    }
    assert family_measure(joined, members)["recall"] == 1 / 15
