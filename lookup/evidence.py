"""Why a person's records were joined, in plain words, from ``record_evidence``.

Each record carries its strongest link inside its person: the probability and,
per field, the level of agreement and its weight (log2 of how much more likely
that agreement is for the same person than for two different people). For a
viewer who may not see all of a person's records, that link may go to a record
they may not see: each record then shows its strongest link to another record
they see, from every accepted link's evidence (``record_links``), and a record
joined to those only through records they may not see says just that
(``RecordEvidence.unseen``), naming no service, record or field.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from lookup.disclosure_links import StoredLinks

FIELD_NAMES: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "dob": "Date of birth",
    "address": "Address",
    "sex": "Sex",
    "nhs_number": "NHS number",
    "upn": "UPN",
    "case_number": "Case number",
}

#: (lowest weight, words) from strongest for to strongest against.
_WEIGHT_WORDS = (
    (8.0, "counted strongly for"),
    (3.0, "counted for"),
    (0.01, "counted a little for"),
    (-0.01, "made no difference to"),
    (-3.0, "counted a little against"),
)


@dataclass(frozen=True)
class FieldEvidence:
    """One field of a record's link: how it agreed and how much it counted."""

    field: str  # plain name, "Date of birth"
    level: str  # "exact", "day and month swapped"
    weight: float
    words: str  # "counted strongly for"


@dataclass(frozen=True)
class RecordEvidence:
    """One record of a person and why it was joined to the others."""

    person_id: str
    source: str
    service: str
    record_id: str
    probability: float | None  # None: nothing to join (the person's only record)
    fields: tuple[FieldEvidence, ...]
    #: joined to the records the viewer sees only through records they may not
    #: see (probability None, no fields)
    unseen: bool = False


#: What a record joined only through records the viewer may not see says.
THROUGH_UNSEEN = "Linked through records you cannot see"


def weight_words(weight: float) -> str:
    """'counted strongly for' … 'counted against' the link."""
    for lowest, words in _WEIGHT_WORDS:
        if weight >= lowest:
            return words
    return "counted against"


def _fields(explanation: str | list | None) -> tuple[FieldEvidence, ...]:
    items = explanation
    if not isinstance(items, list):
        items = json.loads(items or "[]")
    return tuple(
        FieldEvidence(
            field=FIELD_NAMES.get(i["field"], i["field"].replace("_", " ")),
            level=str(i["level"]),
            weight=float(i["weight"]),
            words=weight_words(float(i["weight"])),
        )
        for i in items
    )


def _best_seen(
    keys: list[tuple[str, str]], stored: StoredLinks, shown: Collection[str]
) -> dict[tuple[str, str], dict]:
    """(source, record id) → the evidence of its strongest link to another
    record of a source in ``shown``; ``keys``: every record of the person in
    (source, record_id) order (the positions the links number)."""
    best: dict[tuple[str, str], dict] = {}
    allowed = set(shown)
    for (a, b), why in zip(stored.links, stored.evidence or (), strict=True):
        if max(a, b) >= len(keys) or not {keys[a][0], keys[b][0]} <= allowed:
            continue
        for end in (keys[a], keys[b]):
            if end not in best or why["p"] > best[end]["p"]:
                best[end] = why
    return best


def _stored_order(row: Mapping[str, Any]) -> tuple:
    """(person, source, record id), nulls first, as the frame sorts them."""
    return tuple(
        (row[k] is not None, row[k] or "") for k in ("person_id", "source", "record_id")
    )


def family_evidence(
    evidence: pl.DataFrame,
    shown: Mapping[str, Collection[str]],
    services: Mapping[str, str],
    links: Mapping[str, StoredLinks] | None = None,
) -> dict[str, list[RecordEvidence]]:
    """Per person id in ``shown``: the records from the sources shown for them.

    ``shown`` maps person id to the sources the viewer may see for that person,
    so evidence never reveals a record the family view itself leaves out.
    ``links``: the stored links of people some of whose records are not shown;
    their records' evidence is cut to the links between records shown.
    """
    if not shown or evidence.is_empty():
        return {pid: [] for pid in shown}
    found: dict[str, list[RecordEvidence]] = {pid: [] for pid in shown}
    links = {p: s for p, s in (links or {}).items() if s.evidence is not None}
    # a family's few dozen rows, as dicts: a frame query each would cost more
    rows = [r for r in evidence.iter_rows(named=True) if r["person_id"] in shown]
    by_person: dict[str, list[dict]] = {}
    for r in sorted(rows, key=_stored_order):
        by_person.setdefault(r["person_id"], []).append(r)
    for pid, person in by_person.items():
        keys = [(r["source"], str(r["record_id"])) for r in person]
        best = _best_seen(keys, links[pid], shown[pid]) if pid in links else None
        for r in person:
            if r["source"] not in shown[pid]:
                continue
            probability, why = r["probability"], r["explanation"]
            if best is not None:
                link = best.get((r["source"], str(r["record_id"])))
                probability = None if link is None else link["p"]
                why = [] if link is None else link["fields"]
            found[pid].append(
                RecordEvidence(
                    person_id=pid,
                    source=r["source"],
                    service=services.get(r["source"], r["source"]),
                    record_id=str(r["record_id"]),
                    probability=probability,
                    fields=_fields(why),
                    unseen=best is not None and probability is None,
                )
            )
    return found


def link_confidence(records: list[RecordEvidence]) -> str:
    """How sure the joining of a person's records is, in one phrase (of the
    links between records the viewer sees)."""
    joined = [r.probability for r in records if r.probability is not None]
    unseen = any(r.unseen for r in records)
    if not joined:
        return THROUGH_UNSEEN if unseen else "One record only: nothing was joined"
    if unseen:
        return f"{_how_sure(min(joined))}; some {THROUGH_UNSEEN.lower()}"
    return _how_sure(min(joined))


def _how_sure(lowest: float) -> str:
    if lowest >= 0.999:
        return "Very likely the same person"
    if lowest >= 0.99:
        return "Likely the same person"
    return "Less certain: check before relying on this"
