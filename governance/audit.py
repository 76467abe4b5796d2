"""The append-only, hash-chained audit log: who looked at whom, when and why.

Each event's hash is SHA-256 over the previous event's hash and a canonical JSON
serialisation of the event (sorted keys, UTC timestamps), so changing, removing or
reordering any stored event breaks the chain from that point on. Writers take a
lock before reading the chain's head, and ``prev_hash`` is unique, so concurrent
writers can never fork the chain. If an event cannot be written, ``record_event``
raises ``AuditError`` and the caller must show nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from core.db import is_postgres, is_sqlite
from core.errors import AuditError
from core.logs import log
from core.vocab import ACTOR_ROLES, ActorRole
from governance.store import chain_anchor, ensure_governance_schema

GENESIS = "0" * 64

#: The kinds of event that may be recorded: a closed set, so an ``Event`` of any
#: other kind cannot even be made (and a type checker flags it where it is written).
EventKind = Literal[
    "sign_in",
    "sign_out",
    "sign_in_failed",
    "access_denied",
    "search",  # level 1: the criteria asked
    "results_shown",  # level 2: which people were listed
    "family_opened",  # level 3: a person's family view was opened
    "service_opened",  # level 4: one service's detail was opened
    "override",  # a restricted record opened with a written reason
    "restriction_set",
    "restriction_lifted",
    "review_decision",  # an auditor closed or escalated a review item
    "audit_search",  # an auditor looked at the log, with these filters
    "session_expired",
    "retention",  # events older than the retention period were removed
    "export",  # a file or printable summary handed out
    "report",  # a worker reported a wrong link or an out-of-date contact
    "report_closed",  # an administrator dealt with a report
    "config",
    "build",
]
EVENT_KINDS: frozenset[str] = frozenset(get_args(EventKind))

metadata = MetaData()

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at_utc", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("user_id", Text, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column("session_id", String(64), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("case_ref", Text, nullable=False),
    Column("data", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
)


@dataclass(frozen=True)
class Actor:
    """The named person doing something, in the role they signed in with."""

    user_id: str
    user_name: str
    role: ActorRole
    session_id: str

    def __post_init__(self) -> None:
        if self.role not in ACTOR_ROLES:
            raise AuditError(
                f"'{self.role}' is not a role this tool knows; "
                f"use one of {', '.join(ACTOR_ROLES)}."
            )


@dataclass(frozen=True)
class Event:
    """One auditable action; the UTC time is set when the event is made."""

    kind: EventKind
    actor: Actor
    purpose: str = ""
    case_ref: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise AuditError(f"Audit event kind '{self.kind}' is not registered.")


def utc_text(moment: datetime) -> str:
    """The one textual form of a UTC time used in the chain."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same value always gives one text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _row_of(event: Event) -> dict[str, str]:
    return {
        "at_utc": utc_text(event.at),
        "kind": event.kind,
        "user_id": event.actor.user_id,
        "user_name": event.actor.user_name,
        "role": event.actor.role,
        "session_id": event.actor.session_id,
        "purpose": event.purpose,
        "case_ref": event.case_ref,
        "data": canonical_json(dict(event.data)),
    }


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """Hash of one event given the previous event's hash."""
    body = {k: row[k] for k in _row_keys()}
    payload = prev_hash + "\n" + canonical_json(body)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _row_keys() -> tuple[str, ...]:
    return (
        "at_utc",
        "kind",
        "user_id",
        "user_name",
        "role",
        "session_id",
        "purpose",
        "case_ref",
        "data",
    )


def ensure_audit_schema(engine: Engine) -> None:
    """Create the audit table (and the governance tables beside it) if missing."""
    metadata.create_all(engine, checkfirst=True)
    ensure_governance_schema(engine)


def _lock(conn) -> None:  # noqa: ANN001
    """Serialise writers for the read-head-then-insert step."""
    if is_postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(774411)"))
    elif is_sqlite(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def record_event(engine: Engine, event: Event) -> str:
    """Append ``event`` to the chain and return its hash, or raise AuditError."""
    if event.kind not in EVENT_KINDS:
        raise AuditError(f"Audit event kind '{event.kind}' is not registered.")
    row = _row_of(event)
    try:
        with engine.connect() as conn:
            _lock(conn)
            head = conn.execute(
                select(audit_events.c.hash).order_by(audit_events.c.seq.desc()).limit(1)
            ).scalar_one_or_none()
            prev = head or GENESIS
            digest = chain_hash(prev, row)
            conn.execute(
                insert(audit_events), [{**row, "prev_hash": prev, "hash": digest}]
            )
            conn.commit()
    except SQLAlchemyError as exc:
        log("audit_write_failed", logging.ERROR, kind=event.kind, role=event.actor.role)
        raise AuditError(
            "The access could not be recorded in the audit log, so nothing is shown. "
            "Try again; if it persists, contact the system administrator."
        ) from exc
    log("audit_event", kind=event.kind, role=event.actor.role)
    return digest


@dataclass(frozen=True)
class ChainCheck:
    """Outcome of verifying the chain: how many events, and the first bad one."""

    events: int
    valid: bool
    first_broken: int | None  # seq of the first event whose link fails


def verify_chain(engine: Engine, batch: int = 5000) -> ChainCheck:
    """Recompute every link in order; report the first event that does not fit.

    The chain starts at GENESIS, or at the anchor retention left behind.
    """
    cols = [audit_events.c[k] for k in ("seq", *_row_keys(), "prev_hash", "hash")]
    count = 0
    first_broken: int | None = None
    with engine.connect() as conn:
        anchor = conn.execute(
            select(chain_anchor.c.prev_hash).where(chain_anchor.c.id == 1)
        ).scalar()
        prev = anchor or GENESIS
        result = conn.execution_options(yield_per=batch).execute(
            select(*cols).order_by(audit_events.c.seq)
        )
        for row in result.mappings():
            count += 1
            if first_broken is None and (
                row["prev_hash"] != prev or chain_hash(prev, row) != row["hash"]
            ):
                first_broken = row["seq"]
            prev = row["hash"]
    return ChainCheck(count, first_broken is None, first_broken)


def read_events(engine: Engine, limit: int = 500) -> list[dict[str, Any]]:
    """The newest events first, with their data decoded, for the auditor's view."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_events).order_by(audit_events.c.seq.desc()).limit(limit)
        ).mappings()
        return [{**r, "data": json.loads(r["data"])} for r in rows]
