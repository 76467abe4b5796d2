"""A build killed with SIGKILL stays "running" with all its rows; the next build
to start finds it (nothing holds its build lock any more), deletes its rows,
marks it failed and records the audit end event its start never got. A build
that is still alive is left alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import make_engine
from governance.audit import audit_events
from linkage import index_tables as t
from linkage.__main__ import main as linkage_main

ROOT = Path(__file__).resolve().parents[1]
#: A real build in a child process that stops just before switching (every row
#: written) and waits there to be killed.
HANG_BEFORE_SWITCH = """
import sys, time
import linkage.build as build

def hang(*args, **kwargs):
    print("written", flush=True)
    time.sleep(600)

build.publish = hang
from linkage.__main__ import main
sys.exit(main(["build", "--config", sys.argv[1]]))
"""


@pytest.fixture(params=["sqlite", "postgres"])
def demo(request, small_extracts, private_copy) -> tuple[Path, str, str]:
    """(config, index URL, audit URL) of a fresh copy of the small demo."""
    folder = private_copy(small_extracts)
    conf = folder / "config.toml"
    index_url = f"sqlite:///{folder / 'index.db'}"
    audit_url = f"sqlite:///{folder / 'audit.db'}"
    if request.param == "postgres":
        index_url = audit_url = request.getfixturevalue("postgres_url")
        text = conf.read_text()
        for key in ("index_url", "audit_url"):
            name = "index.db" if key == "index_url" else "audit.db"
            text = text.replace(f'{key} = "sqlite:///{name}"', f'{key} = "{index_url}"')
        conf.write_text(text)
    return conf, index_url, audit_url


def _start_hanging_build(conf: Path) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", HANG_BEFORE_SWITCH, str(conf)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()  # blocks until every row is written
    assert line.strip() == "written", line
    return child


def _builds(index_url: str) -> dict[str, str]:
    engine = make_engine(index_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(t.builds.c.build_id, t.builds.c.status)).all()
    finally:
        engine.dispose()
    return dict(rows)


def _rows_of(index_url: str, build_id: str) -> int:
    engine = make_engine(index_url)
    try:
        with engine.connect() as conn:
            tables = [t.built(conn, table, build_id) for table in t.BUILD_TABLES]
            return sum(
                conn.execute(
                    select(func.count()).where(table.c.build_id == build_id)
                ).scalar_one()
                for table in tables
            )
    finally:
        engine.dispose()


def _build_events(audit_url: str) -> list[dict]:
    engine = make_engine(audit_url)
    try:
        with engine.connect() as conn:
            data = conn.execute(
                select(audit_events.c.data)
                .where(audit_events.c.kind == "build")
                .order_by(audit_events.c.seq)
            ).scalars()
            return [json.loads(d) for d in data]
    finally:
        engine.dispose()


def test_a_killed_build_is_cleaned_up_and_recorded_failed_by_the_next(demo):
    conf, index_url, audit_url = demo
    child = _start_hanging_build(conf)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    (killed,) = [b for b, s in _builds(index_url).items() if s == "running"]
    assert _rows_of(index_url, killed) > 0  # what kill -9 leaves behind
    assert linkage_main(["build", "--config", str(conf)]) == 0
    builds = _builds(index_url)
    assert builds[killed] == "failed"
    assert _rows_of(index_url, killed) == 0
    assert list(builds.values()).count("complete") == 1
    events = _build_events(audit_url)
    start = events[0]
    assert start["stage"] == "start"
    (end,) = [e for e in events if e.get("build_id") == killed]
    assert end["stage"] == "failed" and end["error"] == "Abandoned"
    assert end["run_id"] == start["run_id"]  # the killed run's start, now ended
    # every start has its end: nothing left open in the audit log
    starts = {e["run_id"] for e in events if e["stage"] == "start"}
    ends = {e["run_id"] for e in events if e["stage"] != "start"}
    assert starts == ends


def test_a_build_still_running_is_left_alone(demo):
    conf, index_url, _ = demo
    child = _start_hanging_build(conf)
    try:
        (alive,) = [b for b, s in _builds(index_url).items() if s == "running"]
        rows = _rows_of(index_url, alive)
        assert linkage_main(["build", "--config", str(conf)]) == 0
        assert _builds(index_url)[alive] == "running"
        assert _rows_of(index_url, alive) == rows
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert linkage_main(["build", "--config", str(conf)]) == 0
    assert _builds(index_url)[alive] == "failed"
    assert _rows_of(index_url, alive) == 0
