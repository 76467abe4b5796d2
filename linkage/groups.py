"""Union-find over records whose groups remember what they hold, so a merge that
would give one person two identifiers, two names or clashing dates of birth (or
join a cannot-link pair) can be refused.

Dates of birth are weighed, not gated: a merge is judged as if its pair had the
strongest conflicting dates the would-be person holds (the worst pair of dates
across the two groups, in place of the pair's own), and refused when the pair
would then fall below the link threshold. So one typing slip cannot veto a
strong pair (slips never count as conflicts), a date drifted by weeks costs what
the model says such a date costs, and a chain cannot join strangers whose dates
are years apart. Dates a generation apart are always refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product

from linkage.dobs import (
    FEW_DAYS,
    FEW_DAYS_APART,
    GENERATION,
    WEEKS,
    WEEKS_APART,
    YEAR_APART,
    dob_level,
)


@dataclass(frozen=True)
class DobConflict:
    """How clustering weighs dates of birth: the model's weight per
    ``DateOfBirth`` level and the weight a pair needs to link. Without weights
    (a test's hand-made pairs), any conflict beyond a slip refuses."""

    weights: Mapping[int, float] = field(default_factory=dict)
    threshold: float = 0.0
    #: the comparison's day limits (``linkage.comparisons.DateOfBirth``)
    days: tuple[int, int, int] = (FEW_DAYS_APART, WEEKS_APART, YEAR_APART)

    def refuses(self, worst: int, weight: float, own: float) -> bool:
        """Does the worst level of dates across a would-be person refuse a merge
        of a pair of ``weight`` whose own dates gave ``own``?"""
        if worst <= FEW_DAYS:
            return False
        if worst == GENERATION:
            return True
        if not self.weights:
            return worst >= WEEKS
        return weight - own + self.weights[worst] < self.threshold


def worst_level(a: frozenset, b: frozenset, days: tuple[int, int, int]) -> int:
    """The weakest ``DateOfBirth`` level between a date of ``a`` and one of
    ``b`` (by level order, "a generation apart" last), with day limits ``days``."""
    worst = 0
    for x, y in product(a, b):
        if x != y:
            worst = max(worst, dob_level(x, y, *days))
            if worst == GENERATION:
                break
    return worst


def _as_set(value: object) -> frozenset:
    if value is None:
        return frozenset()
    return frozenset(value) if isinstance(value, list) else frozenset([value])


class Groups:
    """Union-find whose roots carry the identifiers, dates of birth and names held.

    ``names`` per record: the canonical forms of its first name when that is a
    common name (see ``names.common_first_names``), else nothing.
    """

    def __init__(
        self, nhs: list, upn: list, dob: list, names: list, bans: list,
        conflict: DobConflict | None = None,
    ) -> None:  # fmt: skip
        n = len(nhs)
        self.parent = list(range(n))
        self.size = [1] * n
        self.ids = [(a, b) for a, b in zip(nhs, upn, strict=True)]
        self.dobs = [_as_set(d) for d in dob]
        self.names = [_as_set(x) for x in names]
        self.bans = bans  # None, or {cannot-link pair number: side (0 or 1)}
        self.last_banned = False  # the last refusal was a cannot-link decision
        self.conflict = conflict or DobConflict()

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

    def _clash(self, a: int, b: int, trusted: bool, weight: float, own: float) -> bool:
        for ka, kb in zip(self.ids[a], self.ids[b], strict=True):
            if ka is not None and kb is not None and ka != kb:
                return True
        if trusted:
            return False
        na, nb = self.names[a], self.names[b]
        if na and nb and not na & nb:
            return True
        da, db = self.dobs[a], self.dobs[b]
        if not da or not db or da == db:
            return False
        worst = worst_level(da, db, self.conflict.days)
        return self.conflict.refuses(worst, weight, own)

    def union(
        self, a: int, b: int, trusted: bool = False, forced: bool = False,
        weight: float = 0.0, own: float = 0.0,
    ) -> bool | None:  # fmt: skip
        """True if merged, None if already one group, False if refused.

        A ``trusted`` pair (the same NHS number, UPN or case number, or a case
        number slip with the same date of birth: ``guards.identified_by_slip``)
        may join groups whose names or dates of birth differ: the identifier
        says the records are one person and the difference is a recording
        error. A
        ``forced`` (must-link) pair is refused only by a cannot-link decision.
        ``weight`` is the pair's match weight and ``own`` what its own dates of
        birth added to it (see ``DobConflict``).
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        self.last_banned = self._banned(ra, rb)
        if self.last_banned or (
            not forced and self._clash(ra, rb, trusted, weight, own)
        ):
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
