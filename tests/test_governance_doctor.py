"""``python -m governance doctor``: each failure it is built to find is made, one
test each, and found; the JSON is the contract the API's health endpoint serves."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import text

from core.db import make_engine
from governance.__main__ import main as governance_main
from governance.audit import ensure_audit_schema
from governance.chain import ROW_KEYS, chain_hash
from governance.hardening import harden_postgres
from governance.health import Health, check_health, detail, fail, liveness, ok, warn
from linkage.__main__ import main as linkage_main


@pytest.fixture(scope="module")
def built(small_extracts: Path, tmp_path_factory) -> Path:
    out = Path(shutil.copytree(small_extracts, tmp_path_factory.mktemp("doctor") / "d"))
    assert linkage_main(["build", "--config", str(out / "config.toml")]) == 0
    return out


@pytest.fixture
def demo(built: Path, private_copy) -> Path:
    """A private copy of a built demo (extracts, index, audit log, snapshots)."""
    return private_copy(built)


def _config(demo: Path) -> str:
    return str(demo / "config.toml")


def _edit(demo: Path, old: str, new: str) -> None:
    path = demo / "config.toml"
    body = path.read_text()
    assert old in body
    path.write_text(body.replace(old, new))


def _append(demo: Path, toml: str) -> None:
    with (demo / "config.toml").open("a") as config:
        config.write("\n" + toml + "\n")


def _levels(health: Health, check: str) -> list[str]:
    return [f.level for f in health.findings if f.check == check]


def _finding(health: Health, check: str, level: str):  # noqa: ANN202
    return next(f for f in health.findings if f.check == check and f.level == level)


def test_a_healthy_demo_warns_only_about_demo_mode_and_sqlite(demo) -> None:
    health = check_health(_config(demo))
    by_check = {f.check: f.level for f in health.findings}
    assert by_check == {
        "config": "ok", "demo_mode": "warn", "index_db": "ok", "audit_db": "ok",
        "build_age": "ok", "sources": "ok", "audit_privileges": "warn",
        "audit_chain": "ok", "audit_checkpoint": "warn", "audit_state": "ok",
        "disk": "ok",
    }  # fmt: skip
    assert health.status == "warn" and health.exit_code == 1
    assert (
        "no signed checkpoint" in _finding(health, "audit_checkpoint", "warn").message
    )


def test_invalid_config_fails_and_names_the_key(demo) -> None:
    _append(demo, "[operations]\nmax_build_age_hours = 0")
    health = check_health(_config(demo))
    assert [(f.check, f.level) for f in health.findings] == [("config", "fail")]
    assert "operations.max_build_age_hours" in health.findings[0].message
    assert health.exit_code == 2


def test_missing_database_fails_and_is_not_created(demo) -> None:
    (demo / "index.db").unlink()
    health = check_health(_config(demo))
    assert _levels(health, "index_db") == ["fail"]
    assert "does not exist" in _finding(health, "index_db", "fail").message
    assert "build_age" not in {f.check for f in health.findings}
    assert not (demo / "index.db").exists()
    assert health.exit_code == 2


def test_missing_postgres_database_fails(demo, postgres_url) -> None:
    missing = postgres_url.split("?")[0].rsplit("/", 1)[0] + "/fc_no_such_db"
    _edit(demo, 'audit_url = "sqlite:///audit.db"', f'audit_url = "{missing}"')
    health = check_health(_config(demo))
    found = _finding(health, "audit_db", "fail")
    assert "cannot be reached" in found.message and "fc_no_such_db" in found.message
    assert "audit_chain" not in {f.check for f in health.findings}


def test_stale_build_warns_then_fails(demo) -> None:
    now = datetime.now(UTC)
    assert _levels(check_health(_config(demo), now + timedelta(hours=30)),
                   "build_age") == ["ok"]  # fmt: skip
    late = check_health(_config(demo), now + timedelta(hours=40))
    assert _levels(late, "build_age") == ["warn"]
    assert "older than it should be" in late.findings[4].message
    assert _levels(check_health(_config(demo), now + timedelta(hours=80)),
                   "build_age") == ["fail"]  # fmt: skip


def _rebuild(demo: Path) -> int:
    return linkage_main(["build", "--config", _config(demo)])


def test_failed_source_served_stale_warns(demo) -> None:
    (demo / "police_safeguarding.csv").unlink()
    assert _rebuild(demo) == 3
    health = check_health(_config(demo))
    stale = _finding(health, "sources", "warn")
    assert stale.detail["source"] == "police"
    assert "stale since" in stale.message and "police_safeguarding.csv" in stale.message


def test_failed_source_dropped_fails(demo) -> None:
    _edit(demo, 'name = "police"', 'name = "police"\nstale_max_days = 0')
    (demo / "police_safeguarding.csv").unlink()
    assert _rebuild(demo) == 3
    dropped = _finding(check_health(_config(demo)), "sources", "fail")
    assert dropped.detail["source"] == "police"
    assert "not shown at all" in dropped.message


def test_failed_last_build_warns_while_the_previous_serves(demo) -> None:
    for extract in demo.iterdir():
        if extract.suffix in (".csv", ".txt", ".parquet", ".xlsx"):
            extract.unlink()
        elif extract.is_dir() and extract.name not in ("truth",):
            shutil.rmtree(extract)
    assert _rebuild(demo) == 1
    health = check_health(_config(demo))
    assert "SourceError" in _finding(health, "last_build", "warn").message
    assert _levels(health, "build_age") == ["ok"]


def test_broken_chain_fails(demo) -> None:
    with sqlite3.connect(demo / "audit.db") as db:
        db.execute("UPDATE audit_events SET purpose = 'edited' WHERE seq = 1")
    health = check_health(_config(demo))
    broken = _finding(health, "audit_chain", "fail")
    assert broken.detail["first_broken"] == 1 and "BROKEN" in broken.message


def _checkpoint(demo: Path) -> Path:
    assert governance_main(["checkpoint", "--config", _config(demo)]) == 0
    (written,) = sorted((demo / "checkpoints").glob("*.json"))
    return written


def test_head_verified_against_the_newest_checkpoint(demo) -> None:
    written = _checkpoint(demo)
    seq = json.loads(written.read_text())["seq"]
    found = _finding(check_health(_config(demo)), "audit_checkpoint", "ok")
    assert found.detail["checkpoint_seq"] == seq == found.detail["head_seq"]
    assert f"continues the newest checkpoint (event {seq}" in found.message


def test_newest_events_cut_below_the_checkpoint_fail(demo) -> None:
    seq = json.loads(_checkpoint(demo).read_text())["seq"]
    with sqlite3.connect(demo / "audit.db") as db:
        db.execute("DELETE FROM audit_events WHERE seq >= ?", (seq,))
    health = check_health(_config(demo))
    cut = _finding(health, "audit_checkpoint", "fail")
    assert "the newest events were cut off" in cut.message
    assert _levels(health, "audit_chain") == ["ok"]  # what is left still links


def test_log_rewritten_up_to_the_checkpoint_fails(demo) -> None:
    """Editing an event and recomputing every later link with plain SHA-256 (no
    key): both the chain and the checkpoint find it."""
    _checkpoint(demo)
    with sqlite3.connect(demo / "audit.db") as db:
        rows = db.execute("SELECT seq, at_utc, kind, user_id, user_name, role, "
                          "session_id, purpose, case_ref, data, prev_hash FROM "
                          "audit_events ORDER BY seq").fetchall()  # fmt: skip
        prev = db.execute("SELECT hash FROM audit_events WHERE seq = 1").fetchone()[0]
        for seq, *content, _ in rows[1:]:
            if seq == 2:
                content[6] = "edited purpose"
            body = dict(zip(ROW_KEYS, content, strict=True))
            digest = chain_hash(prev, body, None)
            db.execute("UPDATE audit_events SET purpose = ?, prev_hash = ?, "
                       "hash = ? WHERE seq = ?",
                       (body["purpose"], prev, digest, seq))  # fmt: skip
            prev = digest
    health = check_health(_config(demo))
    assert _finding(health, "audit_chain", "fail").detail["first_broken"] == 2
    assert "rewritten" in _finding(health, "audit_checkpoint", "fail").message


def test_forged_checkpoint_fails(demo) -> None:
    written = _checkpoint(demo)
    forged = json.loads(written.read_text()) | {"hash": "f" * 64}
    written.write_text(json.dumps(forged))
    found = _finding(check_health(_config(demo)), "audit_checkpoint", "fail")
    assert "forged or changed" in found.message


def test_governance_table_changed_without_its_event_fails(demo) -> None:
    with sqlite3.connect(demo / "audit.db") as db:
        db.execute(
            "INSERT INTO restrictions (person_id, category, set_by, set_at) VALUES "
            "('p1', 'adoption', 'someone', '2026-12-01T10:00:00.000000Z')"
        )
    found = _finding(check_health(_config(demo)), "audit_state", "fail")
    assert "restriction of p1 has no restriction event" in found.message


def _role(postgres_url: str) -> tuple[str, str]:
    """A LOGIN role for the app and a URL connecting as it to the test schema."""
    name = f"fc_doc_{uuid.uuid4().hex[:10]}"
    with make_engine(postgres_url).begin() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
    scheme, rest = postgres_url.split("://", 1)
    return name, f"{scheme}://{name}@{rest.split('@', 1)[1]}"


def _drop_role(postgres_url: str, name: str) -> None:
    with make_engine(postgres_url).begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{name}"'))
        conn.execute(text(f'DROP ROLE "{name}"'))


def test_writable_audit_log_fails_and_hardened_passes(demo, postgres_url) -> None:
    _edit(demo, 'audit_url = "sqlite:///audit.db"', f'audit_url = "{postgres_url}"')
    ensure_audit_schema(make_engine(postgres_url))
    writable = _finding(check_health(_config(demo)), "audit_privileges", "fail")
    assert {"superuser", "no append-only trigger"} <= set(writable.detail["holes"])
    name, as_app = _role(postgres_url)
    try:
        harden_postgres(make_engine(postgres_url), name)
        _edit(demo, f'audit_url = "{postgres_url}"', f'audit_url = "{as_app}"')
        health = check_health(_config(demo))
        assert _levels(health, "audit_privileges") == ["ok"]
        assert _levels(health, "audit_chain") == ["ok"]
    finally:
        _drop_role(postgres_url, name)


def test_app_role_granted_update_fails(demo, postgres_url) -> None:
    name, as_app = _role(postgres_url)
    try:
        harden_postgres(make_engine(postgres_url), name)
        with make_engine(postgres_url).begin() as conn:
            conn.execute(text(f'GRANT UPDATE ON audit_events TO "{name}"'))
        _edit(demo, 'audit_url = "sqlite:///audit.db"', f'audit_url = "{as_app}"')
        found = _finding(check_health(_config(demo)), "audit_privileges", "fail")
        assert found.detail["holes"] == ["UPDATE"]
    finally:
        _drop_role(postgres_url, name)


def test_low_disk_space_fails(demo) -> None:
    _append(demo, "[operations]\nmin_free_disk_gb = 1000000")
    health = check_health(_config(demo))
    assert set(_levels(health, "disk")) == {"fail"}
    assert {f.detail["folder"] for f in health.findings if f.check == "disk"} == {
        "snapshots", "index", "audit"
    }  # fmt: skip


def test_json_contract_and_exit_code(demo, capsys) -> None:
    code = governance_main(["doctor", "--config", _config(demo), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["status"] == "warn"
    assert set(report) == {"status", "checked_at", "findings"}
    for finding in report["findings"]:
        assert set(finding) == {"check", "level", "message", "detail"}
    (demo / "index.db").unlink()
    assert governance_main(["doctor", "--config", _config(demo)]) == 2
    assert "FAIL index_db" in capsys.readouterr().out


def test_notify_sends_the_problems_without_personal_data(demo, capsys) -> None:
    out = demo / "notified.txt"
    script = "import sys; open(sys.argv[1], 'w').write(sys.stdin.read())"
    command = json.dumps([sys.executable, "-c", script, str(out)])
    _append(demo, f"[operations]\nnotify_command = {command}")
    (demo / "police_safeguarding.csv").unlink()
    assert _rebuild(demo) == 3
    assert governance_main(["doctor", "--config", _config(demo), "--notify"]) == 1
    message = out.read_text()
    assert "WARN sources: police" in message and "WARN demo_mode" in message
    assert "ok " not in message
    people = pl.read_csv(demo / "truth" / "people.csv", infer_schema_length=0)
    for column in ("first_name", "last_name", "dob", "address", "postcode"):
        assert not [v for v in people[column].drop_nulls() if f" {v} " in message]


def test_http_answers_liveness_without_detail() -> None:
    healthy = Health((ok("config", "valid"), warn("demo_mode", "on")))
    down = Health((ok("config", "valid"), fail("index_db", "cannot be reached")))
    assert liveness(healthy)[0] == 200 and liveness(down)[0] == 503
    code, body = liveness(down)
    assert set(body) == {"status", "checked_at"} and body["status"] == "fail"
    code, body = detail(down)
    assert code == 503 and body["findings"][1]["check"] == "index_db"
