"""Expectation-maximisation of m (and λ) over distinct comparison patterns.

Pairs are grouped into distinct level patterns first, so each round costs the
number of patterns (thousands), not pairs. A small pseudo-count pulls estimates
towards sensible defaults, which keeps tiny inputs (tests, a pilot source) from
producing degenerate zero or one probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

PSEUDO_PAIRS = 5.0
#: No level is treated as impossible: real extracts hold every kind of slip.
M_FLOOR = 1e-3
START_LAMBDA = 0.3
#: Column of a level frame saying how many pairs each row stands for (rows
#: without it are a pair each).
PAIRS = "pairs"


@dataclass(frozen=True)
class EmResult:
    """m and u per field among blocked pairs, λ (share of blocked pairs matching)."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    lambda_: float
    iterations: int
    converged: bool


def default_m(n_levels: int) -> np.ndarray:
    """Starting m: most matches agree exactly, few disagree outright."""
    if n_levels == 2:
        return np.array([0.95, 0.05])
    middle = np.full(n_levels - 2, 0.13 / (n_levels - 2))
    return np.concatenate([[0.85], middle, [0.02]])


def _floored(shares: np.ndarray, floor: float = 1e-9) -> np.ndarray:
    out = np.maximum(np.asarray(shares, dtype=np.float64), floor)
    return out / out.sum()


def _level_shares(
    levels: np.ndarray, weights: np.ndarray, prior: np.ndarray
) -> np.ndarray:
    """Weighted share of each level (missing ignored), smoothed towards ``prior``."""
    seen = levels >= 0
    sums = np.bincount(levels[seen], weights=weights[seen], minlength=prior.size)
    sums = sums + PSEUDO_PAIRS * prior
    return _floored(sums / sums.sum(), M_FLOOR)


def _log_ratio(levels: np.ndarray, m: np.ndarray, u: np.ndarray) -> np.ndarray:
    """log(m/u) of each pattern's level; 0 where the level is missing."""
    table = np.append(np.log(m) - np.log(u), 0.0)
    return table[levels]


def _posterior(patterns, m, u, lam, train) -> np.ndarray:  # noqa: ANN001
    logit = np.full(patterns[train[0]].shape[0], np.log(lam / (1 - lam)))
    for name in train:
        logit += _log_ratio(patterns[name], m[name], u[name])
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))


def level_patterns(levels: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Distinct level patterns of ``names`` with ``pairs``, how many pairs show
    each: what ``run_em`` reads, made once for several runs."""
    if PAIRS in levels.columns:
        return levels.group_by(names).agg(pl.col(PAIRS).sum())
    tops = levels.select(pl.max_horizontal(pl.col(names).max())).item()
    if len(names) > 15 or tops is None or tops >= 15:
        return levels.group_by(names).agg(pl.len().alias(PAIRS))
    # Levels (-1 to 14) packed four bits a field into one integer: grouping one
    # column takes a third of the memory of grouping ten (9.7 million pairs).
    packed = pl.sum_horizontal(
        (pl.col(n).cast(pl.Int64) + 1) * 16**i for i, n in enumerate(names)
    )
    counts = levels.select(packed.alias("_p")).group_by("_p").agg(pl.len().alias(PAIRS))
    fields = ((pl.col("_p") // 16**i) % 16 - 1 for i in range(len(names)))
    return counts.select(
        *(
            f.cast(levels.schema[n]).alias(n)
            for f, n in zip(fields, names, strict=True)
        ),
        PAIRS,
    )


def _patterns(levels: pl.DataFrame, names: list[str]):  # noqa: ANN202
    """Distinct level patterns (one array per field) and how many pairs have each."""
    grouped = level_patterns(levels, names)
    counts = grouped[PAIRS].to_numpy().astype(np.float64)
    return {n: grouped[n].to_numpy().astype(np.int64) for n in names}, counts


def run_em(
    levels: pl.DataFrame,
    n_levels: dict[str, int],
    u_start: dict[str, np.ndarray],
    *,
    train: tuple[str, ...],
    iterations: int,
    tolerance: float = 1e-6,
    fixed_m: dict[str, np.ndarray] | None = None,
) -> EmResult:
    """Fit a two-class mixture to the level columns named in ``n_levels``
    (``levels``: a row per pair, or ``level_patterns``).

    Only ``train`` fields decide which pairs look like matches; every field's m
    is then read off those posteriors. Fields left out of ``train`` (address) are
    therefore described by the model but cannot pull households into the match
    class during training. With ``fixed_m`` only λ and u are estimated.
    """
    names = list(n_levels)
    patterns, counts = _patterns(levels, names)
    priors_m = {n: default_m(k) for n, k in n_levels.items()}
    priors_u = {n: _floored(u_start[n]) for n in names}
    m, u = dict(fixed_m or priors_m), dict(priors_u)
    lam, rounds, change = START_LAMBDA, 0, np.inf
    while rounds < iterations and change >= tolerance:
        rounds += 1
        matched = counts * _posterior(patterns, m, u, lam, train)
        new_lam = (matched.sum() + PSEUDO_PAIRS * START_LAMBDA) / (
            counts.sum() + PSEUDO_PAIRS
        )
        new_m = fixed_m or {
            n: _level_shares(patterns[n], matched, priors_m[n]) for n in names
        }
        u = {
            n: _level_shares(patterns[n], counts - matched, priors_u[n]) for n in names
        }
        change = max(
            abs(new_lam - lam), *(np.abs(new_m[n] - m[n]).max() for n in names)
        )
        m, lam = new_m, float(min(max(new_lam, 1e-9), 1 - 1e-9))
    return EmResult(m, u, lam, rounds, bool(change < tolerance))
