"""Write a build into the index and switch readers to it atomically.

A build writes every table into tables of its own (``index_tables.own_table``),
made fresh and indexed once full, while readers keep using the build named in
``index_state``. Then one transaction points ``index_state`` at the new build
and marks it complete, and older builds' tables are dropped whole (a file
unlinked on PostgreSQL, pages handed to the free list on SQLite), not deleted
row by row. A failed build drops its own tables and marks itself failed; the
previous index keeps serving throughout.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateTable, DropTable

from core.db import is_postgres, is_sqlite, sqlite_path
from core.logs import log_error
from linkage import index_tables as t
from linkage.sqlite_ingest import ingest

CHUNK_ROWS = 50_000
#: A build still "running" after this long is treated as crashed and cleaned up.
STALE_AFTER = timedelta(hours=12)


def utc_now() -> str:
    """The current UTC time as ISO 8601 text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_build_id() -> str:
    """A unique, time-ordered build id."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:12]


def prepare_index(engine: Engine) -> None:
    """Create missing tables and columns."""
    t.metadata.create_all(engine, checkfirst=True)
    add_missing_columns(engine)


def start_build(
    engine: Engine, build_id: str, started_at: str, run_id: str = ""
) -> None:
    """Create missing tables and columns, and record the build as running
    (``run_id``: the audit run whose start event it answers to)."""
    prepare_index(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(t.builds).values(
                build_id=build_id,
                started_at=started_at,
                status="running",
                run_id=run_id or None,
            )
        )


@dataclass(frozen=True)
class Abandoned:
    """A build left "running" by a process that is gone (killed, crashed)."""

    build_id: str
    run_id: str  # its audit run id ('' for a build from before it was kept)
    started_at: str


#: Why an abandoned build failed, in ``builds.summary`` and its audit event.
ABANDONED = "Abandoned"


def running_builds(engine: Engine) -> list[Abandoned]:
    """Every build marked running (abandoned, when no build holds the lock)."""
    columns = (t.builds.c.build_id, t.builds.c.run_id, t.builds.c.started_at)
    with engine.connect() as conn:
        rows = conn.execute(
            select(*columns)
            .where(t.builds.c.status == "running")
            .order_by(t.builds.c.started_at)
        ).all()
    return [Abandoned(b, r or "", s) for b, r, s in rows]


def reclaim(engine: Engine, gone: list[Abandoned]) -> None:
    """Delete abandoned builds' rows and mark them failed, in one transaction."""
    ids = [g.build_id for g in gone]
    summary = json.dumps(
        {"error": f"{ABANDONED}: the build process ended without finishing "
                  "(killed or crashed); cleaned up by the next build"}
    )  # fmt: skip
    with _dropping(engine) as conn:
        _drop_rows(conn, ids)
        conn.execute(
            update(t.builds)
            .where(t.builds.c.build_id.in_(ids), t.builds.c.status == "running")
            .values(status="failed", finished_at=utc_now(), summary=summary)
        )


def add_missing_columns(engine: Engine) -> list[str]:
    """Add columns a newer release declares to an older index's tables.

    Only nullable columns are ever added, so older rows stay valid. Returns
    ``table.column`` for each column added.
    """
    existing = inspect(engine)
    added = []
    with engine.begin() as conn:
        for table in t.metadata.sorted_tables:
            if not existing.has_table(table.name):
                continue  # (a build's own tables are made whole: never short)
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in have or not column.nullable:
                    continue
                quote = engine.dialect.identifier_preparer.quote
                kind = column.type.compile(dialect=engine.dialect)
                # names and types come from this module's own metadata
                conn.execute(
                    text(
                        f"ALTER TABLE {quote(table.name)} "
                        f"ADD COLUMN {quote(column.name)} {kind}"
                    )
                )
                added.append(f"{table.name}.{column.name}")
    return added


def insert_frame(
    engine: Engine,
    table: Table,
    frame: pl.DataFrame,
    build_id: str,
    on_rows: Callable[[int], None] | None = None,
) -> None:
    """Write ``frame`` (columns named as the table's) into a table of the build's
    own (``index_tables.own_table``), made here, indexed once the rows are in.

    The bulk path of each database: COPY on PostgreSQL (psycopg), Arrow batches
    through ADBC on SQLite (``_insert_sqlite``), SQLAlchemy's executemany
    elsewhere. Nobody reads the table before the switch, so it has no index
    to keep up while rows arrive.
    """
    cols = [c.name for c in table.columns if c.name != "build_id"]
    frame = in_index_order(table, frame.select(cols))
    on_rows = on_rows or (lambda _n: None)
    own = t.own_table(table, build_id, stored=is_postgres(engine))
    with engine.begin() as conn:
        conn.execute(CreateTable(own))
    if is_postgres(engine) and engine.dialect.driver == "psycopg":
        _copy_postgres(engine, own, frame, on_rows)
    elif is_sqlite(engine):
        _insert_sqlite(engine, own, frame, on_rows)
    else:
        for chunk in frame.iter_slices(CHUNK_ROWS):
            with engine.begin() as conn:
                conn.execute(insert(own), chunk.to_dicts())
            on_rows(chunk.height)
    with engine.begin() as conn:
        for index in t.own_indexes(table, build_id):
            index.create(conn)


def in_index_order(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` ordered by the table's indexed columns other than build_id
    (records: person_id), stably, so each chunk adds to one part of the index
    instead of rewriting pages all over it; rows of one person keep their order."""
    keys = [c.name for c in table.columns if c.index and c.name != "build_id"]
    return frame.sort(keys, maintain_order=True) if keys else frame


def _insert_sqlite(
    engine: Engine, table: Table, frame: pl.DataFrame, on_rows: Callable[[int], None]
) -> None:
    """Dates as SQLAlchemy stores them on SQLite (ISO text). A frame of more
    than a chunk into a file: ``linkage.sqlite_ingest`` (Arrow batches bound in
    C); else, or in memory, executemany of one compiled INSERT over tuples."""
    frame = frame.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None and frame.height > CHUNK_ROWS:
        ingest(path, table.name, frame, CHUNK_ROWS, on_rows)
        return
    compiled = (
        insert(table)
        .values({c: bindparam(c) for c in frame.columns})
        .compile(dialect=engine.dialect)
    )
    order = list(compiled.positiontup or frame.columns)
    frame = frame.select(order)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # A 128 MiB page cache holds the table's indexes: person_id arrives in no
        # order, and the default 2 MiB cache rewrites its pages every chunk.
        cursor.execute("PRAGMA cache_size=-131072")
        for chunk in frame.iter_slices(CHUNK_ROWS):
            cursor.executemany(str(compiled), chunk.iter_rows())
            raw.commit()
            on_rows(chunk.height)
        cursor.close()
    finally:
        raw.close()


def _copy_postgres(
    engine: Engine, table: Table, frame: pl.DataFrame, on_rows: Callable[[int], None]
) -> None:
    """COPY FROM STDIN through psycopg: the fastest way rows reach PostgreSQL."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(map(sql.Identifier, frame.columns)),
    )
    raw = engine.raw_connection()
    try:
        for chunk in frame.iter_slices(CHUNK_ROWS):
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                # CSV: an unquoted empty field is NULL, a quoted one ""
                copy.write(chunk.write_csv(include_header=False).encode("utf-8"))
            raw.commit()
            on_rows(chunk.height)
    finally:
        raw.close()


def _crash_cutoff() -> str:
    """Builds started before this and still running crashed (``STALE_AFTER``)."""
    return (datetime.now(UTC) - STALE_AFTER).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _live_builds(conn: Connection) -> set[str]:
    """Builds running now and the one being served: their tables stay."""
    b = t.builds.c
    running = conn.execute(
        select(b.build_id).where(b.status == "running", b.started_at >= _crash_cutoff())
    ).scalars()
    served = conn.execute(select(t.index_state.c.build_id)).scalars()
    return {*running, *served}


def _upsert_state(conn: Connection, build_id: str, now: str) -> None:
    done = conn.execute(
        update(t.index_state)
        .where(t.index_state.c.id == 1)
        .values(build_id=build_id, switched_at=now)
    )
    if done.rowcount == 0:
        conn.execute(
            insert(t.index_state).values(id=1, build_id=build_id, switched_at=now)
        )


def publish(engine: Engine, build_id: str, parameters: dict, summary: dict) -> None:
    """In one transaction: serve ``build_id`` and mark it complete (builds left
    running past ``STALE_AFTER`` failed). Then drop every other build's tables
    (``drop_old_builds``); one that cannot be dropped now (PostgreSQL: a long
    read holds it) is logged and dropped when the next build starts."""
    now = utc_now()
    b = t.builds.c
    with engine.begin() as conn:
        _upsert_state(conn, build_id, now)
        conn.execute(
            update(t.builds)
            .where(b.build_id == build_id)
            .values(
                status="complete",
                finished_at=now,
                parameters=json.dumps(parameters),
                summary=json.dumps(summary),
            )
        )
        conn.execute(
            update(t.builds)
            .where(and_(b.status == "running", b.started_at < _crash_cutoff()))
            .values(status="failed", finished_at=now)
        )
    try:
        drop_old_builds(engine)
    except SQLAlchemyError as exc:  # the new build is served: never fail it now
        log_error("index_old_builds_not_dropped", exc, build_id=build_id)


#: How long dropping an old build's table waits for a reader (PostgreSQL).
DROP_WAIT = "30s"


@contextlib.contextmanager
def _dropping(engine: Engine) -> Iterator[Connection]:
    """A transaction that drops builds. On SQLite freed pages go to the file's
    free list without being zeroed first (``secure_delete=FAST``; Debian's
    SQLite zeroes them, which writes the whole build again through the WAL:
    a minute at a million people); the next build's rows overwrite them. On
    PostgreSQL a drop waits at most ``DROP_WAIT`` for a reader."""
    with engine.connect() as conn:
        sqlite = is_sqlite(engine)
        if sqlite:
            before = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
            conn.exec_driver_sql("PRAGMA secure_delete=FAST")
            conn.commit()  # (SQLAlchemy began a transaction for the pragmas)
        try:
            with conn.begin():
                if is_postgres(engine):
                    conn.execute(text(f"SET LOCAL lock_timeout = '{DROP_WAIT}'"))
                yield conn
        finally:
            if sqlite:  # the pooled connection as it was (a number: 0, 1 or 2)
                conn.exec_driver_sql(f"PRAGMA secure_delete={int(before)}")


def drop_old_builds(engine: Engine) -> None:
    """Drop the tables (and delete the shared tables' rows) of every build but
    the one served and those running."""
    with _dropping(engine) as conn:
        keep = _live_builds(conn)
        kept = {t.own_key(k) for k in keep if t.names_tables(k)}
        for name, key in t.own_tables(inspect(conn).get_table_names()).items():
            if key not in kept:
                conn.execute(DropTable(Table(name, MetaData())))
        for table in t.BUILD_TABLES:
            gone = table.c.build_id.not_in(keep)
            if not conn.execute(select(exists().where(gone))).scalar():
                continue
            if conn.execute(select(exists().where(~gone))).scalar():
                conn.execute(delete(table).where(gone))
            else:  # every row goes: SQLite empties the table without a row walk
                conn.execute(delete(table))


def _drop_rows(conn: Connection, ids: list[str]) -> None:
    """The tables of builds ``ids`` dropped, their shared tables' rows deleted."""
    have = set(inspect(conn).get_table_names())
    for table in t.BUILD_TABLES:
        for own in (t.own_table(table, b) for b in ids if t.names_tables(b)):
            if own.name in have:
                conn.execute(DropTable(own))
        conn.execute(delete(table).where(table.c.build_id.in_(ids)))


def discard(engine: Engine, build_id: str, reason: str) -> None:
    """Drop a failed build's tables and mark it failed (``reason`` holds no data)."""
    with _dropping(engine) as conn:
        _drop_rows(conn, [build_id])
        conn.execute(
            update(t.builds)
            .where(t.builds.c.build_id == build_id)
            .values(
                status="failed",
                finished_at=utc_now(),
                summary=json.dumps({"error": reason}),
            )
        )
