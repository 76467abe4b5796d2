"""Person pairs offered for review: the review band, and linked pairs kept apart.

A pair a person has already decided is not one person (a cannot-link decision)
is never offered again.
"""

from __future__ import annotations

import polars as pl

from linkage.cluster import Clusters, linkable
from linkage.decisions import DecisionPairs


def _person_pairs(pairs: pl.DataFrame, person_ids: pl.Series) -> pl.DataFrame:
    """Record pairs (``l``, ``r``, other columns kept) as person pairs a < b."""
    a, b = person_ids.gather(pairs["l"]), person_ids.gather(pairs["r"])
    return pairs.select(
        pl.min_horizontal(a, b).alias("person_a"),
        pl.max_horizontal(a, b).alias("person_b"),
        pl.exclude("l", "r"),
    ).filter(pl.col("person_a") != pl.col("person_b"))


def possible_matches(
    scored: pl.DataFrame,
    clusters: Clusters,
    review_threshold: float,
    link_threshold: float,
    decisions: DecisionPairs | None = None,
) -> pl.DataFrame:
    """Person pairs (a < b) in the review band (and ``review_only`` pairs above
    it), or linked but refused, best first; never two people a cannot-link
    decision already keeps apart."""
    band = scored.filter(
        pl.col("eligible")
        & (pl.col("probability") >= review_threshold)
        & ~linkable(scored, link_threshold)
    ).select("l", "r", "probability")
    pairs = pl.concat([band, clusters.refused.select("l", "r", "probability")])
    found = _person_pairs(pairs, clusters.person_ids)
    if decisions is not None and decisions.cannot.height:
        decided = _person_pairs(decisions.cannot.select("l", "r"), clusters.person_ids)
        found = found.join(decided, on=["person_a", "person_b"], how="anti")
    return (
        found.group_by("person_a", "person_b")
        .agg(pl.col("probability").max())
        .sort(["probability", "person_a", "person_b"], descending=[True, False, False])
    )
