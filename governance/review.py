"""The auditor's workspace: the review queue and a safe CSV export (the filtered
log is ``audit_filter``, the queue is filled by ``queue_sync``).

Every action here is for auditors only and is itself audited: a review decision
(closed or escalated, with a note) and every export.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import polars as pl
from sqlalchemy import Engine, select, update

from core.errors import UserInputError
from governance.audit import Actor, Event, record_event, utc_text
from governance.audit_filter import EventFilter as EventFilter
from governance.audit_filter import events_frame as events_frame
from governance.permissions import require
from governance.queue_sync import sync_queue as sync_queue
from governance.store import review_items

DECISIONS = ("closed", "escalated")
#: Cell starts a spreadsheet may run as a formula (full-width forms included).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b",
                  "\uff0d", "\uff20")  # fmt: skip


def queue(engine: Engine, status: str | None = "open") -> pl.DataFrame:
    """Review items (oldest first), optionally only one status."""
    query = select(review_items).order_by(review_items.c.raised_at)
    if status:
        query = query.where(review_items.c.status == status)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    schema = dict.fromkeys(c.name for c in review_items.columns)
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in schema}, orient="row")


def decide(engine: Engine, actor: Actor, item_id: str, status: str, note: str) -> None:
    """Close or escalate a review item with a note; the decision is audited first."""
    require(engine, actor, "audit", "review_decision")
    if status not in DECISIONS or not note.strip():
        raise UserInputError("Choose close or escalate and write a note.")
    with engine.connect() as conn:
        current = conn.execute(
            select(review_items.c.status).where(review_items.c.item_id == item_id)
        ).scalar_one_or_none()
    if current not in ("open", "escalated"):
        raise UserInputError("That review item is closed or does not exist.")
    data = {"item_id": item_id, "status": status, "note": note.strip()}
    record_event(engine, Event("review_decision", actor, data=data))
    with engine.begin() as conn:
        conn.execute(
            update(review_items)
            .where(review_items.c.item_id == item_id)
            .values(status=status, note=note.strip(), decided_by=actor.user_id,
                    decided_at=utc_text(datetime.now(UTC)))
        )  # fmt: skip


def neutralise(value: object) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    risky = text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START)
    return "'" + text if risky else text


def export_csv(engine: Engine, actor: Actor, frame: pl.DataFrame) -> str:
    """The frame as CSV with formulas neutralised; the export is audited first."""
    require(engine, actor, "audit", "export")
    data = {"rows": frame.height, "what": "audit_events"}
    record_event(engine, Event("export", actor, data=data))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(c) for c in frame.columns])
    writer.writerows([neutralise(v) for v in row] for row in frame.iter_rows())
    return out.getvalue()
