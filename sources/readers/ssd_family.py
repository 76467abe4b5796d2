"""Families from ``ssd_family`` and mothers from ``ssd_mother``.

SystemC's script writes ``ssd_family`` one row per contact (``fami_table_id``
is the contact's id, ``fami_family_id`` its family of residence, often null):
a person's family is the family id most of their rows name (ties: the latest
row). Eclipse's and Mosaic's rows are memberships of family groups (Eclipse:
every group of type 'Family' the person is in; Mosaic: one group each), each a
family the worker named the person in: a father living elsewhere can be in
his children's group and in his own. Every one is kept (``family_ref`` holds
them joined by ``;``). Neither says who lives with whom, nor how the members
are related: only ``ssd_mother`` does, for mothers.

``ssd_mother`` states who is whose mother. Each mother–child pair is carried
into the standard record two ways, for the family view:

- ``relationship``: "Mother" on the mother's records, "Child" on the child's
  (their role in the family they share; a mother with no family takes her
  child's, a child with none the mother's);
- ``related``: the pairs as ``kind:case_number`` items separated by ``;``,
  e.g. ``mother_of:1001;mother_of:1002`` on the mother's records and
  ``child_of:2001`` on the child's. Case numbers are ``pers_person_id`` in the
  same source, so a later step can turn them into relationships to any focus
  person (the mother of my sibling …).
"""

from __future__ import annotations

import polars as pl

from sources.fields import REFS

MOTHER = "Mother"
CHILD = "Child"


def families(family: pl.DataFrame, every_group: bool = False) -> pl.DataFrame:
    """One ``family_ref`` per person: the family id most of their rows name, or
    with ``every_group`` each id their rows name (sorted, joined by ``;``)."""
    if every_group:
        rows = family.select(
            pers_person_id=pl.col("fami_person_id").str.strip_chars(),
            family_ref=pl.col("fami_family_id").str.strip_chars(),
        ).drop_nulls()
        rows = rows.filter(pl.col("family_ref") != "").unique()
        return rows.group_by("pers_person_id").agg(
            pl.col("family_ref").sort().str.join(REFS)
        )
    order = "fami_table_id" if "fami_table_id" in family.columns else None
    rows = family.select(
        pers_person_id=pl.col("fami_person_id").str.strip_chars(),
        family_ref=pl.col("fami_family_id").str.strip_chars(),
        __order=pl.col(order) if order else pl.int_range(pl.len()).cast(pl.String),
    ).drop_nulls(["pers_person_id", "family_ref"])
    counted = rows.group_by("pers_person_id", "family_ref").agg(
        __n=pl.len(), __last=pl.col("__order").max()
    )
    counted = counted.sort(
        ["pers_person_id", "__n", "__last", "family_ref"],
        descending=[False, True, True, False],
        nulls_last=True,
    )
    return (
        counted.group_by("pers_person_id", maintain_order=True)
        .first()
        .select("pers_person_id", "family_ref")
    )


def mother_links(mother: pl.DataFrame, known: pl.Series) -> pl.DataFrame:
    """Distinct (mother, child) pairs between people in ``ssd_person``."""
    pairs = mother.select(
        mother=pl.col("moth_person_id").str.strip_chars(),
        child=pl.col("moth_childs_person_id").str.strip_chars(),
    ).drop_nulls()
    ids = known.implode()
    pairs = pairs.filter(
        pl.col("mother").is_in(ids)
        & pl.col("child").is_in(ids)
        & (pl.col("mother") != pl.col("child"))
    )
    return pairs.unique().sort("mother", "child")


def with_family(
    persons: pl.DataFrame,
    family: pl.DataFrame | None,
    mother: pl.DataFrame | None,
    every_group: bool = False,
) -> pl.DataFrame:
    """``persons`` with ``family_ref``, ``relationship`` and ``related``
    (``every_group``: ``ssd_family`` rows are group memberships, see above)."""
    if family is not None:
        refs = families(family, every_group)
        persons = persons.join(
            refs, on="pers_person_id", how="left", maintain_order="left"
        )
    else:
        persons = persons.with_columns(family_ref=pl.lit(None, pl.String))
    none = pl.lit(None, pl.String)
    if mother is None:
        return persons.with_columns(relationship=none, related=none)
    pairs = mother_links(mother, persons["pers_person_id"])
    as_mother = pairs.group_by("mother").agg(
        __mo=pl.concat_str(pl.lit("mother_of:"), pl.col("child")).sort().str.join(";"),
        __child_family=pl.col("child").sort().first(),
    )
    as_child = pairs.group_by("child").agg(
        __ch=pl.concat_str(pl.lit("child_of:"), pl.col("mother")).sort().str.join(";"),
        __mother=pl.col("mother").sort().first(),
    )
    family_of = persons.select(
        pl.col("pers_person_id").alias("__who"), __fam="family_ref"
    )
    as_mother = as_mother.join(
        family_of, left_on="__child_family", right_on="__who", how="left"
    ).rename({"__fam": "__fam_from_child"})
    as_child = as_child.join(
        family_of, left_on="__mother", right_on="__who", how="left"
    ).rename({"__fam": "__fam_from_mother"})
    out = persons.join(
        as_mother,
        left_on="pers_person_id",
        right_on="mother",
        how="left",
        maintain_order="left",
    ).join(
        as_child,
        left_on="pers_person_id",
        right_on="child",
        how="left",
        maintain_order="left",
    )
    related = pl.concat_str(["__mo", "__ch"], separator=";", ignore_nulls=True)
    role = pl.when(pl.col("__mo").is_not_null()).then(pl.lit(MOTHER))
    role = role.when(pl.col("__ch").is_not_null()).then(pl.lit(CHILD))
    return out.with_columns(
        family_ref=pl.coalesce("family_ref", "__fam_from_child", "__fam_from_mother"),
        relationship=role,
        related=pl.when(related != "").then(related),
    ).drop(
        "__mo", "__ch", "__child_family", "__mother", "__fam_from_child",
        "__fam_from_mother",
    )  # fmt: skip
