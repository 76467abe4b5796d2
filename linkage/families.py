"""Family and household groups from the references sources give.

Each family_ref or household_ref value is one group: the people whose records
carry it (a record naming several, joined by ";", is in each: an SSD family
group member such as a father in his children's group and his own).
Co-residence (``linkage.coresidence``) adds a group per address and period:
people who lived at one specific address at the same time. Groups are not
merged with each other: a father living in two households belongs to both,
and ``lookup`` shows a person's family as the union of their groups. One thing
is added: a family reference group takes in the household (tenancy or
co-residence group) of each child in it, since a child's family includes the
people the child lives with; so a non-resident parent named on the children's
case is in one family with the brother the case does not name. Only children's
homes are taken in: an adult's other household (a father's new partner) is not
the children's family.
"""

from __future__ import annotations

import hashlib

import polars as pl

from linkage.coresidence import MAX_HOUSEHOLD, co_residents
from sources.fields import REFS

__all__ = ["MAX_HOUSEHOLD", "co_residents", "family_id", "family_members"]

#: Evidence of a member taken into a family group from a child's household.
LIVES_WITH_CHILD = "Lives with a child of this family"
#: Under this age on the latest extract date a person is a child.
CHILD_YEARS = 18

#: Reference column and the kind of group it names (family_id prefix, and the
#: word after the service name in the evidence text: "Housing household").
REFERENCES = (("family_ref", "family"), ("household_ref", "household"))
MAX_ID = 80
#: Between the sources a family row rests on (``sources``: all must be seen).
SEPARATOR = ";"
#: A stated pair (``related``: "mother_of:<case>") -> the words for the two
#: people in the family of two it makes: (the one carrying it, the other).
PAIR_WORDS = {
    "mother_of": ("Mother", "Child"),
    "father_of": ("Father", "Child"),
    "parent_of": ("Parent", "Child"),
    "carer_of": ("Carer", "Child"),
    "child_of": ("Child", "Parent"),
}
#: Evidence text of such a pair after the service name.
PAIR_EVIDENCE = "stated parent and child"


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
    # a record in several groups (the references joined by REFS) is in each
    rows = rows.with_columns(pl.col(column).str.split(REFS)).explode(column)
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
        pl.col("source").alias("sources"),
    )


def children(records: pl.DataFrame) -> pl.Series:
    """People under ``CHILD_YEARS`` on the latest extract date (by their latest
    recorded date of birth): the ones whose homes belong to their families."""
    today = records["extract_date"].max()
    if today is None:
        return pl.Series("person_id", [], pl.Utf8)
    born = records.group_by("person_id").agg(pl.col("dob").max())
    cutoff = pl.lit(today).dt.offset_by(f"-{CHILD_YEARS}y")
    return born.filter(pl.col("dob") > cutoff)["person_id"]


def with_childrens_homes(
    families: pl.DataFrame, homes: pl.DataFrame, kids: pl.Series
) -> pl.DataFrame:
    """``families`` plus, for each child in a group, the other members of the
    child's ``homes`` groups (evidence ``LIVES_WITH_CHILD`` and the home's).

    Such a row rests on the child's family row and both home rows, so its
    ``sources`` names all their sources (``;``-joined): a viewer must see every
    one of them to see the link."""
    in_family = families.filter(pl.col("person_id").is_in(kids.implode()))
    links = in_family.select("family_id", child="person_id", fam_src="sources").join(
        homes.select(home="family_id", child="person_id", child_src="sources"),
        on="child",
    )
    added = (
        links.join(
            homes.select(home="family_id", person_id="person_id", why="evidence",
                         home_src="sources"),
            on="home",
        )
        .join(families, on=["family_id", "person_id"], how="anti")
        .with_columns(
            sources=pl.concat_list("fam_src", "child_src", "home_src")
            .list.unique()
            .list.sort()
            .list.join(SEPARATOR)
        )
        .group_by("family_id", "person_id", "sources")
        .agg(pl.col("why").min())
    )  # fmt: skip
    return pl.concat(
        [
            families,
            added.select(
                "family_id",
                "person_id",
                pl.lit(None, pl.Utf8).alias("relationship"),
                (pl.lit(LIVES_WITH_CHILD + ": ") + pl.col("why")).alias("evidence"),
                "sources",
            ),
        ]
    )


def stated_pairs(records: pl.DataFrame, services: dict[str, str]) -> pl.DataFrame:
    """A family of two per stated parent and child (``related``, case numbers of
    the same source): the parent "Mother", "Father" … and the "Child", so the
    lookup reads the pair exactly, not as a role towards every child of a
    larger family. A pair stated from both sides is one family."""
    ids = (
        records.filter(pl.col("case_number").is_not_null())
        .group_by("source", "case_number")
        .agg(pl.col("person_id").first().alias("other"))
    )
    items = (
        records.filter(pl.col("related").is_not_null())
        .select("source", "person_id", item=pl.col("related").str.split(SEPARATOR))
        .explode("item")
        .with_columns(
            kind=pl.col("item")
            .str.split_exact(":", 1)
            .struct.field("field_0")
            .str.strip_chars()
            .str.to_lowercase(),
            case_number=pl.col("item")
            .str.split_exact(":", 1)
            .struct.field("field_1")
            .str.strip_chars(),
        )  # fmt: skip
        .filter(pl.col("kind").is_in(list(PAIR_WORDS)))
        .join(ids, on=["source", "case_number"])
        .filter(pl.col("other") != pl.col("person_id"))
    )
    words = {k: w for k, (w, _) in PAIR_WORDS.items()}
    other_words = {k: w for k, (_, w) in PAIR_WORDS.items()}
    mine = pl.col("kind").replace_strict(words, return_dtype=pl.Utf8)
    theirs = pl.col("kind").replace_strict(other_words, return_dtype=pl.Utf8)
    is_child = pl.col("kind") == "child_of"
    pairs = items.select(
        "source",
        parent=pl.when(is_child).then("other").otherwise("person_id"),
        child=pl.when(is_child).then("person_id").otherwise("other"),
        word=pl.when(is_child).then(theirs).otherwise(mine),
    )
    # the most specific word for the parent ("Mother" over "Parent")
    pairs = (
        pairs.sort("word")
        .group_by("source", "parent", "child")
        .agg(
            pl.col("word")
            .filter(pl.col("word") != "Parent")
            .first()
            .fill_null("Parent")
        )
    )
    pairs = pairs.with_columns(
        family_id=pl.concat_str(
            pl.lit("pair:"), "source", pl.lit(":"), "parent", pl.lit(">"), "child"
        )
    )
    service = pl.col("source").replace_strict(
        services, default=pl.col("source"), return_dtype=pl.Utf8
    )
    evidence = service + pl.lit(f": {PAIR_EVIDENCE}")
    return pl.concat([
        pairs.select("family_id", person_id="parent", relationship="word",
                     evidence=evidence, sources="source"),
        pairs.select("family_id", person_id="child",
                     relationship=pl.lit("Child"), evidence=evidence,
                     sources="source"),
    ])  # fmt: skip


def family_members(records: pl.DataFrame, services: dict[str, str]) -> pl.DataFrame:
    """One row per (group, person, evidence): family_id, person_id, relationship,
    evidence and ``sources``, the sources the row rests on (``;``-joined), so the
    lookup shows a viewer only links resting on sources they may see.

    ``records`` holds the standard records with their ``person_id``; ``services``
    maps a source name to its plain service name for the evidence text.
    """
    (family_col, family), (household_col, household) = REFERENCES
    families = _memberships(records, family_col, family, services)
    homes = pl.concat(
        [
            _memberships(records, household_col, household, services),
            co_residents(records, services),
        ]
    )
    families = with_childrens_homes(families, homes, children(records))
    pairs = stated_pairs(records, services)
    return pl.concat([families, homes, pairs]).sort("family_id", "person_id", "sources")
