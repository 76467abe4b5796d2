"""Why a person's records were joined, in plain words, from ``record_evidence``.

Each record carries its strongest link inside its person: the probability and,
per field, the level of agreement and its weight (log2 of how much more likely
that agreement is for the same person than for two different people).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import polars as pl

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


def weight_words(weight: float) -> str:
    """'counted strongly for' … 'counted against' the link."""
    for lowest, words in _WEIGHT_WORDS:
        if weight >= lowest:
            return words
    return "counted against"


def _fields(explanation: str | None) -> tuple[FieldEvidence, ...]:
    items = json.loads(explanation or "[]")
    return tuple(
        FieldEvidence(
            field=FIELD_NAMES.get(i["field"], i["field"].replace("_", " ")),
            level=str(i["level"]),
            weight=float(i["weight"]),
            words=weight_words(float(i["weight"])),
        )
        for i in items
    )


def family_evidence(
    evidence: pl.DataFrame,
    shown: Mapping[str, Collection[str]],
    services: Mapping[str, str],
) -> dict[str, list[RecordEvidence]]:
    """Per person id in ``shown``: the records from the sources shown for them.

    ``shown`` maps person id to the sources the viewer may see for that person,
    so evidence never reveals a record the family view itself leaves out.
    """
    if not shown or evidence.is_empty():
        return {pid: [] for pid in shown}
    rows = evidence.filter(pl.col("person_id").is_in(list(shown))).with_columns(
        pl.col("explanation").cast(pl.Utf8)
    )
    found: dict[str, list[RecordEvidence]] = {pid: [] for pid in shown}
    for r in rows.sort("person_id", "source", "record_id").iter_rows(named=True):
        if r["source"] not in shown[r["person_id"]]:
            continue
        found[r["person_id"]].append(
            RecordEvidence(
                person_id=r["person_id"],
                source=r["source"],
                service=services.get(r["source"], r["source"]),
                record_id=str(r["record_id"]),
                probability=r["probability"],
                fields=_fields(r["explanation"]),
            )
        )
    return found


def link_confidence(records: list[RecordEvidence]) -> str:
    """How sure the joining of a person's records is, in one phrase."""
    joined = [r.probability for r in records if r.probability is not None]
    if not joined:
        return "One record only: nothing was joined"
    lowest = min(joined)
    if lowest >= 0.999:
        return "Very likely the same person"
    if lowest >= 0.99:
        return "Likely the same person"
    return "Less certain: check before relying on this"
