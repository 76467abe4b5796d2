"""Union-find over records whose groups remember what they hold, so a merge that
would give one person two identifiers, two names or clashing dates of birth (or
join a cannot-link pair) can be refused.

Dates of birth are weighed, not gated: a merge is judged as if its pair had the
strongest conflicting dates the would-be person holds (the worst pair of dates
across the two groups, in place of the pair's own), and refused when the pair
would then fall below the link threshold. So one typing slip cannot veto a
strong pair (slips never count as conflicts), a date drifted by weeks costs what
the model says such a date costs, and a chain cannot join strangers whose dates
are years apart. Dates a generation apart are always refused, but for one
record joining on an outvoted pair (``guards.names_outvoted``: a date written
wrongly at an address holding no family), whose dates are weighed.

An identifier may vouch for a merge whose dates clash (one record's date is a
recording error). The merged person's dates are then *disputed*: which of them
is right is not known, so a later merge is weighed against the nearest of the
person's dates rather than the furthest (a newcomer agreeing with the person's
other records is not refused for the one wrong date they already hold).

Case numbers are weighed the same way: a merge that would give a person two
case numbers of one source, not one typing slip apart (that source's records
say two people), is judged as
if its pair's case numbers differed, so a weak link (a parent without a date of
birth, named like the child whose own record in that source has another
number) cannot join them, while a strong one still can (a source that
registered one person twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product

from rapidfuzz.distance import OSA

from linkage.comparisons import SLIP_MIN_CHARS
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
    #: the model's weight for case numbers of one source that differ (None:
    #: case numbers never refuse)
    case_different: float | None = None

    def case_refuses(self, weight: float, own: float) -> bool:
        """Does a would-be person holding two case numbers of one source refuse
        a merge of a pair of ``weight`` whose own case numbers gave ``own``?"""
        if self.case_different is None:
            return False
        return weight - own + self.case_different < self.threshold

    def refuses(
        self, worst: int, weight: float, own: float, lone: bool = False
    ) -> bool:
        """Does the worst level of dates across a would-be person refuse a merge
        of a pair of ``weight`` whose own dates gave ``own``? Dates a generation
        apart always do, unless the pair is ``lone`` (``guards.names_outvoted``:
        one record's date written wrongly, no sign of a parent and a child)."""
        if worst <= FEW_DAYS:
            return False
        if worst == GENERATION and not (lone and self.weights):
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


def nearest_level(a: frozenset, b: frozenset, days: tuple[int, int, int]) -> int:
    """The strongest ``DateOfBirth`` level between a date of ``a`` and one of
    ``b``: how close the two sets of dates come."""
    return min(
        (0 if x == y else dob_level(x, y, *days) for x, y in product(a, b)),
        default=0,
    )


def _cases(source: str | None, key: str | None) -> dict | None:
    return None if key is None else {source: frozenset([key])}


def case_slip(a: str, b: str) -> bool:
    """Two case numbers of one source one typing slip apart (as
    ``linkage.comparisons.CaseNumber`` has it: long numbers, not neighbours)."""
    if len(a) < SLIP_MIN_CHARS or a[:-1] == b[:-1]:
        return False
    return OSA.distance(a, b) == 1


def cases_clash(a: dict | None, b: dict | None) -> bool:
    """Would joining these case numbers (per source) give a person two numbers
    of one source, neither a typing slip of the other, that neither side held
    already?"""
    if not a or not b:
        return False
    for source in a.keys() & b.keys():
        x, y = a[source], b[source]
        if x <= y or y <= x:
            continue
        cut = len(source) + 1
        if any(i != j and not case_slip(i[cut:], j[cut:]) for i, j in product(x, y)):
            return True
    return False


def _join_cases(a: dict | None, b: dict | None) -> dict | None:
    if not a or not b:
        return a or b
    return {
        s: a.get(s, frozenset()) | b.get(s, frozenset()) for s in a.keys() | b.keys()
    }


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
        conflict: DobConflict | None = None, cases: list | None = None,
    ) -> None:  # fmt: skip
        n = len(nhs)
        #: per record, (source, case key) or None: the case numbers held
        self.cases = [_cases(*c) if c else None for c in (cases or [None] * n)]
        self.parent = list(range(n))
        self.size = [1] * n
        self.ids = [(a, b) for a, b in zip(nhs, upn, strict=True)]
        self.dobs = [_as_set(d) for d in dob]
        self.names = [_as_set(x) for x in names]
        self.disputed = [False] * n  # dates joined by an identifier despite a clash
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

    def _dates_refuse(
        self, a: int, b: int, weight: float, own: float, lone: bool = False
    ) -> bool:
        da, db = self.dobs[a], self.dobs[b]
        if not da or not db or da == db:
            return False
        level = nearest_level if self.disputed[a] or self.disputed[b] else worst_level
        worst = level(da, db, self.conflict.days)
        return self.conflict.refuses(worst, weight, own, lone)

    def _clash(
        self, a: int, b: int, trusted: bool, weight: float, own: float,
        own_case: float = 0.0, outvoted: bool = False,
    ) -> bool:  # fmt: skip
        for ka, kb in zip(self.ids[a], self.ids[b], strict=True):
            if ka is not None and kb is not None and ka != kb:
                return True
        if trusted:
            if self._dates_refuse(a, b, weight, own):
                self.disputed[a] = self.disputed[b] = True
            return False
        na, nb = self.names[a], self.names[b]
        # An outvoted pair outvotes one record's first name, never a person's
        # seen on several records (twins each recorded twice stay two).
        lone = outvoted and min(self.size[a], self.size[b]) == 1
        if na and nb and not na & nb and not lone:
            return True
        if cases_clash(self.cases[a], self.cases[b]) and self.conflict.case_refuses(
            weight, own_case
        ):
            return True
        return self._dates_refuse(a, b, weight, own, lone)

    def union(
        self, a: int, b: int, trusted: bool = False, forced: bool = False,
        weight: float = 0.0, own: float = 0.0, own_case: float = 0.0,
        outvoted: bool = False,
    ) -> bool | None:  # fmt: skip
        """True if merged, None if already one group, False if refused.

        A ``trusted`` pair (the same NHS number, UPN or case number, or a case
        number slip with the same date of birth: ``guards.identified_by_slip``)
        may join groups whose names or dates of birth differ: the identifier
        says the records are one person and the difference is a recording
        error. A
        ``forced`` (must-link) pair is refused only by a cannot-link decision.
        ``weight`` is the pair's match weight, ``own`` what its own dates of
        birth added to it and ``own_case`` what its case numbers added (see
        ``DobConflict``). An ``outvoted`` pair (``guards.names_outvoted``:
        first names written wrongly, no sign of a household) may join a group
        whose first names differ when one side is a single record.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        self.last_banned = self._banned(ra, rb)
        if self.last_banned or (
            not forced and self._clash(ra, rb, trusted, weight, own, own_case, outvoted)
        ):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.ids[ra] = tuple(x if x is not None else y for x, y in zip(
            self.ids[ra], self.ids[rb], strict=True))  # fmt: skip
        self.dobs[ra] = self.dobs[ra] | self.dobs[rb]
        self.disputed[ra] = self.disputed[ra] or self.disputed[rb]
        self.cases[ra] = _join_cases(self.cases[ra], self.cases[rb])
        self.names[ra] = self.names[ra] | self.names[rb]
        if self.bans[rb]:
            self.bans[ra] = {**(self.bans[ra] or {}), **self.bans[rb]}
        return True
