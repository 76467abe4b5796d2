"""A service's detail on one person, capped as the source's agreement says.

``detail_limit`` 1 (the default) is the latest involvement's detail, as the
family view shows it; more lists the newest involvements' details, each dated;
0 never reaches here (``governance.access`` refuses it first).
"""

from __future__ import annotations

import polars as pl

from lookup.family import service_detail
from lookup.index import LinkedIndex
from lookup.text import long_date

_NEWEST_FIRST = ["involvement_current", "involvement_start", "involvement_end"]


def capped_detail(
    index: LinkedIndex, person_id: str, source: str, limit: int
) -> str | None:
    """At most ``limit`` involvements' detail, newest first (None if none held)."""
    if limit <= 1:
        return service_detail(index, person_id, source)
    rows = (
        index.records.filter(
            (pl.col("person_id") == person_id)
            & (pl.col("source") == source)
            & pl.col("detail").is_not_null()
        )
        .sort(_NEWEST_FIRST, descending=True, nulls_last=True)
        .head(limit)
    )
    lines = [
        f"{long_date(r['involvement_start']) or 'Undated'}: {r['detail']}"
        for r in rows.iter_rows(named=True)
    ]
    return "; ".join(lines) or None
