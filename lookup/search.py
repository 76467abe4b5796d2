"""Find the people a worker means: ranked, scored, capped; never a population browse.

Names are scored with one rapidfuzz call over the index's distinct standardised
names; the variants (other names included) of the close family names are then
found through postings built at load time, so the work grows with the people
who could match, not the population. Identifiers are looked up by binary search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from lookup.index import LinkedIndex
from lookup.names import last_parts, standardise_one
from lookup.prepared import (
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


def confidence_word(score: float) -> str:
    """The plain word shown next to a score."""
    if score >= 0.9:
        return "Strong match"
    if score >= 0.75:
        return "Likely match"
    return "Possible match"


def _variant_rows(index: LinkedIndex, q_last: str, sim_last: np.ndarray):  # noqa: ANN202
    """(rows, family-name score, given-name code) for variants near ``q_last``:
    straight by family name, and with given and family names the other way round."""
    names = index.prepared_names
    close = np.flatnonzero(sim_last >= LAST_CUTOFF)
    straight = gather_ranges(names.by_last, names.last_offsets, close)
    turned = gather_ranges(names.by_first, names.first_offsets, close)
    last_sim = np.concatenate(
        [
            sim_last[names.row_last[straight]]
            * np.where(names.row_part[straight], PART, 1.0),
            sim_last[names.row_first[turned]] * SWAPPED,
        ]
    )
    given = np.concatenate([names.row_first[straight], names.row_last[turned]])
    return np.concatenate([straight, turned]), last_sim, given


def _blocked_people(index: LinkedIndex, query: SearchQuery) -> np.ndarray:
    """People born on the date given (or swapped) or recorded at the postcode
    given: their names are scored with no cut-off, so an agreeing date of birth
    or address finds a name too misspelt (or too short a nickname) for the
    cut-offs."""
    persons = index.prepared_people
    found = [np.zeros(0, dtype=np.int64)]
    if query.dob is not None:
        days = [day_number(d) for d in (query.dob, swapped(query.dob)) if d]
        found.append(dob_rows(persons, days))
    if query.postcode:
        found.append(postcode_rows(persons, query.postcode))
    return np.unique(np.concatenate(found))


def _rows_of(index: LinkedIndex, people: np.ndarray, sim_last: np.ndarray):  # noqa: ANN202
    """Every name variant of ``people``, straight and turned round."""
    names = index.prepared_names
    rows = ranges(names.person_offsets[people], names.person_offsets[people + 1])
    last_sim = np.concatenate(
        [
            sim_last[names.row_last[rows]] * np.where(names.row_part[rows], PART, 1.0),
            sim_last[names.row_first[rows]] * SWAPPED,
        ]
    )
    given = np.concatenate([names.row_first[rows], names.row_last[rows]])
    return np.concatenate([rows, rows]), last_sim, given


def _name_scores(index: LinkedIndex, query: SearchQuery) -> tuple[np.ndarray, ...]:
    """(people rows, best name score) for a name search."""
    names = index.prepared_names
    q_first, q_last, q_canons = standardise_one(
        query.first, query.last, names.nick_canons
    )
    parts = last_parts(query.last)
    sims = similarity([q_last, q_first, *parts], names)
    sim_last = last_name_scores(names, q_last, sims[0], sims[2:])
    sim_first = sims[1]
    rows, last_sim, given = _variant_rows(index, q_last, sim_last)
    first = first_name_scores(names, q_first, q_canons, sim_first)
    first_sim = first[given]
    keep = first_sim >= FIRST_CUTOFF
    rows, last_sim, first_sim = rows[keep], last_sim[keep], first_sim[keep]
    blocked = _blocked_people(index, query)
    if len(blocked):
        more, more_last, more_given = _rows_of(index, blocked, sim_last)
        rows = np.concatenate([rows, more])
        last_sim = np.concatenate([last_sim, more_last])
        first_sim = np.concatenate([first_sim, first[more_given]])
    return best_per_person(names.row_person[rows], 0.55 * last_sim + 0.45 * first_sim)


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


def _case_label(case_number: str, services: dict[str, str]) -> str:
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
        case_numbers=tuple(_case_label(n, services) for n in row["case_numbers"] or ()),
        n_services=int(row["n_sources"] or 0),
        possible_match=flagged,
        matched_on=matched_on,
    )
