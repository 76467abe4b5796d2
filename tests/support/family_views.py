"""Fixtures for tests that open the test family through the audited doorway:
the test index (``support.lookup_index``) loaded once per module, a fresh
SQLite audit store per test, and the front-door worker who asks.

Import the fixtures by name into a test module (``from support.family_views
import audit, index``); pytest finds them there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.db import make_engine
from governance.audit import Actor, ensure_audit_schema
from lookup.index import LinkedIndex, load_index
from support.lookup_index import make_index

WORKER = Actor("demo.frontdoor", "Alex Morgan (demo)", "front_door", "s-1")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    """The test family's index, loaded from its SQLite database."""
    return load_index(make_index(tmp_path_factory.mktemp("family") / "index.db"))


@pytest.fixture
def audit(tmp_path: Path) -> Engine:
    """An empty audit store of this test's own."""
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    ensure_audit_schema(engine)
    return engine
