"""Candidate record pairs: the union of blocking rules, as polars self-joins.

A rule joins records that share every key column (after exploding list columns
such as the canonical forms of a first name). A block larger than the
``Refinement``'s bound is split on further keys (sex, year of birth, ...) until
it is small: a key a whole population shares (a date of birth and an initial)
makes blocks that grow with the population, and pairs with its square; split,
a rule's pairs per record stay bounded however many people the index holds.
Blocks still larger than ``max_block`` records are skipped: a key that common
says nothing about identity, and the other rules still reach those records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from core.config import DEFAULT_BLOCKING_RULES, parse_blocking_rule
from linkage.case_slips import case_deletion_keys, case_deletions
from linkage.keycodes import coded_keys, distinct_pairs, pair_keys, pairs_of_keys

PAIR_SCHEMA = pl.Schema({"l": pl.UInt32, "r": pl.UInt32})


@dataclass(frozen=True)
class BlockingRule:
    """Records are candidates when ``keys`` on one equal ``right_keys`` on the other."""

    name: str
    keys: tuple[str, ...]
    right_keys: tuple[str, ...] = ()  # differs from keys for cross-column rules
    #: When set, one side of each pair must lack this column (e.g. no date of
    #: birth): the rule then only reaches pairs the dated rules cannot.
    left_missing: str = ""

    @property
    def symmetric(self) -> bool:
        """Both sides use the same key columns."""
        return not self.right_keys or self.right_keys == self.keys

    def label(self) -> str:
        """The rule in words, for ``builds.parameters``."""
        right = "" if self.symmetric else f" ~ {' + '.join(self.right_keys)}"
        missing = f" (one side without {self.left_missing})" * bool(self.left_missing)
        return f"{self.name}: {' + '.join(self.keys)}{right}{missing}"


def rules_from(texts: tuple[str, ...]) -> tuple[BlockingRule, ...]:
    """Blocking rules from their config text (``linkage.blocking_rules``, already
    checked when the config was loaded)."""
    rules = []
    for text in texts:
        rule = parse_blocking_rule(text)
        if isinstance(rule, str):
            raise ValueError(f"blocking rule {text!r} {rule}")
        rules.append(
            BlockingRule(rule.name, rule.keys, rule.right_keys, rule.left_missing)
        )
    return tuple(rules)


#: The shipped rules (``core.config.DEFAULT_BLOCKING_RULES``); each catches a
#: kind of error the others miss.
DEFAULT_RULES = rules_from(DEFAULT_BLOCKING_RULES)

LIST_COLUMNS = (
    "fn_canons", "ln_canons", "ln_part_phons", "case_dels", "ids", "contacts",
)  # fmt: skip
KEY_SEED = 7  # any fixed seed: keys need only match in one build
#: Candidate pairs the union leaves waiting before merging them in.
MERGE_PAIRS = 2_000_000


@dataclass(frozen=True)
class BlockedPairs:
    """Deduplicated candidate pairs (``l`` < ``r``, record row keys) and counts."""

    pairs: pl.DataFrame
    pairs_per_rule: dict[str, int]
    blocks_skipped: dict[str, int]


def exploded(std: pl.DataFrame, col: str) -> pl.DataFrame:
    """``rid`` and one row per element of list column ``col`` (nulls dropped)."""
    return std.select("rid", col).explode(col).drop_nulls()


def _positions(std: pl.DataFrame, rids: pl.Series) -> np.ndarray:
    """Row of ``std`` holding each of ``rids`` (-1 where ``std`` lacks it)."""
    own = std["rid"].to_numpy().astype(np.int64)
    wanted = rids.to_numpy().astype(np.int64)
    top = int(max(own.max(initial=-1), wanted.max(initial=-1))) + 1
    index = np.full(top, -1, dtype=np.int64)
    index[own] = np.arange(own.size)
    return index[wanted]


def _keyed(
    std: pl.DataFrame,
    cols: tuple[str, ...],
    names: tuple[str, ...],
    long: dict[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Row keys and key values (several hashed into one column, ``names[0]``),
    list columns exploded (the first taken from ``long`` when there), rows
    with any null dropped."""
    pairs = list(zip(cols, names, strict=True))
    lists = [(c, n) for c, n in pairs if c in LIST_COLUMNS]
    if not lists:
        out = std.select("rid", *(pl.col(c).alias(n) for c, n in pairs)).drop_nulls()
    else:
        # One row per element of the first list column; the other columns
        # gathered by row beside it (no join), further lists exploded in turn.
        first, name = lists[0]
        values = (long or {}).get(first)
        values = exploded(std, first) if values is None else values
        pos = _positions(std, values["rid"])
        keep = pos >= 0
        rows = pl.Series(pos[keep])
        out = (
            values.filter(pl.Series(keep))
            .rename({first: name})
            .with_columns(std[c].gather(rows).alias(n) for c, n in pairs if c != first)
        )
        for _, other in lists[1:]:
            out = out.explode(other)
        out = out.drop_nulls()
    if len(names) == 1:
        return out
    # One 64-bit key for several columns: grouping and joining on it takes a
    # fraction of the memory (a collision could only add a pair to compare).
    return out.select("rid", pl.struct(names).hash(KEY_SEED).alias(names[0]))


def widest_block(values: pl.DataFrame) -> int:
    """Rows in the largest block of an ``exploded`` column's values alone."""
    return int(values.group_by(values.columns[1]).len()["len"].max() or 0)


def _all_small(
    keys: tuple[str, ...], widest: dict[str, int] | None, max_block: int
) -> bool:
    """No block of ``keys`` can exceed ``max_block``: its first column's widest
    block alone does not (``widest``). Further keys only split such a block:
    their lists never repeat an element within one record."""
    return (widest or {}).get(keys[0], max_block + 1) <= max_block


@dataclass(frozen=True)
class Refinement:
    """How a block too large to pair all through is split: a block of more
    than ``records`` records is joined again on its rule's keys plus the next
    of ``keys`` the rule does not already imply, as often as it stays that
    large; only a block still larger than ``max_block`` once the keys are used
    up is skipped. A key a whole population shares (a date of birth and an
    initial) makes blocks that grow with the population and pairs with its
    square; split this way, a rule's pairs per record stay bounded."""

    records: int = 0  # 0: no block is split
    keys: tuple[str, ...] = ()


NO_REFINEMENT = Refinement()


#: Key columns a refining key says nothing beyond: splitting a block of the
#: rule on it would leave the block whole.
IMPLIED = {
    "dob": ("dob_y", "dob_md", "dob_swap"), "dob_swap": ("dob_y",),
    "fn": ("fn_init",), "fn_join": ("fn_init",), "fn_canons": ("fn_init",),
    "ln_join": ("ln_init",), "ln_canons": ("ln_init",),
    "pc": ("pc_sector", "pc_district"), "pc_sector": ("pc_district",),
    "addr": ("pc_district", "addr_street", "addr_nums"),
}  # fmt: skip


#: Identifiers: a block of one holds one person's records, however many.
IDENTIFIERS = frozenset({"nhs", "upn_c", "case_key", "case_dels", "ids", "contacts"})


def refining_keys(rule: BlockingRule, keys: tuple[str, ...]) -> tuple[str, ...]:
    """``keys`` that can split a block of ``rule``: not its own keys, nor
    implied by them, nor absent by the rule's definition (``left_missing``);
    none for a rule on an identifier (splitting would only lose its pairs)."""
    own = {*rule.keys, *rule.right_keys}
    if own & IDENTIFIERS:
        return ()
    implied = {k for c in own for k in IMPLIED.get(c, ())}
    gone = {rule.left_missing, *IMPLIED.get(rule.left_missing, ())}
    return tuple(k for k in keys if k not in own | implied | gone)


def _refined(
    frame: pl.DataFrame, std: pl.DataFrame, key: str, col: str
) -> pl.DataFrame:
    """``frame`` (``rid`` and ``key``) with ``key`` hashed together with each
    row's ``col`` from ``std``. A row without a value of ``col`` joins every
    part of its block (nothing says it belongs to one rather than another)."""
    values = std[col].gather(pl.Series(_positions(std, frame["rid"])))
    both = frame.with_columns(values.alias("_refine"))
    known = both.drop_nulls("_refine")
    parts = known.select(key, "_refine").unique()
    unknown = both.filter(pl.col("_refine").is_null()).drop("_refine")
    unknown = unknown.join(parts, on=key, how="left")  # null: no part to join
    every = pl.concat([known, unknown.select(known.columns)])
    return every.select("rid", pl.struct(key, "_refine").hash(KEY_SEED).alias(key))


def _joined(
    left: pl.DataFrame, right: pl.DataFrame, key: str, self_join: bool
) -> pl.DataFrame:
    """Pairs (``l`` < ``r``) of rows of ``left`` and ``right`` sharing ``key``."""
    keep = (
        pl.col("rid") < pl.col("rid_r")
        if self_join
        else pl.col("rid") != pl.col("rid_r")
    )
    return (
        left.lazy()
        .join(right.lazy(), on=key, how="inner", suffix="_r")
        .filter(keep)
        .select(
            pl.min_horizontal("rid", "rid_r").alias("l"),
            pl.max_horizontal("rid", "rid_r").alias("r"),
        )
        .collect()
    )


def rule_pairs(
    std: pl.DataFrame,
    rule: BlockingRule,
    max_block: int,
    long: dict[str, pl.DataFrame] | None = None,
    widest: dict[str, int] | None = None,
    refine: Refinement = NO_REFINEMENT,
) -> tuple[pl.DataFrame, int]:
    """Pairs one rule finds, and how many over-large blocks it skipped
    (``long``: list columns already ``exploded``, by name; ``widest``: their
    ``widest_block``, when known: blocks then need no counting when every one
    is small, as case-number deletion keys are; ``refine``: how blocks too
    large are split before any is skipped)."""
    columns = tuple(f"k{i}" for i in range(len(rule.keys)))
    key = columns[0]  # _keyed hashes several key columns into the first
    right_keys = rule.right_keys or rule.keys
    right = _keyed(std, right_keys, columns, long)
    self_join = rule.symmetric and not rule.left_missing
    if self_join:
        left = right
    else:
        missing = (
            std.filter(pl.col(rule.left_missing).is_null())
            if rule.left_missing
            else std
        )
        left = _keyed(missing, rule.keys, columns, long)
    limit = min(refine.records or max_block, max_block)
    if _all_small(right_keys, widest, limit):
        return distinct_pairs(_joined(left, right, key, self_join)), 0
    found, splits = [], iter(refining_keys(rule, refine.keys))
    while True:
        sizes = right.group_by(key).len()
        big = sizes.filter(pl.col("len") > limit).select(key)
        small = right.join(big, on=key, how="anti")
        found.append(_joined(small if self_join else left, small, key, self_join))
        col = next(splits, None) if big.height else None
        if col is None:
            break
        right = _refined(right.join(big, on=key, how="semi"), std, key, col)
        left = (
            right
            if self_join
            else _refined(left.join(big, on=key, how="semi"), std, key, col)
        )
    # Blocks no key could split: kept up to max_block, skipped over it.
    kept = sizes.filter(pl.col("len") <= max_block).join(big, on=key, how="semi")
    rest = right.join(kept.select(key), on=key, how="semi")
    found.append(_joined(rest if self_join else left, rest, key, self_join))
    return distinct_pairs(pl.concat(found)), big.height - kept.height


def street_text(addr: pl.Expr) -> pl.Expr:
    """Cleaned address text without its house and flat numbers: the street and
    area ("12 mill lane stockport" -> "mill lane stockport"); null when no
    word is left."""
    words = addr.str.replace_all(r"\b\d+[a-z]?\b", " ").str.replace_all(r"\s+", " ")
    words = words.str.strip_chars()
    return pl.when(words.str.len_chars() > 0).then(words)


def with_blocking_keys(std: pl.DataFrame, case_dels: bool = True) -> pl.DataFrame:
    """Add derived key columns the rules use (month and day of birth as text,
    surname initial, street text and, with ``case_dels``, case-number deletion
    keys)."""
    streets = std.select(pl.col("addr").unique().drop_nulls())
    streets = streets.with_columns(street_text(pl.col("addr")).alias("addr_street"))
    out = std.with_columns(
        pl.when(pl.col("dob").is_not_null())
        .then(pl.col("dob_s").str.slice(4, 4))
        .alias("dob_md"),
        pl.col("ln_join").str.slice(0, 1).alias("ln_init"),
    ).join(streets, on="addr", how="left", maintain_order="left")
    return (
        out.with_columns(case_deletions(std).alias("case_dels")) if case_dels else out
    )


def each_rule(
    std: pl.DataFrame,
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES,
    max_block: int = 400,
    refine: Refinement = NO_REFINEMENT,
) -> Iterator[tuple[str, pl.DataFrame, int]]:
    """Per rule, in order: its name, its pairs (``l`` < ``r``) and how many
    over-large blocks it skipped.

    Rules join on integer codes of their keys (``linkage.keycodes``): the same
    pairs as joining on the values, far faster and leaner.
    """
    used = [c for r in rules for c in (*r.keys, *r.right_keys, r.left_missing) if c]
    used += refine.keys
    keyed = with_blocking_keys(std, case_dels=False)
    coded = coded_keys(keyed, [c for c in used if c in keyed.columns])
    # Each list column exploded once for every rule that uses it.
    long = {c: exploded(coded, c) for c in LIST_COLUMNS if c in coded.columns}
    if "case_dels" in used:
        long["case_dels"] = case_deletion_keys(std)
        # Deletion keys are near-unique: counting their blocks once lets the
        # rules that use them skip counting theirs (most of their cost).
        widest = {"case_dels": widest_block(long["case_dels"])}
    else:
        widest = {}

    for rule in rules:
        yield rule.name, *rule_pairs(coded, rule, max_block, long, widest, refine)


def pairs_by_rule(
    std: pl.DataFrame,
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES,
    max_block: int = 400,
    refine: Refinement = NO_REFINEMENT,
) -> dict[str, tuple[pl.DataFrame, int]]:
    """Per rule (by name): ``each_rule``'s pairs and skipped blocks."""
    found = each_rule(std, rules, max_block, refine)
    return {name: (pairs, n_big) for name, pairs, n_big in found}


def block(
    std: pl.DataFrame,
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES,
    max_block: int = 400,
    refine: Refinement = NO_REFINEMENT,
) -> BlockedPairs:
    """Union of every rule's pairs, each pair once with ``l`` < ``r``.

    The union is taken as rules finish, whenever the pairs waiting outnumber
    those already merged: the rules find each pair about twice over, and
    holding every rule's pairs at once was the peak of a build's memory.
    """
    per_rule, skipped = {}, {}
    merged = pl.Series("key", [], dtype=pl.UInt64)
    waiting: list[pl.Series] = []
    for name, pairs, n_big in each_rule(std, rules, max_block, refine):
        per_rule[name], skipped[name] = pairs.height, n_big
        waiting.append(pair_keys(pairs))
        if sum(w.len() for w in waiting) > max(merged.len(), MERGE_PAIRS):
            merged = pl.concat([merged, *waiting]).unique()
            waiting = []
    every = pl.concat([merged, *waiting]).unique().sort()
    return BlockedPairs(pairs_of_keys(every), per_rule, skipped)
