"""Comparison levels for candidate pairs: the shared machinery.

Each comparison turns a pair frame (standardised columns suffixed ``_l`` and
``_r``) into one small integer per pair: 0 is the strongest agreement, the last
level is disagreement, and -1 means a value is missing on either side (no
evidence either way). String similarity comes from vectorised rapidfuzz calls.
The comparisons themselves are in ``linkage.comparisons``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import process

MISSING = -1
#: Pairs compared at once (bounds memory: each pair gathers both records' columns).
CHUNK_PAIRS = 250_000
#: Pairs looked at to decide whether scoring distinct pairs once is worth it.
DISTINCT_SAMPLE = 4096

#: Standardised columns the comparisons read, gathered for both sides.
PAIR_COLUMNS = (
    "source", "fn", "fn1", "fn_join", "fn_canons", "fn_phon", "ln", "ln_join",
    "ln_canons", "ln_phon", "ln_part_phons", "dob", "dob_s", "dob_y", "dob_swap",
    "pc", "pc_sector", "pc_district", "addr", "addr_nums", "sx", "nhs", "upn_c",
    "case_number",
)  # fmt: skip


@dataclass(frozen=True)
class Comparison:
    """A field compared at ordered levels; ``labels`` name each level for people."""

    name: str
    labels: tuple[str, ...]
    exact_column: str = ""  # column whose equality is level 0, if any
    term_frequency: bool = False  # weight exact agreement by how rare the value is

    def levels(self, p: pl.DataFrame) -> pl.Series:
        """One Int8 level per pair of ``p`` (see the module docstring)."""
        raise NotImplementedError

    def label(self, level: int) -> str:
        """Plain words for a level, used in record explanations."""
        return "missing" if level < 0 else self.labels[level]


def pair_frame(std: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Both sides' standardised columns for each pair, suffixed ``_l`` and ``_r``."""
    cols = [c for c in PAIR_COLUMNS if c in std.columns]
    pairs = pairs.select("l", "r")
    # One lazy query gathers both sides in parallel, several times cheaper than
    # eager gathers (list columns above all).
    sides = std.lazy().select(
        pl.col(cols).gather(pairs["l"]).name.suffix("_l"),
        pl.col(cols).gather(pairs["r"]).name.suffix("_r"),
    )
    return pl.concat([pairs, sides.collect()], how="horizontal")


def similarity(
    a: pl.Series,
    b: pl.Series,
    scorer,  # noqa: ANN001  (a rapidfuzz scorer)
    where: pl.Series | None = None,
) -> pl.Series:
    """Element-wise score of ``a[i]`` against ``b[i]`` (nulls score as empty text).

    With ``where``, only those rows are scored (others get 0): cheaper when a
    score only matters for pairs that already agree on something else.
    """
    if where is not None:
        mask = where.fill_null(False).to_numpy()
        out = np.zeros(a.len(), dtype=np.float32)
        if mask.any():
            out[mask] = similarity(a.filter(where), b.filter(where), scorer).to_numpy()
        return pl.Series(out)
    pairs = pl.DataFrame({"a": a.fill_null(""), "b": b.fill_null("")})
    if pairs.head(DISTINCT_SAMPLE).n_unique() > DISTINCT_SAMPLE // 2:
        scores = process.cpdist(
            pairs["a"].to_list(), pairs["b"].to_list(), scorer=scorer, workers=-1
        )
        return pl.Series(scores).cast(pl.Float32)
    # Mostly repeats (names among candidate pairs: about one in ten is new):
    # score each distinct pair once, since making Python strings for rapidfuzz
    # costs more than the scoring.
    distinct = pairs.unique()
    scores = process.cpdist(
        distinct["a"].to_list(), distinct["b"].to_list(), scorer=scorer, workers=-1
    )
    scored = distinct.with_columns(pl.Series("s", scores).cast(pl.Float32))
    found = pairs.join(scored, on=["a", "b"], how="left", maintain_order="left")
    return found["s"].alias("")


def levels(missing: pl.Expr, conditions: list[pl.Expr]) -> pl.Expr:
    """-1 when ``missing``, else the index of the first true condition, else last."""
    expr = pl.when(missing).then(pl.lit(MISSING))
    for i, cond in enumerate(conditions):
        expr = expr.when(cond.fill_null(False)).then(pl.lit(i))
    return expr.otherwise(pl.lit(len(conditions))).cast(pl.Int8)


def either_null(col: str) -> pl.Expr:
    """The value is missing on at least one side."""
    return pl.col(f"{col}_l").is_null() | pl.col(f"{col}_r").is_null()


def same(col: str) -> pl.Expr:
    """Both sides equal (null when either is missing)."""
    return pl.col(f"{col}_l") == pl.col(f"{col}_r")


def overlap(col: str) -> pl.Expr:
    """Two list columns share at least one element."""
    return pl.col(f"{col}_l").list.set_intersection(pl.col(f"{col}_r")).list.len() > 0


def compare(
    std: pl.DataFrame,
    pairs: pl.DataFrame,
    comparisons: tuple[Comparison, ...],
    chunk: int = CHUNK_PAIRS,
) -> pl.DataFrame:
    """``l``, ``r`` and one Int8 level column per comparison.

    Pairs are compared ``chunk`` at a time, so memory stays bounded however many
    candidate pairs blocking finds.
    """
    parts = []
    for part in pairs.select("l", "r").iter_slices(max(chunk, 1)):
        p = pair_frame(std, part)
        parts.append(part.with_columns(c.levels(p).alias(c.name) for c in comparisons))
    if parts:
        return pl.concat(parts)
    return pairs.select("l", "r").with_columns(
        pl.lit(None, dtype=pl.Int8).alias(c.name) for c in comparisons
    )
