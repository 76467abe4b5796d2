"""On PostgreSQL the audit table is append-only: a trigger refuses UPDATE, DELETE
and TRUNCATE for everyone, and the app's role may only INSERT and SELECT."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from support.databases import _as_role

from core.db import make_engine
from core.errors import AuditError
from governance.__main__ import main as governance_main
from governance.audit import (
    Actor,
    Event,
    ensure_audit_schema,
    record_event,
    verify_chain,
)
from governance.hardening import harden_postgres, is_hardened, quoted_role
from governance.reports import ensure_reports_schema

ACTOR = Actor("u1", "Test User", "front_door", "sess-1")
CHANGES = (
    "UPDATE audit_events SET purpose = 'changed' WHERE seq = 1",
    "DELETE FROM audit_events WHERE seq = 1",
    "TRUNCATE audit_events",
)


@pytest.fixture
def hardened(postgres_url: str, app_role: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    harden_postgres(engine, app_role)
    record_event(engine, Event("search", ACTOR, data={"i": 0}))
    yield engine
    engine.dispose()


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


def test_app_role_that_created_the_tables_cannot_undo_the_hardening(
    postgres_url, app_role
) -> None:
    """The dashboard may start (and create the tables as its own role) before the
    administrator hardens the database: ownership moves away from the app role, so
    it cannot re-grant itself DELETE or switch the trigger off."""
    admin = make_engine(postgres_url)
    app = _as_role(postgres_url, app_role)
    with admin.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        conn.execute(text(f'GRANT CREATE, USAGE ON SCHEMA "{schema}" TO "{app_role}"'))
    ensure_audit_schema(app)
    record_event(app, Event("search", ACTOR, data={"i": 0}))
    harden_postgres(admin, app_role)
    attacks = (  # a non-owner's GRANT is only a warning: the DELETE must fail
        (f'GRANT ALL ON audit_events TO "{app_role}"', "DELETE FROM audit_events"),
        ("ALTER TABLE audit_events DISABLE TRIGGER USER",),
        ("DROP TABLE audit_events",),
        ("DELETE FROM chain_anchor",),
    )
    for attack in attacks:
        with pytest.raises(DBAPIError):
            with app.begin() as conn:
                for statement in attack:
                    conn.execute(text(statement))
    record_event(app, Event("search", ACTOR, data={"i": 1}))
    assert (verify_chain(app).events, verify_chain(app).valid) == (2, True)
    app.dispose()


def test_setup_refuses_a_superuser_app_role(postgres_url) -> None:
    admin = make_engine(postgres_url)
    with admin.connect() as conn:
        me = conn.execute(text("SELECT current_user")).scalar_one()
    with pytest.raises(AuditError, match="superuser, the role running setup"):
        harden_postgres(admin, me)
    with pytest.raises(AuditError, match="does not exist"):
        harden_postgres(admin, "no_such_role_fc")


def test_app_role_keeps_its_working_tables_after_hardening(
    hardened, postgres_url, app_role
) -> None:
    """Sessions, review items, queue progress and workers' reports stay writable
    by the app role (it cannot create tables on a hardened database)."""
    app = _as_role(postgres_url, app_role)
    ensure_audit_schema(app)  # the dashboard's start-up: nothing left to create
    ensure_reports_schema(app)
    with app.begin() as conn:
        for table in ("app_sessions", "review_items", "restrictions", "review_sync",
                      "data_reports"):  # fmt: skip
            conn.execute(text(f"SELECT count(*) FROM {table}"))
        conn.execute(text(
            "INSERT INTO data_reports (report_id, kind, person_id, note, reported_by,"
            " reported_at, status) VALUES ('r1', 'not_same_person', 'p1', 'n', 'u1',"
            " '2026-11-16T10:00:00.000000Z', 'open')"
        ))  # fmt: skip
        conn.execute(text("UPDATE data_reports SET status = 'closed'"))
    # the queue's position moves only after the queue_read event saying so
    record_event(app, Event("queue_read", ACTOR, data={"from": 0, "upto": 1}))
    with app.begin() as conn:
        conn.execute(text(
            "INSERT INTO review_sync (id, last_seq, last_at_utc) VALUES (1, 1, 'x')"
        ))  # fmt: skip
    app.dispose()


def test_setup_refuses_an_app_role_inside_the_administrators(
    postgres_url, app_role
) -> None:
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        owner = f"{app_role}_owner"
        conn.execute(text(f'CREATE ROLE "{owner}" NOLOGIN'))
        conn.execute(text(f'GRANT "{owner}" TO "{app_role}"'))
        conn.execute(text(f'GRANT CREATE, USAGE ON SCHEMA "{_schema(conn)}" '
                          f'TO "{owner}"'))  # fmt: skip
    owner_engine = _as_role(postgres_url, owner)
    with pytest.raises(AuditError, match="member of it"):
        harden_postgres(owner_engine, app_role)
    owner_engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{owner}"'))
        conn.execute(text(f'DROP ROLE "{owner}"'))


def _schema(conn) -> str:  # noqa: ANN001
    return conn.execute(text("SELECT current_schema()")).scalar_one()
