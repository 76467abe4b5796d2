"""The links clustering accepted inside each person, kept for the viewers' cut.

A person is the connected set of records the accepted pairs join. A viewer who
may not see one of them (a hidden service, an age rule) must not be shown the
others as one person when only that record joins them (``lookup.disclosure_links``
splits them), so each person of three or more records keeps its links: the
pairs merged or found already joined, as positions of its records in
(source, record_id) order, each with its evidence (the pair's probability
and the fields that agreed, with their weights: ``linkage.explain``), so "why
linked" can be cut to the links between records the viewer may see. A person
of one or two records needs none (two records seen are joined by their own
link, which ``record_evidence`` holds).
"""

from __future__ import annotations

import polars as pl

#: Fewest records a person needs before a record could join two others.
MIN_RECORDS = 3


def record_links(
    std: pl.DataFrame, person_ids: pl.Series, explained: pl.DataFrame
) -> pl.DataFrame:
    """person_id, links ("i-j;…") and evidence (a JSON list, one
    ``{"p": probability, "fields": [...]}`` per link in the same order) for
    every person of ``MIN_RECORDS`` or more; ``explained``: the merged pairs
    with their probability and explanation (``linkage.explain.explained_pairs``)."""
    keyed = std.select("rid", "source", "record_id").with_columns(person_id=person_ids)
    big = keyed.group_by("person_id").len().filter(pl.col("len") >= MIN_RECORDS)
    numbered = (
        keyed.join(big.select("person_id"), on="person_id", how="semi")
        .sort("person_id", "source", "record_id")
        .with_columns(at=pl.int_range(pl.len()).over("person_id"))
        .select("rid", "person_id", "at")
    )
    ends = explained.select("l", "r", "probability", "explanation")
    pairs = ends.join(
        numbered.rename({"rid": "l", "at": "a"}), on="l", how="inner"
    ).join(
        numbered.select(pl.col("rid").alias("r"), pl.col("at").alias("b")),
        on="r",
        how="inner",
    )
    why = pl.concat_str(
        pl.lit('{"p":'),
        pl.col("probability").cast(pl.Float64).fill_null(1.0).round(6).cast(pl.Utf8),
        pl.lit(',"fields":'),
        pl.col("explanation").fill_null("[]"),
        pl.lit("}"),
    )
    pairs = (
        pairs.select(
            "person_id",
            pl.min_horizontal("a", "b").alias("a"),
            pl.max_horizontal("a", "b").alias("b"),
            "probability",
            why.alias("why"),
        )
        .sort(
            ["person_id", "a", "b", "probability"],
            descending=[False] * 3 + [True],
            nulls_last=True,
        )  # fmt: skip
        .unique(["person_id", "a", "b"], keep="first", maintain_order=True)
    )
    return pairs.group_by("person_id", maintain_order=True).agg(
        pl.format("{}-{}", "a", "b").str.join(";").alias("links"),
        pl.concat_str(pl.lit("["), pl.col("why").str.join(","), pl.lit("]")).alias(
            "evidence"
        ),
    )
