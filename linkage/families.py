"""Family and household groups from the references sources give.

Each family_ref or household_ref value is one group: the people whose records
carry it. Co-residence (``linkage.coresidence``) adds a group per address and
period: people who lived at one specific address at the same time. Groups are
not merged with each other: a father living in two households belongs to both,
and ``lookup`` shows a person's family as the union of their groups.
"""

from __future__ import annotations

import hashlib

import polars as pl

from linkage.coresidence import MAX_HOUSEHOLD, co_residents

__all__ = ["MAX_HOUSEHOLD", "co_residents", "family_id", "family_members"]

#: Reference column and the kind of group it names (family_id prefix, and the
#: word after the service name in the evidence text: "Housing household").
REFERENCES = (("family_ref", "family"), ("household_ref", "household"))
MAX_ID = 80


def family_id(kind: str, ref: str) -> str:
    """Readable, deterministic id of one group; hashed if the reference is long."""
    raw = f"{kind}:{ref}"
    if len(raw) <= MAX_ID:
        return raw
    return f"{kind}:#" + hashlib.sha256(ref.encode("utf-8")).hexdigest()[:32]


def _memberships(
    records: pl.DataFrame, column: str, kind: str, services: dict[str, str]
) -> pl.DataFrame:
    rows = records.filter(pl.col(column).is_not_null())
    best = (
        rows.sort("extract_date", descending=True, nulls_last=True)
        .group_by(column, "person_id", maintain_order=True)
        .agg(
            pl.col("relationship").drop_nulls().first().alias("relationship"),
            pl.col("source").first().alias("source"),
        )
    )
    refs = best[column].unique()
    ids = pl.DataFrame(
        {column: refs, "family_id": [family_id(kind, r) for r in refs.to_list()]},
        schema={column: pl.Utf8, "family_id": pl.Utf8},
    )
    service = pl.col("source").replace_strict(
        services, default=pl.col("source"), return_dtype=pl.Utf8
    )
    return best.join(ids, on=column, how="left").select(
        "family_id",
        "person_id",
        "relationship",
        (service + pl.lit(f" {kind}")).alias("evidence"),
    )


def family_members(records: pl.DataFrame, services: dict[str, str]) -> pl.DataFrame:
    """One row per (group, person): family_id, person_id, relationship, evidence.

    ``records`` holds the standard records with their ``person_id``; ``services``
    maps a source name to its plain service name for the evidence text.
    """
    parts = [_memberships(records, col, kind, services) for col, kind in REFERENCES]
    parts.append(co_residents(records, services))
    return pl.concat(parts).sort("family_id", "person_id")
