"""The links clustering accepted inside each person, kept for the viewers' cut.

A person is the connected set of records the accepted pairs join. A viewer who
may not see one of them (a hidden service, an age rule) must not be shown the
others as one person when only that record joins them (``lookup.disclosure_links``
splits them), so each person of three or more records keeps its links: the
pairs merged or found already joined, as positions of its records in
(source, record_id) order. A person of one or two records needs none (two
records seen are joined by their own link).
"""

from __future__ import annotations

import polars as pl

#: Fewest records a person needs before a record could join two others.
MIN_RECORDS = 3


def record_links(
    std: pl.DataFrame, person_ids: pl.Series, merged: pl.DataFrame
) -> pl.DataFrame:
    """person_id, links ("i-j;…") for every person of ``MIN_RECORDS`` or more."""
    keyed = std.select("rid", "source", "record_id").with_columns(person_id=person_ids)
    big = keyed.group_by("person_id").len().filter(pl.col("len") >= MIN_RECORDS)
    numbered = (
        keyed.join(big.select("person_id"), on="person_id", how="semi")
        .sort("person_id", "source", "record_id")
        .with_columns(at=pl.int_range(pl.len()).over("person_id"))
        .select("rid", "person_id", "at")
    )
    ends = merged.select("l", "r")
    pairs = ends.join(
        numbered.rename({"rid": "l", "at": "a"}), on="l", how="inner"
    ).join(
        numbered.select(pl.col("rid").alias("r"), pl.col("at").alias("b")),
        on="r",
        how="inner",
    )
    pairs = pairs.select(
        "person_id",
        pl.min_horizontal("a", "b").alias("a"),
        pl.max_horizontal("a", "b").alias("b"),
    ).unique()
    return (
        pairs.sort("person_id", "a", "b")
        .group_by("person_id", maintain_order=True)
        .agg(pl.format("{}-{}", "a", "b").str.join(";").alias("links"))
    )
