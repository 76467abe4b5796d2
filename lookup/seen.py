"""The records of a handful of people as one viewer sees them, for every output.

``seen_by`` cuts the records once by a ``Disclosure``: which records may show a
service, who each person is as far as those records say (``lookup.identity``),
why their records were joined (evidence of records seen in full only), and
whether a "possible match" warning rests on someone the viewer may see. The
family view and the results list are both made from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import polars as pl

from linkage.links import MIN_RECORDS
from lookup.disclosure import Disclosure
from lookup.disclosure_links import (
    Apart,
    Split,
    apart_owner,
    split_people,
    stored_links,
)
from lookup.evidence import RecordEvidence, family_evidence
from lookup.evidence_rows import evidence_of
from lookup.family_index import record_rows
from lookup.identity import seen_identities
from lookup.index import LinkedIndex
from lookup.people_rows import people_row, person_ids_at
from lookup.per_index import per_index
from lookup.text import age_on


def records_of(index: LinkedIndex, rows: np.ndarray) -> list[dict]:
    """The records of the people at ``rows``, as dicts (a family's handful)."""
    found = record_rows(index.prepared_families, rows)
    records = index.records
    names = records.columns  # (``row(named=True)`` names each row again)
    return [dict(zip(names, records.row(r), strict=True)) for r in found.tolist()]


class Ages:
    """Each person's age today from the people table's date of birth: what the
    age rules are applied to."""

    def __init__(self, index: LinkedIndex, today: date) -> None:
        self._index, self._today = index, today
        self._dob = index.people["dob"]
        self._known: dict[str, int | None] = {}

    def __call__(self, row: int) -> int | None:
        """Age of the person at people row ``row``."""
        return age_on(self._dob[row], self._today) if row >= 0 else None

    def know(self, rows: Iterable[int]) -> None:
        """Remember the ages of the people at ``rows`` (a family, looked up once)."""
        rows = list(rows)
        ids = person_ids_at(self._index, rows)
        self._known.update(zip(ids, (self(r) for r in rows), strict=True))

    def alias(self, apart: dict[str, Apart]) -> None:
        """Give the people records set aside make (``lookup.disclosure_links``)
        the age of the person they belong to: the age their cut was made by."""
        for aid, a in apart.items():
            self._known[aid] = self.of_person(a.person_id)

    def of_person(self, person_id: str) -> int | None:
        """Age of the person with this id (None when unknown)."""
        if person_id not in self._known:
            row = people_row(self._index, person_id)
            self._known[person_id] = self(row)
        return self._known[person_id]


@dataclass(frozen=True)
class Seen:
    """What the viewer may draw on for these people."""

    shown_records: list[dict]  # records of the services shown (full or contact)
    identity: dict[str, dict]  # people rows made again for people with records cut
    evidence: dict[str, tuple[RecordEvidence, ...]]
    flagged_ids: frozenset[str]
    sources: dict[str, frozenset[str]]  # person id -> services shown for them
    #: the records the viewer sees as these people's (``lookup.disclosure_links``
    #: sets aside those joined only through a record they may not see, and
    #: gives those the id of the person they are to the viewer)
    records: list[dict] = field(default_factory=list)
    #: the people records set aside are to the viewer, by id
    apart: dict[str, Apart] = field(default_factory=dict)

    def apart_of(self, person_id: str) -> list[str]:
        """The ids of the people this person's records set aside make."""
        return [aid for aid, a in self.apart.items() if a.person_id == person_id]

    def flagged(self, person_id: str) -> bool:
        """Show "possible match"? Only when the viewer sees the other person's
        records in full (the pair rests on what those records say)."""
        return person_id in self.flagged_ids


def _evidence_rows(
    index: LinkedIndex, people: list[str], apart: dict[str, Apart]
) -> pl.DataFrame:
    """The evidence rows of ``people``, those of people made of records set
    aside taken from the person they belong to (their own records only)."""
    own = [p for p in people if p not in apart]
    owners = [apart[p].person_id for p in people if p in apart]
    rows = evidence_of(index, sorted({*own, *owners}))
    if not owners or rows.is_empty():
        return rows
    made = [rows]
    for aid in (p for p in people if p in apart):
        a = apart[aid]
        keys = pl.DataFrame(
            sorted(a.keys), schema={"source": pl.Utf8, "record_id": pl.Utf8},
            orient="row",
        )  # fmt: skip
        theirs = rows.filter(pl.col("person_id").cast(pl.Utf8) == a.person_id)
        theirs = theirs.join(
            keys,
            left_on=[pl.col("source").cast(pl.Utf8), pl.col("record_id").cast(pl.Utf8)],
            right_on=["source", "record_id"], how="semi",
        )  # fmt: skip
        made.append(theirs.with_columns(
            pl.lit(aid).cast(rows.schema["person_id"]).alias("person_id")
        ))  # fmt: skip
    return pl.concat(made)


def _evidence(
    index: LinkedIndex,
    full: dict[str, set[str]],
    seen: dict[str, int],
    partly: list[str],
    apart: dict[str, Apart] | None = None,
) -> dict[str, tuple[RecordEvidence, ...]]:
    """Evidence of the records seen in full, each from its strongest link to
    another record seen in full (``partly``: the people with a record not seen
    in full, whose stored links are read); a person of whom one record is seen
    (``seen``: records seen in full per person) has nothing joined as far as the
    viewer can tell."""
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    apart = apart or {}
    links = stored_links(index, [p for p in partly if p not in apart])
    links |= {p: apart[p].links for p in partly if p in apart}
    rows = _evidence_rows(index, list(full), apart)
    found = family_evidence(rows, full, services, links)
    out = {}
    for pid, records in found.items():
        if len(records) == 1 and seen.get(pid, 0) <= 1:
            records = [replace(records[0], probability=None, fields=(), unseen=False)]
        out[pid] = tuple(records)
    return out


def _partners(index: LinkedIndex) -> dict[str, tuple[str, ...]]:
    """Each person in a possible match, and the people they might be (worked
    out once per index: a request asks about a few dozen people)."""

    def make() -> dict[str, tuple[str, ...]]:
        pm = index.possible_matches
        if pm.is_empty():
            return {}
        pairs = pm.select(pl.col("person_a", "person_b").cast(pl.Utf8)).iter_rows()
        out: dict[str, list[str]] = {}
        for a, b in pairs:
            if a is None or b is None:  # half a pair is nobody to show
                continue
            out.setdefault(a, []).append(b)
            out.setdefault(b, []).append(a)
        return {p: tuple(o) for p, o in out.items()}

    return per_index(index, "possible_match_partners", make)


def _flagged(
    index: LinkedIndex, people: Iterable[str], shows: Callable[[str], bool]
) -> frozenset[str]:
    """Those of ``people`` in a possible match with someone ``shows`` holds."""
    partners = _partners(index)
    return frozenset(
        mine for mine in set(people)
        if any(shows(other) for other in partners.get(mine, ()))
    )  # fmt: skip


def _any_full(
    index: LinkedIndex, disclosure: Disclosure, ages: Callable[[str], int | None]
) -> Callable[[str], bool]:
    def full(person_id: str) -> bool:
        row = people_row(index, person_id)
        if row < 0:
            return False
        age = ages(person_id)
        return any(
            disclosure.full(r["source"], age)
            for r in records_of(index, np.array([row]))
        )

    return full


def _shown_sources(
    levels: dict[str, dict[str, str]], shown: list[dict]
) -> dict[str, frozenset[str]]:
    """Per person, the services shown: their sources with a record shown."""
    out: dict[str, set[str]] = {p: set() for p in levels}
    for r in shown:
        out[r["person_id"]].add(r["source"])
    return {p: frozenset(s) for p, s in out.items()}


def aside_for(
    index: LinkedIndex,
    records: list[dict],
    disclosure: Disclosure,
    ages: Callable[[str], int | None],
) -> Split:
    """The (person, source) of these people's records (``records``, every
    source) the viewer does not see as theirs: joined to the rest only through a
    record they may not see (``lookup.disclosure_links``); and the people those
    records are to the viewer."""
    age = {pid: ages(pid) for pid in {r["person_id"] for r in records}}
    return split_people(
        index, records,
        lambda pid, source: disclosure.shown(source, age[pid]),
        lambda pid, source: disclosure.full(source, age[pid]),
    )  # fmt: skip


def _relabelled(records: list[dict], found: Split) -> list[dict]:
    """``records`` with those set aside given the id of the person they are to
    the viewer (``Apart``)."""
    if not found.aside:
        return records
    owner = {(a.person_id, at): aid for aid, a in found.apart.items()
             for at in a.positions}  # fmt: skip
    out, held = [], {}
    for r in records:  # each person's records in (source, record_id) order
        pid = r["person_id"]
        at = held[pid] = held.get(pid, -1) + 1
        if (pid, r["source"]) not in found.aside:
            out.append(r)
        elif (pid, at) in owner:
            out.append({**r, "person_id": owner[pid, at]})
    return out


def seen_by(
    index: LinkedIndex,
    records: list[dict],
    disclosure: Disclosure,
    ages: Callable[[str], int | None],
    aside: Split | None = None,
    explain: bool = True,
) -> Seen:
    """Cut the records of some people (``records``, every source) once;
    ``aside``: ``aside_for`` these records, when already worked out;
    ``explain``: say why their records were linked (a results list need not)."""
    if aside is None:
        aside = aside_for(index, records, disclosure, ages)
    apart = aside.apart
    split = {key[0] for key in aside.aside} | set(apart)
    held: dict[str, int] = {}
    for r in records:
        held[r["person_id"]] = held.get(r["person_id"], 0) + 1
    for aid, a in apart.items():
        held[aid] = held.get(a.person_id, 0)
    records = _relabelled(records, aside)
    levels: dict[str, dict[str, str]] = {}

    def owner_age(pid: str) -> int | None:
        return ages(apart[pid].person_id if pid in apart else pid)

    age = {pid: owner_age(pid) for pid in {r["person_id"] for r in records}}
    for r in records:
        pid = r["person_id"]
        levels.setdefault(pid, {})[r["source"]] = disclosure.level(
            r["source"], age[pid]
        )
    full = {p: {s for s, lv in by.items() if lv == "full"} for p, by in levels.items()}
    cut = {
        p: (frozenset(full[p]),
            frozenset(s for s, lv in by.items() if lv == "contact_only"))
        for p, by in levels.items()
        if p in split or any(lv != "full" for lv in by.values())
    }  # fmt: skip
    shown = [
        r for r in records
        if disclosure.record_level(r["source"], age[r["person_id"]], r.get("role"))
        != "hidden"
    ]  # fmt: skip
    in_full: dict[str, int] = {}
    for r in records:
        if levels[r["person_id"]][r["source"]] == "full":
            in_full[r["person_id"]] = in_full.get(r["person_id"], 0) + 1
    flagged = _flagged(index, levels, _any_full(index, disclosure, ages))
    partly = [p for p in cut if held[p] >= MIN_RECORDS and in_full.get(p, 0) > 1]
    evidence = _evidence(index, full, in_full, partly, apart) if explain else {}
    return Seen(
        shown_records=shown,
        identity=seen_identities(index, cut, apart),
        evidence=evidence,
        flagged_ids=flagged,
        sources=_shown_sources(levels, shown),
        records=records,
        apart=apart,
    )


def owner_of(index: LinkedIndex, person_id: str) -> str:
    """The person of the build behind an id: itself, or the person whose
    records set aside for some viewer make it (``lookup.disclosure_links``)."""
    if people_row(index, person_id) >= 0:
        return person_id
    return apart_owner(index, person_id) or person_id


def seen_records(
    index: LinkedIndex, person_id: str, disclosure: Disclosure, today: date
) -> Seen | None:
    """One person (or one the records set aside for this viewer make) cut for
    this viewer (None if not in the build)."""
    row = people_row(index, owner_of(index, person_id))
    if row < 0:
        return None
    records = records_of(index, np.array([row]))
    return seen_by(index, records, disclosure, Ages(index, today).of_person)
