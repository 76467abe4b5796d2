"""Per record: why it belongs to its person, in fields and weights people can read.

The explanation is the record's strongest link inside its person: which fields
agreed at which level and how much weight each added. A record that is a person
on its own has no link, so a null probability and an empty list.
"""

from __future__ import annotations

import polars as pl

from linkage.compare import Comparison


def _field_json(comp: Comparison) -> pl.Expr:
    """One ``{"field","level","weight"}`` object, or null when the value is missing."""
    level = pl.col(comp.name)
    label = level.cast(pl.Int32).replace_strict(
        dict(enumerate(comp.labels)), default=None, return_dtype=pl.Utf8
    )
    weight = pl.col(f"w_{comp.name}").cast(pl.Float64).round(2).cast(pl.Utf8)
    text = pl.concat_str(
        pl.lit(f'{{"field":"{comp.name}","level":"'), label, pl.lit('","weight":'),
        weight, pl.lit("}"),
    )  # fmt: skip
    return pl.when(level >= 0).then(text)


def explanation(comparisons: tuple[Comparison, ...]) -> pl.Expr:
    """The JSON list explaining one pair, built column-wide."""
    parts = pl.concat_list([_field_json(c) for c in comparisons]).list.drop_nulls()
    return pl.concat_str(pl.lit("["), parts.list.join(","), pl.lit("]"))


def explained_pairs(
    merged: pl.DataFrame, comparisons: tuple[Comparison, ...]
) -> pl.DataFrame:
    """l, r, probability, explanation of every pair clustering accepted."""
    return merged.select(
        "l", "r", "probability", explanation(comparisons).alias("explanation")
    )


def record_evidence(
    std: pl.DataFrame, person_ids: pl.Series, explained: pl.DataFrame
) -> pl.DataFrame:
    """person_id, source, record_id, probability, explanation for every record
    (``explained``: ``explained_pairs``)."""
    ends = pl.concat(
        [
            explained.select(pl.col("l").alias("rid"), "probability", "explanation"),
            explained.select(pl.col("r").alias("rid"), "probability", "explanation"),
        ]
    )
    best = (
        ends.sort("probability", descending=True)
        .group_by("rid", maintain_order=True)
        .first()
    )
    base = std.select(
        pl.col("rid"), pl.lit(person_ids).alias("person_id"), "source", "record_id"
    )
    return base.join(best, on="rid", how="left", maintain_order="left").select(
        "person_id",
        "source",
        "record_id",
        "probability",
        pl.col("explanation").fill_null("[]"),
    )
