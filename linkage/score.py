"""Match weight and probability of each candidate pair under a trained model.

Plain Fellegi–Sunter (sum of log2(m/u) per field plus the prior log-odds), with
term-frequency weights for exact names and the household guards of
``linkage.guards`` applied on top.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from linkage.compare import Comparison
from linkage.guards import (
    LOCATION,
    address_counts,
    eligible,
    household_traits,
    names_alone,
    names_outvoted,
    sole_first_name,
)
from linkage.model import Model


def term_frequencies(std: pl.DataFrame, column: str) -> pl.Series:
    """Per record: share of records with a value in ``column`` that have this one."""
    n = max(std[column].count(), 1)
    return std.select(
        pl.when(pl.col(column).is_not_null()).then(pl.len().over(column) / n)
    ).to_series()


def record_traits(
    std: pl.DataFrame, comparisons: tuple[Comparison, ...]
) -> pl.DataFrame:
    """Per record (``std`` order), what scoring reads beside the levels: term
    frequencies (``tf_<column>``), ``sole_first_name``, ``fn_common``,
    ``dob_yo`` and ``guards.household_traits``. Worked out once per build and
    gathered for each batch of pairs."""
    freqs = {
        f"tf_{c.exact_column}": term_frequencies(std, c.exact_column)
        for c in comparisons
        if c.term_frequency and c.exact_column
    }
    return household_traits(std).with_columns(
        sole_first_name(std).alias("sole_first_name"),
        std["fn_common"],
        std["dob_yo"].fill_null(False),
        *(f.alias(name) for name, f in freqs.items()),
    )


def _field_weights(
    traits: pl.DataFrame, levels: pl.DataFrame, comp: Comparison, model: Model
) -> np.ndarray:
    """Weight each pair gets from one comparison (0 where a value is missing)."""
    params = model.field(comp.name)
    lv = levels[comp.name].to_numpy().astype(np.int64)
    weights = np.append(params.weights(), 0.0)[lv]
    if comp.term_frequency and comp.exact_column:
        # The commoner of the two values: names given the other way round
        # ("Taylor Ava") agree as exact, and must weigh as the common name.
        freq = traits[f"tf_{comp.exact_column}"]
        sides = [freq.gather(levels[s]).to_numpy() for s in ("l", "r")]
        tf = np.fmax(*sides)
        tf = np.maximum(np.nan_to_num(tf, nan=1.0), model.u_floor)
        exact = np.log2(params.m[0]) - np.log2(tf)
        weights = np.where(lv == 0, exact, weights)
    return weights


def score(
    std: pl.DataFrame,
    levels: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    model: Model,
    traits: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Levels plus ``w_<field>``, ``weight`` (log2 odds), probability, eligible,
    ``review_only`` (``guards.names_alone``: reviewed, never linked) and
    ``names_outvoted`` (first names weighed, not a veto). ``traits``:
    ``record_traits`` of ``std``, made here when not given."""
    if traits is None:
        traits = record_traits(std, comparisons)
    weights = {c.name: _field_weights(traits, levels, c, model) for c in comparisons}
    sole = traits["sole_first_name"]
    alone = (sole.gather(levels["l"]) & sole.gather(levels["r"])).to_numpy()
    common = traits["fn_common"]
    left, right = common.gather(levels["l"]), common.gather(levels["r"])
    both_common, either_common = (left & right).to_numpy(), (left | right).to_numpy()
    yo = traits["dob_yo"]
    years_only = (yo.gather(levels["l"]) & yo.gather(levels["r"])).to_numpy()
    outvoted = names_outvoted(levels, traits)
    if LOCATION in weights:
        weights[LOCATION] = np.where(
            address_counts(levels, alone, both_common, outvoted),
            weights[LOCATION],
            np.minimum(weights[LOCATION], 0),
        )
    prior = np.log2(model.prior) - np.log2(1 - model.prior)
    total = prior + np.sum(list(weights.values()), axis=0)
    probability = 1.0 / (1.0 + np.exp2(-np.clip(total, -1000, 1000)))
    return levels.with_columns(
        *(pl.Series(f"w_{n}", w, dtype=pl.Float32) for n, w in weights.items()),
        pl.Series("weight", total, dtype=pl.Float64),
        pl.Series("probability", probability, dtype=pl.Float64),
        pl.Series(
            "eligible",
            eligible(levels, both_common, alone, either_common, outvoted),
            dtype=pl.Boolean,
        ),
        pl.Series("names_outvoted", outvoted, dtype=pl.Boolean),
        pl.Series("review_only", names_alone(levels, years_only), dtype=pl.Boolean),
    )
