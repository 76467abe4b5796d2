"""Union-find over records whose groups remember what they hold, so a merge that
would give one person two identifiers, two names or clashing dates of birth (or
join a cannot-link pair) can be refused."""

from __future__ import annotations

from linkage.dobs import dobs_consistent


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

        A ``trusted`` pair (the same NHS number, UPN or case number, or a case
        number slip with the same date of birth: ``guards.identified_by_slip``)
        may join groups whose names or dates of birth differ: the identifier
        says the records are one person and the difference is a recording
        error. A
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
