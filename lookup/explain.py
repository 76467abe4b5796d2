"""Say what matched for each person listed: the name variant that scored best,
read against the typed names, and the person's recorded dates of birth.

Only the listed handful are explained, one by one; the scoring itself stays
column-wide (``lookup.search``).
"""

from __future__ import annotations

from datetime import date

import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler

from lookup.index import LinkedIndex
from lookup.match_words import (
    DobHow,
    FirstHow,
    LastHow,
    Matched,
    first_how,
    match_label,
)
from lookup.prepared import NO_DAY, NameIndex, PersonIndex, day_number, other_dob_hits
from lookup.query import SearchQuery
from lookup.scoring import LAST_CUTOFF, SLIP, dob_how

#: Similarity from which another recorded family name is read as a spelling of
#: the one shown rather than another name (a previous one, say).
SAME_NAME = 0.85

_PLACE = {1: "full", 2: "district"}
_AGE = {1: "inside", 2: "unknown"}


def _dob_how(persons: PersonIndex, row: int, dob: date | None) -> DobHow:
    """How the person's recorded dates of birth agree with the date given."""
    if dob is None:
        return ""
    rows = np.array([row])

    def held(value: date) -> tuple[bool, bool]:
        day = day_number(value)
        return bool(persons.dob_day[row] == day), bool(
            other_dob_hits(persons, rows, day)[0]
        )

    main = (int(persons.year[row]), int(persons.month[row]), int(persons.day[row]))
    return dob_how(dob, held, None if persons.dob_day[row] == NO_DAY else main)


def _display(names: NameIndex, person: int) -> tuple[int, set[int], set[int]]:
    """(given-name code, family-name code, codes of its parts) of the display name."""
    span = np.arange(names.person_offsets[person], names.person_offsets[person + 1])
    shown = span[~names.row_other[span]]
    whole = shown[~names.row_part[shown]]
    first = int(names.row_first[whole[0]]) if len(whole) else -1
    parts = shown[names.row_part[shown]]
    return (
        first,
        {int(c) for c in names.row_last[whole]},
        {int(c) for c in names.row_last[parts]},
    )


def _last_how(names: NameIndex, reading, variant: int) -> LastHow:  # noqa: ANN001
    code = int(names.row_last[variant])
    recorded = names.vocab_list[code]
    if names.row_part[variant] or (reading.parts and recorded in reading.parts):
        return "part"
    if recorded == reading.last:
        return "exact"
    group = names.surname_groups.get(reading.last)
    if group is not None and code in set(group.tolist()):
        return "spelling"
    # found by the given name with a shared date of birth or address
    return "close" if reading.family[code] >= LAST_CUTOFF else "differs"


def _other_last(names: NameIndex, reading, variant: int,  # noqa: ANN001
                display: tuple[set[int], set[int]],
                last: LastHow) -> tuple[bool, LastHow]:  # fmt: skip
    """(a previous or other family name?, how the typed one agrees) for a match
    on another name of the person's: the family name shown or one part of it,
    or a spelling of it (a record's slip, 'Foser' for Foster), is said of the
    name shown, not as another family name."""
    code = int(names.row_last[variant])
    whole, parts = display
    shown = whole | parts
    if code in whole:
        return False, last
    if code in parts:
        return False, "part"
    recorded = names.vocab_list[code]
    spellings = [names.vocab_list[c] for c in shown]
    if max(_likeness(recorded, spellings), default=0.0) < SAME_NAME:
        return True, last
    typed = reading.last
    group = set(names.surname_groups.get(typed, np.zeros(0)).tolist())
    if typed in spellings:
        return False, "exact"
    return False, "spelling" if shown & group else "close"


def _likeness(name: str, others: list[str]) -> list[float]:
    """Similarity of ``name`` to each of ``others``, a keyboard slip at least SLIP."""
    jw = [JaroWinkler.similarity(name, o) for o in others]
    slips = [SLIP if OSA.distance(name, o) <= 1 else 0.0 for o in others]
    return [max(a, b) for a, b in zip(jw, slips, strict=True)]


def _first_how(names: NameIndex, reading, variant: int,  # noqa: ANN001
               code: int = -1) -> FirstHow:  # fmt: skip
    """How the typed first name agrees with the variant's (or vocabulary ``code``)."""
    code = code if code >= 0 else int(names.row_first[variant])
    recorded = names.vocab_list[code]
    typed_canons = set(reading.canons) or {reading.first}
    recorded_canons = {recorded, *names.nick_canons.get(recorded, ())}
    return first_how(reading.first, recorded, typed_canons, recorded_canons)


def explain(
    index: LinkedIndex,
    query: SearchQuery,
    readings: tuple,
    variants: np.ndarray,
    reading_of: np.ndarray,
    dob: np.ndarray,
    place: np.ndarray,
    age: np.ndarray,
) -> list[str]:
    """One label per listed person (``lookup.match_words.match_label``)."""
    names, persons = index.prepared_names, index.prepared_people
    out = []
    for i, variant in enumerate(variants.tolist()):
        reading = readings[int(reading_of[i])]
        person = int(names.row_person[variant])
        first = "" if query.family_only else _first_how(names, reading, variant)
        other_first = previous_last = stated = False
        last = _last_how(names, reading, variant)
        if names.row_other[variant]:
            shown_first, *shown_last = _display(names, person)
            # a family name a record states was theirs is said as such, however
            # like the one shown it is; another record's name may be a spelling
            stated = bool(names.row_previous[variant]) and (
                int(names.row_last[variant]) not in set().union(*shown_last)
            )
            previous_last, last = (
                (True, last)
                if stated
                else _other_last(names, reading, variant, tuple(shown_last), last)
            )
            if first and shown_first >= 0 and shown_first != names.row_first[variant]:
                # said of the name shown on the card when that agrees ('Rob' for
                # Robert), else it is a first name only another record gave
                first = _first_how(names, reading, -1, shown_first)
                other_first = first in ("spelling", "differs")
        matched = Matched(
            last=last,
            first=first,
            previous_last=previous_last,
            stated_previous=stated,
            other_first=other_first,
            turned=reading.turned,
            dob=_dob_how(persons, person, query.dob) if dob[i] >= 0 else "",
            place=_PLACE.get(int(place[i]), ""),
            age=_AGE.get(int(age[i]), ""),
        )
        out.append(match_label(matched))
    return out
