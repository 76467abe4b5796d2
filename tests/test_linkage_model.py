"""The unsupervised model (u sampling, EM), and the people and family tables."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from support.population import make_population, records_frame

from core.config import LinkageConfig
from linkage.blocking import block
from linkage.compare import compare
from linkage.comparisons import default_comparisons
from linkage.em import level_patterns, run_em
from linkage.families import family_id, family_members
from linkage.model import exact_agreement_rate, sample_pairs, train
from linkage.names import load_name_tables
from linkage.people import people_table
from linkage.standardise import standardise


@pytest.mark.parametrize("top", [8, 14, 20])
def test_level_patterns_count_each_pattern_of_levels(top: int) -> None:
    """Packed into one integer (levels up to 14) or grouped column by column
    (above), every distinct pattern with its pairs, missing (-1) kept; a
    frame of patterns grouped again sums its pairs."""
    rng = np.random.default_rng(top)
    levels = pl.DataFrame(
        {f"f{i}": rng.integers(-1, top + 1, 5000).astype(np.int8) for i in range(3)}
    )
    expected = levels.group_by("f0", "f1", "f2").len("pairs").sort("f0", "f1", "f2")
    found = level_patterns(levels, ["f0", "f1", "f2"]).sort("f0", "f1", "f2")
    assert_frame_equal(found, expected.with_columns(pl.col("pairs").cast(pl.UInt32)))
    again = level_patterns(pl.concat([found, found]), ["f0", "f1", "f2"])
    assert again["pairs"].sum() == 2 * levels.height
    assert again.height == found.height


def test_sample_pairs_are_repeatable_and_distinct() -> None:
    a = sample_pairs(100, 5000, seed=3)
    assert a.equals(sample_pairs(100, 5000, seed=3))
    assert (a["l"] < a["r"]).all()
    assert not a.equals(sample_pairs(100, 5000, seed=4))


@pytest.mark.parametrize(
    ("values", "rate"),
    [
        (["a", "a", "b", None], 1 / 3),
        (["a", "b", "c"], 0.0),
        (["a"], None),
    ],
)
def test_exact_agreement_rate(values, rate) -> None:
    assert exact_agreement_rate(pl.Series(values, dtype=pl.Utf8)) == rate


def test_em_recovers_a_known_mixture() -> None:
    rng = np.random.default_rng(1)
    n, share = 20_000, 0.6
    match = rng.random(n) < share
    m = {"a": [0.9, 0.08, 0.02], "b": [0.85, 0.15], "c": [0.95, 0.05]}
    u = {"a": [0.05, 0.15, 0.8], "b": [0.1, 0.9], "c": [0.3, 0.7]}
    cols = {
        k: np.where(match, rng.choice(len(m[k]), n, p=m[k]),
                    rng.choice(len(u[k]), n, p=u[k]))
        for k in m
    }  # fmt: skip
    levels = pl.DataFrame({k: v.astype(np.int8) for k, v in cols.items()})
    result = run_em(
        levels, {"a": 3, "b": 2, "c": 2},
        {"a": np.full(3, 1 / 3), "b": np.full(2, 0.5), "c": np.full(2, 0.5)},
        train=("a", "b", "c"), iterations=500,
    )  # fmt: skip
    assert result.lambda_ == pytest.approx(share, abs=0.03)
    assert result.m["a"][0] == pytest.approx(0.9, abs=0.03)
    assert result.u["b"][1] == pytest.approx(0.9, abs=0.03)


def test_trained_weights_point_the_right_way() -> None:
    records, _ = make_population(150, seed=2)
    std = standardise(records, load_name_tables())
    comps = default_comparisons()
    levels = compare(std, block(std).pairs, comps)
    model = train(std, levels, comps, LinkageConfig(u_sample_pairs=50_000))
    for name in ("first_name", "last_name", "dob", "address"):
        w = model.field(name).weights()
        assert w[0] > 0 > w[-1], name
    assert 0 < model.prior < 0.01
    assert 0 < model.lambda_blocked < 1
    assert json.loads(json.dumps(model.to_dict()))["prior"] == model.prior


def _linked(rows: list[dict]) -> pl.DataFrame:
    return records_frame(rows).with_columns(
        pl.Series("person_id", [r.pop("pid", None) or "x" for r in rows])
    )


def test_family_groups_keep_a_separated_father_in_both() -> None:
    rows = [
        {"pid": "dad", "source": "csc", "family_ref": "csc:F1",
         "relationship": "Father"},
        {"pid": "kid", "source": "csc", "family_ref": "csc:F1",
         "relationship": "Child"},
        {"pid": "dad", "source": "housing", "household_ref": "housing:H9",
         "relationship": "Tenant"},
        {"pid": "new", "source": "housing", "household_ref": "housing:H9"},
    ]  # fmt: skip
    services = {"csc": "Children's social care", "housing": "Housing"}
    fm = family_members(_linked(rows), services)
    assert fm.rows() == [
        ("family:csc:F1", "dad", "Father", "Children's social care family", "csc"),
        ("family:csc:F1", "kid", "Child", "Children's social care family", "csc"),
        ("household:housing:H9", "dad", "Tenant", "Housing household", "housing"),
        ("household:housing:H9", "new", None, "Housing household", "housing"),
    ]
    long_ref = "x" * 200
    assert family_id("family", long_ref) == family_id("family", long_ref)
    assert len(family_id("family", long_ref)) <= 80


def test_people_table_shows_the_usual_values_and_keeps_variants() -> None:
    base = {"pid": "p", "last_name": "Smith", "sex": "F"}
    rows = [
        {**base, "first_name": "Karen", "dob": date(1988, 11, 2), "source": "a",
         "case_number": "A1", "address": "1 Old Road",
         "extract_date": date(2020, 1, 1)},
        {**base, "first_name": "Karen", "dob": date(1988, 11, 2), "source": "b",
         "address": "2 New Road", "postcode": "SK1 1AA",
         "extract_date": date(2026, 1, 1)},
        {**base, "first_name": "Kaz", "dob": date(1988, 2, 11), "source": "a",
         "case_number": "A1", "extract_date": date(2024, 1, 1)},
    ]  # fmt: skip
    person = people_table(_linked(rows)).row(0, named=True)
    assert (person["first_name"], person["dob"]) == ("Karen", date(1988, 11, 2))
    assert json.loads(person["other_names"]) == ["Kaz Smith"]
    assert json.loads(person["other_dobs"]) == ["1988-02-11"]
    assert json.loads(person["addresses"]) == ["2 New Road", "1 Old Road"]
    assert (person["address"], person["postcode"]) == ("2 New Road", "SK1 1AA")
    assert json.loads(person["case_numbers"]) == ["a:A1"]
    assert (person["n_records"], person["n_sources"]) == (3, 2)


STATED = [
    # (previous_names given on the records, other_names, previous_names)
    (["Reid", None], ["Amy Reid"], ["Amy Reid"]),  # a family name alone
    (["Amelia Reid; Amy Carter-Reid", None],
     ["Amelia Reid", "Amy Carter-Reid"], ["Amelia Reid", "Amy Carter-Reid"]),
    ([None, " ; "], [], []),
    (["Carter", "CARTER"], [], []),  # the name shown is not a previous one
]  # fmt: skip


@pytest.mark.parametrize(("given", "other", "previous"), STATED)
def test_people_table_keeps_the_names_records_state(given, other, previous) -> None:
    rows = [
        {"pid": "p", "first_name": "Amy", "last_name": "Carter", "source": s,
         "previous_names": g, "extract_date": date(2025, 1, 1)}
        for s, g in zip(("school", "health"), given, strict=True)
    ]  # fmt: skip
    person = people_table(_linked(rows)).row(0, named=True)
    assert json.loads(person["other_names"]) == other
    assert json.loads(person["previous_names"]) == previous
