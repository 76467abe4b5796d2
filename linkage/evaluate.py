"""Measure the current index against a generator's truth file.

Pairwise precision and recall: of the record pairs the index puts in one
person, how many truly are one person, and of the true same-person pairs, how
many the index found. Also people counts and a family-membership measure.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import select

from core.config import Config
from core.db import make_engine
from core.errors import LinkageError
from linkage import index_tables as t
from linkage.coresidence import address_key
from linkage.standardise import postcode_columns

KEY = ("source", "record_id")


def _pairs(groups: pl.Expr) -> pl.Expr:
    """Number of pairs within groups of the given sizes."""
    return (groups * (groups - 1) / 2).sum()


def _ratios(tp: float, found: float, true: float) -> dict[str, float]:
    precision = tp / found if found else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def pairwise(pred: pl.Series, true: pl.Series) -> dict[str, float]:
    """Pairwise precision/recall/F1 of a clustering against the true one."""
    df = pl.DataFrame({"p": pred, "t": true})
    tp = df.group_by("p", "t").len().select(_pairs(pl.col("len"))).item()
    found = df.group_by("p").len().select(_pairs(pl.col("len"))).item()
    truth = df.group_by("t").len().select(_pairs(pl.col("len"))).item()
    return {
        **_ratios(tp, found, truth),
        "true_pairs": int(truth),
        "found_pairs": int(found),
        "correct_pairs": int(tp),
    }


def pair_completeness(
    std: pl.DataFrame, true_person: pl.Series, rules: tuple | None = None
) -> dict[str, dict[str, float | int]]:
    """Per blocking rule and in all: the share of true same-person record pairs
    among its candidate pairs (``completeness``), its pairs, and the true pairs
    no other rule finds (``only``). ``true_person`` is per ``std`` row."""
    from linkage.blocking import DEFAULT_RULES, pairs_by_rule
    from linkage.keycodes import distinct_pairs

    sizes = true_person.drop_nulls().value_counts()["count"]
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    found = pairs_by_rule(std, rules or DEFAULT_RULES)
    hits = {}
    for name, (pairs, _) in found.items():
        same = true_person.gather(pairs["l"]) == true_person.gather(pairs["r"])
        hits[name] = (pairs.filter(same.fill_null(False)), pairs.height)
    every = distinct_pairs(pl.concat([h for h, _ in hits.values()]))
    counted = (
        pl.concat(h.with_columns(pl.lit(n).alias("rule")) for n, (h, _) in hits.items())
        .group_by("l", "r")
        .agg(pl.col("rule").first(), pl.len().alias("rules"))
    )
    only = counted.filter(pl.col("rules") == 1).group_by("rule").len()
    only_by = dict(zip(only["rule"].to_list(), only["len"].to_list(), strict=True))
    out: dict[str, dict[str, float | int]] = {
        name: {
            "completeness": h.height / true_pairs if true_pairs else 1.0,
            "pairs": n,
            "only": int(only_by.get(name, 0)),
        }
        for name, (h, n) in hits.items()
    }
    all_pairs = distinct_pairs(pl.concat(p for p, _ in found.values())).height
    out["all"] = {
        "completeness": every.height / true_pairs if true_pairs else 1.0,
        "pairs": all_pairs,
        "only": 0,
    }
    return out


def _co_members(groups: pl.DataFrame, group: str, person: str) -> pl.DataFrame:
    """Distinct person pairs (a < b) sharing a group."""
    g = groups.select(group, person).drop_nulls().unique()
    return (
        g.join(g, on=group, suffix="_b")
        .filter(pl.col(person) < pl.col(f"{person}_b"))
        .select(pl.col(person).alias("a"), pl.col(f"{person}_b").alias("b"))
        .unique()
    )


def _family_pairs(
    joined: pl.DataFrame, members: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(found, truth, groups): the distinct true-person pairs (a < b) in one
    family group of the index and truly of one family or household, and the
    groups with each index person as the true person holding most of their
    records."""
    # Ties broken by the true person's id, so the figure is the same every run.
    majority = (
        joined.group_by("person_id", "true_person").len()
        .sort(["len", "true_person"], descending=[True, False])
        .group_by("person_id", maintain_order=True).first()
    )  # fmt: skip
    mapped = members.join(majority, on="person_id").select("family_id", "true_person")
    found = _co_members(mapped, "family_id", "true_person")
    true_groups = pl.concat(
        [
            joined.select(pl.col(c).alias("g"), "true_person").drop_nulls()
            .with_columns(pl.lit(c) + ":" + pl.col("g"))
            for c in ("family_id", "household_id")
        ]
    )  # fmt: skip
    return found, _co_members(true_groups, "g", "true_person"), mapped


def family_measure(joined: pl.DataFrame, members: pl.DataFrame) -> dict[str, float]:
    """Precision/recall of "in a family group together" over true-person pairs."""
    found, truth, _ = _family_pairs(joined, members)
    tp = found.join(truth, on=["a", "b"]).height
    return _ratios(tp, found.height, truth.height)


#: What the records of a true family pair no group holds share, most first.
MISS_KINDS = ("same_address", "same_postcode", "through_another", "nothing_shared")


def _sharing(joined: pl.DataFrame, pairs: pl.DataFrame, value: pl.Expr) -> pl.DataFrame:
    """The ``pairs`` whose two true people have a record each giving one ``value``."""
    held = joined.select("true_person", v=value).drop_nulls().unique()
    return (
        pairs.join(held, left_on="a", right_on="true_person")
        .join(held, left_on=["b", "v"], right_on=["true_person", "v"])
        .select("a", "b").unique()
    )  # fmt: skip


def _through_another(pairs: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """The ``pairs`` whose two true people are each in a group with one third."""
    g = groups.unique()
    edges = g.join(g, on="family_id", suffix="_c").filter(
        pl.col("true_person") != pl.col("true_person_c")
    )
    edges = edges.select(x="true_person", c="true_person_c").unique()
    return (
        pairs.join(edges, left_on="a", right_on="x")
        .join(edges, left_on=["b", "c"], right_on=["x", "c"])
        .select("a", "b").unique()
    )  # fmt: skip


def family_misses(
    joined: pl.DataFrame, members: pl.DataFrame
) -> dict[str, int | float]:
    """The true family pairs no family group holds, by the most their two true
    people's records share (``MISS_KINDS``): an address (postcode and house
    number), a postcode, a group each with one third person, or nothing, when
    no record states anything that links them and no family rule can find them.
    ``recall_ceiling`` is the recall if every pair but those were found: an
    upper bound, since a postcode alone seldom shows two people are family.
    ``joined`` is as for ``family_measure`` plus ``postcode`` and ``address``."""
    found, truth, groups = _family_pairs(joined, members)
    missed = truth.join(found, on=["a", "b"], how="anti")
    shares = {
        "same_address": _sharing(joined, missed, address_key(joined)),
        "same_postcode": _sharing(
            joined, missed, postcode_columns(pl.col("postcode"))[0]
        ),
        "through_another": _through_another(missed, groups),
    }
    out: dict[str, int | float] = {}
    left = missed
    for kind in MISS_KINDS[:-1]:
        out[kind] = left.join(shares[kind], on=["a", "b"]).height
        left = left.join(shares[kind], on=["a", "b"], how="anti")
    out["nothing_shared"] = left.height
    reachable = truth.height - left.height
    out["recall_ceiling"] = reachable / truth.height if truth.height else 1.0
    return out


def _read_index(config: Config) -> tuple[pl.DataFrame, pl.DataFrame]:
    engine = make_engine(config.storage.index_url)
    try:
        with engine.connect() as conn:
            build = conn.execute(
                select(t.index_state.c.build_id).where(t.index_state.c.id == 1)
            ).scalar_one_or_none()
            if build is None:
                raise LinkageError("No index has been built yet; run the build first.")
            r = t.built(conn, t.records, build).c
            f = t.built(conn, t.family_members, build).c
            rec = conn.execute(
                select(r.source, r.record_id, r.person_id).where(r.build_id == build)
            ).all()
            fam = conn.execute(
                select(f.family_id, f.person_id).where(f.build_id == build)
            ).all()
    finally:
        engine.dispose()
    records = pl.DataFrame(
        [tuple(r) for r in rec], schema=[*KEY, "person_id"], orient="row"
    )
    members = pl.DataFrame(
        [tuple(r) for r in fam], schema=["family_id", "person_id"], orient="row"
    )
    return records, members


def evaluate(config: Config, truth_dir: str | Path) -> dict:
    """Scores of the current index against ``truth_dir/records.csv``."""
    path = Path(truth_dir) / "records.csv"
    if not path.is_file():
        raise LinkageError(f"Truth file {path} not found; pass --truth DIR.")
    truth = pl.read_csv(path, infer_schema=False).rename({"person_id": "true_person"})
    records, members = _read_index(config)
    joined = records.join(truth, on=list(KEY), how="inner")
    scores = pairwise(joined["person_id"], joined["true_person"])
    family_cols = {"family_id", "household_id"} <= set(truth.columns)
    return {
        **scores,
        "records_in_index": records.height,
        "records_in_truth": truth.height,
        "records_matched": joined.height,
        "people_found": joined["person_id"].n_unique(),
        "people_true": joined["true_person"].n_unique(),
        "family": family_measure(joined, members) if family_cols else {},
    }
