"""Where greedy clustering can refuse a merge, found column-wide.

Linked records fall into connected groups. A merge can only be refused inside a
group holding two NHS numbers or UPNs, two case numbers of one source, two
dates of birth not one slip apart,
two common first names that are not variants of each other, or a record of a
clerical cannot-link pair: only those groups need the record-by-record loop of
``linkage.groups``. In every other group each merge succeeds, so which links
join two parts (rather than meet an already joined pair) is plain Kruskal
order, computed by scipy.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

from linkage.dobs import dobs_compatible


def _graph(n: int, left: np.ndarray, right: np.ndarray, weight: np.ndarray):  # noqa: ANN202
    return csr_matrix((weight, (left, right)), shape=(n, n))


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-group label of each of ``n`` records, linked ``left``-``right``."""
    ones = np.ones(left.size, dtype=np.float64)
    return connected_components(_graph(n, left, right, ones), directed=False)[1]


def joins_in_order(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per link, taken in the given order: does it join two separate parts?

    Kruskal's rule, as the minimum spanning forest with each link weighted by its
    position (weights all differ, so the forest is unique). A repeated link can
    never join anything its first occurrence did not.
    """
    joins = np.zeros(left.size, dtype=bool)
    if left.size == 0:
        return joins
    _, first = np.unique(left * n + right, return_index=True)
    forest = minimum_spanning_tree(_graph(n, left[first], right[first], first + 1.0))
    joins[np.rint(forest.data).astype(np.int64) - 1] = True
    return joins


def _all_pairs(values: list, fits) -> bool:  # noqa: ANN001
    return all(fits(a, b) for a, b in combinations(values, 2))


def _names_meet(a: list, b: list) -> bool:
    return not set(a).isdisjoint(b)


def risky_groups(traits: pl.DataFrame) -> pl.Series:
    """Labels of groups in which some merge could be refused.

    ``traits`` has one row per linked record: ``group``, ``nhs``, ``upn_c``,
    ``dob_s``, ``names`` (its common first name's canonical forms, or null),
    ``banned`` (it is in a cannot-link pair) and, when present, ``source`` and
    ``case_key`` (two case numbers of one source can refuse a merge).
    """
    cases = (
        pl.col("case_key").drop_nulls().n_unique()
        > pl.col("source").filter(pl.col("case_key").is_not_null()).n_unique()
        if "case_key" in traits.columns
        else pl.lit(False)
    )
    by = traits.group_by("group").agg(
        cases.alias("two_cases"),
        pl.col("nhs").drop_nulls().n_unique().alias("n_nhs"),
        pl.col("upn_c").drop_nulls().n_unique().alias("n_upn"),
        pl.col("dob_s").drop_nulls().unique().alias("dobs"),
        pl.col("names").filter(pl.col("names").list.len() > 0).unique().alias("names"),
        pl.col("banned").any(),
    )
    clash = (
        (pl.col("n_nhs") > 1) | (pl.col("n_upn") > 1) | pl.col("banned")
        | pl.col("two_cases")
    )  # fmt: skip
    plain = by.filter(clash)["group"]
    several_dobs = by.filter(pl.col("dobs").list.len() > 1)
    several_names = by.filter(pl.col("names").list.len() > 1)
    clash_dob = [
        g
        for g, dobs in several_dobs.select("group", "dobs").iter_rows()
        if not _all_pairs(dobs, dobs_compatible)
    ]
    clash_name = [
        g
        for g, names in several_names.select("group", "names").iter_rows()
        if not _all_pairs(names, _names_meet)
    ]
    found = pl.Series("group", clash_dob + clash_name, dtype=plain.dtype)
    return pl.concat([plain, found]).unique()
