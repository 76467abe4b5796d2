"""Pooled PostgreSQL connections: no ping on every use (a round trip on every
audit write), but one the server closed while it sat idle is replaced unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import core.db
from core.db import make_engine


def _backend(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_an_idle_connection_the_server_closed_is_replaced(postgres_url, monkeypatch):
    engine, admin = make_engine(postgres_url), make_engine(postgres_url)
    first = _backend(engine)
    assert _backend(engine) == first  # the pool hands the same one back
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
    monkeypatch.setattr(core.db, "IDLE_PING_SECONDS", 0.0)  # it has been idle
    assert _backend(engine) != first
    engine.dispose()
    admin.dispose()


def test_a_busy_connection_is_not_pinged_and_a_dead_one_is_dropped(postgres_url):
    """Used again at once, a connection is not pinged: had the server closed it,
    that one use fails (an audit write says "try again"), and the pool drops it,
    so the next use gets a new one."""
    engine, admin = make_engine(postgres_url), make_engine(postgres_url)
    first = _backend(engine)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
    with pytest.raises(DBAPIError) as failed:
        _backend(engine)
    assert failed.value.connection_invalidated
    assert _backend(engine) != first
    engine.dispose()
    admin.dispose()
