"""On PostgreSQL the audit table is append-only: a trigger refuses UPDATE, DELETE
and TRUNCATE for everyone, and the app's role may only INSERT and SELECT."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from core.db import make_engine
from core.errors import AuditError
from governance.__main__ import main as governance_main
from governance.audit import Actor, Event, record_event, verify_chain
from governance.hardening import harden_postgres, is_hardened, quoted_role

ACTOR = Actor("u1", "Test User", "front_door", "sess-1")
CHANGES = (
    "UPDATE audit_events SET purpose = 'changed' WHERE seq = 1",
    "DELETE FROM audit_events WHERE seq = 1",
    "TRUNCATE audit_events",
)


@pytest.fixture
def app_role(postgres_url: str) -> Iterator[str]:
    name = f"fc_app_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" NOLOGIN'))
    yield name
    with admin.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{name}"'))
        conn.execute(text(f'DROP ROLE "{name}"'))
    admin.dispose()


@pytest.fixture
def hardened(postgres_url: str, app_role: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    harden_postgres(engine, app_role)
    record_event(engine, Event("search", ACTOR, data={"i": 0}))
    yield engine
    engine.dispose()


def _as_role(url: str, role: str) -> Engine:
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _set_role(dbapi_conn, _record) -> None:  # noqa: ANN001
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET ROLE "{role}"')

    return engine


@pytest.mark.parametrize("statement", CHANGES)
def test_trigger_refuses_changes_even_for_the_owner(hardened, statement) -> None:
    assert is_hardened(hardened)
    with pytest.raises(DBAPIError, match="append-only|insufficient"):
        with hardened.begin() as conn:
            conn.execute(text(statement))
    assert verify_chain(hardened).events == 1


@pytest.mark.parametrize("statement", CHANGES)
def test_app_role_may_only_insert_and_select(
    hardened, postgres_url, app_role, statement
) -> None:
    app = _as_role(postgres_url, app_role)
    record_event(app, Event("search", ACTOR, data={"i": 1}))
    check = verify_chain(app)
    assert (check.events, check.valid) == (2, True)
    with pytest.raises(DBAPIError):
        with app.begin() as conn:
            conn.execute(text(statement))
    app.dispose()


def test_setup_cli_on_postgres(postgres_url, app_role, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\naudit_url = "{postgres_url}"\n')
    assert governance_main(["setup-postgres", "--config", str(config),
                            "--app-role", app_role]) == 0  # fmt: skip
    assert is_hardened(make_engine(postgres_url))


def test_setup_refuses_sqlite_and_odd_role_names(tmp_path) -> None:
    with pytest.raises(AuditError, match="PostgreSQL"):
        harden_postgres(make_engine(f"sqlite:///{tmp_path}/a.db"), "app")
    with pytest.raises(AuditError, match="plain PostgreSQL role"):
        quoted_role('app"; DROP TABLE audit_events; --')
