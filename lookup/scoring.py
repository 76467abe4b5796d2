"""Similarity pieces for search, as arrays: names over the vocabulary, dates per person.

Given-name scores are computed once per query for every distinct name in the
index (a few thousand to tens of thousands), then looked up by code per row.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from lookup.prepared import NO_DAY, NameIndex, PersonIndex, day_number, other_dob_hits

#: Score of a given name in the same nickname group ('Bob' for 'Robert').
NICKNAME = 0.95
#: Score when one given name starts the other ('Chris', 'Christopher').
PREFIX = 0.9
#: Score when one side is only an initial that agrees.
INITIAL = 0.7
#: Score of a family name spelt another recognised way ('Li' for 'Lee').
SPELLING = 0.95
#: Factor on a family name matching one part of a typed two-part name.
PART = 0.95
#: Date of birth with day and month swapped: a common clerical slip, so nearly
#: as good as the date itself (and better than a different name on the right date).
SWAPPED_DOB = 0.8


def similarity(queries: list[str], names: NameIndex) -> np.ndarray:
    """Jaro-Winkler similarity (0-1) of each query to every vocabulary name, in one
    call (the vocabulary is read once for all the queries)."""
    if not names.vocab_list:
        return np.zeros((len(queries), 0), dtype=np.float32)
    return process.cdist(
        queries, names.vocab_list, scorer=JaroWinkler.similarity, dtype=np.float32
    )


def _prefix_range(names: NameIndex, prefix: str) -> slice:
    """Vocabulary codes of names starting with ``prefix`` (the vocabulary is sorted)."""
    lo = bisect_left(names.vocab_list, prefix)
    return slice(lo, bisect_left(names.vocab_list, prefix + "\U0010ffff", lo))


def _codes_of(names: NameIndex, values: list[str]) -> list[int]:
    vocab = names.vocab_list
    spots = (bisect_left(vocab, v) for v in values)
    return [i for i, v in zip(spots, values, strict=True) if vocab[i : i + 1] == [v]]


def first_name_scores(
    names: NameIndex, q_first: str, q_canons: list[str], jw: np.ndarray
) -> np.ndarray:
    """Given-name similarity of ``q_first`` to each vocabulary name (best of
    Jaro-Winkler ``jw``, nickname group, prefix and initial)."""
    score = jw.copy()
    nick = np.zeros(len(score), dtype=bool)
    if q_canons:
        wanted = [names.canon_codes[c] for c in q_canons if c in names.canon_codes]
        nick[names.canon_owner[np.isin(names.canon_code, wanted)]] = True
    score[nick] = np.maximum(score[nick], NICKNAME)
    if len(q_first) >= 3:
        longer = _prefix_range(names, q_first)
        shorter = _codes_of(names, [q_first[:k] for k in range(3, len(q_first) + 1)])
        for part in (longer, shorter):
            score[part] = np.maximum(score[part], PREFIX)
    if q_first:
        initial = (
            _prefix_range(names, q_first[0])
            if len(q_first) == 1
            else _codes_of(names, [q_first[0]])
        )
        score[initial] = np.maximum(score[initial], INITIAL)
    return score


def last_name_scores(
    names: NameIndex, q_last: str, jw: np.ndarray, part_jw: np.ndarray
) -> np.ndarray:
    """Family-name similarity of ``q_last`` to each vocabulary name: the best of
    Jaro-Winkler ``jw``, a recognised other spelling, and (a little lower) one
    part of a typed two-part name (``part_jw``, one row per part)."""
    score = jw.copy()
    if len(part_jw):
        score = np.maximum(score, part_jw.max(axis=0) * PART)
    group = names.surname_groups.get(q_last)
    if group is not None:
        score[group] = np.maximum(score[group], SPELLING)
    return score


def swapped(dob: date) -> date | None:
    """The date with day and month swapped, when that is a different real date."""
    if dob.day > 12 or dob.day == dob.month:
        return None
    try:
        return dob.replace(month=dob.day, day=dob.month)
    except ValueError:
        return None


def _seen(persons: PersonIndex, rows: np.ndarray, value: date | None) -> np.ndarray:
    if value is None:
        return np.zeros(len(rows), dtype=bool)
    day = day_number(value)
    return (persons.dob_day[rows] == day) | other_dob_hits(persons, rows, day)


def dob_scores(persons: PersonIndex, rows: np.ndarray, dob: date) -> np.ndarray:
    """1 exact, SWAPPED_DOB day and month swapped, 0.5 unknown, 0.4 one part
    wrong, else 0."""
    same = (
        (persons.year[rows] == dob.year).astype(np.int8)
        + (persons.month[rows] == dob.month)
        + (persons.day[rows] == dob.day)
    )
    known = persons.dob_day[rows] != NO_DAY
    return np.select(
        [
            _seen(persons, rows, dob),
            _seen(persons, rows, swapped(dob)),
            ~known,
            same >= 2,
        ],
        [1.0, SWAPPED_DOB, 0.5, 0.4],
        0.0,
    )


def ages(persons: PersonIndex, rows: np.ndarray, today: date) -> np.ndarray:
    """Whole years to ``today`` per people row; -1 when the date of birth is unknown."""
    month, day = persons.month[rows], persons.day[rows]
    before = (month > today.month) | ((month == today.month) & (day > today.day))
    age = today.year - persons.year[rows].astype(np.int64) - before
    return np.where(persons.dob_day[rows] == NO_DAY, -1, age)
