"""Linkage evidence in plain words: weights to words, how sure, sources shown."""

from __future__ import annotations

import json

import polars as pl
import pytest

from lookup.evidence import family_evidence, link_confidence, weight_words


@pytest.mark.parametrize(
    ("weight", "expected"),
    [(12.7, "counted strongly for"), (8.0, "counted strongly for"),
     (7.9, "counted for"), (3.0, "counted for"), (0.5, "counted a little for"),
     (0.0, "made no difference to"), (-1.0, "counted a little against"),
     (-3.0, "counted a little against"), (-3.1, "counted against")],
)  # fmt: skip
def test_weight_words(weight: float, expected: str) -> None:
    assert weight_words(weight) == expected


def _frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["person_id", "source", "record_id", "probability", "explanation"],
        orient="row",
    )


EXPLAINED = json.dumps([{"field": "dob", "level": "day and month swapped",
                         "weight": 6.1}])  # fmt: skip


@pytest.mark.parametrize(
    ("probabilities", "expected"),
    [([None], "One record only: nothing was joined"),
     ([0.9999, 0.9995], "Very likely the same person"),
     ([0.9999, 0.995], "Likely the same person"),
     ([0.95, None], "Less certain: check before relying on this")],
)  # fmt: skip
def test_link_confidence(probabilities: list, expected: str) -> None:
    rows = [("p1", "csc", f"r{i}", p, "[]") for i, p in enumerate(probabilities)]
    found = family_evidence(_frame(rows), {"p1": {"csc"}}, {"csc": "CSC"})
    assert link_confidence(found["p1"]) == expected


def test_only_shown_people_and_sources_are_explained() -> None:
    frame = _frame([("p1", "csc", "r1", 0.99, EXPLAINED),
                    ("p1", "police", "r2", 0.99, EXPLAINED),
                    ("p2", "csc", "r3", 0.99, EXPLAINED)])  # fmt: skip
    found = family_evidence(frame, {"p1": {"csc"}}, {"csc": "Children's social care"})
    assert list(found) == ["p1"] and [r.record_id for r in found["p1"]] == ["r1"]
    field = found["p1"][0].fields[0]
    assert (field.field, field.level, field.words) == (
        "Date of birth", "day and month swapped", "counted for")  # fmt: skip
    assert found["p1"][0].service == "Children's social care"
