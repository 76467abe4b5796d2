"""Database engines, built by a factory and passed in (never created at import)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def dialect(bind: Engine | Connection) -> str:
    """The database kind behind an engine or connection: "postgresql", "sqlite",
    "mssql" … (the one place the SQL dialect is asked for by name)."""
    return bind.dialect.name


def is_postgres(bind: Engine | Connection) -> bool:
    """Whether ``bind`` is PostgreSQL (advisory locks, roles, triggers)."""
    return dialect(bind) == "postgresql"


def is_sqlite(bind: Engine | Connection) -> bool:
    """Whether ``bind`` is SQLite (BEGIN IMMEDIATE instead of locks)."""
    return dialect(bind) == "sqlite"
