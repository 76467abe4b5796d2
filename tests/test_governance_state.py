"""What auditors rely on cannot change without trace: restrictions, review
decisions, the review queue's position and sessions agree with the audit log
(``verify`` and ``doctor`` say when not, on SQLite and PostgreSQL), and on
hardened PostgreSQL the app's role cannot change them except by the audited
paths. Each tampering here passed ``verify`` before."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import DBAPIError
from support.app_harness import _app, _config, _events, _sign_in, _texts
from support.databases import _as_role

from core.db import make_engine
from governance.__main__ import main as governance_main
from governance.audit import Actor, Event, ensure_audit_schema, record_event
from governance.flags import FlagRules
from governance.hardening import harden_postgres
from governance.restrictions import lift_restriction, set_restriction
from governance.review import decide, queue, sync_queue
from governance.sessions import (
    SessionRules,
    end_session,
    open_session,
    session_row,
    touch_session,
)
from governance.state import state_problems
from governance.store import app_sessions, restrictions, review_items, review_sync

ADMIN = Actor("demo.admin", "Admin", "administrator", "s-a")
AUDITOR = Actor("ig.jo", "Jo Patel", "auditor", "s-ig")
WORKER = Actor("u1", "Alex Morgan", "front_door", "s1")
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
RULES = SessionRules(timedelta(minutes=10), timedelta(hours=8), True)
FLAGS = FlagRules()


def _override(engine: Engine) -> None:
    """An override (always flagged for review)."""
    data = {"person_id": "p1", "action": "family", "reason": "Court order"}
    record_event(engine, Event("override", WORKER, "MASH", "R1", data))


def _working_state(engine: Engine) -> None:
    """Every table changed the audited way: a restriction set and one lifted, a
    review item decided, the queue read, sessions opened, replaced and ended."""
    set_restriction(engine, ADMIN, "p1", "adoption")
    set_restriction(engine, ADMIN, "p2", "high_profile")
    lift_restriction(engine, ADMIN, "p2")
    _override(engine)
    sync_queue(engine, FLAGS, actor=AUDITOR)
    item = queue(engine)["item_id"][0]
    decide(engine, AUDITOR, item, "closed", "checked with the worker")
    open_session(engine, WORKER, "oidc", T0, RULES)
    open_session(engine, Actor("u1", "Alex Morgan", "front_door", "s2"), "oidc",
                 T0 + timedelta(minutes=1), RULES)  # fmt: skip
    open_session(engine, Actor("u3", "Sam", "front_door", "s3"), "demo", T0, RULES)
    touch_session(engine, Actor("u3", "Sam", "front_door", "s3"),
                  T0 + timedelta(hours=9), RULES)  # fmt: skip


def test_the_audited_paths_leave_tables_that_agree(audit_engine) -> None:
    _working_state(audit_engine)
    assert state_problems(audit_engine) == []


TAMPERINGS = {
    "restriction lifted": (
        update(restrictions).where(restrictions.c.person_id == "p1")
        .values(lifted_by="x", lifted_at="2026-11-16T10:00:00.000000Z"),
        "restriction of p1 was lifted with no event",
    ),
    "restriction set": (
        update(restrictions).where(restrictions.c.person_id == "p2")
        .values(lifted_by=None, lifted_at=None),
        "restriction of p2 is active but was lifted",
    ),
    "review closed": (
        update(review_items).where(review_items.c.status == "open")
        .values(status="closed", note="nothing to see", decided_by="ig.jo",
                decided_at="2026-11-16T10:00:00.000000Z"),
        "with no review_decision",
    ),
    "review reopened": (
        update(review_items).where(review_items.c.status == "closed")
        .values(status="open"),
        "was reopened with no event",
    ),
    "queue moved on": (
        update(review_sync).values(last_seq=10_000),
        "past what the log shows read",
    ),
    "session reopened": (
        update(app_sessions).where(app_sessions.c.session_id == "s1")
        .values(ended_at=None, end_reason=None,
                absolute_expiry="2099-01-01T00:00:00.000000Z"),
        "was ended, then reopened",
    ),
    "session role": (
        update(app_sessions).where(app_sessions.c.session_id == "s2")
        .values(role="social_worker"),
        "user or role changed",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", TAMPERINGS)
def test_a_change_without_its_event_is_found(audit_engine, name) -> None:
    _working_state(audit_engine)
    if name == "review closed":  # a second override, so an item is open
        _override(audit_engine)
        sync_queue(audit_engine, FLAGS, actor=AUDITOR)
    if name == "queue moved on":
        _override(audit_engine)  # the event the moved position would skip
    statement, said = TAMPERINGS[name]
    with audit_engine.begin() as conn:
        assert conn.execute(statement).rowcount >= 1
    found = state_problems(audit_engine)
    assert any(said in p for p in found), found


def test_verify_reports_the_tables_against_the_log(tmp_path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\naudit_url = "sqlite:///audit.db"\n')
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    _working_state(engine)
    assert governance_main(["verify", "--config", str(config), "--json"]) == 0
    capsys.readouterr()
    with engine.begin() as conn:
        conn.execute(TAMPERINGS["restriction lifted"][0])
    assert governance_main(["verify", "--config", str(config), "--json"]) == 1
    out = capsys.readouterr().out
    last = json.loads(out.strip().splitlines()[-1])
    assert last["valid"] is False and last["first_broken"] is None
    assert "restriction of p1 was lifted with no event" in " ".join(last["problems"])


def test_the_queue_position_moves_only_with_its_event(audit_engine) -> None:
    """Each move of the position is recorded first; reading only the queue's own
    bookkeeping moves it without another event."""
    _override(audit_engine)
    sync_queue(audit_engine, FLAGS, actor=AUDITOR)
    kinds = [e for e in _kinds(audit_engine) if e == "queue_read"]
    sync_queue(audit_engine, FLAGS, actor=AUDITOR)
    assert (
        [e for e in _kinds(audit_engine) if e == "queue_read"]
        == kinds
        == ["queue_read"]
    )
    assert state_problems(audit_engine) == []


def _kinds(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT kind FROM audit_events")).scalars())


@pytest.fixture
def hardened_app(postgres_url, app_role) -> tuple[Engine, Engine]:
    admin = make_engine(postgres_url)
    harden_postgres(admin, app_role)
    app = _as_role(postgres_url, app_role)
    yield admin, app
    app.dispose()
    admin.dispose()


def test_hardened_app_role_works_through_the_audited_paths(hardened_app) -> None:
    _, app = hardened_app
    _working_state(app)
    end_session(app, "s2", T0 + timedelta(minutes=5), "sign_out")
    assert state_problems(app) == []


@pytest.mark.parametrize("name", TAMPERINGS)
def test_hardened_app_role_cannot_change_them_any_other_way(hardened_app, name) -> None:
    _, app = hardened_app
    _working_state(app)
    if name == "review closed":
        _override(app)
        sync_queue(app, FLAGS, actor=AUDITOR)
    if name == "queue moved on":
        _override(app)
    statement, _ = TAMPERINGS[name]
    with pytest.raises(DBAPIError, match="refused|may not|never"):
        with app.begin() as conn:
            conn.execute(statement)
    assert state_problems(app) == []


def test_hardened_app_role_cannot_open_a_session_without_its_event(
    hardened_app,
) -> None:
    _, app = hardened_app
    row = {"session_id": "forged", "user_id": "u9", "role": "social_worker",
           "method": "oidc", "started_at": "2026-11-16T09:00:00.000000Z",
           "last_seen_at": "2026-11-16T09:00:00.000000Z",
           "absolute_expiry": "2099-01-01T00:00:00.000000Z"}  # fmt: skip
    with pytest.raises(DBAPIError, match="sign_in"):
        with app.begin() as conn:
            conn.execute(app_sessions.insert(), [row])
    assert session_row(app, "forged") is None


def test_restricting_a_person_the_index_does_not_know_is_an_error(
    tmp_path, index_db
) -> None:
    config = _config(tmp_path, index_db)
    at = _sign_in(_app(config), "demo.admin")
    at.text_input(key="restrict_person").input("p-no-such-person")
    at = at.button(key="FormSubmitter:restrict-Restrict this person").click().run()
    assert "No person with that id is in the index" in _texts(at.error)
    assert "`p-no-such-person`" not in _texts(at.markdown)
    assert "restriction_set" not in [e["kind"] for e in _events(config)]
