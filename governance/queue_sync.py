"""Filling the review queue from the whole log, however long since an auditor looked.

Each run reads the events after the last one it read (``review_sync``), in
chunks, with enough earlier events for the per-day and per-session flags (one
session length and a day before the previous run's last event) and each new
signer-in's previous sign-in (for dormancy). Flag keys are stable, so an item
raised or decided once is never raised again. Each move of the position is
recorded first as a ``queue_read`` event, so ``verify`` can tell the position
was never moved past what the log shows read (``governance.state``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import Connection, Engine, func, insert, or_, select, text, update

from core.db import is_postgres, is_sqlite
from governance.audit import Actor, Event, audit_events, record_event
from governance.flags import EVENT_SCHEMA, FLAG_SCHEMA, FlagRules, all_flags
from governance.store import app_sessions, review_items, review_sync
from governance.system_events import system_actor

CHUNK = 100_000
_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
_COLS = [audit_events.c[k] for k in EVENT_SCHEMA]


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME)


def _rows(conn, query) -> pl.DataFrame:  # noqa: ANN001
    return pl.DataFrame(conn.execute(query).all(), schema=EVENT_SCHEMA, orient="row")


def _chunk(conn, after: int, upto: int, since: str | None) -> pl.DataFrame:  # noqa: ANN001
    """Events ``after < seq <= upto`` plus, for context, earlier ones from ``since``."""
    seq, at = audit_events.c.seq, audit_events.c.at_utc
    new = seq > after
    wanted = or_(new, at >= since) if since else new
    frame = _rows(conn, select(*_COLS).where(seq <= upto, wanted).order_by(seq))
    signers = frame.filter(pl.col("kind") == "sign_in")["user_id"].unique().to_list()
    if not signers:
        return frame
    previous = _rows(  # each new signer-in's latest sign-in before the context
        conn,
        select(*_COLS).where(
            seq.in_(
                select(func.max(seq))
                .where(audit_events.c.kind == "sign_in", seq <= after,
                       audit_events.c.user_id.in_(signers),
                       at < since if since else seq <= after)
                .group_by(audit_events.c.user_id)
            )
        ),
    )  # fmt: skip
    return pl.concat([previous, frame]).unique("seq", keep="first").sort("seq")


def unused_accounts(engine: Engine, rules: FlagRules, now: datetime) -> pl.DataFrame:
    """Accounts with no sign-in for over ``dormant_days`` (from the sessions table):
    dormant accounts to review or disable."""
    cutoff = _text(now - timedelta(days=rules.dormant_days))
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
    ).cast(FLAG_SCHEMA)  # fmt: skip


def _queue(conn, flags: pl.DataFrame) -> int:  # noqa: ANN001
    """Insert the flags not already in the queue; how many were new."""
    known = set(conn.execute(select(review_items.c.item_id)).scalars())
    new = flags.filter(~pl.col("key").is_in(list(known))).unique("key")
    rows = [
        {"item_id": r["key"], "flag": r["flag"], "user_id": r["user_id"],
         "detail": r["detail"] or "", "raised_at": r["at_utc"], "status": "open"}
        for r in new.iter_rows(named=True)
    ]  # fmt: skip
    if rows:
        conn.execute(insert(review_items), rows)
    return len(rows)


def _lock(conn) -> None:  # noqa: ANN001
    """One syncing auditor at a time (not the writers' lock: writers never wait)."""
    if is_postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(774412)"))
    elif is_sqlite(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _mark(conn, seq: int, at: str, first: bool) -> None:  # noqa: ANN001
    if first:
        conn.execute(insert(review_sync), [{"id": 1, "last_seq": seq,
                                            "last_at_utc": at}])  # fmt: skip
    else:
        conn.execute(
            update(review_sync)
            .where(review_sync.c.id == 1)
            .values(last_seq=seq, last_at_utc=at)
        )


def _since(last_at: str | None, rules: FlagRules) -> str | None:
    """Where the context starts: a session length and a day before ``last_at``."""
    if not last_at:
        return None
    moment = datetime.strptime(last_at, _TIME).replace(tzinfo=UTC)
    return _text(moment - rules.session_limit - timedelta(days=1))


def _read_position(engine: Engine) -> tuple[int, str | None, bool, int]:
    """(last seq read, its time, whether a mark exists, the log's head)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(review_sync.c.last_seq, review_sync.c.last_at_utc)
        ).first()
        head = conn.execute(select(func.max(audit_events.c.seq))).scalar() or 0
    if found is None:
        return 0, None, False, head
    return found[0], found[1], True, head


def first_unread(conn: Connection, after: int, upto: int) -> int | None:
    """The first event in (after, upto] that is not the queue's own
    ``queue_read`` (None: reading them is only bookkeeping)."""
    return conn.execute(
        select(audit_events.c.seq)
        .where(audit_events.c.seq > after, audit_events.c.seq <= upto,
               audit_events.c.kind != "queue_read")
        .order_by(audit_events.c.seq)
        .limit(1)
    ).scalar()  # fmt: skip


def _only_bookkeeping(engine: Engine, after: int, upto: int) -> bool:
    with engine.connect() as conn:
        return first_unread(conn, after, upto) is None


def _step(
    engine: Engine, rules: FlagRules, now: datetime, actor: Actor
) -> tuple[int, bool]:
    """Read one chunk after the mark, queue its flags and move the mark; the
    move is recorded first (``queue_read``), so the mark never runs ahead of the
    log; (items raised, whether more events are waiting)."""
    last_seq, last_at, marked, head = _read_position(engine)
    if last_seq >= head:
        return 0, False
    upto = min(head, last_seq + CHUNK)
    quiet = _only_bookkeeping(engine, last_seq, upto)
    if not quiet:
        data = {"from": last_seq, "upto": upto}
        record_event(engine, Event("queue_read", actor, data=data, at=now))
    with engine.connect() as conn:
        _lock(conn)
        again = conn.execute(select(review_sync.c.last_seq)).scalar()
        if (again or 0) != last_seq:  # another auditor moved it meanwhile
            conn.rollback()
            return 0, True
        events = _chunk(conn, last_seq, upto, _since(last_at, rules))
        raised = 0 if quiet else _queue(conn, all_flags(events, rules, now))
        newest = events.filter(pl.col("seq") <= upto).tail(1)
        at = newest["at_utc"][0] if newest.height else last_at or _text(now)
        _mark(conn, upto, at, not marked)
        conn.commit()
    return raised, upto < head


def sync_queue(
    engine: Engine,
    rules: FlagRules,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> int:
    """Raise every flag in the events not yet read; returns how many items were new.

    Safe with several auditors at once: each chunk is one transaction under its
    own lock, so no event is read twice and no item is inserted twice. Each
    move of the read position is an audit event (``queue_read``, by ``actor``,
    by default the system), except over the queue's own such events.
    """
    now = now or datetime.now(UTC)
    actor = actor or system_actor()
    unused = unused_accounts(engine, rules, now)
    with engine.connect() as conn:
        _lock(conn)
        raised = _queue(conn, unused)
        conn.commit()
    more = True
    while more:
        done, more = _step(engine, rules, now, actor)
        raised += done
    return raised
