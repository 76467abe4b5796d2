"""Governance tables beside the audit log: sessions, restrictions, the review queue.

They live in the audit database (``storage.audit_url``). Unlike ``audit_events``
these rows change (a session ends, a restriction is lifted, a review item is
closed), and every such change is itself recorded as an audit event.
"""

from __future__ import annotations

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text

metadata = MetaData()

#: Server-side record of each signed-in session (the cookie alone is not trusted).
app_sessions = Table(
    "app_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("user_id", Text, nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("method", String(16), nullable=False),  # demo / oidc
    Column("started_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    Column("absolute_expiry", String(32), nullable=False),
    Column("token_expiry", String(32), nullable=True),
    Column("ended_at", String(32), nullable=True),
    Column("end_reason", String(32), nullable=True),
)

#: People whose records are restricted, set and lifted by an administrator.
restrictions = Table(
    "restrictions",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("set_by", Text, nullable=False),
    Column("set_at", String(32), nullable=False),
    Column("lifted_by", Text, nullable=True),
    Column("lifted_at", String(32), nullable=True),
)

#: The auditor's review queue: one row per flag or override to review.
review_items = Table(
    "review_items",
    metadata,
    Column("item_id", String(128), primary_key=True),
    Column("flag", String(32), nullable=False),
    Column("user_id", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("raised_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # open / closed / escalated
    Column("note", Text, nullable=True),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", String(32), nullable=True),
)

#: How far the review queue has read the log (one row, id 1), so no event is
#: ever skipped however long no auditor looked.
review_sync = Table(
    "review_sync",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_seq", Integer, nullable=False),
    Column("last_at_utc", String(32), nullable=False),
)


#: Where the chain starts after retention removed older events (one row, id 1).
chain_anchor = Table(
    "chain_anchor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("first_seq", Integer, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("cutoff_utc", String(32), nullable=False),
)


#: Keyed marks of the chain (``governance.audit``): ``keyed`` says from which event
#: the chain is HMAC-keyed and what it started from; ``anchor`` seals the anchor
#: retention left behind. Each row's ``mac`` needs the key, so neither can be
#: forged or moved by someone who can only change the database.
chain_seals = Table(
    "chain_seals",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("first_seq", Integer, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("note", Text, nullable=False),  # canonical JSON
    Column("at_utc", String(32), nullable=False),
    Column("mac", String(64), nullable=False),
)


#: Where each session was, so a reload comes back to it: the reason given and the
#: person whose family view was open (never in the page's address). Read only for
#: the session whose server-side row was checked first (``governance.places``).
session_places = Table(
    "session_places",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("purpose", Text, nullable=True),  # null: no reason given (yet, or now)
    Column("case_ref", Text, nullable=True),
    Column("explanation", Text, nullable=True),
    Column("person_id", String(64), nullable=True),
    Column("updated_at", String(32), nullable=False),
)


def ensure_governance_schema(engine: Engine) -> None:
    """Create the sessions, restrictions and review tables if missing."""
    metadata.create_all(engine, checkfirst=True)
