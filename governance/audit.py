"""The append-only, keyed hash chain: who looked at whom, when and why.

Each event's hash is an HMAC (``governance.chain``) under a key held outside the
database (``governance.keys``) over the previous event's hash and the event, so
changing, removing or reordering any stored event breaks the chain from that
point on, and rewriting it needs the key as well as the database.

Writing is a group commit on PostgreSQL. A writer first stores its event in
``audit_pending`` (one short transaction), then takes the chain's lock: whoever
holds it links every pending event, oldest first, onto the head in one
transaction (one commit, one flush for many events), removes them from
``audit_pending`` and, still holding the lock, links what was stored meanwhile
(a few rounds at most), so a writer waiting for it is linked by it. A writer
whose event was linked by another returns at once. On SQLite, where writers
hold the file's write lock one at a time, a writer links its event (after
anything left pending) in one transaction. ``prev_hash`` is unique and ``seq``
is given under the lock, so the chain never forks and has no gaps. If an event
cannot be written (stored and linked), ``record_event`` raises ``AuditError``
and the caller must show nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from core.db import is_postgres, is_sqlite
from core.errors import AuditError
from core.logs import log
from core.vocab import ACTOR_ROLES, ActorRole
from governance.chain import (
    GENESIS,
    ROW_KEYS,
    canonical_json,
    chain_hash,
    mac,
    mac_matches,
    seal_fields,
    utc_text,
)
from governance.keys import key_of
from governance.store import chain_anchor, chain_seals, ensure_governance_schema

__all__ = ["GENESIS", "canonical_json", "chain_hash", "utc_text"]


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
    "reopen",  # level 3 again: a reloaded page opened the same family view
    "service_opened",  # level 4: one service's detail was opened
    "override",  # a restricted record opened with a written reason
    "restriction_set",
    "restriction_lifted",
    "review_decision",  # an auditor closed or escalated a review item
    "queue_read",  # the review queue read the log up to an event
    "audit_search",  # an auditor looked at the log, with these filters
    "session_expired",
    "retention",  # events older than the retention period were removed
    "export",  # a file or printable summary handed out
    "subject_access",  # IG prepared one person's subject access report
    "report",  # a worker reported a wrong link or an out-of-date contact
    "request_prepared",  # a worker prepared an email or call to a professional
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
    Column("pending_id", Integer, nullable=True),  # its row in audit_pending
)
_pending_index = Index("ix_audit_events_pending_id", audit_events.c.pending_id,
                       unique=True)  # fmt: skip

#: Events stored but not yet linked: rows leave only once linked (a trigger on
#: PostgreSQL refuses any other removal, and every change).
audit_pending = Table(
    "audit_pending",
    metadata,
    Column("pid", Integer, primary_key=True, autoincrement=True),
    *(Column(c.name, c.type, nullable=False) for c in audit_events.c
      if c.name in ROW_KEYS),
    sqlite_autoincrement=True,  # a pid is never reused (it names a linked event)
)  # fmt: skip


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


def _add_pending_column(engine: Engine) -> None:
    """Logs made before the group commit lack ``audit_events.pending_id``."""
    columns = {c["name"] for c in inspect(engine).get_columns("audit_events")}
    if "pending_id" in columns:
        return
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_events ADD COLUMN pending_id INTEGER"))
    except SQLAlchemyError as exc:
        raise AuditError(
            "audit_events needs the pending_id column of this version and this "
            "database role may not add it: run python -m governance setup-postgres "
            "as the database administrator (docs/deploy.md, Upgrades)."
        ) from exc


def ensure_audit_schema(engine: Engine) -> None:
    """Create the audit tables (and the governance tables beside them) if missing,
    and bring an older log's table up to this version."""
    metadata.create_all(engine, checkfirst=True, tables=[audit_events, audit_pending])
    _add_pending_column(engine)
    _pending_index.create(engine, checkfirst=True)
    ensure_governance_schema(engine)


_LOCK = 774411


def _lock(conn: Connection) -> None:
    """Serialise the linking step (the head is read, then appended to)."""
    if is_postgres(conn):
        conn.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK})"))
    elif is_sqlite(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


#: Most pending events one transaction links.
BATCH = 1000
_PENDING_COLS = [audit_pending.c.pid, *(audit_pending.c[k] for k in ROW_KEYS)]


def record_event(engine: Engine, event: Event) -> None:
    """Store ``event`` and link it onto the chain, or raise AuditError."""
    if event.kind not in EVENT_KINDS:
        raise AuditError(f"Audit event kind '{event.kind}' is not registered.")
    if engine.url.query.get("mode") == "ro" and is_sqlite(engine):
        raise AuditError(
            "storage.audit_url opens the audit log read-only (mode=ro), so nothing "
            "can be recorded and nothing is shown: a read-only URL is only for "
            "python -m governance verify. Use the writable URL for the dashboard "
            "and the command-line tools."
        )
    row = _row_of(event)
    try:
        key = key_of(engine)
        with engine.connect() as conn:
            if _idle_postgres(conn):
                _record_postgres(conn, key, row)
            elif is_sqlite(conn):
                _record_sqlite(conn, key, row)
            else:
                stored = conn.execute(insert(audit_pending).values(**row))
                pid = stored.inserted_primary_key[0]
                conn.commit()
                _lead_when_locked(conn, key, pid)
    except SQLAlchemyError as exc:
        log("audit_write_failed", logging.ERROR, kind=event.kind, role=event.actor.role)
        raise AuditError(
            "The access could not be recorded in the audit log, so nothing is shown. "
            "Try again; if it persists, contact the system administrator."
        ) from exc
    log("audit_event", kind=event.kind, role=event.actor.role)


_COLUMNS = ", ".join(ROW_KEYS)
_LINKED_COLUMNS = f"seq, {_COLUMNS}, prev_hash, hash, pending_id"
#: Waiters wait on this lock (shared), which a leader holds while it links; new
#: writers try the chain's own lock, which no waiter holds, so waiting never
#: stops another writer from leading.
_WAITING = 774413
_HEAD = "(SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1)"
#: This connection's last stored event (a sub-select, evaluated once, so the
#: look-up is by the primary key, not a test of every pending row).
_MINE = "(SELECT currval(pg_get_serial_sequence('audit_pending', 'pid')))"
_LED = "current_setting('fc.led') = 'true'"
#: Holding both locks, what is pending, oldest first, with the head (read after
#: the locks, so every event stored before them is seen); else nothing. Not
#: holding them, whether this connection's event is still pending.
_READ = (
    f"SELECT p.pid, {', '.join('p.' + k for k in ROW_KEYS)}, h.seq, h.hash "
    f"FROM audit_pending p LEFT JOIN {_HEAD} h ON true WHERE {_LED} "
    f"ORDER BY p.pid LIMIT {BATCH}; "
    f"SELECT count(*) FROM audit_pending WHERE NOT {_LED} AND pid = {_MINE}"
)
#: Try the chain's lock (a session lock: it outlives this round trip); holding
#: it, take the waiters' lock too; not holding it, wait (shared, so every waiter
#: wakes at once) for the leader to commit. Then read.
_TRY = (
    f"SELECT set_config('fc.led', pg_try_advisory_lock({_LOCK})::text, false); "
    f"SELECT CASE WHEN {_LED} THEN pg_advisory_lock({_WAITING})::text "
    f"ELSE pg_advisory_xact_lock_shared({_WAITING})::text END; " + _READ
)
#: Queue for the locks (after a few tries), then read.
_QUEUE = (
    f"SELECT pg_advisory_lock({_LOCK}); SELECT set_config('fc.led', 'true', false);"
    f" SELECT pg_advisory_lock({_WAITING}); " + _READ
)
#: Store the event and commit (not waiting for the disk: until it is linked,
#: by a commit that does wait, nothing is shown), then try to lead.
_STORE_AND_TRY = (
    "BEGIN; SET LOCAL synchronous_commit TO off; "
    f"INSERT INTO audit_pending ({_COLUMNS}) VALUES "
    f"({', '.join(f'%({k})s' for k in ROW_KEYS)}) RETURNING pid; COMMIT; " + _TRY
)
_UNLOCK = f"SELECT pg_advisory_unlock({_LOCK}), pg_advisory_unlock({_WAITING})"
#: Times a PostgreSQL writer tries to lead or be linked before queueing.
_TRIES = 8


def _idle_postgres(conn: Connection) -> bool:
    """PostgreSQL with no transaction left open on the connection (the fast path
    runs its own)."""
    if not is_postgres(conn):
        return False
    raw = conn.connection.driver_connection
    return raw.info.transaction_status == raw.info.transaction_status.IDLE


def _record_postgres(conn: Connection, key: bytes, row: Mapping[str, str]) -> None:
    """Store, then link or be linked, in one round trip for most writers (two
    for the one that leads): this runs for every event of every writer.

    The event is stored and committed first, then in the same round trip the
    writer tries the chain's lock: holding it, it reads everything pending and
    links it in a second round trip; finding it held, it waits for that leader
    to commit and looks whether its event was linked (usually it was); if not,
    it tries again, and after a few tries queues for the locks. The leader's
    locks are session locks, released after its commit; any failure drops the
    connection, which releases them. Statements are bound by psycopg on the
    client (several in one round trip), never formatted by hand.
    """
    from psycopg import ClientCursor

    raw = conn.connection.driver_connection
    raw.autocommit = True  # the statements sent carry their own transactions
    try:
        with ClientCursor(raw) as cur:
            _store_and_link(conn, cur, key, row)
        raw.autocommit = False
    except conn.dialect.loaded_dbapi.Error as exc:
        conn.invalidate()  # a closed session holds no lock
        raise DBAPIError(_STORE_AND_TRY, None, exc) from exc
    except BaseException:
        conn.invalidate()
        raise


def _results(cur: Any, query: str, params: Any = None) -> list[list[Any]]:
    """Rows of every statement of a multi-statement query, in order (a result
    with rows is told by its status: building its column descriptions would
    cost more than reading it)."""
    from psycopg.pq import ExecStatus

    cur.execute(query, params)
    found = []
    while True:
        rows = cur.pgresult is not None and cur.pgresult.status == ExecStatus.TUPLES_OK
        found.append(cur.fetchall() if rows else [])
        if not cur.nextset():
            return found


def _store_and_link(
    conn: Connection, cur: Any, key: bytes, row: Mapping[str, str]
) -> None:
    found = _results(cur, _STORE_AND_TRY, row)
    pid = int(found[2][0][0])
    for _ in range(_TRIES):
        if _linked(conn, cur, key, pid, found[-4:]):
            return
        found = _results(cur, _TRY)
    while True:
        if _linked(conn, cur, key, pid, _results(cur, _QUEUE)[-4:]):
            return


def _linked(
    conn: Connection, cur: Any, key: bytes, pid: int, found: list[list[Any]]
) -> bool:
    """Whether event ``pid`` is linked, from what a try read (``found``: led,
    waited, pending, still pending). A waiter's was unless still pending; a
    leader links what it read (and what came meanwhile), then lets go of the
    locks."""
    led, _, pending, waiting = found
    if led[0][0] != "true":
        return waiting[0][0] == 0
    pids = [r[0] for r in pending]
    linked = _lead_postgres(conn, cur, key, pending)
    return pid in linked or len(pids) < BATCH or pids[-1] > pid


#: Holding the locks after a commit: what was stored meanwhile, as ``_READ``.
_AGAIN = (
    f"SELECT p.pid, {', '.join('p.' + k for k in ROW_KEYS)}, h.seq, h.hash "
    f"FROM audit_pending p LEFT JOIN {_HEAD} h ON true ORDER BY p.pid LIMIT {BATCH}"
)
#: Link transactions one leader runs at most before letting go of the locks.
ROUNDS = 4


def _lead_postgres(
    conn: Connection, cur: Any, key: bytes, pending: list[Any]
) -> set[int]:
    """Holding the locks, link ``pending`` (read after them) and commit; the
    same round trip reads what was stored meanwhile, which is linked next, up to
    ``ROUNDS`` transactions, so a writer waiting for this leader is linked by it
    rather than trying again. Then let go of the locks (in the last link's round
    trip when there is nothing more to link). The pending ids linked."""
    done: set[int] = set()
    for round_ in range(1, ROUNDS + 1):
        if not pending:
            break
        then = _UNLOCK if round_ == ROUNDS else _AGAIN
        pids, pending = _link_round(conn, cur, key, pending, then)
        done.update(pids)
        if then == _UNLOCK:
            return done
    cur.execute(_UNLOCK)
    return done


def _link_round(
    conn: Connection, cur: Any, key: bytes, pending: list[Any], then: str
) -> tuple[list[int], list[Any]]:
    """Link ``pending`` in one transaction and run ``then`` in the same round
    trip; (the pending ids linked, the rows ``then`` read)."""
    if pending[0][-2] is None:  # an empty log: start from the anchor
        head_seq, prev = _head(conn)
    else:
        head_seq, prev = pending[0][-2], pending[0][-1]
    begin = "BEGIN; "
    if not conn.info.get("fc_keyed"):  # in the transaction that links
        cur.execute("BEGIN")
        _seal_keying(conn, key, head_seq, prev)
        begin = ""
    rows = [(r[0], dict(zip(ROW_KEYS, r[1:-2], strict=True))) for r in pending]
    linked = _links(rows, head_seq, prev, key)
    one = f"({', '.join(['%s'] * (len(ROW_KEYS) + 4))})"
    order = ("seq", *ROW_KEYS, "prev_hash", "hash", "pending_id")
    values = [r[k] for r in linked for k in order]
    pids = [r[0] for r in pending]
    found = _results(
        cur,
        f"{begin}INSERT INTO audit_events ({_LINKED_COLUMNS}) VALUES "
        f"{', '.join([one] * len(linked))}; "
        f"DELETE FROM audit_pending WHERE pid IN ({', '.join(['%s'] * len(pids))}); "
        f"COMMIT; {then}",
        [*values, *pids],
    )
    conn.info["fc_keyed"] = True  # the seal, if this wrote it, is committed
    return pids, (found[-1] if then == _AGAIN else [])


def _links(
    rows: Iterable[tuple[int | None, Mapping[str, Any]]],
    head_seq: int,
    prev: str,
    key: bytes,
) -> list[dict[str, Any]]:
    """The chained form of events (pending id or None, content), oldest first."""
    linked = []
    for offset, (pid, content) in enumerate(rows, start=1):
        digest = chain_hash(prev, content, key)
        linked.append({**content, "seq": head_seq + offset, "prev_hash": prev,
                       "hash": digest, "pending_id": pid})  # fmt: skip
        prev = digest
    return linked


def _record_sqlite(conn: Connection, key: bytes, row: Mapping[str, str]) -> None:
    """SQLite: one write transaction per event. Writers hold the file's write lock
    one at a time, so nothing can be grouped: holding it, link whatever an
    earlier writer left pending, then this event, and commit."""
    _lock(conn)
    pending = conn.execute(
        select(*_PENDING_COLS).order_by(audit_pending.c.pid).limit(BATCH)
    ).all()
    head_seq, prev = _head(conn)
    if not conn.info.get("fc_keyed"):
        _seal_keying(conn, key, head_seq, prev)
        conn.info["fc_keyed"] = True
    content = [(r.pid, {k: getattr(r, k) for k in ROW_KEYS}) for r in pending]
    linked = _links([*content, (None, row)], head_seq, prev, key)
    conn.execute(insert(audit_events), linked)
    if pending:
        pids = [r.pid for r in pending]
        conn.execute(delete(audit_pending).where(audit_pending.c.pid.in_(pids)))
    conn.commit()


def _lead_when_locked(conn: Connection, key: bytes, pid: int) -> None:
    """Queue for the lock, then link what is pending (SQLite, where writers go
    one at a time, so each links its own event)."""
    while True:
        _lock(conn)
        if _lead(conn, key, pid):
            return


def _lead(conn: Connection, key: bytes, pid: int) -> bool:
    """Holding the lock, link the oldest pending events and commit; whether
    ``pid`` is now linked."""
    rows = conn.execute(
        select(*_PENDING_COLS).order_by(audit_pending.c.pid).limit(BATCH)
    ).all()
    pids = [r.pid for r in rows]
    if pid not in pids and (len(rows) < BATCH or pids[-1] > pid):
        conn.rollback()  # another writer linked it
        return True
    head_seq, prev = _head(conn)
    if not conn.info.get("fc_keyed"):
        _seal_keying(conn, key, head_seq, prev)
        conn.info["fc_keyed"] = True
    content = [(r.pid, {k: getattr(r, k) for k in ROW_KEYS}) for r in rows]
    conn.execute(insert(audit_events), _links(content, head_seq, prev, key))
    conn.execute(delete(audit_pending).where(audit_pending.c.pid.in_(pids)))
    conn.commit()
    return pid in pids


def _anchor(conn: Connection) -> Mapping[str, Any] | None:
    found = conn.execute(select(chain_anchor).where(chain_anchor.c.id == 1))
    return found.mappings().first()


def _head(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the newest event, or of where the chain starts."""
    found = conn.execute(
        select(audit_events.c.seq, audit_events.c.hash)
        .order_by(audit_events.c.seq.desc())
        .limit(1)
    ).first()
    if found is not None:
        return found.seq, found.hash
    anchor = _anchor(conn)
    if anchor is None:
        return 0, GENESIS
    return anchor["first_seq"] - 1, anchor["prev_hash"]


def _anchor_note(anchor: Mapping[str, Any] | None) -> dict[str, Any]:
    if anchor is None:
        return {"anchor_first_seq": None, "anchor_prev_hash": None}
    return {"anchor_first_seq": anchor["first_seq"],
            "anchor_prev_hash": anchor["prev_hash"]}  # fmt: skip


def _seal_keying(conn: Connection, key: bytes, head_seq: int, prev: str) -> None:
    """Mark, once, the first keyed event and what the chain stood on then."""
    found = conn.execute(
        select(chain_seals.c.kind).where(chain_seals.c.kind == "keyed")
    ).first()
    if found is not None:
        return
    note = canonical_json(_anchor_note(_anchor(conn)))
    fields = {"kind": "keyed", "first_seq": head_seq + 1, "prev_hash": prev,
              "note": note, "at_utc": utc_text(datetime.now(UTC))}  # fmt: skip
    conn.execute(insert(chain_seals), [{**fields, "mac": mac(key, "seal", fields)}])


def seal_anchor(conn: Connection, key: bytes, anchor: Mapping[str, Any]) -> None:
    """Seal the anchor retention has just moved (in retention's transaction)."""
    note = canonical_json({"cutoff_utc": anchor["cutoff_utc"]})
    fields = {"kind": "anchor", "first_seq": anchor["first_seq"],
              "prev_hash": anchor["prev_hash"], "note": note,
              "at_utc": utc_text(datetime.now(UTC))}  # fmt: skip
    row = {**fields, "mac": mac(key, "seal", fields)}
    conn.execute(delete(chain_seals).where(chain_seals.c.kind == "anchor"))
    conn.execute(insert(chain_seals), [row])


@dataclass(frozen=True)
class ChainCheck:
    """Outcome of verifying the chain: how many events, the first bad one, the
    head (to keep elsewhere), and anything else found wrong."""

    events: int
    valid: bool
    first_broken: int | None  # seq of the first event whose link fails
    head_seq: int = 0
    head_hash: str = GENESIS
    keyed: bool = False
    problems: tuple[str, ...] = ()  # seals, anchor, the cut-off end
    checkpoints: int = 0  # checkpoints compared with the log
    checkpoint_problems: tuple[str, ...] = ()

    def all_problems(self) -> tuple[str, ...]:
        """Everything found wrong besides the first broken link."""
        return (*self.problems, *self.checkpoint_problems)


@dataclass(frozen=True)
class Mark:
    """A (seq, hash) the log must still contain: a signed checkpoint."""

    seq: int
    hash: str
    name: str
    at_utc: str = ""


def _seals(conn: Connection, key: bytes) -> tuple[dict[str, Any], list[str]]:
    rows = {r["kind"]: dict(r) for r in conn.execute(select(chain_seals)).mappings()}
    problems = [
        f"the chain's {kind} seal does not match the key: it was forged or "
        "changed, or governance.audit_key names another key"
        for kind, row in rows.items()
        if not mac_matches(key, "seal", seal_fields(row), row["mac"])
    ]
    return rows, problems


def _expected_anchor(seals: Mapping[str, Any]) -> dict[str, Any]:
    if "anchor" in seals:
        a = seals["anchor"]
        return {"anchor_first_seq": a["first_seq"], "anchor_prev_hash": a["prev_hash"]}
    return json.loads(seals["keyed"]["note"])


def _start(
    conn: Connection, seals: Mapping[str, Any], problems: list[str]
) -> tuple[str, Mapping[str, Any] | None]:
    anchor = _anchor(conn)
    if "keyed" in seals and _anchor_note(anchor) != _expected_anchor(seals):
        problems.append(
            "the chain's anchor (where retention cut the log) is not the one "
            "sealed: events were cut from the start and the anchor forged"
        )
    return (anchor["prev_hash"] if anchor else GENESIS), anchor


def verify_chain(
    engine: Engine, marks: Iterable[Mark] = (), batch: int = 5000
) -> ChainCheck:
    """Recompute every link in order; report the first event that does not fit,
    forged seals or anchor, and any checkpoint ``marks`` no longer in the log."""
    key = key_of(engine)
    wanted = {m.seq: m for m in marks}
    cols = [audit_events.c[k] for k in ("seq", *ROW_KEYS, "prev_hash", "hash")]
    count, first_broken, seen = 0, None, {}
    with engine.connect() as conn:
        seals, problems = _seals(conn, key)
        prev, anchor = _start(conn, seals, problems)
        keyed = seals.get("keyed")
        keyed_from = keyed["first_seq"] if keyed else None
        head_seq = (anchor["first_seq"] - 1) if anchor else 0
        result = conn.execution_options(yield_per=batch).execute(
            select(*cols).order_by(audit_events.c.seq)
        )
        for row in result.mappings():
            count += 1
            seq = row["seq"]
            use = key if keyed_from is not None and seq >= keyed_from else None
            pinned = seq != keyed_from or row["prev_hash"] == keyed["prev_hash"]
            if first_broken is None and (
                row["prev_hash"] != prev
                or chain_hash(prev, row, use) != row["hash"]
                or not pinned
            ):
                first_broken = seq
            if seq in wanted:
                seen[seq] = row["hash"]
            prev, head_seq = row["hash"], seq
    if keyed_from is not None and head_seq < keyed_from:
        problems.append(
            f"the chain is keyed from event {keyed_from} but ends at event "
            f"{head_seq}: the newest events were cut off"
        )
    marked = _marks_problems(wanted, seen, head_seq, anchor)
    valid = first_broken is None and not problems and not marked
    return ChainCheck(count, valid, first_broken, head_seq, prev, keyed is not None,
                      tuple(problems), len(wanted), tuple(marked))  # fmt: skip


def _marks_problems(
    wanted: Mapping[int, Mark],
    seen: Mapping[int, str],
    head_seq: int,
    anchor: Mapping[str, Any] | None,
) -> list[str]:
    problems = []
    for seq, mark in sorted(wanted.items()):
        if seq in seen:
            if seen[seq] != mark.hash:
                problems.append(
                    f"checkpoint {mark.name}: event {seq} is no longer the one "
                    "signed: the log was rewritten up to it"
                )
        elif seq > head_seq:
            problems.append(
                f"checkpoint {mark.name} signed event {seq}, but the log ends at "
                f"event {head_seq}: the newest events were cut off"
            )
        elif anchor is not None and seq == anchor["first_seq"] - 1:
            if anchor["prev_hash"] != mark.hash:
                problems.append(
                    f"checkpoint {mark.name}: retention's anchor does not "
                    f"continue from the signed event {seq}"
                )
        elif anchor is None or seq >= anchor["first_seq"]:
            problems.append(
                f"checkpoint {mark.name}: event {seq} is missing from the log"
            )
    return problems


def read_events(engine: Engine, limit: int = 500) -> list[dict[str, Any]]:
    """The newest events first, with their data decoded, for the auditor's view."""
    cols = [audit_events.c[k] for k in ("seq", *ROW_KEYS, "prev_hash", "hash")]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*cols).order_by(audit_events.c.seq.desc()).limit(limit)
        ).mappings()
        return [{**r, "data": json.loads(r["data"])} for r in rows]
