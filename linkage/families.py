"""Family and household groups from the references sources give.

Each family_ref or household_ref value is one group: the people whose records
carry it. Co-residence adds a group per address: people with a recent address
(from records within ``RECENT`` of their latest, see ``people.recency``) of the
same postcode and the same house and flat numbers live there together. Matching
on postcode and numbers, not the street text, survives "Flat 3, 12 High St"
written as "12 High Street, flat 3". This
is a household, never evidence that two of its members are one person. Groups
are not merged with each other: a father living in two households belongs to
both, and ``lookup`` shows a person's family as the union of their groups.
"""

from __future__ import annotations

import hashlib

import polars as pl

from linkage.people import recency
from linkage.standardise import address_expr, address_numbers, postcode_columns

#: Reference column and the kind of group it names (family_id prefix, and the
#: word after the service name in the evidence text: "Housing household").
REFERENCES = (("family_ref", "family"), ("household_ref", "household"))
MAX_ID = 80
#: More people than this at one address is a hostel, a care home or an address
#: missing its flat number: not a household.
MAX_HOUSEHOLD = 10
#: Addresses a person's records gave within this long of their latest record
#: count as where they live now.
RECENT_DAYS = 365


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


def address_key(records: pl.DataFrame) -> pl.Expr:
    """Postcode plus house and flat numbers, or null when either is missing
    (an address without numbers is too vague to say who lives there). Uses the
    standardised ``pc`` and ``addr_nums`` columns when the frame has them."""
    if {"pc", "addr_nums"} <= set(records.columns):
        pc, numbers = pl.col("pc"), pl.col("addr_nums")
    else:
        pc = postcode_columns(pl.col("postcode"))[0]
        numbers = address_numbers(address_expr(pl.col("address")))
    return pl.when((numbers.str.len_chars() > 0) & pc.is_not_null()).then(
        pc + "|" + numbers
    )


def co_residents(records: pl.DataFrame, services: dict[str, str]) -> pl.DataFrame:
    """Groups of people who share a recent specific address."""
    service = pl.col("source").replace_strict(
        services, default=pl.col("source"), return_dtype=pl.Utf8
    )
    recent = pl.col("_recent")
    cutoff = recent.max().over("person_id") - pl.duration(days=RECENT_DAYS)
    latest = (
        records.select("person_id", address_key(records).alias("key"),
                       recency().alias("_recent"), service.alias("service"))
        .drop_nulls("key")
        .filter(recent.is_null() | (recent >= cutoff))
        .sort("_recent", descending=True, nulls_last=True)
        .group_by("person_id", "key", maintain_order=True)
        .first()
    )  # fmt: skip
    size = pl.len().over("key")
    homes = latest.filter((size > 1) & (size <= MAX_HOUSEHOLD))
    keys = homes["key"].unique()
    hashed = [hashlib.sha256(k.encode("utf-8")).hexdigest()[:32] for k in keys]
    ids = pl.DataFrame({"key": keys, "family_id": [f"address:#{h}" for h in hashed]})
    return homes.join(ids, on="key").select(
        "family_id",
        "person_id",
        pl.lit(None, dtype=pl.Utf8).alias("relationship"),
        ("Same recent address (" + pl.col("service") + " record)").alias("evidence"),
    )


def family_members(records: pl.DataFrame, services: dict[str, str]) -> pl.DataFrame:
    """One row per (group, person): family_id, person_id, relationship, evidence.

    ``records`` holds the standard records with their ``person_id``; ``services``
    maps a source name to its plain service name for the evidence text.
    """
    parts = [_memberships(records, col, kind, services) for col, kind in REFERENCES]
    parts.append(co_residents(records, services))
    return pl.concat(parts).sort("family_id", "person_id")
