"""Turn scored pairs into people, without chaining errors.

Linked pairs are merged greedily, strongest first. A merge is refused when the
merged person would hold two different NHS numbers or UPNs, two different common
first names (not nicknames of each other: Jack and Jake), dates of birth whose
strongest conflict, weighed by the model in place of the pair's own dates, takes
the pair below the link threshold (``linkage.groups.DobConflict``), or two case
numbers of one source where differing case numbers would: so a chain
of individually plausible links cannot join two people who clearly differ, and
one slip cannot veto a strong pair. A record that fits two such people about
equally well joins neither (see ``linkage.ambiguity``). Clerical decisions
(``linkage.decisions``) come first: must-link pairs merge before any scored
pair, whatever they hold, and no merge may join the two records of a
cannot-link pair.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from linkage.ambiguity import ambiguous_records
from linkage.compare import pair_frame
from linkage.comparisons import names_swapped
from linkage.components import components, joins_in_order, risky_groups
from linkage.decisions import DecisionPairs
from linkage.dobs import dobs_compatible
from linkage.groups import DobConflict, Groups
from linkage.guards import identified_by_slip, identifier_agrees

__all__ = ["Clusters", "DobConflict", "cluster", "dobs_compatible", "person_id"]

#: Weight given to a must-link pair so it merges before any scored pair.
FORCED_WEIGHT = 1e6


@dataclass(frozen=True)
class Clusters:
    """Person per record, and the pairs that were merged or refused."""

    person_ids: pl.Series  # one per record row (rid order)
    merged: pl.DataFrame  # linked pairs whose records ended in one person
    refused: pl.DataFrame  # linked pairs kept apart: conflicting id/dob, or ambiguous


def person_id(record_key: str) -> str:
    """Stable id of a person from its smallest record key ("source" + record id)."""
    return "P" + hashlib.sha256(record_key.encode("utf-8")).hexdigest()[:16]


def _person_ids(std: pl.DataFrame, roots: np.ndarray) -> pl.Series:
    keyed = std.select(
        pl.Series("root", roots),
        (pl.col("source") + "\x1f" + pl.col("record_id")).alias("key"),
    )
    firsts = keyed.group_by("root").agg(pl.col("key").min())
    firsts = firsts.with_columns(
        pl.Series("person_id", [person_id(k) for k in firsts["key"].to_list()])
    )
    ids = firsts.select("root", "person_id")
    return keyed.join(ids, on="root", how="left", maintain_order="left")["person_id"]


def _swapped_records(std: pl.DataFrame, linked: pl.DataFrame) -> pl.Series:
    """Records linked through first and last names given the other way round."""
    cols = ["fn_join", "ln_join", "fn_phon", "ln_phon"]
    p = pair_frame(std.select("rid", *cols), linked.select("l", "r"))
    swapped = p.filter(names_swapped())
    return pl.concat([swapped["l"], swapped["r"]]).unique()


def _bans(cannot: pl.DataFrame, index: np.ndarray, n: int) -> list:
    """Per node, {cannot-link pair number: 0 for its left record, 1 for its right}."""
    bans: list = [None] * n
    for k, (left, right) in enumerate(cannot.iter_rows()):
        for side, rid in enumerate((left, right)):
            node = int(index[rid])
            if node >= 0:
                bans[node] = {**(bans[node] or {}), k: side}
    return bans


def _traits(std: pl.DataFrame, linked: pl.DataFrame, cannot: pl.DataFrame):  # noqa: ANN202
    """Per linked record: what a merge must not clash on, and its group.

    A record whose first and last names may be the wrong way round says nothing
    about which first name the person has, so it carries no names.
    """
    unsure = _swapped_records(std, linked).implode()
    nodes = pl.concat([linked["l"], linked["r"]]).unique().sort()
    in_cannot = pl.concat([cannot["l"], cannot["r"]]).implode()
    return std[nodes].select(
        "rid",
        "source",
        "case_key",
        "nhs",
        "upn_c",
        "dob_s",
        pl.when(pl.col("fn_common") & ~pl.col("rid").is_in(unsure))
        .then("fn_canons")
        .alias("names"),
        pl.col("rid").is_in(in_cannot).alias("banned"),
    )


def _greedy(
    n: int, traits: pl.DataFrame, linked: pl.DataFrame, cannot: pl.DataFrame,
    conflict: DobConflict,
) -> tuple[list, list, np.ndarray, np.ndarray]:  # fmt: skip
    """The record-by-record constrained union of ``linked`` (strongest first).

    Returns per pair its outcome (True merged, None already one, False refused)
    and whether a cannot-link refused it; and the records with their roots.
    """
    nodes = traits["rid"].to_numpy().astype(np.int64)
    index = np.full(n, -1, dtype=np.int64)
    index[nodes] = np.arange(nodes.size)
    columns = ("nhs", "upn_c", "dob_s", "names")
    cases = [
        (s, k) if k is not None else None
        for s, k in zip(traits["source"].to_list(), traits["case_key"].to_list(),
                        strict=True)
    ]  # fmt: skip
    groups = Groups(
        *(traits[c].to_list() for c in columns), _bans(cannot, index, nodes.size),
        conflict, cases,
    )  # fmt: skip
    left, right = index[linked["l"].to_numpy()], index[linked["r"].to_numpy()]
    trusted = identifier_agrees(linked) | identified_by_slip(linked)
    own, own_case, outvoted = (
        linked[c].fill_null(False if c == "names_outvoted" else 0.0).to_list()
        if c in linked.columns
        else [0.0] * linked.height
        for c in ("w_dob", "w_case_number", "names_outvoted")
    )
    pairs = zip(left.tolist(), right.tolist(), trusted.tolist(),
                linked["forced"].to_list(), linked["weight"].to_list(), own,
                own_case, outvoted, strict=True)  # fmt: skip
    outcome, banned = [], []
    for a, b, t, f, w, o, oc, ov in pairs:
        outcome.append(groups.union(a, b, t, f, w, o, oc, bool(ov)))
        banned.append(outcome[-1] is False and groups.last_banned)
    node_roots = np.array([groups.find(i) for i in range(nodes.size)], dtype=np.int64)
    return outcome, banned, nodes, nodes[node_roots] if nodes.size else nodes


def _merge(
    std: pl.DataFrame, linked: pl.DataFrame, cannot: pl.DataFrame,
    conflict: DobConflict,
) -> tuple[pl.DataFrame, np.ndarray]:  # fmt: skip
    """Greedy constrained union of ``linked`` (strongest first); outcome per pair.

    Only groups of linked records where a merge could be refused
    (``linkage.components``) go through the record-by-record loop; elsewhere
    the outcome is Kruskal order, the same result found column-wide.
    """
    n = std.height
    left = linked["l"].to_numpy().astype(np.int64)
    right = linked["r"].to_numpy().astype(np.int64)
    group = components(n, left, right)
    traits = _traits(std, linked, cannot)
    traits = traits.with_columns(
        group=pl.Series(group[traits["rid"].to_numpy()], dtype=pl.Int64)
    )
    risky = np.zeros(n, dtype=bool)
    risky[risky_groups(traits).to_numpy()] = True
    slow = risky[group[left]]
    code = np.zeros(left.size, dtype=np.int8)  # 1 merged, 0 already one, -1 refused
    code[~slow] = joins_in_order(n, left[~slow], right[~slow])
    banned = np.zeros(left.size, dtype=bool)
    roots = np.arange(n, dtype=np.int64)
    hard_node = risky[traits["group"].to_numpy()]
    easy = traits["rid"].to_numpy()[~hard_node]
    roots[easy] = n + group[easy]  # any label no record's own root can be
    if slow.any():
        hard = traits.filter(pl.Series(hard_node))
        outcome, refused_by, nodes, node_roots = _greedy(
            n, hard, linked.filter(pl.Series(slow)), cannot, conflict
        )
        code[slow] = [0 if o is None else 1 if o else -1 for o in outcome]
        banned[slow] = refused_by
        roots[nodes] = node_roots
    outcome = pl.Series(code)
    return linked.with_columns(
        pl.when(outcome != 0).then(outcome == 1).alias("outcome"),
        pl.Series("banned", banned, dtype=pl.Boolean),
    ), roots


def linkable(scored: pl.DataFrame, link_threshold: float) -> pl.Expr:
    """Eligible pairs at or above ``link_threshold`` that are not
    ``review_only`` (a frame without that column has none)."""
    review = (
        pl.col("review_only").fill_null(False)
        if "review_only" in scored.columns
        else pl.lit(False)
    )
    return pl.col("eligible") & ~review & (pl.col("probability") >= link_threshold)


def cluster(
    std: pl.DataFrame,
    scored: pl.DataFrame,
    link_threshold: float,
    ambiguity_margin: float = 3.0,
    decisions: DecisionPairs | None = None,
    conflict: DobConflict | None = None,
) -> Clusters:
    """Merge eligible pairs at or above ``link_threshold`` into people (never a
    ``review_only`` one), after honouring clerical decisions; ``conflict``
    weighs dates of birth (``DobConflict``: the trained model's)."""
    decisions = decisions or DecisionPairs.none()
    conflict = conflict or DobConflict()
    must = decisions.must.with_columns(
        weight=pl.lit(FORCED_WEIGHT), probability=pl.lit(1.0),
        eligible=pl.lit(True), forced=pl.lit(True),
    )  # fmt: skip
    linked = scored.filter(linkable(scored, link_threshold)).with_columns(
        forced=pl.lit(False)
    )
    linked = pl.concat([must, linked], how="diagonal_relaxed").sort(
        ["weight", "l", "r"], descending=[True, False, False]
    )
    first, roots = _merge(std, linked, decisions.cannot, conflict)
    # A pair kept apart by a clerical decision says nothing about ambiguity.
    unsure = ambiguous_records(first.filter(~pl.col("banned")), ambiguity_margin)
    if unsure.len():
        aside = unsure.implode()
        touches = (pl.col("l").is_in(aside) | pl.col("r").is_in(aside)) & ~pl.col(
            "forced"
        )
        linked, roots = _merge(std, linked.filter(~touches), decisions.cannot, conflict)
        set_aside = first.filter(touches).with_columns(pl.lit(False).alias("outcome"))
        linked = pl.concat([linked, set_aside])
    else:
        linked = first
    return Clusters(
        person_ids=_person_ids(std, roots),
        merged=linked.filter(pl.col("outcome").is_null() | pl.col("outcome")),
        refused=linked.filter(pl.col("outcome") == False),  # noqa: E712
    )
