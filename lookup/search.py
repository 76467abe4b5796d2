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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from lookup.dob_sources import ALL_SEEN, NONE_SEEN, SOME_SEEN
from lookup.explain import explain
from lookup.index import LinkedIndex
from lookup.names import last_parts, standardise_one
from lookup.prepared import (
    NameIndex,
    PersonIndex,
    day_number,
    dob_rows,
    gather_ranges,
    other_dob_between,
    ranges,
    slice_rows,
)
from lookup.query import ID_LABELS, SearchQuery
from lookup.scoring import (
    LAST_CUTOFF,
    ONE_PART_WRONG,
    PART,
    SLIP,
    SWAPPED_DOB,
    ages,
    born_for,
    dob_scores,
    first_name_scores,
    last_name_scores,
    similarity,
    swapped,
)
from lookup.text import age_on
from lookup.unplaced import NOTHING, Unplaced, people_at, placed_at

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
#: Taken off the rank (not the score shown) of a person matched on a name other
#: than the one most of their records give (a previous surname, an old
#: spelling): a referral names people as they are known now, so of two who fit
#: alike the one whose current name it is comes first.
OTHER_NAME = 0.005
#: Never more than this many people listed, whatever the caller asks for.
MAX_RESULTS = 50
#: Name score at which a person fits the name given (an exact name, a nickname,
#: another recognised spelling, a keyboard slip), and the family-name score
#: for a family name alone.
FIT_NAME = 0.85
FIT_FAMILY = 0.9
#: Date-of-birth score a family name alone needs: the date, another recorded
#: one, day and month swapped, or one of day, month and year out (an expected
#: date of a baby before the birth).
FAMILY_DOB = ONE_PART_WRONG
#: Share of a result's score a date of birth given carries (the name the rest).
DOB_WEIGHT = 0.4
#: Share of a name score the family name carries (the given name the rest).
FAMILY_SHARE = 0.55
#: Family-name score of a person recorded at the postcode given with the first
#: name given (and the date of birth and age range given, when given) whose
#: family name is another name: a marriage, adoption or a parent's new partner
#: changes a family name the services may not have caught up with more often
#: than a stranger of that first name lives at the address. Weighed as a family
#: name one keyboard slip out: above the exact name seen only elsewhere in the
#: district, below a family name at the address that is a spelling of it.
CHANGED_FAMILY = SLIP
#: Factor on a family name given alone: with a date of birth it is a likely
#: match, never as strong as the whole name and date.
FAMILY_ONLY = 0.75


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
class Reading:
    """One reading of the two name boxes: the typed names standardised, their
    family-name and given-name scores over the vocabulary, and the factor on
    the family name (lower when turned round)."""

    first: str
    last: str
    canons: tuple[str, ...]
    parts: tuple[str, ...]
    family: np.ndarray
    given: np.ndarray
    factor: float

    @property
    def turned(self) -> bool:
        return self.factor != 1.0


def _readings(
    names: NameIndex, query: SearchQuery, extra: np.ndarray
) -> tuple[Reading, ...]:
    """The boxes as typed, and the other way round (a family name typed in the
    first-name box): each scored with the same nickname, spelling and part rules.
    The names of the variant rows ``extra`` are compared in full. A family name
    alone is read one way only."""
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

    def reading(first, last, canons, part_words, factor) -> Reading:  # noqa: ANN001
        return Reading(
            first, last, tuple(canons), tuple(part_words),
            last_name_scores(names, last, family[last], rows(part_words)),
            first_name_scores(names, first, canons, given[first]),
            factor,
        )  # fmt: skip

    straight = reading(q_first, q_last, q_canons, parts, 1.0)
    if query.family_only:
        return (straight,)
    return straight, reading(t_first, t_last, t_canons, t_parts, SWAPPED)


def _scored(
    names: NameIndex, rows: np.ndarray, reading: Reading
) -> tuple[np.ndarray, np.ndarray]:
    """(family-name score, given-name score) of variant ``rows`` in one reading."""
    part = np.where(names.row_part[rows], PART, 1.0)
    return (
        reading.family[names.row_last[rows]] * part * reading.factor,
        reading.given[names.row_first[rows]],
    )


def _close_rows(names: NameIndex, reading: Reading) -> np.ndarray:
    """Variant rows whose family name is close enough to be scored at all."""
    close = np.flatnonzero(reading.family >= LAST_CUTOFF)
    return gather_ranges(names.by_last, names.last_offsets, close)


def _blocked_people(
    index: LinkedIndex, query: SearchQuery, gone: Unplaced = NOTHING
) -> np.ndarray:
    """People born on the date given (or swapped) or recorded at the postcode
    given: their names need pass only one cut-off, so an agreeing date of birth
    or address finds a name too misspelt (or too short a nickname) for both.
    For a family name alone, the people it is looked for among (the date of
    birth or the postcode)."""
    persons = index.prepared_people
    found = [np.zeros(0, dtype=np.int64)]
    if query.dob is not None:
        days = [day_number(d) for d in (query.dob, swapped(query.dob)) if d]
        found.append(dob_rows(persons, days))
    if query.postcode:
        found.append(people_at(persons, query.postcode, gone))
    return np.unique(np.concatenate(found))


@dataclass(frozen=True)
class NameScores:
    """Per person found: the best name score, the name variant row giving it,
    and the reading it was given in (0 as typed, 1 turned round)."""

    rows: np.ndarray
    score: np.ndarray
    variant: np.ndarray
    reading: np.ndarray
    #: the family-name and given-name parts of that best score
    family: np.ndarray = field(default_factory=lambda: np.zeros(0))
    given: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _family_only(index: LinkedIndex, query: SearchQuery,
                 reading: Reading, extra: np.ndarray) -> NameScores:  # fmt: skip
    """A family name with a date of birth, postcode or age range: the people
    born then or recorded there (all of that family name for an age range)
    whose family name is close; the family name is the whole name score."""
    names = index.prepared_names
    # at a postcode: the people recorded there; else everyone of a close family
    # name (a date a day out, an expected date, is still that baby)
    at_postcode = bool(query.postcode) and query.dob is None
    rows = extra if at_postcode else np.union1d(_close_rows(names, reading), extra)
    last_sim, _ = _scored(names, rows, reading)
    keep = last_sim >= LAST_CUTOFF
    rows, score = rows[keep], last_sim[keep]
    how = np.zeros(len(rows), dtype=np.int8)
    return _best(names, rows, score, how, score, np.zeros(len(rows)))


def name_scores(
    index: LinkedIndex, query: SearchQuery, gone: Unplaced = NOTHING
) -> tuple[NameScores, tuple]:
    """The people a name search finds, with their best name score (and the
    readings of the boxes, to say afterwards what matched; ``gone``: places
    withheld, ``lookup.unplaced``)."""
    names = index.prepared_names
    blocked = _blocked_people(index, query, gone)
    extra = ranges(names.person_offsets[blocked], names.person_offsets[blocked + 1])
    readings = _readings(names, query, extra)
    if query.family_only:
        return _family_only(index, query, readings[0], extra), readings
    found, scores, how, lasts, firsts = [], [], [], [], []
    for i, reading in enumerate(readings):
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
            FAMILY_SHARE * last_sim[keep] + (1 - FAMILY_SHARE) * first_sim[keep],
            FAMILY_SHARE * more_last[near] + (1 - FAMILY_SHARE) * more_first[near],
        ]
        how.append(np.full(int(keep.sum() + near.sum()), i, dtype=np.int8))
        lasts += [last_sim[keep], more_last[near]]
        firsts += [first_sim[keep], more_first[near]]
    rows = np.concatenate(found)
    best = _best(names, rows, np.concatenate(scores), np.concatenate(how),
                 np.concatenate(lasts), np.concatenate(firsts))  # fmt: skip
    return best, readings


def _best(names: NameIndex, variants: np.ndarray, score: np.ndarray,
          how: np.ndarray, family: np.ndarray,
          given: np.ndarray) -> NameScores:  # fmt: skip
    people = names.row_person[variants]
    order = np.lexsort((-score, people))
    people = people[order]
    first = np.ones(len(people), dtype=bool)
    first[1:] = people[1:] != people[:-1]
    pick = order[first]
    return NameScores(people[first], score[pick], variants[pick], how[pick],
                      family[pick], given[pick])  # fmt: skip


@dataclass(frozen=True)
class Scored:
    """People a search found, with everything ranking and labels need."""

    rows: np.ndarray
    score: np.ndarray
    name: np.ndarray  # name score alone (1 for an identifier)
    dob: np.ndarray  # dob_scores, or -1 when no date of birth was given
    variant: np.ndarray  # name variant row matched (-1 for an identifier)
    reading: np.ndarray
    readings: tuple = ()
    #: the family-name and given-name parts of the name score (name searches)
    family: np.ndarray = field(default_factory=lambda: np.zeros(0))
    given: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _by_name(index: LinkedIndex, query: SearchQuery, gone: Unplaced) -> Scored:
    found, readings = name_scores(index, query, gone)
    rows, name = found.rows, found.score
    named = name * (FAMILY_ONLY if query.family_only else 1.0)
    if query.dob is None:
        dob = np.full(len(rows), -1.0)
        score = named * NO_DOB_FACTOR
    else:
        dob = dob_scores(index.prepared_people, rows, query.dob)
        score = (1 - DOB_WEIGHT) * named + DOB_WEIGHT * dob
    return Scored(rows, score, name, dob, found.variant, found.reading, readings,
                  found.family, found.given)  # fmt: skip


def _by_identifier(index: LinkedIndex, query: SearchQuery) -> Scored:
    """People rows holding the identifier (binary search on the sorted keys)."""
    ids = index.prepared_people.ids
    rows = slice_rows(ids["key"], pl.Series([query.identifier]))
    found = ids[rows].filter(pl.col("kind") == (query.id_kind or "nhs_number"))
    rows = np.unique(found["row"].to_numpy())
    one, none = np.ones(len(rows)), np.full(len(rows), -1)
    return Scored(rows, one, one, none.astype(float), none, none.astype(np.int8))


@dataclass(frozen=True)
class Refined:
    """Which people stay, their score with the extras, and what the extras said."""

    keep: np.ndarray
    score: np.ndarray
    place: np.ndarray  # 0 no postcode given or no match, 1 full postcode, 2 district
    age: np.ndarray  # 0 no range given, 1 inside, 2 age unknown, 3 outside
    #: added to the score of a person read as having changed family name
    changed: np.ndarray = field(default_factory=lambda: np.zeros(0))


#: Per people row (and its age): of the sources giving them a date of birth,
#: does the viewer see all, some or none in full (``lookup.seen_age.dobs_seen``)?
DobsSeen = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _in_range(
    persons: PersonIndex, rows: np.ndarray, query: SearchQuery, today: date,
    dobs: DobsSeen | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Per row: (age, inside the range given, kept by it). Inside too: one the
    viewer sees only some dates of birth of, another date inside the range,
    their cut judging them on the dates they see (``lookup.seen_age.aged``).
    Kept too, but for a family name alone: one whose every date is hidden."""
    age = ages(persons, rows, today)
    low, high = query.age_bounds
    inside = (age >= low) & (age <= high)
    seen = np.full(len(rows), ALL_SEEN) if dobs is None else dobs(rows, age)
    maybe = np.flatnonzero(~inside & (seen == SOME_SEEN))
    if len(maybe):
        other = other_dob_between(persons, rows[maybe], *born_for(low, high, today))
        inside[maybe[other]] = True
    if query.family_only:
        return age, inside, inside
    return age, inside, (age < 0) | inside | (seen == NONE_SEEN)


def _refine(index: LinkedIndex, query: SearchQuery, found: Scored,
            today: date, gone: Unplaced = NOTHING,
            dobs: DobsSeen | None = None) -> Refined:  # fmt: skip
    """Age range filter and boost, postcode boost (all optional). The score may
    pass 1 here: people are ranked on it, and it is capped at 1 for display.
    A family name alone must fit every detail given; an age range is read on
    the dates of birth the viewer may see (``dobs``, ``_in_range``)."""
    persons, rows, score = index.prepared_people, found.rows, found.score
    keep = np.ones(len(rows), dtype=bool)
    age_how = np.zeros(len(rows), dtype=np.int8)
    if query.age_range:
        age, inside, keep = _in_range(persons, rows, query, today, dobs)
        age_how = np.select([inside, age < 0], [1, 2], 3).astype(np.int8)
        score = score + np.where(inside, AGE_IN_RANGE, 0.0)
    place = np.zeros(len(rows), dtype=np.int8)
    if query.postcode:
        full, near = placed_at(persons, rows, query.postcode, gone)
        score = score + np.where(full, POSTCODE, np.where(near, DISTRICT, 0.0))
        place = np.select([full, near], [1, 2], 0).astype(np.int8)
        if query.family_only and query.dob is None:
            keep &= full
    if query.family_only and query.dob is not None:
        keep &= found.dob >= FAMILY_DOB
    changed = changed_name(query, found, place, age_how)
    return Refined(keep, score + changed, place, age_how, changed)


def changed_name(query: SearchQuery, found: Scored, place: np.ndarray,
                 age: np.ndarray) -> np.ndarray:  # fmt: skip
    """Per person, what is added to the score of one read as having changed
    family name (``CHANGED_FAMILY``): recorded at the postcode given, the given
    name fitting, the date of birth and age range given (if any) agreeing as
    ``fitting`` asks, the family name another name (0 for everyone else)."""
    out = np.zeros(len(found.rows))
    if query.by_identifier or query.family_only or not query.postcode:
        return out
    ok = (place == 1) & (found.given >= FIT_NAME) & (found.family < LAST_CUTOFF)
    if query.dob is not None:
        ok &= found.dob >= SWAPPED_DOB
    if query.age_range:
        ok &= age == 1
    weight = NO_DOB_FACTOR if query.dob is None else 1 - DOB_WEIGHT
    lift = weight * FAMILY_SHARE * np.maximum(CHANGED_FAMILY - found.family, 0.0)
    return np.where(ok, lift, 0.0)


def fitting(query: SearchQuery, found: Scored, refined: Refined) -> np.ndarray:
    """Which people fit everything given about as well as a name can: the name
    close (an exact name, a nickname, another spelling, a slip), and the date of
    birth, postcode and age range given all agreeing. Where more fit than a
    results list holds, no ranking can tell them apart: the worker is asked for
    the detail that would."""
    if query.by_identifier:
        return np.ones(len(found.rows), dtype=bool)
    fits = found.name >= (FIT_FAMILY if query.family_only else FIT_NAME)
    if query.dob is not None:
        fits &= found.dob >= SWAPPED_DOB
    if query.postcode:
        fits &= refined.place == 1
    if query.age_range:
        fits &= refined.age == 1
    return fits


@dataclass(frozen=True)
class Found:
    """A search's answer before any viewer's cut: the people listed, and the
    people rows of everyone who fits what was given (listed or not)."""

    candidates: list[Candidate]
    fit_rows: np.ndarray
    #: per candidate, the standardised (given, family) name it was found by
    #: (empty for an identifier): a viewer must see a record bearing it
    matched: list[tuple[str, str]] = field(default_factory=list)
    #: per candidate, the score it was ranked on (the one shown is capped at 1)
    ranked: list[float] = field(default_factory=list)
    #: per row of ``fit_rows``, the name variant row it fits by (-1: an
    #: identifier): a viewer's count needs a record they see bearing it
    fit_variants: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: per candidate, what reading a changed family name added to its score
    #: (``changed_name``): it rests on the postcode and date of birth agreeing
    changed: list[float] = field(default_factory=list)

    def fit_name(self, names: NameIndex, at: int, family_only: bool) -> tuple[str, str]:
        """The standardised (given, family) name ``fit_rows[at]`` fits by."""
        return variant_name(names, int(self.fit_variants[at]), family_only)


def variant_name(names: NameIndex, variant: int, family_only: bool) -> tuple[str, str]:
    """The standardised (given, family) name of a variant row ('' for -1)."""
    if variant < 0:
        return "", ""
    first = "" if family_only else names.vocab_list[names.row_first[variant]]
    return first, names.vocab_list[names.row_last[variant]]


def find(
    index: LinkedIndex, query: SearchQuery, today: date, limit: int,
    gone: Unplaced = NOTHING, dobs: DobsSeen | None = None,
) -> Found:  # fmt: skip
    """People matching ``query``, best first, at most ``limit`` (and
    MAX_RESULTS), with everyone who fits what was given; ``gone``: the places
    only a withheld address gives, not counted (``lookup.unplaced``);
    ``dobs``: which of each person's dates of birth the viewer sees
    (``_in_range``)."""
    persons = index.prepared_people
    found = (
        _by_identifier(index, query)
        if query.by_identifier
        else _by_name(index, query, gone)
    )
    refined = _refine(index, query, found, today, gone, dobs)
    keep = refined.keep & (refined.score >= (0 if query.by_identifier else MIN_SCORE))
    fits = fitting(query, found, refined) & keep
    rows, score = found.rows[keep], refined.score[keep]
    variant = found.variant[keep]
    other = index.prepared_names.row_other[np.maximum(variant, 0)] & (variant >= 0)
    order = np.lexsort((persons.name_rank[rows], -persons.n_sources[rows],
                        ~fits[keep], -(score - OTHER_NAME * other)))  # fmt: skip
    top = np.flatnonzero(keep)[order[: max(0, min(limit, MAX_RESULTS))]]
    people = (index.people.row(int(r), named=True) for r in found.rows[top])
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    how = (
        [ID_LABELS[query.id_kind or "nhs_number"]] * len(top)
        if query.by_identifier
        else explain(index, query, found.readings, found.variant[top],
                     found.reading[top], found.dob[top], refined.place[top],
                     refined.age[top])
    )  # fmt: skip
    candidates = [
        make_candidate(row, today, float(min(refined.score[i], 1.0)),
                   bool(persons.flagged[found.rows[i]]), label, services)
        for row, i, label in zip(people, top, how, strict=True)
    ]  # fmt: skip
    names = index.prepared_names
    matched = [variant_name(names, v, query.family_only)
               for v in found.variant[top].tolist()]  # fmt: skip
    ranked = refined.score[top].tolist()
    return Found(candidates, found.rows[fits], matched, ranked, found.variant[fits],
                 refined.changed[top].tolist())  # fmt: skip


def search(
    index: LinkedIndex, query: SearchQuery, today: date, limit: int
) -> list[Candidate]:
    """People matching ``query``, best first, at most ``limit`` (and MAX_RESULTS)."""
    return find(index, query, today, limit).candidates


def case_label(case_number: str, services: dict[str, str]) -> str:
    """ "housing:HP200467" as users read it: "Housing case HP200467"."""
    source, _, number = case_number.partition(":")
    return f"{services.get(source, source)} case {number}"


def make_candidate(
    row: dict,
    today: date,
    score: float,
    flagged: bool,
    matched_on: str,
    services: dict[str, str],
) -> Candidate:
    """A results card from a people row (``matched_on``: what the label says)."""
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
