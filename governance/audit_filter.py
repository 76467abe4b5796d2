"""The auditor's filters, applied in the database so the whole log is searchable.

Filtering only the newest events on screen would hide last year's look-ups from
an investigation; here the filters become a WHERE clause (bound parameters) and
only the matching events, newest first, are fetched, up to a limit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Engine, func, select

from governance.audit import Actor, Event, audit_events, record_event
from governance.flags import EVENT_SCHEMA
from governance.permissions import require


@dataclass(frozen=True)
class EventFilter:
    """What the auditor asked for; an empty field does not filter."""

    user: str | None = None
    person: str | None = None  # a person id anywhere in the event's data
    searched: str | None = None  # text in a search's criteria (a name, any case)
    kinds: tuple[str, ...] = ()
    purpose: str | None = None
    start: date | None = None  # first UTC day included
    end: date | None = None  # last UTC day included

    def as_data(self) -> dict[str, Any]:
        """The fields set, as the ``audit_search`` event records them."""
        found = {k: v for k, v in asdict(self).items() if v not in (None, ())}
        return {k: v.isoformat() if isinstance(v, date) else v
                for k, v in found.items()}  # fmt: skip

    def clauses(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses, one per field set."""
        c = audit_events.c
        found: list[ColumnElement[bool] | None] = [
            c.user_id == self.user if self.user else None,
            c.data.contains(f'"{self.person}"', autoescape=True)
            if self.person
            else None,
            (c.kind == "search")
            & func.lower(c.data).contains(self.searched.lower(), autoescape=True)
            if self.searched
            else None,
            c.kind.in_(self.kinds) if self.kinds else None,
            c.purpose == self.purpose if self.purpose else None,
            c.at_utc >= self.start.isoformat() if self.start else None,
            c.at_utc < (self.end + timedelta(days=1)).isoformat() if self.end else None,
        ]
        return [clause for clause in found if clause is not None]


def record_audit_search(engine: Engine, actor: Actor, where: EventFilter) -> None:
    """Record what an auditor looked for in the log (who audits the auditors):
    call before showing the events, so a refused event shows nothing."""
    require(engine, actor, "audit", "audit_log")
    data = {"filter": where.as_data()}
    record_event(engine, Event("audit_search", actor, data=data))


def events_frame(
    engine: Engine,
    actor: Actor,
    limit: int = 50_000,
    where: EventFilter | None = None,
) -> pl.DataFrame:
    """The newest ``limit`` events matching ``where``, as a frame (data as JSON)."""
    require(engine, actor, "audit", "audit_log")
    cols = [audit_events.c[k] for k in EVENT_SCHEMA]
    query = select(*cols).where(*(where or EventFilter()).clauses())
    with engine.connect() as conn:
        rows = conn.execute(
            query.order_by(audit_events.c.seq.desc()).limit(limit)
        ).all()
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


def users_in_log(engine: Engine, actor: Actor) -> list[str]:
    """Every user id the log holds, for the auditor's user filter."""
    require(engine, actor, "audit", "audit_log")
    with engine.connect() as conn:
        found = conn.execute(
            select(audit_events.c.user_id).distinct().order_by(audit_events.c.user_id)
        )
        return list(found.scalars())
