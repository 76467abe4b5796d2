"""Fellegi–Sunter match weights and probabilities, trained without labels.

u (how often non-matching records agree) comes from random record pairs; m (how
often matching records agree) from EM sessions over the blocked pairs (see
``SESSIONS``), and λ from EM over all blocked pairs with m held. Exact name
agreement is weighted by how rare the name is (``linkage.score``).

The household trap (a household shares surname and address, twins a date of
birth too) is handled on top of the model, in ``linkage.guards``; EM here
decides match status from personal fields only, so households cannot pull the
match class towards "same address".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

from core.config import LinkageConfig
from linkage.compare import Comparison, compare
from linkage.em import PAIRS, level_patterns, run_em
from linkage.guards import LOCATION


@dataclass(frozen=True)
class FieldParameters:
    """Trained m and u per level of one comparison."""

    name: str
    labels: tuple[str, ...]
    m: tuple[float, ...]
    u: tuple[float, ...]

    def weights(self) -> np.ndarray:
        """log2(m/u) per level: the match weight each level adds."""
        return np.log2(np.array(self.m)) - np.log2(np.array(self.u))


@dataclass(frozen=True)
class Model:
    """A trained model: parameters per field, λ among blocked pairs, overall prior."""

    fields: tuple[FieldParameters, ...]
    lambda_blocked: float
    prior: float  # probability two random records are the same person
    em_iterations: int
    em_converged: bool
    u_floor: float  # smallest u allowed: rarer than the sample can tell

    def field(self, name: str) -> FieldParameters:
        """The parameters of the comparison called ``name``."""
        return next(f for f in self.fields if f.name == name)

    def to_dict(self) -> dict:
        """Plain values for ``builds.parameters`` (JSON)."""
        return asdict(self)


def sample_pairs(n_records: int, n_pairs: int, seed: int) -> pl.DataFrame:
    """Random distinct record pairs (``l`` < ``r``), repeatable for a seed."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, max(n_records, 1), n_pairs)
    b = rng.integers(0, max(n_records, 1), n_pairs)
    keep = a != b
    a, b = a[keep], b[keep]
    return pl.DataFrame(
        {"l": np.minimum(a, b), "r": np.maximum(a, b)},
        schema={"l": pl.UInt32, "r": pl.UInt32},
    )


def exact_agreement_rate(values: pl.Series) -> float | None:
    """Share of random pairs of non-null values that are equal (from value counts)."""
    counts = values.drop_nulls().value_counts()["count"].to_numpy().astype(np.float64)
    n = counts.sum()
    if n < 2:
        return None
    return float((counts * (counts - 1)).sum() / (n * (n - 1)))


def random_level_rates(
    std: pl.DataFrame, comparisons: tuple[Comparison, ...], n_pairs: int, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Share of random pairs at each level, and per level the smallest share the
    data can tell (half a pair among the pairs it was measured on).

    Exact agreement on a single column is computed from value counts over every
    pair instead of the sample: it is rare enough that a sample would mostly
    miss it, and the count of all pairs bounds it far more tightly.
    """
    levels = compare(std, sample_pairs(std.height, n_pairs, seed), comparisons)
    rates, floors = {}, {}
    for comp in comparisons:
        col = levels[comp.name].to_numpy()
        counts = np.bincount(col[col >= 0], minlength=len(comp.labels)).astype(float)
        floor = np.full(counts.size, 0.5 / max(counts.sum(), 1))
        share = counts / counts.sum() if counts.sum() else np.full(counts.size, 1.0)
        values = std[comp.exact_column] if comp.exact_column else None
        exact = exact_agreement_rate(values) if values is not None else None
        if exact is not None:
            rest = share[1:] if share[1:].sum() else np.ones(share.size - 1)
            share = np.concatenate([[exact], rest / rest.sum() * (1 - exact)])
            known = values.count()
            floor[0] = 0.5 / max(known * (known - 1) / 2, 1)
        rates[comp.name] = share / share.sum()
        floors[comp.name] = floor
    return rates, floors


def _unseen_say_nothing(m: np.ndarray, u: np.ndarray, unseen: np.ndarray) -> np.ndarray:
    """u with a level that no random pair and no candidate pair shows set to its m:
    such a level (a town where no source gives one, a year-only date where none
    is) weighs nothing, instead of the ratio of two floors."""
    if not unseen.any():
        return u
    out = np.where(unseen, m, u)
    return out / out.sum()


def _remove_matches(
    rate: np.ndarray, m: np.ndarray, prior: float, floor: np.ndarray
) -> np.ndarray:
    """u among non-matches: random pairs include a few matches; take them out."""
    u = np.maximum((rate - prior * m) / (1 - prior), floor)
    return u / u.sum()


#: EM sessions: blocked pairs agreeing on some fields (field -> highest level),
#: training m for every other field. Same-name pairs of different people (cousins
#: named alike) are common among blocked pairs and would otherwise teach the model
#: that matches often disagree on date of birth; within each session the fields
#: it conditions on carry no information, so they cannot mislead.
SESSIONS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    ("same date of birth", (("dob", 0),)),
    ("same names", (("first_name", 1), ("last_name", 0))),
)
#: A session with fewer pairs than this is skipped (EM over all pairs stands in).
MIN_SESSION_PAIRS = 50


def _in_session(agree: tuple[tuple[str, int], ...]) -> pl.Expr:
    return pl.all_horizontal(pl.col(f).is_between(0, top) for f, top in agree)


def _pair_count(levels: pl.DataFrame) -> int:
    """Pairs a level frame stands for (a row each, or its ``PAIRS`` column)."""
    return int(levels[PAIRS].sum()) if PAIRS in levels.columns else levels.height


def estimate_m(
    levels: pl.DataFrame,
    n_levels: dict[str, int],
    rates: dict[str, np.ndarray],
    iterations: int,
) -> tuple[dict[str, np.ndarray], int, bool]:
    """m per field, averaged over the sessions that train it; rounds; converged."""
    personal = tuple(n for n in n_levels if n != LOCATION)
    found: dict[str, list[np.ndarray]] = {}
    rounds, converged = 0, True
    for _name, agree in SESSIONS:
        subset = levels.filter(_in_session(agree))
        if _pair_count(subset) < MIN_SESSION_PAIRS:
            continue
        held = {field for field, _ in agree}
        train_on = tuple(n for n in personal if n not in held)
        em = run_em(subset, n_levels, rates, train=train_on, iterations=iterations)
        rounds, converged = rounds + em.iterations, converged and em.converged
        for name in n_levels:
            if name not in held:
                found.setdefault(name, []).append(em.m[name])
    if len(found) < len(n_levels):
        em = run_em(levels, n_levels, rates, train=personal, iterations=iterations)
        rounds, converged = rounds + em.iterations, converged and em.converged
        for name in n_levels:
            found.setdefault(name, [em.m[name]])
    return {n: np.mean(v, axis=0) for n, v in found.items()}, rounds, converged


def train(
    std: pl.DataFrame,
    levels: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    settings: LinkageConfig,
) -> Model:
    """u from random pairs, m from EM sessions, λ from EM over all blocked pairs."""
    rates, floors = random_level_rates(
        std, comparisons, settings.u_sample_pairs, settings.seed
    )
    n_levels = {c.name: len(c.labels) for c in comparisons}
    # Every EM run reads distinct level patterns: grouped once here, not per run
    # over millions of pairs.
    patterns = level_patterns(levels, list(n_levels))
    m, rounds, converged = estimate_m(patterns, n_levels, rates, settings.em_iterations)
    personal = tuple(n for n in n_levels if n != LOCATION)
    em = run_em(
        patterns, n_levels, rates, train=personal, iterations=settings.em_iterations,
        fixed_m=m,
    )  # fmt: skip
    total_pairs = std.height * (std.height - 1) / 2
    prior = min(max(em.lambda_ * levels.height / max(total_pairs, 1), 1e-12), 0.5)
    fields = []
    for c in comparisons:
        u = _remove_matches(rates[c.name], m[c.name], prior, floors[c.name])
        col = patterns[c.name].to_numpy()
        seen = col >= 0
        blocked = np.bincount(
            col[seen], patterns[PAIRS].to_numpy()[seen], minlength=len(c.labels)
        )
        u = _unseen_say_nothing(m[c.name], u, (rates[c.name] == 0) & (blocked == 0))
        fields.append(
            FieldParameters(
                c.name,
                c.labels,
                tuple(float(x) for x in m[c.name]),
                tuple(float(x) for x in u),
            )  # fmt: skip
        )
    fields = tuple(fields)
    return Model(
        fields, em.lambda_, prior, rounds + em.iterations, converged and em.converged,
        min(float(f[-1]) for f in floors.values()),
    )  # fmt: skip
