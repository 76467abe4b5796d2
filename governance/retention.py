"""Audit retention, configured apart from linked data (``audit_retention_days``).

Events older than the period are removed in one transaction that also moves the
chain's anchor to the first kept event and seals it with the chain's key, so
``verify_chain`` still checks every remaining link and a forged anchor is found. The
removal is itself an audit event. On a hardened PostgreSQL database only a database
administrator can run it (the append-only trigger is bypassed with
``session_replication_role = replica``, a superuser setting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select, text, update

from core.db import is_postgres
from governance.audit import (
    Actor,
    Event,
    audit_events,
    record_event,
    seal_anchor,
    utc_text,
)
from governance.keys import key_of
from governance.store import chain_anchor


@dataclass(frozen=True)
class RetentionPlan:
    """What retention would remove: events before ``cutoff`` (UTC text)."""

    cutoff: str
    expired: int
    first_kept_seq: int | None


def plan(engine: Engine, days: int, now: datetime) -> RetentionPlan:
    """Count the events older than ``days`` and find the first one kept."""
    cutoff = utc_text(now - timedelta(days=days))
    with engine.connect() as conn:
        expired = conn.execute(
            select(func.count()).where(audit_events.c.at_utc < cutoff)
        ).scalar_one()
        first = conn.execute(
            select(func.min(audit_events.c.seq)).where(audit_events.c.at_utc >= cutoff)
        ).scalar()
    return RetentionPlan(cutoff, expired, first)


def apply(engine: Engine, actor: Actor, days: int, now: datetime) -> RetentionPlan:
    """Record the retention run, then remove expired events and move the anchor."""
    record_event(engine, Event("retention", actor, data={"days": days}))
    todo = plan(engine, days, now)
    key = key_of(engine)
    if not todo.expired or todo.first_kept_seq is None:
        return todo
    with engine.begin() as conn:
        if is_postgres(conn):
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        prev = conn.execute(
            select(audit_events.c.prev_hash).where(
                audit_events.c.seq == todo.first_kept_seq
            )
        ).scalar_one()
        anchor = {"first_seq": todo.first_kept_seq, "prev_hash": prev,
                  "cutoff_utc": todo.cutoff}  # fmt: skip
        moved = conn.execute(
            update(chain_anchor).where(chain_anchor.c.id == 1).values(anchor)
        ).rowcount
        if not moved:
            conn.execute(insert(chain_anchor), [{"id": 1, **anchor}])
        seal_anchor(conn, key, anchor)
        conn.execute(delete(audit_events).where(
            audit_events.c.seq < todo.first_kept_seq))  # fmt: skip
    return todo
