"""Backup and restore as docs/deploy.md says: pg_dump of the audit and index
databases, pg_restore into new databases, then verify and doctor on the restored
copy: the same chain, continuing the last signed checkpoint, the same build
served; a change to the restored log is found, and so is a restore of a dump
older than the last checkpoint (events lost).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from governance.__main__ import main as governance_main
from governance.health import check_health
from linkage.__main__ import main as linkage_main
from sources.__main__ import main as sources_main

pytestmark = pytest.mark.postgres
BASE = os.environ.get("TEST_POSTGRES_URL", "")
if not BASE:
    pytest.skip("TEST_POSTGRES_URL is not set: backup test skipped",
                allow_module_level=True)  # fmt: skip
if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
    pytest.skip("pg_dump/pg_restore not installed", allow_module_level=True)


def _libpq(url: str) -> str:
    """The libpq connection string pg_dump and pg_restore take for ``url``."""
    u = make_url(url)
    parts = {"host": u.host or "127.0.0.1", "port": u.port or 5432,
             "user": u.username, "dbname": u.database}  # fmt: skip
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def _url(database: str) -> str:
    return make_url(BASE).set(database=database).render_as_string(hide_password=False)


@pytest.fixture
def databases() -> Iterator[dict[str, str]]:
    """New databases (audit, index, their restored copies, an older audit
    restore), dropped after."""
    tag = uuid.uuid4().hex[:8]
    kinds = ("audit", "index", "audit_r", "index_r", "audit_old")
    names = {k: f"fc_{k}_{tag}" for k in kinds}
    admin = create_engine(BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {k: _url(v) for k, v in names.items()}
    finally:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _config(folder: Path, name: str, index_url: str, audit_url: str) -> str:
    body = (folder / "config.toml").read_text()
    body = body.replace(
        'index_url = "sqlite:///index.db"', f'index_url = "{index_url}"'
    )
    body = body.replace(
        'audit_url = "sqlite:///audit.db"', f'audit_url = "{audit_url}"'
    )
    path = folder / name
    path.write_text(body)
    return str(path)


def _verify(config: str, capsys) -> tuple[int, dict]:  # noqa: ANN001
    code = governance_main(["verify", "--config", config, "--json"])
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _dump_and_restore(dump: Path, source: str, target: str) -> None:
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", _libpq(source)],
                   check=True)  # fmt: skip
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                    f"--dbname={_libpq(target)}", str(dump)], check=True)  # fmt: skip


def test_dump_restore_verify(tmp_path, databases, capsys) -> None:
    demo = tmp_path / "demo"
    assert sources_main(["generate", "--people", "80", "--seed", "7",
                         "--out", str(demo), "--quiet"]) == 0  # fmt: skip
    live = _config(demo, "live.toml", databases["index"], databases["audit"])
    assert linkage_main(["build", "--config", live]) == 0
    _dump_and_restore(tmp_path / "old.dump", databases["audit"],
                      databases["audit_old"])  # fmt: skip
    assert linkage_main(["build", "--config", live]) == 0
    assert governance_main(["checkpoint", "--config", live]) == 0  # nightly
    before = _verify(live, capsys)[1]
    assert before["valid"] and before["events"] >= 4 and before["checkpoints"] == 1
    for what in ("audit", "index"):
        _dump_and_restore(tmp_path / f"{what}.dump", databases[what],
                          databases[what + "_r"])  # fmt: skip
    restored = _config(
        demo, "restored.toml", databases["index_r"], databases["audit_r"]
    )
    code, after = _verify(restored, capsys)
    assert code == 0 and after == before  # same head, the checkpoint holds
    older = _config(demo, "old.toml", databases["index_r"], databases["audit_old"])
    code, lost = _verify(older, capsys)
    assert code == 1 and lost["head_seq"] < before["head_seq"]
    assert "the newest events were cut off" in " ".join(lost["problems"])
    health = {f.check: f for f in check_health(restored).findings}
    assert health["index_db"].level == "ok" and health["build_age"].level == "ok"
    assert health["audit_chain"].detail["events"] == before["events"]
    tamper = create_engine(databases["audit_r"])
    with tamper.begin() as conn:
        conn.execute(text("UPDATE audit_events SET user_id = 'someone' WHERE seq = 2"))
    tamper.dispose()
    code, broken = _verify(restored, capsys)
    assert code == 1 and broken["first_broken"] == 2
