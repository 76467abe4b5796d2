"""Candidate record pairs: the union of blocking rules, as polars self-joins.

A rule joins records that share every key column (after exploding list columns
such as the canonical forms of a first name). Blocks larger than ``max_block``
records are skipped: a key that common says nothing about identity, and the
other rules still reach those records.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.config import DEFAULT_BLOCKING_RULES, parse_blocking_rule
from linkage.keycodes import coded_keys, distinct_pairs

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
#: Case numbers at least this long get one-character-deleted keys (so a typing
#: slip, even two digits swapped, still shares a key); longer ones are cut.
SLIP_KEY_CHARS = (6, 16)
SLIP_SEED = KEY_SEED = 7  # any fixed seeds: keys need only match in one build


@dataclass(frozen=True)
class BlockedPairs:
    """Deduplicated candidate pairs (``l`` < ``r``, record row keys) and counts."""

    pairs: pl.DataFrame
    pairs_per_rule: dict[str, int]
    blocks_skipped: dict[str, int]


def _keyed(
    std: pl.DataFrame, cols: tuple[str, ...], names: tuple[str, ...]
) -> pl.DataFrame:
    """Row keys and key values (several hashed into one column, ``names[0]``),
    list columns exploded, rows with any null dropped."""
    pick = [(c, n) for c, n in zip(cols, names, strict=True) if c not in LIST_COLUMNS]
    out = std.select("rid", *(pl.col(c).alias(n) for c, n in pick)).drop_nulls()
    for col, name in zip(cols, names, strict=True):
        if col in LIST_COLUMNS:
            # Exploded on its own and joined by record: exploding beside other
            # list columns would copy those lists once per element.
            values = std.select("rid", pl.col(col).alias(name)).explode(name)
            out = out.join(values.drop_nulls(), on="rid", how="inner")
    if len(names) == 1:
        return out
    # One 64-bit key for several columns: grouping and joining on it takes a
    # fraction of the memory (a collision could only add a pair to compare).
    return out.select("rid", pl.struct(names).hash(KEY_SEED).alias(names[0]))


def rule_pairs(
    std: pl.DataFrame, rule: BlockingRule, max_block: int
) -> tuple[pl.DataFrame, int]:
    """Pairs one rule finds, and how many over-large blocks it skipped."""
    columns = tuple(f"k{i}" for i in range(len(rule.keys)))
    key = columns[0]  # _keyed hashes several key columns into the first
    right = _keyed(std, rule.right_keys or rule.keys, columns)
    sizes = right.group_by(key).len()
    big = sizes.filter(pl.col("len") > max_block).select(key)
    right = right.join(big, on=key, how="anti")
    self_join = rule.symmetric and not rule.left_missing
    if self_join:
        left = right
    else:
        missing = (
            std.filter(pl.col(rule.left_missing).is_null())
            if rule.left_missing
            else std
        )
        left = _keyed(missing, rule.keys, columns)
    keep = (
        pl.col("rid") < pl.col("rid_r")
        if self_join
        else pl.col("rid") != pl.col("rid_r")
    )
    joined = (
        left.lazy()
        .join(right.lazy(), on=key, how="inner", suffix="_r")
        .filter(keep)
        .select(
            pl.min_horizontal("rid", "rid_r").alias("l"),
            pl.max_horizontal("rid", "rid_r").alias("r"),
        )
        .collect()
    )
    return distinct_pairs(joined), big.height


def case_deletions(std: pl.DataFrame) -> pl.Series:
    """Per record, its case number with each character deleted in turn, prefixed
    by its source and hashed: two numbers one substitution or adjacent swap apart
    share one. Numbers outside ``SLIP_KEY_CHARS`` get none.

    Hashes stand in for the text keys: the rules join on them directly, with no
    dictionary to build, and a collision could only add a pair to compare. One
    column per position (not a row per deletion) keeps memory to the hashes.
    """
    low, high = SLIP_KEY_CHARS
    number = pl.col("case_number").str.strip_chars()
    n = number.str.len_chars()
    prefix = pl.col("source") + ":"
    keys = [
        pl.when(n > i).then(
            (prefix + number.str.slice(0, i) + number.str.slice(i + 1)).hash(SLIP_SEED)
        )
        for i in range(high)
    ]
    deleted = pl.concat_list(keys).list.drop_nulls().list.unique()
    return std.select(pl.when(n.is_between(low, high)).then(deleted)).to_series()


def with_blocking_keys(std: pl.DataFrame) -> pl.DataFrame:
    """Add derived key columns the rules use (month and day of birth as text,
    surname initial, case-number deletion keys)."""
    return std.with_columns(
        pl.when(pl.col("dob").is_not_null())
        .then(pl.col("dob_s").str.slice(4, 4))
        .alias("dob_md"),
        pl.col("ln_join").str.slice(0, 1).alias("ln_init"),
        case_deletions(std).alias("case_dels"),
    )


def pairs_by_rule(
    std: pl.DataFrame,
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES,
    max_block: int = 400,
) -> dict[str, tuple[pl.DataFrame, int]]:
    """Per rule (by name): its pairs (``l`` < ``r``) and how many over-large
    blocks it skipped.

    Rules join on integer codes of their keys (``linkage.keycodes``): the same
    pairs as joining on the values, far faster and leaner.
    """
    used = [c for r in rules for c in (*r.keys, *r.right_keys, r.left_missing) if c]
    std = coded_keys(with_blocking_keys(std), used)
    return {rule.name: rule_pairs(std, rule, max_block) for rule in rules}


def block(
    std: pl.DataFrame,
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES,
    max_block: int = 400,
) -> BlockedPairs:
    """Union of every rule's pairs, each pair once with ``l`` < ``r``."""
    found = pairs_by_rule(std, rules, max_block)
    per_rule = {name: pairs.height for name, (pairs, _) in found.items()}
    skipped = {name: n_big for name, (_, n_big) in found.items()}
    parts = [pairs for pairs, _ in found.values()]
    every = pl.concat(parts) if parts else pl.DataFrame(schema=PAIR_SCHEMA)
    return BlockedPairs(distinct_pairs(every), per_rule, skipped)
