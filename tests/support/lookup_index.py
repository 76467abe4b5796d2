"""The test index: a synthetic family (Jane Smith, her mother Karen, …) and
filler people in a SQLite index, and the values tests check against."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from core.db import make_engine
from linkage import index_tables as t
from sources.records import STANDARD_SCHEMA

BUILD = "build-2"
EXTRACT = date(2026, 11, 1)
JANE_NHS = "9434765919"
JANE_UPN = "A12345678901B"

SOURCES: tuple[dict[str, Any], ...] = (
    {"source": "csc", "service": "Children's social care", "sensitivity": "standard",
     "coverage_from": date(2014, 4, 1), "coverage_area": "Demo borough"},
    # no age rule: the child's tenancy household links her (a source an age
    # rule hides for a person makes no links for them: test_disclosure_matrix)
    {"source": "housing", "service": "Housing", "sensitivity": "standard",
     "coverage_from": date(2014, 4, 1)},
    {"source": "police", "service": "Police", "sensitivity": "police",
     "age_min": 18},
    {"source": "school", "service": "School", "sensitivity": "standard",
     "coverage_from": date(2019, 9, 1), "age_min": 4, "age_max": 20},
    {"source": "camhs", "service": "CAMHS", "sensitivity": "sensitive",
     "coverage_from": date(2020, 1, 1)},
    {"source": "asc", "service": "Adult social care", "sensitivity": "standard",
     "age_min": 15, "ok": False},
)  # fmt: skip

PEOPLE: tuple[tuple[str, str, str, date | None], ...] = (
    ("p1", "Jane", "Smith", date(2015, 7, 3)),
    ("p2", "Karen", "Smith", date(1988, 11, 2)),
    ("p3", "Robert", "Jones", date(1985, 4, 10)),
    ("p4", "Tom", "Smith", date(2023, 1, 5)),
    ("p5", "Jane", "Smyth", date(2001, 1, 20)),
    ("p6", "John", "Smith", date(1990, 5, 5)),
    ("p7", "Lily", "Smith-Jones", date(2012, 2, 14)),
    ("p8", "Jayne", "Smith", date(2015, 7, 3)),
)

LEAD = {
    "lead_name": "Pat Lee",
    "lead_role": "Social worker",
    "lead_team": "Team East",
    "lead_phone": "0161 000 1111",
    "lead_email": "pat.lee@demo.example",
}

RECORDS: tuple[dict[str, Any], ...] = (
    {"person_id": "p1", "source": "csc", "case_number": "CSC-1001",
     "involvement_start": date(2026, 3, 3), "involvement_current": True,
     "last_contact": date(2026, 10, 20), "detail": "Child in need plan", **LEAD},
    {"person_id": "p1", "source": "csc", "case_number": "CSC-1001",
     "involvement_start": date(2019, 1, 5), "involvement_end": date(2019, 6, 1),
     "involvement_current": False, "detail": "Early help"},
    {"person_id": "p1", "source": "school", "upn": JANE_UPN,
     "involvement_start": date(2019, 9, 4), "involvement_current": True,
     "detail": "Year 7, attendance 91%", "lead_name": "Ann Head",
     "lead_role": "Designated safeguarding lead", "lead_team": "Demo Academy",
     "lead_phone": "0161 000 2222"},
    {"person_id": "p1", "source": "camhs", "involvement_start": date(2024, 2, 1),
     "involvement_end": date(2024, 9, 1), "involvement_current": False,
     "detail": "Anxiety referral", "lead_name": "Dr Ray"},
    {"person_id": "p2", "source": "housing", "involvement_start": date(2018, 5, 1),
     "involvement_current": True, "detail": "Tenant; rent arrears over 6 weeks",
     "lead_name": "Sue Hall", "lead_role": "Housing officer",
     "lead_team": "Demo Homes", "lead_email": "sue.hall@demo.example"},
    {"person_id": "p2", "source": "police", "involvement_start": date(2021, 8, 9),
     "involvement_end": date(2021, 8, 9), "involvement_current": False,
     "last_contact": date(2021, 9, 1), "detail": "Domestic incident (victim)"},
    {"person_id": "p3", "source": "police", "involvement_start": date(2025, 12, 1),
     "involvement_current": True, "detail": "Bail conditions",
     "lead_name": "PC Dale", "lead_role": "Officer in case",
     "lead_team": "Public protection", "lead_phone": "101"},
    {"person_id": "p4", "source": "csc", "involvement_start": date(2023, 2, 1),
     "involvement_end": date(2023, 5, 1), "involvement_current": False},
    {"person_id": "p4", "source": "police", "involvement_start": date(2024, 1, 1),
     "involvement_current": True, "detail": "Should never show (age rule)"},
    {"person_id": "p5", "source": "housing", "involvement_current": False},
    {"person_id": "p6", "source": "police", "involvement_current": False},
    {"person_id": "p7", "source": "school", "involvement_current": True},
    {"person_id": "p8", "source": "csc", "involvement_current": False},
)  # fmt: skip

FAMILY: tuple[tuple[str, str, str, str], ...] = (
    ("csc:F1", "p1", "Child", "Children's social care case"),
    ("csc:F1", "p2", "Mother", "Children's social care case"),
    ("csc:F1", "p4", "Sibling", "Children's social care case"),
    ("housing:H1", "p1", "Child", "Housing tenancy household"),
    ("housing:H1", "p2", "Tenant", "Housing tenancy household"),
    ("housing:H1", "p3", "Partner of tenant", "Housing tenancy household"),
)

#: Jane's addresses, newest first: she moved from Old Lane.
JANE_ADDRESSES = ["1 Demo Road, Demo Town", "9 Old Lane, Demo Town"]

FIRST = ("Amy", "Ben", "Cara", "Dev", "Ella", "Finn", "Gita", "Hugo", "Isla", "Joel")
LAST = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fox", "Green", "Hughes")


def _filler(n: int, seed: int = 7) -> list[tuple[str, str, str, date | None]]:
    rng = random.Random(seed)
    return [
        (
            f"f{i}",
            rng.choice(FIRST),
            rng.choice(LAST),
            date(rng.randint(1960, 2024), rng.randint(1, 12), rng.randint(1, 28)),
        )
        for i in range(n)
    ]


def _people_rows(filler: int) -> list[dict[str, Any]]:
    counts: dict[str, set[str]] = {}
    for rec in RECORDS:
        counts.setdefault(rec["person_id"], set()).add(rec["source"])
    rows = []
    for pid, first, last, dob in (*PEOPLE, *_filler(filler)):
        rows.append(
            {
                "build_id": BUILD, "person_id": pid, "first_name": first,
                "last_name": last, "dob": dob, "sex": None,
                "nhs_number": JANE_NHS if pid == "p1" else None,
                "upn": JANE_UPN if pid == "p1" else None,
                "case_numbers": json.dumps(["csc:CSC-1001"] if pid == "p1" else []),
                "address": "1 Demo Road, Demo Town", "postcode": "DT1 1AA",
                "other_names": json.dumps(["Rob Jones"] if pid == "p3" else []),
                "other_dobs": json.dumps([]),
                "addresses": json.dumps(JANE_ADDRESSES if pid == "p1" else []),
                "n_records": 1, "n_sources": len(counts.get(pid, {"x"})),
            }
        )  # fmt: skip
    return rows


#: What each record says of its person, as the people table does (the identity
#: a viewer who may not see every record is shown is made from these).
_IDENTITY = {"p1": {"nhs_number": JANE_NHS}}
_OLDER = {"p1": {"address": JANE_ADDRESSES[1], "postcode": "DT1 9OL"}}


def _record_rows() -> list[dict[str, Any]]:
    people = {p[0]: p for p in PEOPLE}
    rows = []
    for i, rec in enumerate(RECORDS):
        row = dict.fromkeys(STANDARD_SCHEMA)
        _, first, last, dob = people[rec["person_id"]]
        row.update(first_name=first, last_name=last, dob=dob,
                   address="1 Demo Road, Demo Town", postcode="DT1 1AA")  # fmt: skip
        if rec["source"] == "csc":
            row.update(_IDENTITY.get(rec["person_id"], {}))
            if not rec.get("involvement_current"):
                row.update(_OLDER.get(rec["person_id"], {}))
        row.update(rec, build_id=BUILD, record_id=f"r{i}", row_number=i + 1)
        row["extract_date"] = EXTRACT
        rows.append(row)
    return rows


def _load_rows() -> list[dict[str, Any]]:
    base = {
        "build_id": BUILD,
        "rows_read": 1,
        "rows_accepted": 1,
        "rows_quarantined": 0,
        "extract_date": EXTRACT,
        "coverage_from": None,
        "coverage_area": None,
        "age_min": -1,
        "age_max": -1,
        "ok": True,
    }
    return [{**base, **src} for src in SOURCES]


def make_index(path: Path, filler: int = 200, built: bool = True) -> Engine:
    """A SQLite index at ``path`` holding the synthetic family and filler people."""
    engine = make_engine(f"sqlite:///{path}")
    t.metadata.create_all(engine)
    family = [
        {
            "build_id": BUILD,
            "family_id": f,
            "person_id": p,
            "relationship": r,
            "evidence": e,
            "sources": f.partition(":")[0],
        }
        for f, p, r, e in FAMILY
    ]
    stale = {**_people_rows(0)[0], "build_id": "build-1", "person_id": "old"}
    with engine.begin() as conn:
        conn.execute(insert(t.people), [*_people_rows(filler), stale])
        conn.execute(insert(t.records), _record_rows())
        conn.execute(insert(t.family_members), family)
        conn.execute(insert(t.source_loads), _load_rows())
        conn.execute(
            insert(t.possible_matches),
            [
                {
                    "build_id": BUILD,
                    "person_a": "p1",
                    "person_b": "p8",
                    "probability": 0.9,
                }
            ],
        )
        if built:
            conn.execute(
                insert(t.index_state),
                [{"id": 1, "build_id": BUILD, "switched_at": "2026-11-02T00:00:00Z"}],
            )
    return engine
