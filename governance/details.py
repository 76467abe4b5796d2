"""A service's detail on one person, capped as the source's agreement says.

``detail_limit`` 1 (the default) is the latest involvement's detail, as the
family view shows it; more lists the newest involvements' details, each dated;
0 never reaches here (``governance.access`` refuses it first).
"""

from __future__ import annotations

from lookup.family import person_records, service_detail
from lookup.index import LinkedIndex
from lookup.services import newest_first
from lookup.text import long_date


def capped_detail(
    index: LinkedIndex, person_id: str, source: str, limit: int,
    records: list[dict] | None = None,
) -> str | None:  # fmt: skip
    """At most ``limit`` involvements' detail, newest first (None if none held);
    ``records``: the person's (default: their records in the build)."""
    if records is None:
        records = person_records(index, person_id)
    if limit <= 1:
        return service_detail(index, person_id, source, records)
    held = [r for r in records
            if r["source"] == source and r["detail"] is not None]  # fmt: skip
    held.sort(key=newest_first, reverse=True)
    lines = [
        f"{long_date(r['involvement_start']) or 'Undated'}: {r['detail']}"
        for r in held[:limit]
    ]
    return "; ".join(lines) or None
