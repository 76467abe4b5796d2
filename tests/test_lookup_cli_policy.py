"""``python -m lookup`` applies the dashboard's policy from ``[governance]``: the
visibility matrix, emergency purposes, restricted people and the written
override (its own audit event, in the auditor's review queue)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.lookup_index import make_index

from core.db import make_engine
from governance.audit import Actor, ensure_audit_schema, read_events
from governance.cli_identity import os_user
from governance.flags import FlagRules
from governance.restrictions import RESTRICTED_MESSAGE, set_restriction
from governance.review import queue, sync_queue
from lookup.__main__ import main

REASON = ["--purpose", "New referral (MASH)", "--case-ref", "REF-9"]
AUDITOR = Actor("ig.jo", "Jo Patel", "auditor", "s-ig")
ADMIN = Actor("demo.admin", "Admin", "administrator", "s-a")
POLICE_HIDDEN = """
[governance]
emergency_purposes = ["Strategy discussion"]

[governance.visibility.front_door]
standard = "full"
police = "hidden"
sensitive = "full"
"""


def _config(folder: Path, extra: str = "") -> Path:
    make_index(folder / "index.db", filler=10)
    path = folder / "config.toml"
    path.write_text(
        '[storage]\nindex_url = "sqlite:///index.db"\n'
        f'audit_url = "sqlite:///audit.db"\n{extra}\n'
        f'[governance.cli_users]\n"{os_user()[0]}" = "front_door"\n',
        encoding="utf-8",
    )
    return path


def _audit(config: Path):
    engine = make_engine(f"sqlite:///{config.parent / 'audit.db'}")
    ensure_audit_schema(engine)
    return engine


def _family(config: Path, capsys, *extra: str) -> tuple[int, str, str]:
    args = ["family", "--config", str(config), "--person-id", "p1", *REASON]
    code = main([*args, "--today", "2026-11-15", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _karen_services(out: str) -> list[str]:
    members = json.loads(out.strip().splitlines()[-1])["members"]
    karen = next(m for m in members if m["person_id"] == "p2")
    return [s["source"] for s in karen["services"]]


@pytest.mark.parametrize(
    ("extra", "police_shown"), [("", True), (POLICE_HIDDEN, False)]
)
def test_visibility_matrix_comes_from_the_config(tmp_path, capsys, extra,
                                                 police_shown) -> None:  # fmt: skip
    config = _config(tmp_path, extra)
    code, out, _ = _family(config, capsys, "--json")
    assert code == 0
    assert ("police" in _karen_services(out)) is police_shown


def test_emergency_purposes_come_from_the_config(tmp_path, capsys) -> None:
    config = _config(tmp_path, POLICE_HIDDEN)
    args = ["search", "--config", str(config), "--first", "Jane", "--last", "Smith"]
    urgent = ["--purpose", "Strategy discussion", "--case-ref", "R1"]
    assert main([*args, *urgent]) == 2
    assert "Explain the emergency" in capsys.readouterr().err
    assert main([*args, *urgent, "--explanation", "Child missing tonight"]) == 0
    assert read_events(_audit(config))[0]["data"]["emergency"] is True


def test_restricted_person_needs_a_written_override(tmp_path, capsys) -> None:
    config = _config(tmp_path)
    audit = _audit(config)
    set_restriction(audit, ADMIN, "p1", "adoption")
    args = ["search", "--config", str(config), "--first", "Jane", "--last", "Smith"]
    assert main([*args, "--dob", "03/07/2015", *REASON]) == 0
    out = capsys.readouterr().out
    assert RESTRICTED_MESSAGE in out and "--override" in out
    p1_row = next(line for line in out.splitlines() if line.startswith("p1 "))
    assert "Jane" not in p1_row and "2015" not in p1_row and "Demo Road" not in p1_row
    code, out, err = _family(config, capsys)
    assert code == 1 and out == "" and "--override" in err
    assert read_events(audit)[0]["kind"] == "access_denied"
    code, out, _ = _family(config, capsys, "--override", "Court order today")
    assert code == 0 and "Jane" in out
    opened, override = read_events(audit)[:2]
    assert (override["kind"], opened["kind"]) == ("override", "family_opened")
    assert override["data"]["override_reason"] == "Court order today"
    sync_queue(audit, FlagRules())
    assert "override" in queue(audit)["flag"].to_list()
