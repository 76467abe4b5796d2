"""What matched, in words: the label a result card shows beside its confidence.

"Likely match" alone reads the same for an exact name and for "Charlie" found
as Christopher; the worker needs to know which part agreed and how, so they
know what to check: "exact name and date of birth", "nickname of the first
name; family name", "previous or other family name; date of birth with day and
month swapped", "first name; previous surname" (a record says so). Each part
is classified once per listed person (a handful), from the name variant that
scored best and the person's recorded dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import OSA, JaroWinkler

FirstHow = Literal["", "exact", "nickname", "short", "initial", "spelling", "differs"]
LastHow = Literal["exact", "spelling", "part", "close", "differs"]
DobHow = Literal["", "exact", "other", "swapped", "one_part", "unknown", "differs"]
PlaceHow = Literal["", "full", "district"]
AgeHow = Literal["", "inside", "unknown"]

_FIRST = {
    "exact": "first name",
    "nickname": "nickname of the first name",
    "short": "shortened first name",
    "initial": "first initial",
    "spelling": "first name spelt differently",
    "differs": "a different first name",
}
#: Below this Jaro-Winkler similarity (the search's own first-name cut-off) and
#: more than two edits apart, a first name is not a spelling of the one typed but
#: another name: a person found by family name with an agreeing date of birth or
#: postcode ("Will" finding Olivia, "Amy" finding Emma; "Omar" for Umir is two
#: slips, a spelling).
SPELLING_FLOOR = 0.7
SPELLING_EDITS = 2
_LAST = {
    "exact": "family name",
    "spelling": "another spelling of the family name",
    "part": "one part of the family name",
    "close": "family name spelt differently",
    "differs": "another family name",
}
_DOB = {
    "exact": "date of birth",
    "other": "another recorded date of birth",
    "swapped": "date of birth with day and month swapped",
    "one_part": "date of birth with one of day, month or year different",
    "unknown": "no date of birth recorded",
    "differs": "a different date of birth",
}
#: The postcode part of a label (said only on records not at a protected
#: address: ``lookup.unplaced``).
POSTCODE_WORDS = {"full": "postcode", "district": "postcode district"}
_AGE = {"inside": "age inside the range given", "unknown": "age not recorded"}
#: Said when the name matched is one the person was recorded by before or besides.
PREVIOUS_LAST = "previous or other family name"
#: Said when a record states that the family name matched was the person's before.
STATED_PREVIOUS = "previous surname"
OTHER_FIRST = "another first name on record"
TURNED = "first and family names the other way round"


@dataclass(frozen=True)
class Matched:
    """How each part of a query agreed with one person."""

    last: LastHow
    first: FirstHow = ""  # "" when no first name was given
    previous_last: bool = False  # matched on another family name of theirs
    stated_previous: bool = False  # one a record states was theirs before
    other_first: bool = False  # matched on another first name of theirs
    turned: bool = False  # the boxes read the other way round
    dob: DobHow = ""
    place: PlaceHow = ""
    age: AgeHow = ""


def _name_words(m: Matched) -> list[str]:
    exact = m.first == "exact" and m.last == "exact"
    if exact and not (m.previous_last or m.other_first):
        words = ["exact name"]
    else:
        first = OTHER_FIRST if m.other_first else _FIRST.get(m.first, "")
        other = m.last == "differs"  # not the family name given at all
        last = (
            _LAST[m.last]
            if other
            else STATED_PREVIOUS
            if m.stated_previous
            else PREVIOUS_LAST
            if m.previous_last
            else _LAST[m.last]
        )
        if m.previous_last and m.last != "exact" and not other:
            last += f" ({_LAST[m.last]})"
        words = [w for w in (first, last) if w]
    return [TURNED, *words] if m.turned else words


def match_label(m: Matched) -> str:
    """ "exact name and date of birth", "nickname of the first name; family name;
    date of birth with day and month swapped; postcode" …"""
    words = _name_words(m)
    dob = _DOB.get(m.dob, "")
    if dob and words == ["exact name"] and m.dob == "exact":
        words = ["exact name and date of birth"]
    elif dob:
        words.append(dob)
    words += [w for w in (POSTCODE_WORDS.get(m.place), _AGE.get(m.age)) if w]
    return "; ".join(words)


def without_place(label: str) -> str:
    """The label with its postcode part taken out (a protected address)."""
    parts = [p for p in label.split("; ") if p not in POSTCODE_WORDS.values()]
    return "; ".join(parts)


def with_place(label: str, place: PlaceHow) -> str:
    """The label saying ``place`` of the postcode in place of what it said (the
    postcodes a viewer may see: ``lookup.seen_place``)."""
    parts = without_place(label).split("; ")
    word = POSTCODE_WORDS.get(place)
    if word:
        ages = [i for i, p in enumerate(parts) if p in _AGE.values()]
        parts.insert(ages[0] if ages else len(parts), word)
    return "; ".join(p for p in parts if p)


def with_age(label: str, age: AgeHow) -> str:
    """The label saying ``age`` of the age range given in place of what it said
    (the dates of birth a viewer may see: ``lookup.seen_age``)."""
    parts = [p for p in label.split("; ") if p not in _AGE.values()]
    return "; ".join([*parts, *([_AGE[age]] if age else [])])


def first_how(typed: str, recorded: str, typed_canons: set[str],
              recorded_canons: set[str]) -> FirstHow:  # fmt: skip
    """How a recorded first name agrees with the typed one (both standardised;
    canons: each name's nickname groups, itself included)."""
    if not typed:
        return ""
    if typed == recorded:
        return "exact"
    if typed_canons & recorded_canons:
        return "nickname"
    short, long_ = sorted((typed, recorded), key=len)
    if len(short) >= 3 and long_.startswith(short):
        return "short"
    if len(short) == 1 and long_.startswith(short):
        return "initial"
    if (
        JaroWinkler.similarity(typed, recorded) < SPELLING_FLOOR
        and OSA.distance(typed, recorded, score_cutoff=SPELLING_EDITS + 1)
        > SPELLING_EDITS
    ):
        return "differs"
    return "spelling"


def as_own_name(label: str) -> str:
    """The label of a person found by a family name that, to the viewer, is
    their own (one the records they see give as the name, ``lookup.
    seen_results``) saying it as their family name, not as another name."""
    others = {STATED_PREVIOUS: _LAST["exact"], PREVIOUS_LAST: _LAST["exact"]}
    others |= {f"{word} ({how})": how for word in (STATED_PREVIOUS, PREVIOUS_LAST)
               for how in _LAST.values()}  # fmt: skip
    parts = [others.get(p, p) for p in label.split("; ")]
    if parts[:2] == [_FIRST["exact"], _LAST["exact"]]:
        whole = "exact name"
        if len(parts) > 2 and parts[2] == _DOB["exact"]:
            whole, parts = "exact name and date of birth", parts[1:]
        parts = [whole, *parts[2:]]
    return "; ".join(parts)


def with_dob(label: str, dob: DobHow) -> str:
    """The label saying ``dob`` of the date of birth in place of what it said
    (the dates a viewer may see, when the one matched is on a record they may
    not: ``lookup.seen_results``)."""
    parts = ["exact name" if p == "exact name and date of birth" else p
             for p in label.split("; ") if p not in _DOB.values()]  # fmt: skip
    extras = (*POSTCODE_WORDS.values(), *_AGE.values())
    tail = [p for p in parts if p in extras]
    head = [p for p in parts if p not in extras]
    if head == ["exact name"] and dob == "exact":
        head = ["exact name and date of birth"]
    elif _DOB.get(dob):
        head.append(_DOB[dob])
    return "; ".join(head + tail)
