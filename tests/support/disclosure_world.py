"""A small hand-built borough for the disclosure tests, and its variants.

The index is written the way a build writes it (people from
``linkage.people.people_table``, families from ``linkage.families``), so a
variant with some records removed or changed is the index a build of those
records would give. A viewer's output may not differ between the world and a
variant that changes only what they may not see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import insert

from core.db import make_engine
from linkage import index_tables as t
from linkage.families import family_members
from linkage.people import people_table
from lookup.index import LinkedIndex, load_index
from sources.records import STANDARD_SCHEMA

BUILD = "build-w"
EXTRACT = date(2026, 11, 1)
HOME = {"address": "1 Test Road, Demo Town", "postcode": "DT1 1AA"}

SOURCES: tuple[dict[str, Any], ...] = (
    {"source": "csc", "service": "Children's social care", "sensitivity": "standard"},
    {"source": "housing", "service": "Housing", "sensitivity": "standard"},
    {"source": "police", "service": "Police (safeguarding incidents)",
     "sensitivity": "police", "age_min": 18},
    {"source": "camhs", "service": "CAMHS", "sensitivity": "sensitive"},
)  # fmt: skip
#: Role -> (police, sensitive) levels (standard: full): every level appears for
#: each class.
LEVELS = {"front_door": ("full", "full"), "early_help": ("contact_only", "hidden"),
          "social_worker": ("hidden", "contact_only")}  # fmt: skip
MATRIX = {role: {"standard": "full", "police": police, "sensitive": sensitive}
          for role, (police, sensitive) in LEVELS.items()}  # fmt: skip

SERVICES = {s["source"]: s["service"] for s in SOURCES}
SENSITIVITY = {s["source"]: s["sensitivity"] for s in SOURCES}


def _lead(name: str, phone: str) -> dict[str, str]:
    return {"lead_name": name, "lead_role": "Lead", "lead_team": "Team",
            "lead_phone": phone}  # fmt: skip


AMY = {"person_id": "c1", "first_name": "Amy", "last_name": "Test",
       "dob": date(2021, 3, 2), **HOME}  # fmt: skip
BETH = {"person_id": "m1", "first_name": "Beth", "last_name": "Test",
        "dob": date(1990, 5, 5), **HOME}  # fmt: skip
CARL = {"person_id": "x1", "first_name": "Carl", "last_name": "Hidden",
        "dob": date(1985, 1, 1), **HOME}  # fmt: skip
SAM = {"person_id": "s1", "first_name": "Sam", "last_name": "Secret",
       "dob": date(1995, 6, 6), "address": "5 Quiet Lane, Demo Town",
       "postcode": "DT2 2BB"}  # fmt: skip
PEOPLE = {"c1": AMY, "m1": BETH, "x1": CARL, "s1": SAM}
#: A woman known to children's social care, apart from the borough, whom the
#: hidden-field tests give a record elsewhere (and a namesake).
FAY = {
    "person_id": "f1",
    "source": "csc",
    "record_id": "CSC-F1",
    "first_name": "Fay",
    "last_name": "Gone",
    "dob": date(1980, 1, 1),
    "address": "3 Low Road, Demo Town",
    "postcode": "DT4 4DD",
    "involvement_current": True,
    "lead_name": "Kim Ash",
    "lead_phone": "1",
    "family_ref": "csc:F7",
    "relationship": "Mother",
}

#: Every record of the borough: a child known to children's social care and
#: present at a police incident, her mother (also a tenant, a victim in the
#: incident, and once known to CAMHS), a man known only to the police, and a
#: woman known only to CAMHS.
RECORDS: tuple[dict[str, Any], ...] = (
    {**AMY, "source": "csc", "record_id": "CSC-R1", "case_number": "CSC-1",
     "family_ref": "csc:F1", "relationship": "Child",
     "involvement_start": date(2026, 1, 5), "involvement_current": True,
     "detail": "Child in need plan", **_lead("Pat Lee", "0161 000 1111")},
    {**AMY, "source": "police", "record_id": "POL-R1", "case_number": "POL-1",
     "family_ref": "police:P1", "relationship": "Child present",
     "involvement_start": date(2026, 6, 1), "involvement_current": True,
     "detail": "Domestic abuse, child present", **_lead("PC Dale", "101")},
    {**BETH, "source": "csc", "record_id": "CSC-R2", "family_ref": "csc:F1",
     "relationship": "Mother", "involvement_current": False},
    {**BETH, "source": "housing", "record_id": "HOU-R1",
     "household_ref": "housing:H1", "relationship": "Tenant",
     "involvement_start": date(2018, 5, 1), "involvement_current": True,
     **_lead("Sue Hall", "0161 000 3333")},
    {**BETH, "source": "police", "record_id": "POL-R2", "case_number": "POL-2",
     "family_ref": "police:P1", "relationship": "Victim",
     "involvement_start": date(2026, 6, 1), "involvement_current": True,
     "detail": "Domestic abuse (victim)", **_lead("PC Dale", "101")},
    {**BETH, "source": "camhs", "record_id": "CAM-R1",
     "involvement_start": date(2024, 2, 1), "involvement_end": date(2024, 9, 1),
     "involvement_current": False, "detail": "Anxiety referral",
     **_lead("Dr Ray", "0161 000 4444")},
    {**CARL, "source": "police", "record_id": "POL-R3", "case_number": "POL-3",
     "family_ref": "police:P1", "relationship": "Suspect",
     "involvement_start": date(2026, 6, 1), "involvement_current": True,
     "detail": "Bail conditions", **_lead("PC Dale", "101")},
    {**SAM, "source": "camhs", "record_id": "CAM-R2",
     "involvement_start": date(2025, 1, 1), "involvement_current": True,
     "detail": "Eating disorder", **_lead("Dr Ray", "0161 000 4444")},
)  # fmt: skip
#: People in the review band: the mother and the man only the police know.
PAIRS = (("m1", "x1", 0.9),)

Rows = tuple[dict[str, Any], ...]


def without(cls: str, rows: Rows = RECORDS) -> Rows:
    """The world with no records of this sensitivity class at all."""
    return tuple(r for r in rows if SENSITIVITY[r["source"]] != cls)


def child_without_police(rows: Rows = RECORDS) -> Rows:
    """The world with none of the child's police records (police is 18+)."""
    return tuple(r for r in rows if (r["person_id"], r["source"]) != ("c1", "police"))


def more_of(cls: str, rows: Rows = RECORDS) -> Rows:
    """The world with more, different records of this class: two older incidents
    per person (other ids, case numbers, dates, address, detail, relationship,
    family), the involvement and the lead to call unchanged."""
    extra = []
    for n, r in enumerate(r for r in rows if SENSITIVITY[r["source"]] == cls):
        for k in (1, 2):
            extra.append({
                **r, "record_id": f"{r['record_id']}-OLD{k}",
                "case_number": f"OLD-{n}{k}", "family_ref": f"{r['source']}:Z{n}{k}",
                "household_ref": None, "relationship": "Other role",
                "address": f"{70 + k} Elsewhere Street, Far Town",
                "postcode": "FT9 9ZZ", "involvement_current": False,
                "involvement_start": date(2010 + k, 1, 1),
                "involvement_end": date(2010 + k, 2, 1),
                "detail": "An older incident",
            })  # fmt: skip
    return (*rows, *extra)


def with_roles(rows: Rows = RECORDS) -> Rows:
    """The world with each police record's incident role mapped (``role``)."""
    return tuple({**r, "role": r["relationship"]} if r["source"] == "police" else r
                 for r in rows)  # fmt: skip


def child_offending(rows: Rows) -> Rows:
    """The world where the child is also a suspect in an incident of her own:
    her own offending, which the police age rule hides whatever the role."""
    amy = next(r for r in rows if (r["person_id"], r["source"]) == ("c1", "police"))
    own = {**amy, "record_id": "POL-R9", "family_ref": None, "role": "Suspect",
           "relationship": "Suspect", "detail": "Criminal damage",
           "involvement_start": date(2026, 6, 1), "involvement_current": True,
           "address": "9 Other Road, Far Town", "postcode": "FT1 1ZZ"}  # fmt: skip
    return (*rows, own)


def _frame(rows: Rows) -> pl.DataFrame:
    full = []
    for i, row in enumerate(rows):
        base = dict.fromkeys(STANDARD_SCHEMA)
        base.update(row_number=i + 1, extract_date=EXTRACT)
        base.update({k: v for k, v in row.items() if k != "person_id"})
        full.append(base)
    frame = pl.DataFrame(full, schema=STANDARD_SCHEMA, orient="row")
    return frame.with_columns(pl.Series("person_id", [r["person_id"] for r in rows]))


def _evidence(records: pl.DataFrame) -> list[dict[str, Any]]:
    """Each record's link into its person (nothing joined for a lone record)."""
    counts = records.group_by("person_id").len()
    n = dict(zip(counts["person_id"], counts["len"], strict=True))
    why = json.dumps([{"field": "dob", "level": "exact", "weight": 9.5}])
    return [
        {"build_id": BUILD, "person_id": r["person_id"], "source": r["source"],
         "record_id": r["record_id"],
         "probability": 0.999 if n[r["person_id"]] > 1 else None,
         "explanation": why if n[r["person_id"]] > 1 else None}
        for r in records.iter_rows(named=True)
    ]  # fmt: skip


#: How strongly a source's records link (``linked`` worlds): a link counts the
#: two ends', so a record's strongest link goes to police or CAMHS when it has one.
_PULL = {"csc": 1, "housing": 2, "camhs": 4, "police": 5}


def _pair(a: str, b: str) -> dict[str, Any]:
    """The evidence of a link between records of sources ``a`` and ``b``."""
    pull = _PULL[a] + _PULL[b]
    return {
        "p": round(0.99 + 0.0009 * pull, 4),
        "fields": [{"field": "dob", "level": f"level {pull}", "weight": pull}],
    }


def _links(records: pl.DataFrame) -> tuple[list[dict], list[dict]]:
    """Every record of a person linked to every other, each link's evidence as
    ``_pair`` gives it: (record_evidence rows, each record's strongest link;
    record_links rows, people of three or more records), as a build keeps them."""
    evidence, links = [], []
    ordered = records.sort("person_id", "source", "record_id")
    for (pid,), person in ordered.group_by("person_id", maintain_order=True):
        keys = list(zip(person["source"], person["record_id"], strict=True))
        pairs = [(a, b) for a in range(len(keys)) for b in range(a + 1, len(keys))]
        why = [_pair(keys[a][0], keys[b][0]) for a, b in pairs]
        for at, (source, record_id) in enumerate(keys):
            mine = [w for (a, b), w in zip(pairs, why, strict=True) if at in (a, b)]
            best = max(mine, key=lambda w: w["p"], default=None)
            evidence.append({
                "build_id": BUILD, "person_id": pid, "source": source,
                "record_id": record_id, "probability": best and best["p"],
                "explanation": best and json.dumps(best["fields"]),
            })  # fmt: skip
        if len(keys) >= 3:
            links.append({"build_id": BUILD, "person_id": pid,
                          "links": ";".join(f"{a}-{b}" for a, b in pairs),
                          "evidence": json.dumps(why)})  # fmt: skip
    return evidence, links


def write_world(  # noqa: ANN001
    path: Path,
    rows: Rows = RECORDS,
    pairs=PAIRS,
    any_age_roles: str = "",
    linked: bool = False,
) -> LinkedIndex:
    """The index a build of ``rows`` gives, at ``path`` (SQLite), loaded; police
    showing ``any_age_roles`` (";"-joined) at any age. ``linked``: every record
    of a person linked to every other, each link's evidence kept (``_links``),
    else one evidence for every record and no links kept."""
    engine = make_engine(f"sqlite:///{path}")
    t.metadata.create_all(engine)
    records = _frame(rows)
    present = set(records["person_id"])
    build: Callable[[pl.DataFrame], list[dict]] = lambda f: [  # noqa: E731
        {**r, "build_id": BUILD} for r in f.iter_rows(named=True)
    ]
    loads = [
        {"build_id": BUILD, "rows_read": 1, "rows_accepted": 1,
         "rows_quarantined": 0, "extract_date": EXTRACT, "ok": True,
         "age_min": -1, "age_max": -1, **s,
         "age_any_roles": any_age_roles if s["source"] == "police" else ""}
        for s in SOURCES
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(t.records), build(records))
        conn.execute(insert(t.people), build(people_table(records)))
        conn.execute(insert(t.family_members),
                     build(family_members(records, SERVICES)))  # fmt: skip
        evidence, links = _links(records) if linked else (_evidence(records), [])
        conn.execute(insert(t.record_evidence), evidence)
        if links:
            conn.execute(insert(t.record_links), links)
        conn.execute(insert(t.source_loads), loads)
        kept = [p for p in pairs if {p[0], p[1]} <= present]
        if kept:
            conn.execute(insert(t.possible_matches), [
                {"build_id": BUILD, "person_a": a, "person_b": b, "probability": p}
                for a, b, p in kept
            ])  # fmt: skip
        conn.execute(insert(t.index_state), [
            {"id": 1, "build_id": BUILD, "switched_at": "2026-11-02T00:00:00Z"}
        ])  # fmt: skip
    return load_index(engine)


def write_worlds(folder: Path, worlds: dict[str, Rows]) -> dict[str, LinkedIndex]:
    """The index of each named variant's rows (no pairs in review), in ``folder``."""
    return {name: write_world(folder / f"{name}.db", rows, pairs=())
            for name, rows in worlds.items()}  # fmt: skip
