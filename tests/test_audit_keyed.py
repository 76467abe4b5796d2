"""The keyed chain: rewriting the log needs the key held outside the database,
and signed checkpoints find a cut at either end, on SQLite and PostgreSQL.

Each attack here passed ``verify`` on the unkeyed chain: editing an event and
recomputing every later hash, cutting the oldest events behind a matching
``chain_anchor``, cutting the newest events."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update

from core.config import parse_config
from core.db import make_engine
from core.errors import AuditError, ConfigError
from governance.__main__ import main as governance_main
from governance.audit import (
    Actor,
    Event,
    audit_events,
    ensure_audit_schema,
    record_event,
    verify_chain,
)
from governance.chain import GENESIS, ROW_KEYS, chain_hash
from governance.checkpoints import read_checkpoints, verify_with, write_checkpoint
from governance.keys import KEY_ENV, key_of, keyed, load_key
from governance.store import chain_anchor, chain_seals

ACTOR = Actor("u1", "Test User", "front_door", "sess-1")
NOW = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def _fill(engine: Engine, n: int = 8) -> None:
    for i in range(n):
        record_event(engine, Event("search", ACTOR, "MASH", "R1", {"i": i}))


def _rows(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        found = conn.execute(select(audit_events).order_by(audit_events.c.seq))
        return [dict(r) for r in found.mappings()]


def _relink(engine: Engine, start: int, key: bytes | None, edit=None) -> None:  # noqa: ANN001
    """What a forger with database access does: change event ``start`` (or
    not) and recompute every link from it, with ``key`` (None: plain SHA-256)."""
    rows = _rows(engine)
    prev = next((r["hash"] for r in rows if r["seq"] == start - 1), None)
    with engine.begin() as conn:
        anchor = conn.execute(select(chain_anchor.c.prev_hash)).scalar()
        prev = prev or anchor or GENESIS
        for row in (r for r in rows if r["seq"] >= start):
            if edit and row["seq"] == start:
                row = edit(row)
            digest = chain_hash(prev, row, key)
            conn.execute(
                update(audit_events)
                .where(audit_events.c.seq == row["seq"])
                .values({**{k: row[k] for k in ROW_KEYS}, "prev_hash": prev,
                         "hash": digest})
            )  # fmt: skip
            prev = digest


def _purpose(row: dict) -> dict:
    return {**row, "purpose": "Curiosity"}


def test_edit_and_rehash_without_the_key_is_found(audit_engine) -> None:
    _fill(audit_engine)
    _relink(audit_engine, 4, None, _purpose)
    check = verify_chain(audit_engine)
    assert (check.valid, check.first_broken) == (False, 4)


def test_edit_and_rehash_with_another_key_is_found(audit_engine) -> None:
    _fill(audit_engine)
    _relink(audit_engine, 1, b"a guessed key that is long enough!!", _purpose)
    assert verify_chain(audit_engine).first_broken == 1


def test_the_key_verifies_and_another_key_does_not(audit_engine) -> None:
    _fill(audit_engine, 3)
    assert verify_chain(audit_engine).valid
    other = keyed(audit_engine, b"x" * 40)
    check = verify_chain(other)
    assert not check.valid and "does not match the key" in " ".join(check.problems)


def test_cutting_the_oldest_events_behind_a_forged_anchor_is_found(
    audit_engine,
) -> None:
    _fill(audit_engine)
    rows = _rows(audit_engine)
    with audit_engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq < 4))
        forged = {"id": 1, "first_seq": 4, "prev_hash": rows[3]["prev_hash"],
                  "cutoff_utc": "x"}  # fmt: skip
        conn.execute(insert(chain_anchor), [forged])
    check = verify_chain(audit_engine)
    assert check.first_broken is None and not check.valid
    assert "anchor" in " ".join(check.problems)


def test_a_forged_anchor_seal_is_found(audit_engine) -> None:
    _fill(audit_engine)
    rows = _rows(audit_engine)
    anchor = {"first_seq": 4, "prev_hash": rows[3]["prev_hash"], "cutoff_utc": "x"}
    with audit_engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq < 4))
        conn.execute(insert(chain_anchor), [{"id": 1, **anchor}])
        conn.execute(insert(chain_seals), [{"kind": "anchor", "first_seq": 4,
                     "prev_hash": anchor["prev_hash"], "note": "{}", "at_utc": "x",
                     "mac": "0" * 64}])  # fmt: skip
    check = verify_chain(audit_engine)
    assert not check.valid and "anchor seal does not match" in " ".join(check.problems)


def test_removing_the_keyed_seal_does_not_pass_as_an_old_log(audit_engine) -> None:
    _fill(audit_engine)
    with audit_engine.begin() as conn:
        conn.execute(delete(chain_seals))
    check = verify_chain(audit_engine)
    assert (check.valid, check.keyed, check.first_broken) == (False, False, 1)


def _legacy_log(engine: Engine, n: int) -> None:
    """A log as the unkeyed version wrote it: plain SHA-256 links, no seal."""
    prev, rows = GENESIS, []
    for i in range(n):
        row = {"at_utc": f"2026-11-0{i + 1}T10:00:00.000000Z", "kind": "search",
               "user_id": "u1", "user_name": "U", "role": "front_door",
               "session_id": "s", "purpose": "MASH", "case_ref": "R",
               "data": json.dumps({"i": i})}  # fmt: skip
        digest = chain_hash(prev, row, None)
        rows.append({**row, "seq": i + 1, "prev_hash": prev, "hash": digest})
        prev = digest
    with engine.begin() as conn:
        conn.execute(insert(audit_events), rows)


def test_an_old_unkeyed_log_is_keyed_from_its_next_event(audit_engine) -> None:
    _legacy_log(audit_engine, 4)
    before = verify_chain(audit_engine)
    assert (before.valid, before.keyed, before.events) == (True, False, 4)
    _fill(audit_engine, 2)
    after = verify_chain(audit_engine)
    assert (after.valid, after.keyed, after.head_seq) == (True, True, 6)
    with audit_engine.connect() as conn:
        seal = conn.execute(select(chain_seals)).mappings().one()
    assert (seal["kind"], seal["first_seq"]) == ("keyed", 5)
    # the keyed events pin the old ones: rewriting those still breaks the chain
    _relink(audit_engine, 2, None, _purpose)
    assert verify_chain(audit_engine).first_broken == 5


def test_checkpoints_find_a_cut_off_end(audit_engine, tmp_path) -> None:
    _fill(audit_engine)
    write_checkpoint(audit_engine, tmp_path, NOW)
    check, reading = verify_with(audit_engine, tmp_path)
    assert (check.valid, check.checkpoints, reading.newest.seq) == (True, 1, 8)
    with audit_engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq > 5))
    assert verify_chain(audit_engine).valid  # what is left links: only the
    check, _ = verify_with(audit_engine, tmp_path)  # checkpoint shows the cut
    assert not check.valid
    assert "log ends at event 5" in " ".join(check.checkpoint_problems)


def test_a_checkpoint_is_refused_over_a_broken_chain(audit_engine, tmp_path) -> None:
    _fill(audit_engine, 3)
    with audit_engine.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == 2)
                     .values(purpose="x"))  # fmt: skip
    with pytest.raises(AuditError, match="no checkpoint was written"):
        write_checkpoint(audit_engine, tmp_path / "points", NOW)
    assert list((tmp_path / "points").iterdir()) == []


def test_forged_and_foreign_checkpoints_are_reported(audit_engine, tmp_path) -> None:
    _fill(audit_engine, 3)
    path = write_checkpoint(audit_engine, tmp_path, NOW)
    body = json.loads(path.read_text())
    (tmp_path / "forged.json").write_text(json.dumps(body | {"seq": 2}))
    (tmp_path / "foreign.json").write_text(json.dumps(body | {"key_id": "abc"}))
    (tmp_path / "junk.json").write_text("{")
    reading = read_checkpoints(tmp_path, key_of(audit_engine))
    assert [m.name for m in reading.marks] == [path.name]
    said = " ".join(reading.problems)
    assert "forged.json: its signature does not match" in said
    assert "foreign.json was signed with another key" in said
    assert "junk.json cannot be read" in said


def _config(folder: Path, extra: str = "") -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[storage]\naudit_url = "sqlite:///audit.db"\n{extra}', encoding="utf-8"
    )
    return config


def test_checkpoint_and_verify_commands(tmp_path, capsys) -> None:
    config = _config(tmp_path, '[governance]\ncheckpoint_folder = "points"\n')
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    _fill(engine, 5)
    assert governance_main(["checkpoint", "--config", str(config)]) == 0
    assert len(list((tmp_path / "points").glob("checkpoint-000000000005-*"))) == 1
    capsys.readouterr()
    assert governance_main(["verify", "--config", str(config), "--json"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (last["valid"], last["checkpoints"], last["head_seq"]) == (True, 1, 5)
    with engine.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq >= 3))
    assert governance_main(["verify", "--config", str(config), "--json"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN" in out and "newest events were cut off" in out


def test_checkpoint_needs_a_folder_outside_demo_mode(tmp_path, capsys) -> None:
    config = _config(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    _fill(engine, 1)
    assert governance_main(["checkpoint", "--config", str(config)]) == 2
    assert "governance.checkpoint_folder" in capsys.readouterr().err


def test_read_only_url_verifies_and_refuses_writes(tmp_path, capsys) -> None:
    """``sqlite:///file:…?mode=ro&uri=true`` opens the named file read-only: no
    new file named after the URL, a clear refusal to record."""
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    _fill(engine, 2)
    before = sorted(p.name for p in tmp_path.iterdir())
    url = "sqlite:///file:audit.db?mode=ro&uri=true"
    config = _config(tmp_path).read_text().replace("sqlite:///audit.db", url)
    (tmp_path / "config.toml").write_text(config)
    assert governance_main(["verify", "--config", str(tmp_path / "config.toml")]) == 0
    assert "2 events checked" in capsys.readouterr().out
    ro = make_engine(f"sqlite:///file:{tmp_path}/audit.db?mode=ro&uri=true")
    with pytest.raises(AuditError, match="read-only"):
        record_event(ro, Event("search", ACTOR))
    assert verify_chain(engine).events == 2
    after = sorted(p.name for p in tmp_path.iterdir() if p.suffix not in
                   (".db-wal", ".db-shm"))  # fmt: skip
    assert [p for p in after if "file:" in p or "mode=ro" in p] == []
    assert set(after) <= {*before, "config.toml", "audit.db-shm", "audit.db-wal"}


def test_verify_on_a_missing_file_creates_nothing(tmp_path, capsys) -> None:
    config = _config(tmp_path)
    assert governance_main(["verify", "--config", str(config)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "audit.db").exists()


def _parsed(folder: Path, gov: dict, demo: bool) -> object:
    raw = {"app": {"demo_mode": demo}, "governance": gov}
    return parse_config(raw, folder)


def test_a_missing_key_outside_demo_mode_names_the_config_key(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(ConfigError, match="governance.audit_key"):
        load_key(_parsed(tmp_path, {}, demo=False))
    with pytest.raises(ConfigError, match="FC_NOT_SET is not set"):
        load_key(_parsed(tmp_path, {"audit_key": "env:FC_NOT_SET"}, demo=False))
    (tmp_path / "short.key").write_text("too short\n")
    with pytest.raises(ConfigError, match="at least 32"):
        load_key(_parsed(tmp_path, {"audit_key": "file:short.key"}, demo=False))


def test_demo_mode_generates_its_key_once_owner_only(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    config = _parsed(tmp_path, {}, demo=True)
    first = load_key(config)
    path = tmp_path / "audit.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key(config) == first and len(first) >= 32


def test_key_from_a_file_or_a_variable(tmp_path, monkeypatch) -> None:
    assert governance_main(["new-key", "--out", str(tmp_path / "k")]) == 0
    assert governance_main(["new-key", "--out", str(tmp_path / "k")]) == 2
    from_file = load_key(_parsed(tmp_path, {"audit_key": "file:k"}, demo=False))
    assert from_file == (tmp_path / "k").read_text().strip().encode()
    monkeypatch.setenv("FC_AUDIT_KEY_TEST", "v" * 40)
    assert load_key(_parsed(tmp_path, {"audit_key": "env:FC_AUDIT_KEY_TEST"},
                            demo=False)) == b"v" * 40  # fmt: skip


def test_unreadable_chain_state_is_never_intact(audit_engine) -> None:
    """A seal row tampered to point elsewhere fails its MAC."""
    _fill(audit_engine, 2)
    with audit_engine.begin() as conn:
        conn.execute(update(chain_seals).values(first_seq=2))
    check = verify_chain(audit_engine)
    assert not check.valid and "keyed seal does not match" in " ".join(check.problems)
    with audit_engine.begin() as conn:
        conn.execute(text("DELETE FROM chain_seals"))
