"""Measures against truth: the same figures every run."""

from __future__ import annotations

import polars as pl

from linkage.evaluate import family_measure


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
