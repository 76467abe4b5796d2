"""Similarity pieces for search, as arrays: names over the vocabulary, dates per person.

Name scores are computed once per query for the distinct names in the index
that could be meant (same role, same or sound-alike initial: a few thousand of
tens of thousands), then looked up by code per row.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from lookup.prepared import NO_DAY, NameIndex, PersonIndex, day_number, other_dob_hits

if TYPE_CHECKING:
    from lookup.match_words import DobHow

#: Score of a given name in the same nickname group ('Bob' for 'Robert').
NICKNAME = 0.95
#: Score of another short form of the same name ('Chas' for 'Charlie', both
#: Charles's): two steps, each of which may mean another name (Charlie is also
#: Charlotte's, Chris also Christine's), so a little below the name itself.
NICKNAME_VIA = 0.9
#: Similarity at which a given name not known anywhere is taken for a slip of a
#: known one ('Nicy' for 'Nicky'), so that name's nickname group counts too.
NEAR_NICKNAME = 0.9
#: Score when one given name starts the other ('Chris', 'Christopher').
PREFIX = 0.9
#: Score when one side is only an initial that agrees.
INITIAL = 0.7
#: Family-name similarity a variant needs before it is scored at all; below it
#: a family name is another name, not a worse spelling.
LAST_CUTOFF = 0.78
#: Score of a family name spelt another recognised way ('Li' for 'Lee').
SPELLING = 0.95
#: Factor on a family name matching one part of a typed two-part name.
PART = 0.95
#: Least score of a name one keyboard slip from the typed one (a letter left
#: out, added, changed or two swapped): Jaro-Winkler marks such slips in short
#: names low ('Aav' for 'Ava' 0.56, 'Pp' for 'Pop' 0.61).
SLIP = 0.85
#: Date of birth with day and month swapped: a common clerical slip, so nearly
#: as good as the date itself (and better than a different name on the right date).
SWAPPED_DOB = 0.8
#: Date of birth with one of day, month and year wrong, and none recorded.
ONE_PART_WRONG = 0.6
UNKNOWN_DOB = 0.5
#: Each agreement of a date of birth (``lookup.match_words.DobHow``) as
#: ``dob_scores`` scores it ("other": another date a record holds).
DOB_SCORE = {"exact": 1.0, "other": 1.0, "swapped": SWAPPED_DOB,
             "unknown": UNKNOWN_DOB, "one_part": ONE_PART_WRONG,
             "differs": 0.0}  # fmt: skip


#: Letters a name may start with when typed with another one (Catherine and
#: Katherine, Gemma and Jemma, Filip and Philip, Yusuf and Jusuf).
_SAME_START = ("ckq", "gj", "jy", "iy", "fp", "vw", "sz")


def _initials(word: str) -> str:
    """The letters a name typed as ``word`` may start with in the index."""
    first = word[:1]
    return "".join(sorted({first, *(c for g in _SAME_START if first in g for c in g)}))


def _start_range(listed: list[str], letter: str) -> slice:
    """Positions of the names starting with ``letter`` in a sorted list."""
    lo = bisect_left(listed, letter)
    return slice(lo, bisect_left(listed, chr(ord(letter) + 1), lo))


def similarity(
    queries: list[str],
    names: NameIndex,
    role: Literal["first", "last"],
    also: np.ndarray | None = None,
) -> np.ndarray:
    """Jaro-Winkler similarity (0-1) of each query to the vocabulary names seen in
    ``role`` that start with the same letter (or one typed for it: C and K), and
    to the names ``also`` (vocabulary codes) in full; 0 for the rest.

    A typed name seldom starts wrong, so comparing only same-initial names finds
    nearly every misspelling at a tenth of the cost; the names in ``also`` (of
    people born on the date given or seen at the postcode) are compared whatever
    their initial, so a shared date or address still finds a slip there.
    """
    codes, listed = (
        (names.first_codes, names.first_list)
        if role == "first"
        else (names.last_codes, names.last_list)
    )
    out = np.zeros((len(queries), len(names.vocab_list)), dtype=np.float32)
    for i, query in enumerate(queries):
        for letter in _initials(query):
            span = _start_range(listed, letter)
            if span.stop > span.start:
                out[i, codes[span]] = _jw([query], listed[span])[0]
    if also is not None and len(also) and queries:
        out[:, also] = _jw(queries, [names.vocab_list[c] for c in also])
    return out


def _jw(queries: list[str], choices: list[str]) -> np.ndarray:
    """Jaro-Winkler similarity, at least SLIP for names one slip apart."""
    jw = process.cdist(queries, choices, scorer=JaroWinkler.similarity,
                       dtype=np.float32)  # fmt: skip
    edits = process.cdist(queries, choices, scorer=OSA.distance, score_cutoff=1,
                          dtype=np.int32)  # fmt: skip
    return np.where(edits <= 1, np.maximum(jw, SLIP), jw)


def _prefix_range(names: NameIndex, prefix: str) -> slice:
    """Vocabulary codes of names starting with ``prefix`` (the vocabulary is sorted)."""
    lo = bisect_left(names.vocab_list, prefix)
    return slice(lo, bisect_left(names.vocab_list, prefix + "\U0010ffff", lo))


def _codes_of(names: NameIndex, values: list[str]) -> list[int]:
    vocab = names.vocab_list
    spots = (bisect_left(vocab, v) for v in values)
    return [i for i, v in zip(spots, values, strict=True) if vocab[i : i + 1] == [v]]


def _group_weights(names: NameIndex, q_canons: list[str], jw: np.ndarray) -> np.ndarray:
    """Per canonical name: how surely the typed name belongs to its group (1 when
    the nickname table says so; a slip of a known name ('Nicy' for 'Nicky') when
    the typed name is known nowhere: that name's similarity)."""
    weight = np.zeros(len(names.canon_codes), dtype=np.float32)
    known = [names.canon_codes[c] for c in q_canons if c in names.canon_codes]
    weight[known] = 1.0
    if len(q_canons) <= 1 and len(jw) and jw.max() < 1.0:
        near = jw[names.canon_owner] >= NEAR_NICKNAME
        np.maximum.at(weight, names.canon_code[near], jw[names.canon_owner[near]])
    return weight


def first_name_scores(
    names: NameIndex, q_first: str, q_canons: list[str], jw: np.ndarray
) -> np.ndarray:
    """Given-name similarity of ``q_first`` to each vocabulary name (best of
    Jaro-Winkler ``jw``, nickname group, prefix and initial)."""
    score = jw.copy()
    if q_canons:
        typed = names.canon_codes.get(q_first, -1)
        direct = names.canon_self | (names.canon_code == typed)
        step = np.where(direct, NICKNAME, NICKNAME_VIA)
        group = _group_weights(names, q_canons, jw)[names.canon_code] * step
        np.maximum.at(score, names.canon_owner, group.astype(score.dtype))
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


def dob_how(
    dob: date,
    held: Callable[[date], tuple[bool, bool]],
    main: tuple[int, int, int] | None,
) -> DobHow:
    """How recorded dates of birth agree with the date given, the ladder
    ``DOB_SCORE`` scores: ``held(day)`` says whether the main date is that day
    and whether another recorded one is; ``main``: the main date's (year,
    month, day), None when none is recorded."""
    on_main, on_other = held(dob)
    if on_main or on_other:
        return "exact" if on_main else "other"
    turned = swapped(dob)
    if turned is not None and any(held(turned)):
        return "swapped"
    if main is None:
        return "unknown"
    same = sum(int(a == b) for a, b in zip(main, (dob.year, dob.month, dob.day),
                                            strict=True))  # fmt: skip
    return "one_part" if same >= 2 else "differs"


def _seen(persons: PersonIndex, rows: np.ndarray, value: date | None) -> np.ndarray:
    if value is None:
        return np.zeros(len(rows), dtype=bool)
    day = day_number(value)
    return (persons.dob_day[rows] == day) | other_dob_hits(persons, rows, day)


def dob_scores(persons: PersonIndex, rows: np.ndarray, dob: date) -> np.ndarray:
    """1 exact, SWAPPED_DOB day and month swapped, ONE_PART_WRONG two of day,
    month and year right, UNKNOWN_DOB no date recorded, else 0.

    Two parts right is a slip in the third (a year out, a day mistyped): few
    other people share two parts of a date and a name, so it counts for more
    than a date nobody recorded."""
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
        [DOB_SCORE[k] for k in ("exact", "swapped", "unknown", "one_part")],
        DOB_SCORE["differs"],
    )


def _years_before(today: date, years: int) -> date:
    """``today`` ``years`` years back (29 February: the 28th in other years)."""
    year = today.year - years
    if (today.month, today.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return today.replace(year=year)


def born_for(low: int, high: int, today: date) -> tuple[int, int]:
    """The first and last day of birth (``day_number``) of an age from ``low``
    to ``high`` whole years on ``today``, as ``ages`` counts them."""
    first = _years_before(today, high + 1) + timedelta(days=1)
    return day_number(first), day_number(_years_before(today, low))


def ages(persons: PersonIndex, rows: np.ndarray, today: date) -> np.ndarray:
    """Whole years to ``today`` per people row; -1 when the date of birth is unknown."""
    month, day = persons.month[rows], persons.day[rows]
    before = (month > today.month) | ((month == today.month) & (day > today.day))
    age = today.year - persons.year[rows].astype(np.int64) - before
    return np.where(persons.dob_day[rows] == NO_DAY, -1, age)
