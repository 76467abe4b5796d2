"""Turn scored pairs into people, without chaining errors.

Linked pairs are merged greedily, strongest first. A merge is refused when the
merged person would hold two different NHS numbers or UPNs, two different common
first names (not nicknames of each other: Jack and Jake), or dates of birth not
all within one slip (day/month swap, one digit, a few days or a year) of one of
them: so a chain of individually plausible links cannot join two people who
clearly differ. A record that fits two such people about equally well joins
neither (see ``ambiguous_records``). Clerical decisions (``linkage.decisions``)
come first: must-link pairs merge before any scored pair, whatever they hold,
and no merge may join the two records of a cannot-link pair.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from linkage.compare import pair_frame
from linkage.comparisons import names_swapped
from linkage.decisions import DecisionPairs
from linkage.guards import identifier_agrees

#: Weight given to a must-link pair so it merges before any scored pair.
FORCED_WEIGHT = 1e6


@dataclass(frozen=True)
class Clusters:
    """Person per record, and the pairs that were merged or refused."""

    person_ids: pl.Series  # one per record row (rid order)
    merged: pl.DataFrame  # linked pairs whose records ended in one person
    refused: pl.DataFrame  # linked pairs kept apart: conflicting id/dob, or ambiguous


def _date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def dobs_compatible(a: str, b: str, near_days: int = 7) -> bool:
    """Dates ("YYYYMMDD") one slip apart: equal, day and month swapped, one digit
    wrong or two adjacent digits swapped, a few days apart, or a year out."""
    if a == b or (a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]):
        return True
    diff = [i for i in range(8) if a[i] != b[i]]
    if len(diff) == 1 or (a[4:] == b[4:] and abs(int(a[:4]) - int(b[:4])) == 1):
        return True
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i, j = diff
        if a[i] == b[j] and a[j] == b[i]:
            return True
    da, db = _date(a), _date(b)
    return da is not None and db is not None and abs((da - db).days) <= near_days


def dobs_consistent(dobs: frozenset[str]) -> bool:
    """One of the dates is within a swap or a slip of every other date.

    So one record may have day and month swapped and another a mistyped digit
    (both slips from the true date), but slips cannot chain away from it.
    """
    if len(dobs) < 2:
        return True
    return any(all(dobs_compatible(c, d) for d in dobs) for c in dobs)


def _as_set(value: object) -> frozenset:
    if value is None:
        return frozenset()
    return frozenset(value) if isinstance(value, list) else frozenset([value])


class _Groups:
    """Union-find whose roots carry the identifiers, dates of birth and names held.

    ``names`` per record: the canonical forms of its first name when that is a
    common name (see ``names.common_first_names``), else nothing.
    """

    def __init__(
        self, nhs: list, upn: list, dob: list, names: list, bans: list
    ) -> None:
        n = len(nhs)
        self.parent = list(range(n))
        self.size = [1] * n
        self.ids = [(a, b) for a, b in zip(nhs, upn, strict=True)]
        self.dobs = [_as_set(d) for d in dob]
        self.names = [_as_set(x) for x in names]
        self.bans = bans  # None, or {cannot-link pair number: side (0 or 1)}
        self.last_banned = False  # the last refusal was a cannot-link decision

    def find(self, x: int) -> int:
        """The root of ``x``'s group, compressing the path on the way."""
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def _banned(self, a: int, b: int) -> bool:
        ba, bb = self.bans[a], self.bans[b]
        return bool(
            ba and bb and any(bb.get(k, side) != side for k, side in ba.items())
        )

    def _clash(self, a: int, b: int, trusted: bool) -> bool:
        for ka, kb in zip(self.ids[a], self.ids[b], strict=True):
            if ka is not None and kb is not None and ka != kb:
                return True
        if trusted:
            return False
        na, nb = self.names[a], self.names[b]
        if na and nb and not na & nb:
            return True
        if self.dobs[a] <= self.dobs[b] or self.dobs[b] <= self.dobs[a]:
            return False
        return not dobs_consistent(self.dobs[a] | self.dobs[b])

    def union(
        self, a: int, b: int, trusted: bool = False, forced: bool = False
    ) -> bool | None:
        """True if merged, None if already one group, False if refused.

        A ``trusted`` pair (the same NHS number, UPN or case number) may join
        groups whose names or dates of birth differ: the identifier says the
        records are one person and the difference is a recording error. A
        ``forced`` (must-link) pair is refused only by a cannot-link decision.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        self.last_banned = self._banned(ra, rb)
        if self.last_banned or (not forced and self._clash(ra, rb, trusted)):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.ids[ra] = tuple(x if x is not None else y for x, y in zip(
            self.ids[ra], self.ids[rb], strict=True))  # fmt: skip
        self.dobs[ra] = self.dobs[ra] | self.dobs[rb]
        self.names[ra] = self.names[ra] | self.names[rb]
        if self.bans[rb]:
            self.bans[ra] = {**(self.bans[ra] or {}), **self.bans[rb]}
        return True


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


def _merge(
    std: pl.DataFrame, linked: pl.DataFrame, cannot: pl.DataFrame
) -> tuple[pl.DataFrame, np.ndarray]:
    """Greedy constrained union of ``linked`` (strongest first); outcome per pair.

    A record whose first and last names may be the wrong way round says nothing
    about which first name the person has, so it carries no names.
    """
    unsure = _swapped_records(std, linked).implode()
    nodes = pl.concat([linked["l"], linked["r"]]).unique().sort()
    index = np.full(std.height, -1, dtype=np.int64)
    index[nodes.to_numpy()] = np.arange(nodes.len())
    traits = std[nodes].select(
        "nhs",
        "upn_c",
        "dob_s",
        pl.when(pl.col("fn_common") & ~pl.col("rid").is_in(unsure)).then("fn_canons"),
    )
    bans = _bans(cannot, index, nodes.len())
    groups = _Groups(*(traits[c].to_list() for c in traits.columns), bans)
    left, right = index[linked["l"].to_numpy()], index[linked["r"].to_numpy()]
    pairs = zip(left.tolist(), right.tolist(), identifier_agrees(linked).tolist(),
                linked["forced"].to_list(), strict=True)  # fmt: skip
    outcome, banned = [], []
    for a, b, t, f in pairs:
        outcome.append(groups.union(a, b, t, f))
        banned.append(outcome[-1] is False and groups.last_banned)
    roots = np.arange(std.height, dtype=np.int64)
    node_roots = [groups.find(i) for i in range(nodes.len())]
    roots[nodes.to_numpy()] = nodes.to_numpy()[node_roots]
    return linked.with_columns(
        pl.Series("outcome", outcome, dtype=pl.Boolean),
        pl.Series("banned", banned, dtype=pl.Boolean),
    ), roots


def ambiguous_records(linked: pl.DataFrame, margin: float) -> pl.Series:
    """Records linked almost as strongly to a person they could not join.

    Such a record (one without a date of birth matching a father and a son of
    one name, or a slip between twins' names) fits two people; guessing would
    attach it to one of them, so it is left on its own, offered for review. Of a
    refused pair, the end whose own best link is closest to the refused link is
    the one that fits both (the other end belongs where it is).
    """
    ends = pl.concat(
        linked.select(pl.col(end).alias("rid"), "weight", "outcome")
        for end in ("l", "r")
    )
    kept = (
        ends.filter(pl.col("outcome").fill_null(True))
        .group_by("rid")
        .agg(pl.col("weight").max().alias("kept"))
    )
    refused = linked.filter(pl.col("outcome") == False)  # noqa: E712
    gaps = (
        refused.join(kept, left_on="l", right_on="rid", how="left")
        .join(kept, left_on="r", right_on="rid", how="left", suffix="_r")
        .select(
            "l",
            "r",
            (pl.col("kept") - pl.col("weight")).alias("gap_l"),
            (pl.col("kept_r") - pl.col("weight")).alias("gap_r"),
        )
    )
    fits = [
        gaps.filter(
            (pl.col(f"gap_{a}") <= margin)
            & (pl.col(f"gap_{a}") <= pl.col(f"gap_{b}").fill_null(float("inf")))
        )[a]
        for a, b in (("l", "r"), ("r", "l"))
    ]
    return pl.concat(fits).unique().alias("rid")


def cluster(
    std: pl.DataFrame,
    scored: pl.DataFrame,
    link_threshold: float,
    ambiguity_margin: float = 3.0,
    decisions: DecisionPairs | None = None,
) -> Clusters:
    """Merge eligible pairs at or above ``link_threshold`` into people, after
    honouring clerical decisions."""
    decisions = decisions or DecisionPairs.none()
    must = decisions.must.with_columns(
        weight=pl.lit(FORCED_WEIGHT), probability=pl.lit(1.0),
        eligible=pl.lit(True), forced=pl.lit(True),
    )  # fmt: skip
    linked = scored.filter(
        pl.col("eligible") & (pl.col("probability") >= link_threshold)
    ).with_columns(forced=pl.lit(False))
    linked = pl.concat([must, linked], how="diagonal_relaxed").sort(
        ["weight", "l", "r"], descending=[True, False, False]
    )
    first, roots = _merge(std, linked, decisions.cannot)
    # A pair kept apart by a clerical decision says nothing about ambiguity.
    unsure = ambiguous_records(first.filter(~pl.col("banned")), ambiguity_margin)
    if unsure.len():
        aside = unsure.implode()
        touches = (pl.col("l").is_in(aside) | pl.col("r").is_in(aside)) & ~pl.col(
            "forced"
        )
        linked, roots = _merge(std, linked.filter(~touches), decisions.cannot)
        set_aside = first.filter(touches).with_columns(pl.lit(False).alias("outcome"))
        linked = pl.concat([linked, set_aside])
    else:
        linked = first
    return Clusters(
        person_ids=_person_ids(std, roots),
        merged=linked.filter(pl.col("outcome").is_null() | pl.col("outcome")),
        refused=linked.filter(pl.col("outcome") == False),  # noqa: E712
    )


def possible_matches(
    scored: pl.DataFrame,
    clusters: Clusters,
    review_threshold: float,
    link_threshold: float,
) -> pl.DataFrame:
    """Person pairs (a < b) in the review band, or linked but refused, best first."""
    band = scored.filter(
        pl.col("eligible")
        & (pl.col("probability") >= review_threshold)
        & (pl.col("probability") < link_threshold)
    ).select("l", "r", "probability")
    pairs = pl.concat([band, clusters.refused.select("l", "r", "probability")])
    ids = clusters.person_ids
    pairs = pairs.select(
        ids.gather(pairs["l"]).alias("a"),
        ids.gather(pairs["r"]).alias("b"),
        "probability",
    ).filter(pl.col("a") != pl.col("b"))
    return (
        pairs.select(
            pl.min_horizontal("a", "b").alias("person_a"),
            pl.max_horizontal("a", "b").alias("person_b"),
            "probability",
        )
        .group_by("person_a", "person_b")
        .agg(pl.col("probability").max())
        .sort(["probability", "person_a", "person_b"], descending=[True, False, False])
    )
