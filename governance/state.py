"""The governance tables agree with the audit log: every change to them is an
event, so a change made any other way is found.

What each table must say, from the events (newest first per key):

- ``restrictions``: a person's row is active with the category of their latest
  ``restriction_set``, or lifted after a ``restriction_lifted``; no row without
  an event, no event without a row.
- ``review_items``: an item is open until a ``review_decision`` names it, then
  has that decision's status, note and auditor.
- ``review_sync``: the queue's read position never passes what a
  ``queue_read`` event recorded (beyond the queue's own such events), so later
  events (an override) cannot be skipped unseen.
- ``app_sessions``: each session was opened by a ``sign_in`` event of the same
  user and role, with that expiry; one ended by an event (sign-out, time-out,
  replaced by a newer sign-in, refused cookie) is still ended.

Rows older than the start of the retained log (retention's cut-off) cannot be
checked against removed events and are skipped; on PostgreSQL the same rules
are enforced by triggers for every change (``governance.hardening``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select

from governance.audit import audit_events
from governance.queue_sync import first_unread
from governance.store import (
    app_sessions,
    chain_anchor,
    chain_seals,
    restrictions,
    review_items,
    review_sync,
)

#: Event kinds the governance tables follow.
STATE_KINDS = (
    "restriction_set", "restriction_lifted", "review_decision", "queue_read",
    "sign_in", "sign_out", "session_expired", "sign_in_failed",
)  # fmt: skip


def _events(conn: Connection) -> list[dict[str, Any]]:
    cols = [audit_events.c[k] for k in ("seq", "kind", "user_id", "role",
                                        "session_id", "data")]  # fmt: skip
    found = conn.execute(
        select(*cols)
        .where(audit_events.c.kind.in_(STATE_KINDS))
        .order_by(audit_events.c.seq)
    ).mappings()
    return [{**r, "data": json.loads(r["data"])} for r in found]


def _latest(events: Iterable[Mapping[str, Any]], kinds: tuple[str, ...],
            key: str) -> dict[str, Mapping[str, Any]]:  # fmt: skip
    """The newest event of ``kinds`` per ``data[key]``."""
    return {e["data"].get(key): e for e in events if e["kind"] in kinds}


def _restriction_problems(conn: Connection, events, cutoff: str) -> list[str]:  # noqa: ANN001
    latest = _latest(events, ("restriction_set", "restriction_lifted"), "person_id")
    rows = {r["person_id"]: r for r in conn.execute(select(restrictions)).mappings()}
    problems = []
    for pid, row in rows.items():
        event = latest.get(pid)
        if event is None:
            if max(row["set_at"], row["lifted_at"] or "") >= cutoff:
                problems.append(f"restriction of {pid} has no restriction event")
        elif event["kind"] == "restriction_set":
            if row["lifted_at"] is not None:
                problems.append(f"restriction of {pid} was lifted with no event")
            elif row["category"] != event["data"].get("category"):
                problems.append(f"restriction of {pid} was changed with no event")
        elif row["lifted_at"] is None:
            problems.append(f"restriction of {pid} is active but was lifted")
    problems += [
        f"restriction of {pid} was removed from the table"
        for pid in latest
        if pid not in rows
    ]
    return problems


def _review_problems(conn: Connection, events, cutoff: str) -> list[str]:  # noqa: ANN001
    latest = _latest(events, ("review_decision",), "item_id")
    problems = []
    for row in conn.execute(select(review_items)).mappings():
        event, item = latest.get(row["item_id"]), row["item_id"]
        if row["status"] == "open":
            if event is not None:
                problems.append(f"review item {item} was reopened with no event")
        elif event is None:
            if (row["decided_at"] or "") >= cutoff:
                problems.append(
                    f"review item {item} is {row['status']} with no review_decision"
                )
        elif (row["status"], row["note"], row["decided_by"]) != (
            event["data"].get("status"), event["data"].get("note"), event["user_id"]
        ):  # fmt: skip
            problems.append(f"review item {item} does not match its review_decision")
    return problems


def _sync_problems(conn: Connection, events, keyed_from: int | None) -> list[str]:  # noqa: ANN001
    position = conn.execute(select(review_sync.c.last_seq)).scalar()
    if position is None or keyed_from is None:
        return []  # never synced, or a log from before the keyed chain
    logged = max([e["data"].get("upto", 0) for e in events
                  if e["kind"] == "queue_read"] + [keyed_from - 1])  # fmt: skip
    skipped = first_unread(conn, logged, position)
    if skipped is None:
        return []
    return [
        f"the review queue's position (event {position}) is past what the log "
        f"shows read (event {logged}): event {skipped} and later were skipped"
    ]


def _ended(events) -> set[str]:  # noqa: ANN001
    """Sessions the log says are over."""
    over = set()
    for e in events:
        if e["kind"] in ("sign_out", "session_expired"):
            over.add(e["session_id"])
        elif e["kind"] == "sign_in_failed" and (
            e["data"].get("why") == "session_mismatch"
        ):
            over.add(e["session_id"])
        elif e["kind"] == "sign_in":
            over.update(e["data"].get("replaced", ()))
    return over


def _session_problems(conn: Connection, events, cutoff: str) -> list[str]:  # noqa: ANN001
    opened = {e["session_id"]: e for e in events if e["kind"] == "sign_in"}
    over, problems = _ended(events), []
    for row in conn.execute(select(app_sessions)).mappings():
        sid, event = row["session_id"], opened.get(row["session_id"])
        if event is None:
            if row["started_at"] >= cutoff:
                problems.append(f"session {sid[:12]}… has no sign_in event")
            continue
        data = event["data"]
        if (row["user_id"], row["role"]) != (event["user_id"], event["role"]):
            problems.append(f"session {sid[:12]}…: user or role changed")
        if "expires" in data and (row["absolute_expiry"], row["token_expiry"]) != (
            data["expires"],
            data.get("token_expiry"),
        ):
            problems.append(f"session {sid[:12]}…: its expiry was changed")
        if sid in over and row["ended_at"] is None:
            problems.append(f"session {sid[:12]}… was ended, then reopened")
    return problems


def state_problems(engine: Engine) -> list[str]:
    """Every disagreement between the governance tables and the log."""
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        if not {"audit_events", "chain_anchor", "chain_seals"} <= present:
            return []
        events = _events(conn)
        cutoff = conn.execute(select(chain_anchor.c.cutoff_utc)).scalar() or ""
        keyed_from = conn.execute(
            select(chain_seals.c.first_seq).where(chain_seals.c.kind == "keyed")
        ).scalar()
        checks = (
            ("restrictions", lambda: _restriction_problems(conn, events, cutoff)),
            ("review_items", lambda: _review_problems(conn, events, cutoff)),
            ("review_sync", lambda: _sync_problems(conn, events, keyed_from)),
            ("app_sessions", lambda: _session_problems(conn, events, cutoff)),
        )
        return [p for table, check in checks if table in present for p in check()]
