"""Checks of the seeded synthetic records other linkage tests use
(``support.population``)."""

from __future__ import annotations

import polars as pl
from support.population import make_population, records_frame

from sources.records import STANDARD_SCHEMA


def test_population_is_repeatable_and_complete() -> None:
    a, truth = make_population(20, seed=3)
    b, _ = make_population(20, seed=3)
    assert a.equals(b)
    assert a.schema == pl.Schema(STANDARD_SCHEMA)
    assert a.height == truth.height
    assert a["record_id"].n_unique() == a.height


def test_records_frame_fills_missing_fields_with_null() -> None:
    df = records_frame([{"first_name": "Amy"}])
    assert df["first_name"].to_list() == ["Amy"]
    assert df["dob"].to_list() == [None]
    assert df["source"].to_list() == ["test"]
