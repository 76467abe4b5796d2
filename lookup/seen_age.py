"""An age range given scored only on the dates of birth of the records a viewer sees.

Search lifts a person whose known age is inside the range given
(``lookup.search.AGE_IN_RANGE``) and leaves out one whose known age is outside
it, on the date of birth of the person as every record gives it. For a viewer
who may not see the record that date is on, the lift (and the label "age inside
the range given") would tell them it exists: the person is scored, labelled and
kept on the date of birth of the records they see, as a build without that
record would (and a family name with an age range alone needs an age inside it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from lookup.index import LinkedIndex
from lookup.match_words import with_age
from lookup.query import SearchQuery
from lookup.scoring import ages
from lookup.search import AGE_IN_RANGE, MIN_SCORE, Candidate
from lookup.text import age_on


def inside(age: int | None, query: SearchQuery) -> bool:
    """Is a known ``age`` inside the range given (True when none was given)?"""
    if query.age_min is None and query.age_max is None:
        return True
    high = 200 if query.age_max is None else query.age_max
    return age is not None and age >= 0 and (query.age_min or 0) <= age <= high


def aged(
    c: Candidate, index: LinkedIndex, row: int, identity: dict,
    query: SearchQuery, today: date,
) -> Candidate | None:  # fmt: skip
    """``c`` (people row ``row``) scored and labelled on the age the records seen
    (``identity``) give, where the range given agreed with an age only a record
    the viewer may not see gives; None when the age seen is outside the range
    (or unknown, for a family name alone)."""
    if query.age_min is None and query.age_max is None:
        return c
    seen = age_on(identity.get("dob"), today)
    if seen is not None and not inside(seen, query):
        return None
    if seen is None and query.family_only:
        return None
    whole = int(ages(index.prepared_people, np.array([row], dtype=np.int64), today)[0])
    if seen is not None or not inside(whole, query):
        return c
    score = c.score - AGE_IN_RANGE  # rounded once, with the rest, by the caller
    if score < MIN_SCORE:
        return None
    return replace(c, score=score, matched_on=with_age(c.matched_on, "unknown"))
