"""Property-based tests over the OpenAPI document (schemathesis) against a
running ``python -m api``: no 5xx, every response matches its documented status,
content type, headers and schema, refusals without a token, negative data
rejected. Bounded (``-n``) so it runs in well under two minutes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.api_idp import Idp, start_api, stop, user, write_config
from support.lookup_index import make_index

pytest.importorskip("schemathesis", reason="schemathesis missing")

SETTINGS = Path(__file__).with_name("schemathesis.toml")


def test_schemathesis_finds_no_failure(tmp_path: Path, idp: Idp) -> None:
    make_index(tmp_path / "index.db", filler=20)
    config = write_config(tmp_path, idp.url, api='rate_limit = "100000/minute"')
    proc, url = start_api(config)
    try:
        token = idp.token(*user("schema.tester", "front_door"))
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(SETTINGS),
             "--no-color", "run", f"{url}/openapi.json", "--checks", "all",
             "-H", f"Authorization: Bearer {token}", "--max-examples", "10",
             "--seed", "16", "--generation-database", "none",
             "--request-timeout", "30"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        stop(proc)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "failure" not in summary, summary
    assert "Operations:       10 selected / 10 total" in run.stdout
