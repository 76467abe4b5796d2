"""The audit chain: events append in order, concurrent writers never fork it,
and any change to a stored event is detected and located."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text

from core.db import make_engine
from core.errors import AuditError
from governance.__main__ import main as governance_main
from governance.audit import (
    GENESIS,
    Actor,
    Event,
    audit_pending,
    canonical_json,
    ensure_audit_schema,
    read_events,
    record_event,
    utc_text,
    verify_chain,
)
from governance.chain import ROW_KEYS

ACTOR = Actor("u1", "Test User", "front_door", "sess-1")


def test_canonical_form_is_stable():
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    moment = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert utc_text(moment) == "2026-01-02T03:04:05.000006Z"


def test_events_chain_in_order(audit_engine):
    for i in range(5):
        record_event(audit_engine, Event("search", ACTOR, "MASH", "R1", {"n": i}))
    events = read_events(audit_engine)
    assert [e["data"]["n"] for e in events] == [4, 3, 2, 1, 0]
    assert events[-1]["prev_hash"] == GENESIS
    assert all(
        e["prev_hash"] == n["hash"] for e, n in zip(events, events[1:], strict=False)
    )
    assert verify_chain(audit_engine).valid


def test_an_event_left_pending_is_linked_first_by_the_next_writer(audit_engine):
    """An event stored but not linked (its writer failed after storing it) is
    linked by the next writer, before that writer's own event."""
    record_event(audit_engine, Event("search", ACTOR, data={"n": 0}))
    left = {k: "" for k in ROW_KEYS} | {
        "at_utc": utc_text(datetime.now(UTC)), "kind": "search", "user_id": "u2",
        "user_name": "Other", "role": "front_door", "data": '{"n":1}',
    }  # fmt: skip
    with audit_engine.begin() as conn:
        conn.execute(insert(audit_pending), [left])
    record_event(audit_engine, Event("search", ACTOR, data={"n": 2}))
    events = read_events(audit_engine)
    assert [(e["user_id"], e["data"]["n"]) for e in events] == [
        ("u1", 2), ("u2", 1), ("u1", 0)]  # fmt: skip
    with audit_engine.connect() as conn:
        waiting = conn.execute(select(func.count()).select_from(audit_pending))
        assert waiting.scalar_one() == 0
    assert verify_chain(audit_engine).valid


def test_unregistered_kind_is_refused(audit_engine):
    with pytest.raises(AuditError):
        record_event(audit_engine, Event("peek", ACTOR))
    assert verify_chain(audit_engine).events == 0


def test_concurrent_writers_keep_one_chain(audit_engine):
    def write() -> None:
        for i in range(25):
            record_event(audit_engine, Event("search", ACTOR, data={"i": i}))

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = verify_chain(audit_engine)
    assert (check.events, check.valid) == (150, True)


@pytest.mark.parametrize(
    "column, value",
    [
        ("purpose", "'changed'"),
        ("at_utc", "'2020-01-01T00:00:00.000000Z'"),
        ("data", "'{}'"),
        ("user_id", "'someone-else'"),
    ],
)
def test_tampering_is_located(audit_engine, column, value):
    for i in range(6):
        record_event(audit_engine, Event("search", ACTOR, data={"i": i}))
    with audit_engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_events SET {column} = {value} WHERE seq = 4"))
    check = verify_chain(audit_engine)
    assert (check.events, check.valid, check.first_broken) == (6, False, 4)


def test_deleting_an_event_is_detected(audit_engine):
    for i in range(6):
        record_event(audit_engine, Event("search", ACTOR, data={"i": i}))
    with audit_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    assert verify_chain(audit_engine).first_broken == 4


def test_unwritable_log_raises_audit_error(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/missing-table.db")
    with pytest.raises(AuditError, match="nothing is shown"):
        record_event(engine, Event("search", ACTOR))


def test_verify_cli_json(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[storage]\naudit_url = "sqlite:///audit.db"\n')
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    record_event(engine, Event("sign_in", ACTOR))
    assert governance_main(["verify", "--config", str(config), "--json"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    head = verify_chain(engine)
    assert last | {"events": 1, "valid": True, "first_broken": None} == last
    assert (last["head_seq"], last["head_hash"], last["keyed"]) == (
        1, head.head_hash, True
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET role = 'auditor'"))
    assert governance_main(["verify", "--config", str(config), "--json"]) == 1
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last | {"events": 1, "valid": False, "first_broken": 1} == last


def test_verify_cli_json_when_the_log_cannot_be_read(tmp_path, capsys):
    """An unreadable log is never reported valid: exit 2, valid false, last line."""
    config = tmp_path / "config.toml"
    config.write_text('[storage]\naudit_url = "sqlite:///typo/audit.db"\n')
    assert governance_main(["verify", "--config", str(config), "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out.strip().splitlines()[-1]) == {
        "events": 0, "valid": False, "first_broken": None, "error": "AuditError"
    }  # fmt: skip
    assert "does not exist" in err and "storage.audit_url" in err
    assert not (tmp_path / "typo").exists()  # verify never creates a log
