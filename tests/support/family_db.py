"""The test index with linkage evidence for the family page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import insert, update

from linkage import index_tables as t
from support.lookup_index import BUILD, make_index

STRONG = [
    {"field": "first_name", "level": "exact", "weight": 7.58},
    {"field": "dob", "level": "exact", "weight": 12.68},
    {"field": "address", "level": "same postcode district", "weight": -3.21},
]


EVIDENCE = (
    ("p1", "csc", "r0", 0.99999, STRONG),
    ("p1", "school", "r2", 0.99999, STRONG[:2]),
    ("p1", "police", "rX", 0.999, STRONG[:1]),  # police is not shown for a child
    ("p2", "housing", "r4", None, []),
)  # fmt: skip


def make_family_db(path: Path) -> Path:
    """The shared synthetic index, plus linkage evidence and a stale Housing load."""
    engine = make_index(path, filler=20)
    rows = [{"build_id": BUILD, "person_id": p, "source": s, "record_id": r,
             "probability": pr, "explanation": json.dumps(ex)}
            for p, s, r, pr, ex in EVIDENCE]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(t.record_evidence), rows)
        conn.execute(
            update(t.source_loads)
            .where(t.source_loads.c.source == "housing")
            .values(ok=False, stale=True, stale_since=date(2026, 11, 10),
                    current_as_of=date(2026, 10, 1))
        )  # fmt: skip
    return path
