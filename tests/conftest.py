"""Shared fixtures: a private PostgreSQL schema per test, when a server is given."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

POSTGRES_ENV = "TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped after the test."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: PostgreSQL tests skipped "
            "(.ci/run sets it; e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def audit_engine(request, tmp_path):
    """An engine with the audit schema, once on SQLite and once on PostgreSQL."""
    from core.db import make_engine
    from governance.audit import ensure_audit_schema

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/audit.db"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    ensure_audit_schema(engine)
    yield engine
    engine.dispose()
