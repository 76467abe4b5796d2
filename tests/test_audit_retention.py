"""Audit retention: old events go, the chain's anchor moves, the rest still
verifies; on hardened PostgreSQL only an administrator's connection can run it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from support.databases import _as_role

from core.db import make_engine
from governance import retention
from governance.__main__ import main as governance_main
from governance.audit import (
    Actor,
    Event,
    ensure_audit_schema,
    record_event,
    verify_chain,
)
from governance.cli_identity import os_user
from governance.hardening import harden_postgres

ADMIN = Actor("dba", "DBA", "administrator", "s-dba")
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.db"
    return request.getfixturevalue("postgres_url")


def _fill(engine) -> None:
    for days_ago in (400, 300, 200, 10, 1):
        at = NOW - timedelta(days=days_ago)
        record_event(engine, Event("search", ADMIN, data={"d": days_ago}, at=at))


def test_retention_keeps_the_chain_verifiable(url) -> None:
    engine = make_engine(url)
    ensure_audit_schema(engine)
    _fill(engine)
    todo = retention.plan(engine, 365, NOW)
    assert (todo.expired, todo.first_kept_seq) == (1, 2)
    retention.apply(engine, ADMIN, 250, NOW)
    check = verify_chain(engine)
    assert (check.events, check.valid) == (4, True)  # 200, 10, 1 days + the run
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    assert verify_chain(engine).first_broken == 4


def test_hardened_postgres_refuses_retention_by_the_app_role(
    postgres_url,
    app_role,  # noqa: F811
) -> None:
    engine = make_engine(postgres_url)
    harden_postgres(engine, app_role)
    _fill(engine)
    with pytest.raises(Exception, match="permission denied|append-only"):
        retention.apply(_as_role(postgres_url, app_role), ADMIN, 250, NOW)
    retention.apply(engine, ADMIN, 250, NOW)  # as the database administrator
    check = verify_chain(engine)  # 3 kept + both runs (the refused one is recorded)
    assert (check.valid, check.events) == (True, 5)


def test_retention_cli_counts_then_applies(tmp_path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[storage]\naudit_url = "sqlite:///audit.db"\n'
        "[governance]\naudit_retention_days = 30\n"
        f'[governance.cli_users]\n"{os_user()[0]}" = "administrator"\n'
    )
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    old = datetime.now(UTC) - timedelta(days=90)
    record_event(engine, Event("search", ADMIN, at=old))
    record_event(engine, Event("search", ADMIN))
    assert governance_main(["retention", "--config", str(config)]) == 0
    assert "Would remove (use --apply) 1 audit events" in capsys.readouterr().out
    assert governance_main(["retention", "--config", str(config), "--apply"]) == 0
    assert verify_chain(engine).events == 2
    assert governance_main(["verify", "--config", str(config)]) == 0
