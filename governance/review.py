"""The auditor's workspace: the events frame, the review queue, a safe CSV export.

Every action here is for auditors only and is itself audited: a review decision
(closed or escalated, with a note) and every export.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import Engine, func, insert, select, update

from core.errors import AccessDenied, LookupInputError
from governance.audit import Actor, Event, audit_events, record_event, utc_text
from governance.flags import EVENT_SCHEMA, FLAG_SCHEMA, FlagRules, all_flags
from governance.roles import may_audit
from governance.store import app_sessions, review_items

DECISIONS = ("closed", "escalated")
#: Cell starts a spreadsheet may run as a formula (full-width forms included).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b",
                  "\uff0d", "\uff20")  # fmt: skip


def _require_auditor(engine: Engine, actor: Actor, action: str) -> None:
    if not may_audit(actor.role):
        record_event(engine, Event("access_denied", actor, data={"action": action}))
        raise AccessDenied("Only information-governance auditors can do this.")


def events_frame(engine: Engine, actor: Actor, limit: int = 50_000) -> pl.DataFrame:
    """The newest ``limit`` events as a frame (data as JSON text), newest first."""
    _require_auditor(engine, actor, "audit_log")
    cols = [audit_events.c[k] for k in EVENT_SCHEMA]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*cols).order_by(audit_events.c.seq.desc()).limit(limit)
        ).all()
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


def unused_accounts(engine: Engine, rules: FlagRules, now: datetime) -> pl.DataFrame:
    """Accounts with no sign-in for over ``dormant_days`` (from the sessions table,
    so beyond the events on screen too): dormant accounts to review or disable."""
    cutoff = utc_text(now - timedelta(days=rules.dormant_days))
    last = func.max(app_sessions.c.started_at)
    with engine.connect() as conn:
        rows = conn.execute(
            select(app_sessions.c.user_id, last)
            .group_by(app_sessions.c.user_id)
            .having(last < cutoff)
        ).all()
    found = pl.DataFrame(rows, schema={"user_id": pl.Utf8, "at_utc": pl.Utf8},
                         orient="row")  # fmt: skip
    return found.select(
        flag=pl.lit("unused_account"),
        key="unused_account:" + pl.col("user_id") + ":" + pl.col("at_utc"),
        user_id="user_id", at_utc="at_utc",
        detail="no sign-in since " + pl.col("at_utc").str.slice(0, 10),
    )  # fmt: skip


def sync_queue(
    engine: Engine,
    events: pl.DataFrame,
    rules: FlagRules,
    now: datetime | None = None,
) -> int:
    """Add newly raised flags to the queue (a decided item never reopens)."""
    unused = unused_accounts(engine, rules, now or datetime.now(UTC))
    flags = pl.concat([all_flags(events, rules), unused.cast(FLAG_SCHEMA)])
    with engine.begin() as conn:
        known = set(conn.execute(select(review_items.c.item_id)).scalars())
        new = flags.filter(~pl.col("key").is_in(list(known)))
        rows = [
            {"item_id": r["key"], "flag": r["flag"], "user_id": r["user_id"],
             "detail": r["detail"] or "", "raised_at": r["at_utc"],
             "status": "open"}
            for r in new.iter_rows(named=True)
        ]  # fmt: skip
        if rows:
            conn.execute(insert(review_items), rows)
    return len(rows)


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
    _require_auditor(engine, actor, "review_decision")
    if status not in DECISIONS or not note.strip():
        raise LookupInputError("Choose close or escalate and write a note.")
    with engine.connect() as conn:
        current = conn.execute(
            select(review_items.c.status).where(review_items.c.item_id == item_id)
        ).scalar_one_or_none()
    if current not in ("open", "escalated"):
        raise LookupInputError("That review item is closed or does not exist.")
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
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text


def export_csv(engine: Engine, actor: Actor, frame: pl.DataFrame) -> str:
    """The frame as CSV with formulas neutralised; the export is audited first."""
    _require_auditor(engine, actor, "export")
    data = {"rows": frame.height, "what": "audit_events"}
    record_event(engine, Event("export", actor, data=data))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(c) for c in frame.columns])
    writer.writerows([neutralise(v) for v in row] for row in frame.iter_rows())
    return out.getvalue()


def filter_frame(
    events: pl.DataFrame,
    user: str | None = None,
    person: str | None = None,
    kinds: tuple[str, ...] = (),
    purpose: str | None = None,
    days: tuple[str | None, str | None] = (None, None),
) -> pl.DataFrame:
    """Events for a user, mentioning a person id, of some kinds, purpose, UTC days."""
    day = pl.col("at_utc").str.slice(0, 10)
    conds = [
        pl.col("user_id") == user if user else None,
        pl.col("data").str.contains(f'"{person}"', literal=True) if person else None,
        pl.col("kind").is_in(list(kinds)) if kinds else None,
        pl.col("purpose") == purpose if purpose else None,
        day >= days[0] if days[0] else None,
        day <= days[1] if days[1] else None,
    ]
    wanted = [c for c in conds if c is not None]
    return events.filter(*wanted) if wanted else events
