"""The stored evidence rows of a few people, without scanning every record's.

``record_evidence`` is held sorted by person (``lookup.index.assemble_index``),
so a family's rows are found by binary search; an index held otherwise (made
before that) is filtered as before.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from lookup.index import LinkedIndex
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
    ids, wanted = evidence["person_id"], pl.Series(sorted(set(person_ids)))
    starts = ids.search_sorted(wanted, side="left").to_numpy().astype(np.int64)
    ends = ids.search_sorted(wanted, side="right").to_numpy().astype(np.int64)
    return evidence[np.sort(ranges(starts, ends))]
