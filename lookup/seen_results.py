"""A results list as one viewer sees it: made from the records they may see.

A person none of whose services the viewer may see is not listed; a person found
by an identifier only a record they may not see holds is not listed either.
Everyone else is shown as ``lookup.seen`` makes them: name, date of birth,
addresses and identifiers from records seen in full, "known to N services"
counting the services shown, case numbers only of services seen in full. A
person found by a name (a previous family name, say) that only records the
viewer may not see in full bear is not listed. How many people fit what was
given counts only people the viewer may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from lookup.disclosure import Disclosure
from lookup.family_index import record_rows
from lookup.index import LinkedIndex
from lookup.match_words import DobHow, as_own_name, with_dob
from lookup.names import variant_names
from lookup.people_rows import codes_of, people_rows, person_ids_at
from lookup.query import SearchQuery, compact_id
from lookup.scoring import DOB_SCORE, SWAPPED_DOB, ages, dob_how, dob_scores
from lookup.search import (
    DOB_WEIGHT,
    FAMILY_DOB,
    MAX_RESULTS,
    MIN_SCORE,
    Candidate,
    Found,
    case_label,
    confidence_word,
    find,
)
from lookup.seen import Ages, Seen, records_of, seen_by
from lookup.seen_age import aged, dobs_seen, inside, outside
from lookup.seen_place import place_seen, place_whole, placed, postcodes_seen
from lookup.text import age_on
from lookup.unplaced import NOTHING, Unplaced


@dataclass(frozen=True)
class SearchResult:
    """A results list as one viewer sees it, and how many people fit what was
    given (the viewer's to see); when more fit than are listed, the words
    asking for the detail that would tell them apart."""

    candidates: list[Candidate]
    fitting: int
    prompt: str = ""


def _holds(identity: dict, query: SearchQuery) -> bool:
    """Does the identity made from the records seen hold the identifier asked?"""
    wanted = query.identifier
    numbers = [n.partition(":")[2] for n in identity.get("case_numbers") or ()]
    held = [identity.get("nhs_number"), identity.get("upn"), *numbers]
    return any(h and compact_id(h) == wanted for h in held)


def _as_seen(c: Candidate, row: dict, services: dict[str, str], today: date):  # noqa: ANN202
    return replace(
        c,
        first_name=row["first_name"], last_name=row["last_name"], dob=row["dob"],
        age=age_on(row["dob"], today), address=row["address"],
        postcode=row["postcode"], nhs_number=row["nhs_number"], upn=row["upn"],
        case_numbers=tuple(case_label(n, services) for n in row["case_numbers"]),
        previous_addresses=tuple((row["addresses"] or [])[1:]),
    )  # fmt: skip


def _names_seen(
    identities: dict[str, dict], family_only: bool
) -> tuple[dict[str, set[tuple[str, str]]], set[tuple[str, str]]]:
    """Per person made again, the standardised (given, family) names the records
    seen bear; and (person id, standardised family name) of the name those
    records give each as theirs, not another name (``name_variants``'s rows, one
    person at a time: ``lookup.names.variant_names``)."""
    out: dict[str, set[tuple[str, str]]] = {}
    own: set[tuple[str, str]] = set()
    for pid, i in identities.items():
        out[pid] = set()
        rows = variant_names(i.get("first_name"), i.get("last_name"),
                             list(i.get("other_names") or []))  # fmt: skip
        for first, last, other in rows:
            out[pid].add(("" if family_only else first, last))
            if not other:
                own.add((pid, last))
    return out, own


def seen_dob_how(identity: dict, dob: date) -> DobHow:
    """How the dates of birth of the records seen (``identity``) agree with the
    date given, as ``lookup.explain`` says it of the whole person."""
    main = identity.get("dob")
    others = {date.fromisoformat(d) for d in identity.get("other_dobs") or ()}
    return dob_how(
        dob, lambda d: (main == d, d in others),
        None if main is None else (main.year, main.month, main.day),
    )  # fmt: skip


def _dated(
    c: Candidate, identity: dict, whole: float, query: SearchQuery
) -> Candidate | None:
    """The candidate scored and labelled on the dates of birth of the records
    seen, where the date given agreed better with one the viewer may not see
    (``whole``: its score over every record); None when it then no longer
    makes a result (or a family name alone no longer fits the date)."""
    how = seen_dob_how(identity, query.dob)
    seen = DOB_SCORE[how]
    if seen >= whole:  # said as the dates seen say it ("another recorded" no more)
        return replace(c, matched_on=with_dob(c.matched_on, how))
    score = c.score - DOB_WEIGHT * (whole - seen)
    if score < MIN_SCORE or (query.family_only and seen < FAMILY_DOB):
        return None
    score = round(score, 3)
    return replace(c, score=score, confidence=confidence_word(score),
                   matched_on=with_dob(c.matched_on, how))  # fmt: skip


def _codes_seen(
    index: LinkedIndex, seen: Seen, disclosure: Disclosure, ages: Ages,
    gone: Unplaced = NOTHING,
) -> dict[str, frozenset[str]]:  # fmt: skip
    """The postcodes of the records seen in full of the people made again (but
    those at an address withheld, ``gone``)."""
    full: dict[str, set[str]] = {}
    for r in seen.records:
        pid = r["person_id"]
        owner = seen.apart[pid].person_id if pid in seen.apart else pid
        if pid in seen.identity and disclosure.full(r["source"], ages.of_person(owner)):
            full.setdefault(pid, set()).add(r["source"])
    return postcodes_seen(index, full, seen.apart, gone) if full else {}


def _fits_seen(
    identity: dict, held: frozenset[str], query: SearchQuery, today: date
) -> bool:
    """Does the person made from the records seen still fit the date of birth,
    postcode and age range given (``lookup.search.fitting``)?"""
    if query.dob is not None and DOB_SCORE[seen_dob_how(identity, query.dob)] < (
        SWAPPED_DOB
    ):
        return False
    if not inside(age_on(identity.get("dob"), today), query):
        return False
    return not query.postcode or place_seen(held, query.postcode) == "full"


def _found_seen(
    identity: dict, query: SearchQuery, name: tuple[str, str], names: set
) -> bool:
    """Would the records seen (``identity``, bearing ``names``: ``_names_seen``)
    find the person: the identifier asked held by them, the name found by
    (``lookup.search.Found``) borne by them? The results list and "N people
    fit" both ask it."""
    if query.by_identifier and not _holds(identity, query):
        return False
    return not name[1] or name in names


@dataclass(frozen=True)
class Cut:
    """Some people's records cut once for a viewer (``lookup.seen.seen_by``),
    with the postcodes of the records seen in full of those made again (when a
    postcode was given): what the results list and its count are made from."""

    seen: Seen
    codes: dict[str, frozenset[str]]
    ages: Ages
    #: per person made again, the names their records seen bear
    names: dict[str, set[tuple[str, str]]]
    #: (person made again, the family name their records seen give them)
    own: set = field(default_factory=set)
    #: the places only an address withheld gives (``lookup.unplaced``)
    gone: Unplaced = NOTHING


def cut_people(
    index: LinkedIndex, rows: np.ndarray, query: SearchQuery,
    disclosure: Disclosure, today: date, gone: Unplaced = NOTHING,
) -> Cut:  # fmt: skip
    """The people at ``rows`` as the viewer sees them (``gone``: the places
    only an address withheld from them gives)."""
    ages = Ages(index, today)
    ages.know(rows[rows >= 0].tolist())  # not one search per person
    seen = seen_by(index, records_of(index, rows), disclosure, ages.of_person,
                   explain=False)  # fmt: skip
    codes = _codes_seen(index, seen, disclosure, ages, gone) if query.postcode else {}
    names, own = (
        ({}, set()) if query.by_identifier
        else _names_seen(seen.identity, query.family_only)
    )  # fmt: skip
    return Cut(seen, codes, ages, names, own, gone)


def seen_candidates(
    index: LinkedIndex,
    found: list[Candidate],
    query: SearchQuery,
    disclosure: Disclosure,
    today: date,
    matched: list[tuple[str, str]] | None = None,
    ranked: list[float] | None = None,
    cut: Cut | None = None,
    changed: list[float] | None = None,
) -> list[Candidate]:
    """``found`` cut to what ``disclosure`` lets the viewer see (order kept);
    ``matched``: the name each was found by, ``ranked``: the score each was
    ranked on before the cap at 1, ``changed``: what reading a changed family
    name added to it (``lookup.search.Found``); ``cut``: these people (and
    maybe more) already cut (``cut_people``)."""
    rows = people_rows(index, [c.person_id for c in found])
    cut = cut or cut_people(index, rows, query, disclosure, today)
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    kept = []
    by_name = matched or [("", "")] * len(found)
    lifts = changed or [0.0] * len(found)
    for i, (c, name) in enumerate(zip(found, by_name, strict=True)):
        kept += [
            made for pid in (c.person_id, *cut.seen.apart_of(c.person_id))
            if (made := _seen_candidate(replace(c, person_id=pid), i, name, cut,
                                        query, services, ranked, rows,
                                        index, today, lifts[i])) is not None
        ]  # fmt: skip
    # ranked on what the viewer may see: a score lowered above moves down
    return sorted(kept, key=lambda c: -c.score)


def _seen_candidate(
    c: Candidate, i: int, name: tuple[str, str], cut: Cut, query: SearchQuery,
    services: dict[str, str], ranked: list[float] | None, rows: np.ndarray,
    index: LinkedIndex, today: date, changed: float = 0.0,
) -> Candidate | None:  # fmt: skip
    """``c`` (the ``i``-th found, by ``name``; its id that of the person or of
    one their records set aside make, ``lookup.disclosure_links``; ``changed``
    added to its score for a changed family name) as the viewer sees it, or
    None when the records they see do not find it."""
    seen, codes = cut.seen, cut.codes
    shown = seen.sources.get(c.person_id, frozenset())
    identity = seen.identity.get(c.person_id)
    if not shown or (
        identity is not None
        and not _found_seen(identity, query, name, cut.names.get(c.person_id, set()))
    ):
        return None
    if identity is not None and name[1] and (c.person_id, name[1]) in cut.own:
        c = replace(c, matched_on=as_own_name(c.matched_on))
    if identity is not None and ranked:
        # what a hidden record gave comes off the score ranked on, not the cap
        c = replace(c, score=ranked[i])
    if identity is not None and changed:
        c = _unchanged(c, changed, identity, codes.get(c.person_id, frozenset()),
                       query, today)  # fmt: skip
        if c is None:
            return None
    if identity is not None and query.dob is not None:
        whole = float(dob_scores(index.prepared_people, rows[i : i + 1],
                                 query.dob)[0])  # fmt: skip
        c = _dated(c, identity, whole, query)
        if c is None:
            return None
    if identity is not None and query.postcode:
        held = codes.get(c.person_id, frozenset())
        whole = place_whole(index, int(rows[i]), query.postcode, cut.gone)
        c = placed(c, whole, place_seen(held, query.postcode), query)
        if c is None:
            return None
    if identity is None and outside(index, int(rows[i]), query, today):
        return None  # kept for an age hidden from the viewer, who sees it whole
    if identity is not None:
        c = aged(c, index, int(rows[i]), identity, query, today)
        if c is None:
            return None
        score = round(min(c.score, 1.0), 3)
        c = replace(_as_seen(c, identity, services, today), score=score,
                    confidence=confidence_word(score))  # fmt: skip
    return replace(c, n_services=len(shown), possible_match=seen.flagged(c.person_id))


def _unchanged(
    c: Candidate, changed: float, identity: dict, held: frozenset[str],
    query: SearchQuery, today: date,
) -> Candidate | None:  # fmt: skip
    """``c`` without what reading a changed family name added to its score
    (``lookup.search.changed_name``) unless the records seen (``identity``,
    their postcodes ``held``) still put the person at the postcode given with
    the date of birth and age given; None when it then no longer makes a
    result."""
    if _fits_seen(identity, held, query, today):
        return c
    score = c.score - changed  # rounded once, with the rest, by the caller
    return None if score < MIN_SCORE else replace(c, score=score)


def _by_record(
    index: LinkedIndex, rows: np.ndarray, today: date,
    test: Callable[[str, int | None], bool],
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """For each record of the people at ``rows``: whose it is (a position in
    ``rows``) and ``test(source, age)``. (Column-wide: a common name may fit
    thousands.)"""
    bounds = index.prepared_families.record_bounds[rows]
    records = record_rows(index.prepared_families, rows)
    owner = np.repeat(np.arange(len(rows)), bounds[:, 1] - bounds[:, 0])
    codes, names = codes_of(index, "records.source", index.records["source"])
    source = [names[c] for c in codes[records].tolist()]
    age = ages(index.prepared_people, rows, today)[owner]
    passed = np.fromiter(
        (test(s, None if a < 0 else int(a))
         for s, a in zip(source, age.tolist(), strict=True)),
        dtype=bool, count=len(source),
    )  # fmt: skip
    return owner, passed


def visible_rows(
    index: LinkedIndex, rows: np.ndarray, disclosure: Disclosure, today: date
) -> np.ndarray:
    """For each people row: may the viewer see any of the person's services?"""
    owner, shown = _by_record(index, rows, today, disclosure.shown)
    out = np.zeros(len(rows), dtype=bool)
    np.logical_or.at(out, owner[shown], True)
    return out


def narrowing_prompt(query: SearchQuery, fitting: int, listed: int) -> str:
    """What the page asks for when more people fit than it lists ('' if not)."""
    if fitting <= listed:
        return ""
    missing = [
        word
        for word, given in (
            ("the first name", bool(query.first)),
            ("the date of birth", query.dob is not None),
            ("the postcode", bool(query.postcode)),
            ("an age range", query.dob is not None or query.age_range),
        )
        if not given
    ]  # fmt: skip
    ask = (
        ", ".join(missing[:-1])
        + (" or " if len(missing) > 1 else "")
        + (missing[-1] if missing else "")
    )
    ids = "an NHS number, UPN or case number"
    detail = f"Add {ask}, or search by {ids}," if missing else f"Search by {ids}"
    shown = "only the best match is" if listed == 1 else f"only the best {listed} are"
    return (
        f"{fitting} people fit what you gave; {shown} listed. "
        f"{detail} to tell them apart."
    )


def seen_search(
    index: LinkedIndex,
    query: SearchQuery,
    today: date,
    limit: int,
    disclosure: Disclosure,
    gone: Unplaced = NOTHING,
) -> SearchResult:
    """Search, cut to what ``disclosure`` lets the viewer see, with how many
    people the viewer may see fit what was given (the people listed and those
    the count must look at cut once); ``gone``: the places only an address
    withheld from the viewer gives, scored and counted as not recorded."""
    ranged = query.age_range
    dobs = dobs_seen(index, disclosure) if ranged else None
    found = find(index, query, today, limit, gone, dobs)
    listed_rows = people_rows(index, [c.person_id for c in found.candidates]).tolist()
    checked = _to_check(index, found.fit_rows, disclosure, today)
    rows = np.unique(np.array([*listed_rows, *checked[0].tolist()], dtype=np.int64))
    cut = cut_people(index, rows, query, disclosure, today, gone)
    listed = seen_candidates(index, found.candidates, query, disclosure, today,
                             found.matched, found.ranked, cut,
                             found.changed)  # fmt: skip
    fitting = _fitting(index, found, query, checked, cut, today)
    cap = max(0, min(limit, MAX_RESULTS))
    return SearchResult(listed, fitting, narrowing_prompt(query, fitting, cap))


def _to_check(
    index: LinkedIndex, fit: np.ndarray, disclosure: Disclosure, today: date
) -> tuple[np.ndarray, np.ndarray]:
    """(the people of ``fit`` the viewer may see with a record not seen in
    full: only they can fit through what the viewer may not see, their
    positions in ``fit``), and per row of ``fit`` whether it is visible."""
    if not len(fit):
        return fit, np.zeros(0, dtype=bool)
    visible = visible_rows(index, fit, disclosure, today)
    owner, whole = _by_record(index, fit, today, disclosure.full)
    partly = np.zeros(len(fit), dtype=bool)
    np.logical_or.at(partly, owner[~whole], True)
    return fit[visible & partly], visible


def fitting_count(
    index: LinkedIndex,
    found: Found,
    disclosure: Disclosure,
    today: date,
    query: SearchQuery | None = None,
    cut: Cut | None = None,
) -> int:
    """How many of the people who fit what was given the viewer may see, and
    still fit it (``query``) on the records they may see: the name fitted by
    borne by one of them, the identifier held, the date of birth and postcode
    agreeing, as for the results list (``cut``: these people already cut)."""
    checked = _to_check(index, found.fit_rows, disclosure, today)
    if query is None or not len(checked[0]):
        return int(checked[1].sum())
    cut = cut or cut_people(index, checked[0], query, disclosure, today)
    return _fitting(index, found, query, checked, cut, today)


def _fitting(
    index: LinkedIndex, found: Found, query: SearchQuery,
    checked: tuple[np.ndarray, np.ndarray], cut: Cut, today: date,
) -> int:  # fmt: skip
    """``fitting_count`` with the people to check (``_to_check``) and cut."""
    fit, (rows, visible) = found.fit_rows, checked
    if not len(rows):
        return int(visible.sum())
    at = np.flatnonzero(np.isin(fit, rows))
    seen, names = cut.seen, index.prepared_names
    ids = person_ids_at(index, fit[at].tolist())
    still = 0
    for person, i in zip(ids, at.tolist(), strict=True):
        name = found.fit_name(names, i, query.family_only)
        for pid in (person, *seen.apart_of(person)):  # each made of them apart
            if not seen.sources.get(pid):
                continue
            identity = seen.identity.get(pid)
            still += identity is None or (
                _found_seen(identity, query, name, cut.names.get(pid, set()))
                and _fits_seen(identity, cut.codes.get(pid, frozenset()), query, today)
            )
    return int(visible.sum()) - len(at) + still
