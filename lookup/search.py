"""Find the people a worker means: ranked, scored, capped; never a population browse.

Names are scored with rapidfuzz over the index's distinct standardised names in
the same role and with the same initial; the variants (other names included) of
the close family names are then found through postings built at load time, so
the work grows with the people who could match, not the population. The two
boxes are read as typed and the other way round. People born on the date given
or recorded at the postcode given are scored too, whatever their initials, when
one of their names is close. Identifiers are looked up by binary search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from lookup.index import LinkedIndex
from lookup.names import last_parts, standardise_one
from lookup.prepared import (
    NameIndex,
    day_number,
    dob_rows,
    gather_ranges,
    has_key,
    postcode_rows,
    ranges,
    slice_rows,
)
from lookup.query import ID_LABELS, SearchQuery
from lookup.scoring import (
    PART,
    ages,
    dob_scores,
    first_name_scores,
    last_name_scores,
    similarity,
    swapped,
)
from lookup.text import age_on

#: Family-name similarity a variant needs before it is scored at all.
LAST_CUTOFF = 0.78
#: Given-name similarity below which a variant is not a candidate.
FIRST_CUTOFF = 0.7
#: Factor on a name matched with given and family names the other way round.
SWAPPED = 0.93
#: Lowest score listed.
MIN_SCORE = 0.55
#: Without a date of birth no name alone is a strong match.
NO_DOB_FACTOR = 0.85
#: Added when the person was recorded at the postcode given (now or before), or
#: in its district: a full postcode is a few dozen households, so it outweighs a
#: small spelling difference, but never a poor name; a district is thousands.
POSTCODE = 0.12
DISTRICT = 0.03
#: Added when the person's known age is inside the age range given: it rules
#: out most same-name people, where an unknown date of birth rules out none.
AGE_IN_RANGE = 0.05
#: Never more than this many people listed, whatever the caller asks for.
MAX_RESULTS = 50


@dataclass(frozen=True)
class Candidate:
    """One person in a results list, with what a worker needs to tell them apart."""

    person_id: str
    score: float
    confidence: str
    first_name: str | None
    last_name: str | None
    dob: date | None
    age: int | None
    address: str | None
    postcode: str | None
    nhs_number: str | None
    upn: str | None
    case_numbers: tuple[str, ...]
    n_services: int
    possible_match: bool
    matched_on: str
    #: Earlier addresses, newest first (a family that moved is still recognisable).
    previous_addresses: tuple[str, ...] = ()


def confidence_word(score: float) -> str:
    """The plain word shown next to a score."""
    if score >= 0.9:
        return "Strong match"
    if score >= 0.75:
        return "Likely match"
    return "Possible match"


@dataclass(frozen=True)
class _Reading:
    """One reading of the two name boxes: family-name and given-name scores over
    the vocabulary, and the factor on the family name (lower when turned round)."""

    family: np.ndarray
    given: np.ndarray
    factor: float


def _readings(
    names: NameIndex, query: SearchQuery, extra: np.ndarray
) -> tuple[_Reading, _Reading]:
    """The boxes as typed, and the other way round (a family name typed in the
    first-name box): each scored with the same nickname, spelling and part rules.
    The names of the variant rows ``extra`` are compared in full."""
    q_first, q_last, q_canons = standardise_one(
        query.first, query.last, names.nick_canons
    )
    t_first, t_last, t_canons = standardise_one(
        query.last, query.first, names.nick_canons
    )
    parts, t_parts = last_parts(query.last), last_parts(query.first)
    also = np.unique(np.concatenate([names.row_last[extra], names.row_first[extra]]))
    families = list(dict.fromkeys([q_last, t_last, *parts, *t_parts]))
    sims = similarity(families, names, "last", also)
    family = dict(zip(families, sims, strict=True))
    givens = list(dict.fromkeys([q_first, t_first]))
    given = dict(zip(givens, similarity(givens, names, "first", also), strict=True))

    def rows(words: list[str]) -> np.ndarray:
        width = len(names.vocab_list)
        return np.array([family[w] for w in words]).reshape(len(words), width)

    straight = _Reading(
        last_name_scores(names, q_last, family[q_last], rows(parts)),
        first_name_scores(names, q_first, q_canons, given[q_first]),
        1.0,
    )
    turned = _Reading(
        last_name_scores(names, t_last, family[t_last], rows(t_parts)),
        first_name_scores(names, t_first, t_canons, given[t_first]),
        SWAPPED,
    )
    return straight, turned


def _scored(
    names: NameIndex, rows: np.ndarray, reading: _Reading
) -> tuple[np.ndarray, np.ndarray]:
    """(family-name score, given-name score) of variant ``rows`` in one reading."""
    part = np.where(names.row_part[rows], PART, 1.0)
    return (
        reading.family[names.row_last[rows]] * part * reading.factor,
        reading.given[names.row_first[rows]],
    )


def _close_rows(names: NameIndex, reading: _Reading) -> np.ndarray:
    """Variant rows whose family name is close enough to be scored at all."""
    close = np.flatnonzero(reading.family >= LAST_CUTOFF)
    return gather_ranges(names.by_last, names.last_offsets, close)


def _blocked_people(index: LinkedIndex, query: SearchQuery) -> np.ndarray:
    """People born on the date given (or swapped) or recorded at the postcode
    given: their names need pass only one cut-off, so an agreeing date of birth
    or address finds a name too misspelt (or too short a nickname) for both."""
    persons = index.prepared_people
    found = [np.zeros(0, dtype=np.int64)]
    if query.dob is not None:
        days = [day_number(d) for d in (query.dob, swapped(query.dob)) if d]
        found.append(dob_rows(persons, days))
    if query.postcode:
        found.append(postcode_rows(persons, query.postcode))
    return np.unique(np.concatenate(found))


def _name_scores(index: LinkedIndex, query: SearchQuery) -> tuple[np.ndarray, ...]:
    """(people rows, best name score) for a name search."""
    names = index.prepared_names
    blocked = _blocked_people(index, query)
    extra = ranges(names.person_offsets[blocked], names.person_offsets[blocked + 1])
    readings = _readings(names, query, extra)
    found, scores = [], []
    for reading in readings:
        rows = _close_rows(names, reading)
        last_sim, first_sim = _scored(names, rows, reading)
        keep = first_sim >= FIRST_CUTOFF
        more_last, more_first = _scored(names, extra, reading)
        # A shared date of birth or address finds a misspelt name, not a
        # different one: one of the two names must still be close.
        near = (reading.family[names.row_last[extra]] >= LAST_CUTOFF) | (
            more_first >= FIRST_CUTOFF
        )
        # Below its cut-off a given name is another name, not a worse spelling:
        # on a shared date of birth and family name that is a twin or sibling.
        more_first = np.where(more_first >= FIRST_CUTOFF, more_first, 0.0)
        found += [rows[keep], extra[near]]
        scores += [
            0.55 * last_sim[keep] + 0.45 * first_sim[keep],
            0.55 * more_last[near] + 0.45 * more_first[near],
        ]
    rows = np.concatenate(found)
    return best_per_person(names.row_person[rows], np.concatenate(scores))


def best_per_person(people: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, ...]:
    """(distinct people rows, the highest score of each)."""
    order = np.lexsort((-score, people))
    people, score = people[order], score[order]
    first = np.ones(len(people), dtype=bool)
    first[1:] = people[1:] != people[:-1]
    return people[first], score[first]


def _by_name(index: LinkedIndex, query: SearchQuery) -> tuple[np.ndarray, ...]:
    """(people rows, score, how matched code) for a name search."""
    rows, name = _name_scores(index, query)
    if query.dob is None:
        return rows, name * NO_DOB_FACTOR, np.zeros(len(rows), dtype=np.int8)
    dob = dob_scores(index.prepared_people, rows, query.dob)
    matched = np.select([dob >= 0.99, dob >= 0.7], [1, 2], 0).astype(np.int8)
    return rows, 0.6 * name + 0.4 * dob, matched


_MATCHED = ("name", "name and date of birth",
            "name; date of birth with day and month swapped")  # fmt: skip


def _by_identifier(index: LinkedIndex, query: SearchQuery) -> np.ndarray:
    """People rows holding the identifier (binary search on the sorted keys)."""
    ids = index.prepared_people.ids
    rows = slice_rows(ids["key"], pl.Series([query.identifier]))
    found = ids[rows].filter(pl.col("kind") == (query.id_kind or "nhs_number"))
    return np.unique(found["row"].to_numpy())


def _refine(
    index: LinkedIndex, query: SearchQuery, rows: np.ndarray, score: np.ndarray,
    today: date,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Age range filter and boost, postcode boost (all optional). The score may
    pass 1 here: people are ranked on it, and it is capped at 1 for display."""
    persons = index.prepared_people
    keep = np.ones(len(rows), dtype=bool)
    if query.age_min is not None or query.age_max is not None:
        age = ages(persons, rows, today)
        low, high = query.age_min or 0, 200 if query.age_max is None else query.age_max
        inside = (age >= low) & (age <= high)
        keep = (age < 0) | inside
        score = score + np.where(inside, AGE_IN_RANGE, 0.0)
    boost = np.zeros(len(rows), dtype=bool)
    if query.postcode:
        code = persons.postcode_codes.get(query.postcode)
        full = has_key(persons.postcode_keys, rows, code)
        code = persons.district_codes.get(query.postcode[:-3])
        near = has_key(persons.district_keys, rows, code)
        score = score + np.where(full, POSTCODE, np.where(near, DISTRICT, 0.0))
        boost = full | near
    return keep, score, boost


def search(
    index: LinkedIndex, query: SearchQuery, today: date, limit: int
) -> list[Candidate]:
    """People matching ``query``, best first, at most ``limit`` (and MAX_RESULTS)."""
    persons = index.prepared_people
    if query.by_identifier:
        rows = _by_identifier(index, query)
        score = np.ones(len(rows))
        matched = np.full(len(rows), -1, dtype=np.int8)
    else:
        rows, score, matched = _by_name(index, query)
    keep, score, near = _refine(index, query, rows, score, today)
    keep &= score >= (0 if query.by_identifier else MIN_SCORE)
    rows, score, matched, near = rows[keep], score[keep], matched[keep], near[keep]
    order = np.lexsort((persons.name_rank[rows], -persons.n_sources[rows], -score))
    top = order[: max(0, min(limit, MAX_RESULTS))]
    score = np.minimum(score, 1.0)
    people = (index.people.row(int(r), named=True) for r in rows[top])
    label = ID_LABELS[query.id_kind or "nhs_number"]
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    return [
        _candidate(
            row, today, float(score[i]), bool(persons.flagged[rows[i]]),
            label if matched[i] < 0 else _MATCHED[matched[i]]
            + ("; postcode" if near[i] else ""),
            services,
        )
        for row, i in zip(people, top, strict=True)
    ]  # fmt: skip


def case_label(case_number: str, services: dict[str, str]) -> str:
    """ "housing:HP200467" as users read it: "Housing case HP200467"."""
    source, _, number = case_number.partition(":")
    return f"{services.get(source, source)} case {number}"


def _candidate(
    row: dict,
    today: date,
    score: float,
    flagged: bool,
    matched_on: str,
    services: dict[str, str],
) -> Candidate:
    score = round(score, 3)
    return Candidate(
        person_id=row["person_id"],
        score=score,
        confidence=confidence_word(score),
        first_name=row["first_name"],
        last_name=row["last_name"],
        dob=row["dob"],
        age=age_on(row["dob"], today),
        address=row["address"],
        postcode=row["postcode"],
        nhs_number=row["nhs_number"],
        upn=row["upn"],
        case_numbers=tuple(case_label(n, services) for n in row["case_numbers"] or ()),
        n_services=int(row["n_sources"] or 0),
        possible_match=flagged,
        matched_on=matched_on,
        previous_addresses=tuple((row["addresses"] or [])[1:]),
    )
