"""Comparison levels for candidate pairs: the shared machinery.

Each comparison turns a pair frame (standardised columns suffixed ``_l`` and
``_r``) into one small integer per pair: 0 is the strongest agreement, the last
level is disagreement, and -1 means a value is missing on either side (no
evidence either way). A comparison is a list of ``Level``s, strongest first,
each its label beside its condition (in the manner of Splink's comparison
levels); a pair takes the first level whose condition holds. String similarity
comes from vectorised rapidfuzz calls. The comparisons themselves are in
``linkage.comparisons``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import process

from linkage.keycodes import HALF, TEXT, TEXT_LIST, categorised

MISSING = -1
#: Pairs compared at once (bounds memory: each pair gathers both records' columns).
CHUNK_PAIRS = 250_000
#: Chunks compared at once (measured best on two cores: 19 s to 13 s at 8.4
#: million pairs, for about 30 MB more per chunk in flight).
COMPARE_THREADS = 2

#: Standardised columns the comparisons read, gathered for both sides.
PAIR_COLUMNS = (
    "source", "fn", "fn1", "fn_join", "fn_canons", "fn_phon", "ln", "ln_join",
    "ln_canons", "ln_phon", "ln_part_phons", "dob", "dob_n", "dob_y", "dob_swap",
    "pc", "pc_sector", "pc_district", "addr", "addr_nums", "town_c", "sx", "nhs",
    "upn_c", "case_number", "ids", "id_kinds", "contacts", "contact_kinds",
    "contact_text",
)  # fmt: skip


@dataclass(frozen=True)
class Level:
    """One level of a comparison: what it means in words, and when it holds
    (an expression over the pair frame; None for the last level, which holds
    when no other does)."""

    label: str
    condition: pl.Expr | None = None


@dataclass(frozen=True)
class Comparison:
    """A field compared at ordered levels (``level_list``), strongest first."""

    name: str
    exact_column: str = ""  # column whose equality is level 0, if any
    term_frequency: bool = False  # weight exact agreement by how rare the value is

    def level_list(self) -> tuple[Level, ...]:
        """The levels, strongest first; the last has no condition."""
        raise NotImplementedError

    def missing(self) -> pl.Expr:
        """Pairs that say nothing either way (a value missing on either side)."""
        return either_null(self.exact_column)

    def prepared(self, p: pl.DataFrame) -> pl.DataFrame:
        """``p`` plus any working columns the conditions read (scores worked out
        outside polars, such as string similarity)."""
        return p

    @property
    def labels(self) -> tuple[str, ...]:
        """Plain words per level, strongest first."""
        return tuple(level.label for level in self.level_list())

    def levels(self, p: pl.DataFrame) -> pl.Series:
        """One Int8 level per pair of ``p`` (see the module docstring)."""
        conditions = [level.condition for level in self.level_list()[:-1]]
        expr = levels(self.missing(), conditions)
        return self.prepared(p).select(expr).to_series()

    def label(self, level: int) -> str:
        """Plain words for a level, used in record explanations."""
        return "missing" if level < 0 else self.labels[level]


def coded_columns(std: pl.DataFrame) -> pl.DataFrame:
    """The columns comparisons read, text as categoricals of one shared
    dictionary and lists of text as lists of its codes.

    Gathering both sides of millions of pairs then moves small integers, not
    text; equality and nulls behave as on the text, across columns too (names
    given the other way round), and similarity decodes only distinct pairs.
    """
    cols = [c for c in PAIR_COLUMNS if c in std.columns]
    if all(std.schema[c] not in (TEXT, TEXT_LIST) for c in cols):
        return std.select(cols)  # already coded
    return categorised(std, cols)


def pair_frame(std: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Both sides' comparison columns for each pair, suffixed ``_l`` and ``_r``
    (text as categoricals when ``std`` comes from ``coded_columns``)."""
    table = std.select(c for c in PAIR_COLUMNS if c in std.columns)
    pairs = pairs.select("l", "r")
    # Rows taken from the frame at once: a fifth of the time of gathering
    # column by column in a lazy query (measured at a million records).
    sides = [
        table[pairs[side]].rename(lambda c, side=side: f"{c}_{side}")
        for side in ("l", "r")
    ]
    return pl.concat([pairs, *sides], how="horizontal")


def text(col: str) -> pl.Expr:
    """A pair-frame column as text, whether it holds text or categoricals."""
    return pl.col(col).cast(pl.String)


def _pair_keys(a: pl.Series, b: pl.Series) -> pl.Series:
    """One 64-bit key per (a, b) of categoricals: equal pairs, equal keys."""
    left = a.to_physical().cast(pl.UInt64).fill_null(HALF - 1)
    right = b.to_physical().cast(pl.UInt64).fill_null(HALF - 1)
    return left * HALF + right


def similarity(
    a: pl.Series,
    b: pl.Series,
    scorer,  # noqa: ANN001  (a rapidfuzz scorer)
    where: pl.Series | None = None,
) -> pl.Series:
    """Element-wise score of ``a[i]`` against ``b[i]`` (nulls score as empty
    text); ``a`` and ``b`` hold text or categoricals.

    With ``where``, only those rows are scored (others get 0): cheaper when a
    score only matters for pairs that already agree on something else.
    """

    def scores(left: list[str], right: list[str]) -> np.ndarray:
        return process.cpdist(left, right, scorer=scorer, workers=-1)

    return distinct_scores(a, b, scores, where)


def distinct_scores(
    a: pl.Series,
    b: pl.Series,
    score: Callable[[list[str], list[str]], np.ndarray],
    where: pl.Series | None = None,
) -> pl.Series:
    """``score`` of each distinct (``a[i]``, ``b[i]``), as text lists (nulls as
    empty text), spread back to every row (Float32); as ``similarity``, with
    rows outside ``where`` 0."""
    return distinct_table(a, b, lambda x, y: {"s": score(x, y)}, where)["s"]


def distinct_table(
    a: pl.Series,
    b: pl.Series,
    score: Callable[[list[str], list[str]], dict[str, np.ndarray]],
    where: pl.Series | None = None,
) -> pl.DataFrame:
    """As ``distinct_scores``, for a ``score`` giving several named scores of
    each pair: one column each, so one pass over the distinct pairs serves
    several scorers."""
    if where is not None:
        mask = where.fill_null(False).to_numpy()
        found = distinct_table(a.filter(where), b.filter(where), score)
        out = {}
        for name in found.columns:
            out[name] = np.zeros(a.len(), dtype=np.float32)
            out[name][mask] = found[name].to_numpy()
        return pl.DataFrame(out)
    if a.dtype == TEXT or b.dtype == TEXT:
        codes = pl.Categorical(pl.Categories.random())
        a, b = a.cast(pl.String).cast(codes), b.cast(pl.String).cast(codes)
    # Names among candidate pairs mostly repeat: score each distinct pair once,
    # since making Python strings for rapidfuzz costs more than the scoring.
    pairs = pl.DataFrame({"a": a, "b": b, "key": _pair_keys(a, b)})
    distinct = pairs.unique("key")
    scores = score(
        distinct["a"].cast(pl.String).fill_null("").to_list(),
        distinct["b"].cast(pl.String).fill_null("").to_list(),
    )
    scored = distinct.select("key").with_columns(
        pl.Series(name, values, dtype=pl.Float32) for name, values in scores.items()
    )
    keys = pairs.select("key")
    found = keys.join(scored, on="key", how="left", maintain_order="left")
    return found.drop("key")


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
    candidate pairs blocking finds; ``COMPARE_THREADS`` chunks at once, since
    much of a chunk's work holds one core (building text for rapidfuzz, numpy).
    """
    coded = coded_columns(std)

    def one(part: pl.DataFrame) -> pl.DataFrame:
        p = pair_frame(coded, part)
        return part.with_columns(c.levels(p).alias(c.name) for c in comparisons)

    chunks = pairs.select("l", "r").iter_slices(max(chunk, 1))
    with ThreadPoolExecutor(COMPARE_THREADS) as pool:
        parts = list(pool.map(one, chunks))
    if parts:
        return pl.concat(parts)
    return pairs.select("l", "r").with_columns(
        pl.lit(None, dtype=pl.Int8).alias(c.name) for c in comparisons
    )
