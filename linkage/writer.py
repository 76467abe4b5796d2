"""Write a build into the index and switch readers to it atomically.

A build inserts every row under its own ``build_id`` while readers keep using
the build named in ``index_state``. Then one transaction points ``index_state``
at the new build, marks it complete and deletes older builds' rows. A failed
build deletes its own rows and marks itself failed; the previous index keeps
serving throughout.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)

from core.db import is_postgres, is_sqlite, sqlite_path
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
    with engine.begin() as conn:
        for table in t.BUILD_TABLES:
            conn.execute(delete(table).where(table.c.build_id.in_(ids)))
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
                continue
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
    """Insert ``frame`` (columns named as the table's) in chunks, with ``build_id``.

    The bulk path of each database: COPY on PostgreSQL (psycopg), Arrow batches
    through ADBC on SQLite (``_insert_sqlite``), SQLAlchemy's executemany
    elsewhere.
    """
    cols = [c.name for c in table.columns if c.name != "build_id"]
    frame = frame.select(cols).with_columns(pl.lit(build_id).alias("build_id"))
    frame = in_index_order(table, frame)
    on_rows = on_rows or (lambda _n: None)
    if is_postgres(engine) and engine.dialect.driver == "psycopg":
        _copy_postgres(engine, table, frame, on_rows)
    elif is_sqlite(engine):
        _insert_sqlite(engine, table, frame, on_rows)
    else:
        for chunk in frame.iter_slices(CHUNK_ROWS):
            with engine.begin() as conn:
                conn.execute(insert(table), chunk.to_dicts())
            on_rows(chunk.height)


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


def _stale_builds(build_id: str):  # noqa: ANN202
    """Builds whose rows may go: finished ones, and running ones left to crash."""
    cutoff = (datetime.now(UTC) - STALE_AFTER).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return select(t.builds.c.build_id).where(
        t.builds.c.build_id != build_id,
        or_(t.builds.c.status != "running", t.builds.c.started_at < cutoff),
    )


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
    """In one transaction: serve ``build_id``, mark it complete, drop older rows."""
    now = utc_now()
    with engine.begin() as conn:
        _upsert_state(conn, build_id, now)
        conn.execute(
            update(t.builds)
            .where(t.builds.c.build_id == build_id)
            .values(
                status="complete",
                finished_at=now,
                parameters=json.dumps(parameters),
                summary=json.dumps(summary),
            )
        )
        stale = _stale_builds(build_id)
        for table in t.BUILD_TABLES:
            conn.execute(delete(table).where(table.c.build_id.in_(stale)))
        conn.execute(
            update(t.builds)
            .where(and_(t.builds.c.build_id.in_(stale), t.builds.c.status == "running"))
            .values(status="failed", finished_at=now)
        )


def discard(engine: Engine, build_id: str, reason: str) -> None:
    """Delete a failed build's rows and mark it failed (``reason`` holds no data)."""
    with engine.begin() as conn:
        for table in t.BUILD_TABLES:
            conn.execute(delete(table).where(table.c.build_id == build_id))
        conn.execute(
            update(t.builds)
            .where(t.builds.c.build_id == build_id)
            .values(
                status="failed",
                finished_at=utc_now(),
                summary=json.dumps({"error": reason}),
            )
        )
