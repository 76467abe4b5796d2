"""Several app processes (each with its own engine and connection pool) writing
the audit log at once keep one valid chain with nothing lost, on SQLite and
PostgreSQL. ``bench/audit_load.py`` does the same at 50 x 1,000."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import make_engine
from governance.audit import audit_events, ensure_audit_schema, verify_chain

WRITERS, EACH = 4, 40
ROOT = Path(__file__).resolve().parent.parent
#: One app process: its own interpreter, engine and pool, appending EACH events.
WRITER = """
import sys
from core.db import make_engine
from governance.audit import Actor, Event, record_event
url, w, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine = make_engine(url)
actor = Actor("u" + w, "Writer " + w, "front_door", "s" + w)
for i in range(n):
    record_event(engine, Event("search", actor, "MASH", "R1", {"i": i}))
"""


def _writers(url: str) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(w), str(EACH)],
                         cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        for w in range(WRITERS)
    ]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.db"
    return request.getfixturevalue("postgres_url")


def test_processes_writing_at_once_keep_one_chain(url) -> None:
    engine = make_engine(url)
    ensure_audit_schema(engine)
    procs = _writers(url)
    failed = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * WRITERS, failed
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(audit_events))
        assert stored.scalar_one() == WRITERS * EACH
    check = verify_chain(engine)
    assert (check.events, check.valid) == (WRITERS * EACH, True)
    engine.dispose()
