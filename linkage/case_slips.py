"""Case-number deletion keys: how blocking finds numbers one typing slip apart.

A case number with each character deleted in turn gives its deletion keys; two
numbers one substitution or adjacent swap apart share one. Blocking rules key
on them as the list column ``case_dels`` (``linkage.blocking``).
"""

from __future__ import annotations

import polars as pl

#: Case numbers at least this long get one-character-deleted keys (so a typing
#: slip, even two digits swapped, still shares a key); longer ones are cut.
SLIP_KEY_CHARS = (6, 16)
SLIP_SEED = 7  # any fixed seed: keys need only match in one build


def case_deletion_keys(std: pl.DataFrame) -> pl.DataFrame:
    """``rid`` and ``case_dels``: a record's case number with each character
    deleted in turn, prefixed by its source and hashed, a row per deletion: two
    numbers one substitution or adjacent swap apart share one. Numbers outside
    ``SLIP_KEY_CHARS`` get none.

    Hashes stand in for the text keys: the rules join on them directly, with no
    dictionary to build, and a collision could only add a pair to compare.
    """
    low, high = SLIP_KEY_CHARS
    number = pl.col("case_number").str.strip_chars()
    numbered = std.select(
        "rid", (pl.col("source") + ":").alias("prefix"), number.alias("number")
    ).filter(pl.col("number").str.len_chars().is_between(low, high))
    numbered = numbered.with_columns(pl.col("number").str.len_chars().alias("n"))
    parts = [
        numbered.filter(pl.col("n") > i).select(
            "rid",
            (
                pl.col("prefix")
                + pl.col("number").str.slice(0, i)
                + pl.col("number").str.slice(i + 1)
            )
            .hash(SLIP_SEED)
            .alias("case_dels"),
        )
        for i in range(high)
    ]
    return pl.concat(parts)


def case_deletions(std: pl.DataFrame) -> pl.Series:
    """Per record, its ``case_deletion_keys`` as one list (null when none)."""
    keys = case_deletion_keys(std).group_by("rid").agg("case_dels")
    found = std.select("rid").join(keys, on="rid", how="left", maintain_order="left")
    return found["case_dels"]
