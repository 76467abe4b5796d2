"""The stored evidence rows of a few people, without scanning every record's.

``record_evidence`` is held sorted by person (``lookup.index.assemble_index``),
so a family's rows are found by binary search (over its ids held once per
index as bytes, ``lookup.people_rows``); an index held otherwise (made before
that) is filtered as before.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from lookup.index import LinkedIndex
from lookup.people_rows import sorted_ids
from lookup.per_index import per_index
from lookup.prepared import ranges


def _sorted(index: LinkedIndex) -> bool:
    ids = index.record_evidence["person_id"]
    return ids.len() < 2 or bool(ids.is_sorted())


def evidence_of(index: LinkedIndex, person_ids: list[str]) -> pl.DataFrame:
    """The rows of ``index.record_evidence`` of ``person_ids``, in stored order."""
    evidence = index.record_evidence
    if not person_ids or evidence.is_empty():
        return evidence.clear()
    if not per_index(index, "evidence_sorted", lambda: _sorted(index)):
        return evidence.filter(pl.col("person_id").is_in(person_ids))
    ids = sorted_ids(index, "record_evidence", evidence["person_id"])
    keys = sorted({p.encode("utf-8") for p in person_ids})
    # an id longer than every one held is not there (the array would cut it)
    held = [
        k for k in keys if k and len(k) <= ids.dtype.itemsize and not k.endswith(b"\0")
    ]
    wanted = np.array(held, dtype=ids.dtype)  # fmt: skip
    starts = np.searchsorted(ids, wanted, side="left").astype(np.int64)
    ends = np.searchsorted(ids, wanted, side="right").astype(np.int64)
    return evidence[np.sort(ranges(starts, ends))]
