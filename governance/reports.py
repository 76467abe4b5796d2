"""Workers' reports to administrators: a wrong link, an out-of-date contact.

A report is itself an audited event (recorded first), then a row in the
administrators' queue, ``data_reports`` in the audit database. Administrators
close a report with a note, also audited. Reports name person ids and sources,
never copy family data; the worker's short note is the only free text.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, Engine, MetaData, String, Table, Text, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import SQLAlchemyError

from core.errors import AuditError, UserInputError
from governance.audit import Actor, Event, record_event
from governance.permissions import require
from governance.reasons import Reason, reason_event
from governance.restrictions import now_text

#: What a worker can report, worded as the buttons say it.
REPORT_KINDS: dict[str, str] = {
    "not_same_person": "This is not the same person",
    "contact_out_of_date": "This contact is out of date",
}
MAX_NOTE = 500

metadata = MetaData()

#: The administrators' queue of reports (one row per report).
data_reports = Table(
    "data_reports",
    metadata,
    Column("report_id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("source", String(64), nullable=True),
    Column("build_id", String(40), nullable=True),
    Column("note", Text, nullable=False),
    Column("reported_by", Text, nullable=False),
    Column("reported_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # open / closed
    Column("closed_by", Text, nullable=True),
    Column("closed_at", String(32), nullable=True),
    Column("closing_note", Text, nullable=True),
)


def ensure_reports_schema(engine: Engine) -> None:
    """Create the reports queue if missing (beside the audit log)."""
    metadata.create_all(engine, checkfirst=True)


def _checked_note(note: str) -> str:
    text = note.strip()
    if not text:
        raise UserInputError("Write a short note saying what is wrong.")
    if len(text) > MAX_NOTE:
        raise UserInputError(f"Keep the note under {MAX_NOTE} characters.")
    return text


def send_report(
    engine: Engine,
    actor: Actor,
    reason: Reason,
    kind: str,
    person_id: str,
    note: str,
    *,
    source: str | None = None,
    build_id: str | None = None,
) -> str:
    """Record a worker's report (audited first), queue it, return its id."""
    require(engine, actor, "search", "report", reason=reason)
    if kind not in REPORT_KINDS:
        raise UserInputError(f"Choose a report: {', '.join(REPORT_KINDS)}.")
    text = _checked_note(note)
    report_id = uuid.uuid4().hex
    data = {"report_id": report_id, "report": kind, "person_id": person_id,
            "source": source, "build_id": build_id, "note": text}  # fmt: skip
    record_event(engine, reason_event("report", actor, reason, data))
    row = {**{k: v for k, v in data.items() if k != "report"}, "kind": kind,
           "reported_by": actor.user_id, "reported_at": now_text(),
           "status": "open"}  # fmt: skip
    try:
        with engine.begin() as conn:
            conn.execute(insert(data_reports), [row])
    except SQLAlchemyError as exc:
        raise AuditError(
            "The report was recorded in the audit log but could not be queued. "
            "Tell the system administrator."
        ) from exc
    return report_id


def reports(engine: Engine, actor: Actor, status: str = "open") -> list[dict[str, Any]]:
    """Reports with this status, oldest first (administrators only)."""
    require(engine, actor, "administer", "reports")
    query = (
        select(data_reports)
        .where(data_reports.c.status == status)
        .order_by(data_reports.c.reported_at)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def close_report(engine: Engine, actor: Actor, report_id: str, note: str) -> None:
    """Mark a report dealt with, saying what was done (audited first)."""
    require(engine, actor, "administer", "report_closed")
    text = _checked_note(note)
    data = {"report_id": report_id, "note": text}
    record_event(engine, Event("report_closed", actor, data=data))
    with engine.begin() as conn:
        conn.execute(
            sql_update(data_reports)
            .where(data_reports.c.report_id == report_id)
            .values(status="closed", closed_by=actor.user_id, closed_at=now_text(),
                    closing_note=text)
        )  # fmt: skip
