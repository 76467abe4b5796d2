"""An age range given scored only on the dates of birth of the records a viewer sees.

Search lifts a person whose known age is inside the range given
(``lookup.search.AGE_IN_RANGE``) and leaves out one whose known age is outside
it, on the date of birth of the person as every record gives it. For a viewer
who may not see the record that date is on, the lift (and the label "age inside
the range given") would tell them it exists: the person is scored, labelled and
kept on the date of birth of the records they see, as a build without that
record would (and a family name with an age range alone needs an age inside it).
A person whose every date of birth is on records the viewer may not see in full
is kept by search for a range their age is outside (``dobs_seen``), as their
age is unknown to the viewer: found, it is said so. A person some of whose
dates of birth the viewer sees, another recorded date giving an age inside the
range, is kept and lifted by search as if their age were inside it, and then
judged on the date the records seen give (``aged``): one hidden record giving
another date neither drops nor lifts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl

from lookup.disclosure import Disclosure
from lookup.dob_sources import ALL_SEEN, BITS, NONE_SEEN, SOME_SEEN
from lookup.index import LinkedIndex
from lookup.match_words import with_age
from lookup.per_index import per_index
from lookup.query import SearchQuery
from lookup.scoring import ages
from lookup.search import AGE_IN_RANGE, MIN_SCORE, Candidate
from lookup.text import age_on

#: Oldest age an age rule is looked up for (older: as this age).
_OLDEST = 150


def inside(age: int | None, query: SearchQuery) -> bool:
    """Is a known ``age`` inside the range given (True when none was given)?"""
    if not query.age_range:
        return True
    low, high = query.age_bounds
    return age is not None and age >= 0 and low <= age <= high


def _age_at(index: LinkedIndex, row: int, today: date) -> int:
    """The age of the person at people row ``row`` on every record's date of
    birth (-1: unknown)."""
    return int(ages(index.prepared_people, np.array([row], dtype=np.int64), today)[0])


def aged(
    c: Candidate, index: LinkedIndex, row: int, identity: dict,
    query: SearchQuery, today: date,
) -> Candidate | None:  # fmt: skip
    """``c`` (people row ``row``) scored and labelled on the age the records seen
    (``identity``) give, where the range given agreed with an age only a record
    the viewer may not see gives; None when the age seen is outside the range
    (or unknown, for a family name alone)."""
    if not query.age_range:
        return c
    seen = age_on(identity.get("dob"), today)
    if seen is not None and not inside(seen, query):
        return None
    if seen is None and query.family_only:
        return None
    whole = _age_at(index, row, today)
    if seen is None and whole >= 0 and not inside(whole, query):  # ``dobs_seen``
        return replace(c, matched_on=with_age(c.matched_on, "unknown"))
    if seen is not None or not inside(whole, query):
        return c
    score = c.score - AGE_IN_RANGE  # rounded once, with the rest, by the caller
    if score < MIN_SCORE:
        return None
    return replace(c, score=score, matched_on=with_age(c.matched_on, "unknown"))


def outside(index: LinkedIndex, row: int, query: SearchQuery, today: date) -> bool:
    """Is the age of the person at people row ``row`` known and outside the
    range given (a person ``dobs_seen`` keeps whom the viewer sees whole)?"""
    if not query.age_range:
        return False
    whole = _age_at(index, row, today)
    return whole >= 0 and not inside(whole, query)


def _seen_by_age(index: LinkedIndex, disclosure: Disclosure) -> np.ndarray | None:
    """By age (the last: unknown), the bits of the sources seen in full; None
    when every source is seen in full at every age."""
    sources = index.source_loads["source"].cast(pl.Utf8).to_list()
    seen = np.zeros(_OLDEST + 2, dtype=np.uint64)
    for age in range(_OLDEST + 2):
        for b, source in enumerate(sources):
            if disclosure.full(source, age if age <= _OLDEST else None):
                seen[age] |= np.uint64(1) << np.uint64(b)
    every = np.uint64((1 << len(sources)) - 1) if len(sources) < BITS else ~np.uint64(0)
    return None if (seen == every).all() else seen


def dobs_seen(
    index: LinkedIndex, disclosure: Disclosure
) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    """For people rows and their ages (``lookup.scoring.ages``): of the sources
    giving them a date of birth, does the viewer see all in full (or none are
    recorded), only some (their age, as the viewer's records give it, may be
    another), or none (unknown to them): ``ALL_SEEN``, ``SOME_SEEN``,
    ``NONE_SEEN``. None: every viewer sees every date."""
    held = index.dob_sources  # made with the build (``lookup.dob_sources``)
    if held is None or index.engine is None:  # no database: nobody's records cut
        return None
    roles: dict = per_index(index, "seen_by_age", dict)
    key = tuple(sorted(disclosure.levels.items()))
    if key not in roles:  # one per role: a handful
        roles[key] = _seen_by_age(index, disclosure)
    seen = roles[key]
    if seen is None:
        return None

    def sees(rows: np.ndarray, age: np.ndarray) -> np.ndarray:
        at = np.where(age < 0, _OLDEST + 1, np.minimum(age, _OLDEST))
        mine = held[rows]
        shown = mine & seen[at]
        return np.select([shown == mine, shown == 0], [ALL_SEEN, NONE_SEEN],
                         SOME_SEEN).astype(np.int8)  # fmt: skip

    return sees
