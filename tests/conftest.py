"""Shared fixtures: a private PostgreSQL schema per test, when a server is given."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from governance.access import AccessRequest
    from governance.audit import Actor
    from governance.visibility import Policy
    from lookup.index import LinkedIndex

# Timings belong to bench/, not to tests: no per-example deadline (a loaded
# machine made a 40 ms example take 430 ms), and no .hypothesis/ folder.
settings.register_profile("project", deadline=None, database=None)
settings.load_profile("project")

POSTGRES_ENV = "TEST_POSTGRES_URL"
#: The audit chain's key for every test (``governance.keys``); tests of the key's
#: own handling set or remove it themselves.
AUDIT_KEY_ENV = "FAMILY_CONTEXT_AUDIT_KEY"
TEST_AUDIT_KEY = "test-audit-key-0123456789abcdef0123456789abcdef"


def pytest_configure(config) -> None:  # noqa: ANN001
    """Every process the tests start (CLIs, the dashboard) shares one key."""
    os.environ.setdefault(AUDIT_KEY_ENV, TEST_AUDIT_KEY)


#: The "today" of the test indexes.
TODAY = date(2026, 11, 15)


def ask(
    index: LinkedIndex,
    audit: Engine,
    actor: Actor,
    purpose: str,
    case_ref: str,
    explanation: str = "",
    *,
    policy: Policy | None = None,
    today: date = TODAY,
) -> AccessRequest:
    """The request a test's worker makes (the default policy unless given)."""
    from governance.access import AccessRequest, Reason
    from governance.visibility import Policy

    reason = Reason(purpose, case_ref, explanation)
    return AccessRequest(index, audit, actor, reason, policy or Policy(), today)


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


@pytest.fixture(scope="session")
def small_extracts(tmp_path_factory) -> Path:
    """A small generated population's extracts and config (120 people), made once
    per run; tests change a copy (``private_copy``), never this folder."""
    from sources.__main__ import main as sources_main

    out = tmp_path_factory.mktemp("small") / "demo"
    args = ["generate", "--people", "120", "--seed", "5", "--out", str(out)]
    assert sources_main([*args, "--quiet"]) == 0
    return out


@pytest.fixture
def private_copy(tmp_path) -> Callable[[Path], Path]:
    """Copy a demo folder (extracts, config, any index) into this test's tmp_path;
    relative paths in its config make the copy self-contained."""

    def copy(folder: Path) -> Path:
        return Path(shutil.copytree(folder, tmp_path / "demo"))

    return copy


@pytest.fixture
def app_role(postgres_url: str) -> Iterator[str]:
    """A fresh NOLOGIN PostgreSQL role (the app's), dropped after the test."""
    from core.db import make_engine

    name = f"fc_app_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" NOLOGIN'))
    yield name
    with admin.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{name}"'))
        conn.execute(text(f'DROP ROLE "{name}"'))
    admin.dispose()


@pytest.fixture(scope="module")
def index_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test index (``support.lookup_index``) with 50 filler people, per module."""
    from support.lookup_index import make_index

    path = tmp_path_factory.mktemp("app") / "index.db"
    make_index(path, filler=50)
    return path


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    """A real OpenID provider (oidc-provider-mock) on loopback for the API tests."""
    pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock missing")
    from support.api_idp import Idp

    provider = Idp(tmp_path_factory.mktemp("idp"))
    yield provider
    provider.stop()
