"""Configuration and build events: a digest of the config when the dashboard
starts; a build's start, completion (build id, counts) or failure; no build
when the audit log cannot record it. No personal data in either."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from support.app_harness import _app, _config, _events
from support.databases import refuse
from support.lookup_index import make_index

from core.config import load_config, parse_config
from core.db import make_engine
from governance.audit import Actor, ensure_audit_schema, read_events, verify_chain
from governance.system_events import (
    audited_build,
    config_digest,
    config_summary,
    record_config_loaded,
)
from linkage import index_tables as t
from linkage.__main__ import main as linkage_main
from sources.__main__ import main as sources_main

COMMENTED = """
# the council's settings
[app]
title   = "Family context"   # shown on every page
[storage]
audit_url = "sqlite:///audit.db"
"""
PLAIN = '[storage]\naudit_url = "sqlite:///audit.db"\n[app]\ntitle = "Family context"\n'


def _parse(text: str, folder: Path):
    import tomllib

    return parse_config(tomllib.loads(text), folder)


def test_digest_follows_settings_not_layout(tmp_path: Path) -> None:
    assert config_digest(_parse(COMMENTED, tmp_path)) == config_digest(
        _parse(PLAIN, tmp_path)
    )
    changed = PLAIN.replace("Family context", "Family context (test)")
    assert config_digest(_parse(changed, tmp_path)) != config_digest(
        _parse(PLAIN, tmp_path)
    )


def test_config_event_holds_a_digest_not_the_settings(tmp_path: Path) -> None:
    secret = "postgresql+psycopg://app:s3cret@db.example/audit"
    config = _parse(f'[storage]\nindex_url = "{secret}"\n', tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(engine)
    digest = record_config_loaded(engine, config, "dashboard")
    (event,) = read_events(engine)
    assert (event["kind"], event["role"]) == ("config", "system")
    assert event["data"] == {"what": "loaded", "where": "dashboard", "digest": digest,
                             "sources": [], "demo_mode": False}  # fmt: skip
    assert "s3cret" not in json.dumps(event) and "db.example" not in json.dumps(event)
    assert config_summary(config)["digest"] == digest


def test_dashboard_records_its_config_once_per_process(tmp_path: Path) -> None:
    config = _config(tmp_path, make_index(tmp_path / "index.db", filler=5).url.database)
    at = _app(config)
    at.run()
    at.run()
    configs = [e for e in _events(config) if e["kind"] == "config"]
    assert len(configs) == 1
    assert configs[0]["data"]["digest"] == config_digest(load_config(config))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert sources_main(["generate", "--people", "400", "--out", str(folder),
                         "--quiet"]) == 0  # fmt: skip
    return folder / "config.toml"


def _builds(config: Path) -> list[dict]:
    return [e for e in _events(config) if e["kind"] == "build"]


def test_build_records_start_and_complete(demo: Path) -> None:
    assert linkage_main(["build", "--config", str(demo)]) == 0
    start, done = _builds(demo)[-2:]
    assert (start["data"]["stage"], done["data"]["stage"]) == ("start", "complete")
    assert start["data"]["run_id"] == done["data"]["run_id"]
    assert (done["user_id"], done["role"]) == (getpass.getuser(), "system")
    index = make_engine(f"sqlite:///{demo.parent}/index.db")
    with index.connect() as conn:
        served = conn.execute(select(t.index_state.c.build_id)).scalar()
        summary = json.loads(conn.execute(
            select(t.builds.c.summary).where(t.builds.c.build_id == served)
        ).scalar())  # fmt: skip
    assert done["data"]["build_id"] == served
    for key in ("records", "people", "families", "quarantined"):
        assert done["data"][key] == summary[key]
    assert done["data"]["config_digest"] == config_digest(load_config(demo))
    assert verify_chain(make_engine(f"sqlite:///{demo.parent}/audit.db")).valid


def test_failed_build_is_recorded_with_its_id(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[storage]\nindex_url = "sqlite:///index.db"\naudit_url = "sqlite:///audit.db"'
        '\n[[sources]]\nname = "police"\nservice = "Police"\npath = "missing.csv"\n'
        'columns = { first_name = "F", last_name = "L" }\n'
    )
    assert linkage_main(["build", "--config", str(config)]) == 1
    start, failed = _builds(config)
    assert failed["data"]["stage"] == "failed"
    assert failed["data"]["error"] == "SourceError"
    index = make_engine(f"sqlite:///{tmp_path}/index.db")
    with index.connect() as conn:
        status = conn.execute(
            select(t.builds.c.status).where(
                t.builds.c.build_id == failed["data"]["build_id"]
            )
        ).scalar()
    assert status == "failed"


def test_no_audit_no_build(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\nindex_url = "sqlite:///index.db"\n'
                      'audit_url = "sqlite:///audit.db"\n')  # fmt: skip
    audit = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(audit)
    refuse(audit, "build")
    assert linkage_main(["build", "--config", str(config)]) == 1
    assert "could not be recorded" in capsys.readouterr().err
    assert not (tmp_path / "index.db").exists()


def test_audited_build_reports_the_build_error_not_the_audit_one(tmp_path) -> None:
    audit = make_engine(f"sqlite:///{tmp_path}/audit.db")
    config = load_config(_config(tmp_path, tmp_path / "index.db"))
    actor = Actor("ops", "ops", "system", "run-1")

    def broken() -> None:
        raise RuntimeError("disk full")

    def unknown_id() -> str:
        raise OSError("index unreachable")

    with pytest.raises(RuntimeError, match="disk full"):
        audited_build(audit, config, broken, unknown_id, actor)
    failed = read_events(audit)[0]["data"]
    assert (failed["stage"], failed["error"], failed["build_id"]) == (
        "failed", "RuntimeError", None
    )  # fmt: skip
