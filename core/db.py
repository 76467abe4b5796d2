"""Database engines, built by a factory and passed in (never created at import)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import Connection, Engine, create_engine, event, exc

_SQLITE = "sqlite:///"
#: A pooled server connection idle longer than this is pinged before use (the
#: server may have closed it); busy ones are not, which saves a round trip on
#: every audit write. One that failed in use is dropped by the pool anyway.
IDLE_PING_SECONDS = 30.0


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names (``file:`` URIs too); None for other
    databases and in-memory ones."""
    if not url.startswith(_SQLITE):
        return None
    rest = url[len(_SQLITE) :].split("?", 1)[0].removeprefix("file:")
    return Path(rest) if rest and rest != ":memory:" else None


def is_read_only(url: str) -> bool:
    """A SQLite URI opened with ``mode=ro``."""
    query = url.split("?", 1)[1] if "?" in url else ""
    return url.startswith(_SQLITE) and parse_qs(query).get("mode") == ["ro"]


def read_only_url(url: str) -> str:
    """The same SQLite file opened read-only (never created, never written);
    other URLs unchanged."""
    path = sqlite_path(url)
    if path is None or is_read_only(url):
        return url
    return f"{_SQLITE}file:{path}?mode=ro&uri=true"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and foreign
    keys (a read-only ``file:…?mode=ro&uri=true`` URL is opened as it says)."""
    path = sqlite_path(url)
    read_only = is_read_only(url)
    if path is not None and not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    if not url.startswith("sqlite"):
        return _ping_when_idle(create_engine(url))
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def _ping_when_idle(engine: Engine) -> Engine:
    """Ping a connection taken from the pool only when it sat idle for
    ``IDLE_PING_SECONDS`` (a dead one is replaced before use)."""

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_conn, record) -> None:  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy) -> None:  # noqa: ANN001
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            cur = dbapi_conn.cursor()
            cur.execute("SELECT 1")
            cur.close()
            dbapi_conn.rollback()
        except Exception as error:  # noqa: BLE001 (any driver's "gone away")
            raise exc.DisconnectionError() from error

    return engine


def reading(engine: Engine) -> Connection:
    """A connection for a read that needs no transaction round it (one
    statement, or statements that need not agree with each other): in
    autocommit, so each read is one round trip, with no BEGIN sent before it
    and no ROLLBACK after. Use it as ``with reading(engine) as conn:``."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


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
