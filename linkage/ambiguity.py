"""Records that fit two people about equally well are left on their own."""

from __future__ import annotations

import polars as pl


def ambiguous_records(linked: pl.DataFrame, margin: float) -> pl.Series:
    """Records linked almost as strongly to a person they could not join.

    Such a record (one without a date of birth matching a father and a son of
    one name, or a slip between twins' names) fits two people; guessing would
    attach it to one of them, so it is left on its own, offered for review. Of a
    refused pair, the end whose own best link is closest to the refused link is
    the one that fits both (the other end belongs where it is).
    """
    ends = pl.concat(
        linked.select(pl.col(end).alias("rid"), "weight", "outcome")
        for end in ("l", "r")
    )
    kept = (
        ends.filter(pl.col("outcome").fill_null(True))
        .group_by("rid")
        .agg(pl.col("weight").max().alias("kept"))
    )
    refused = linked.filter(pl.col("outcome") == False)  # noqa: E712
    gaps = (
        refused.join(kept, left_on="l", right_on="rid", how="left")
        .join(kept, left_on="r", right_on="rid", how="left", suffix="_r")
        .select(
            "l",
            "r",
            (pl.col("kept") - pl.col("weight")).alias("gap_l"),
            (pl.col("kept_r") - pl.col("weight")).alias("gap_r"),
        )
    )
    fits = [
        gaps.filter(
            (pl.col(f"gap_{a}") <= margin)
            & (pl.col(f"gap_{a}") <= pl.col(f"gap_{b}").fill_null(float("inf")))
        )[a]
        for a, b in (("l", "r"), ("r", "l"))
    ]
    return pl.concat(fits).unique().alias("rid")
