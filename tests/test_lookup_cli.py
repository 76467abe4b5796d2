"""``python -m lookup``: the same audited calls as the dashboard, JSON on request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.lookup_index import JANE_NHS, make_index

from core.db import make_engine
from governance.audit import read_events
from governance.cli_identity import os_user
from lookup.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
REASON = ["--purpose", "New referral (MASH)", "--case-ref", "REF-9"]
ME = os_user()[0]


def write_config(folder: Path, role: str | None = "front_door") -> Path:
    """A config whose [governance.cli_users] grants the user running the tests
    ``role`` (None: the user is not listed)."""
    grant = f'[governance.cli_users]\n"{ME}" = "{role}"\n' if role else ""
    path = folder / "config.toml"
    path.write_text(
        '[storage]\nindex_url = "sqlite:///index.db"\n'
        f'audit_url = "sqlite:///audit.db"\n{grant}',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    make_index(folder / "index.db", filler=20)
    return write_config(folder)


def _events(config: Path) -> list[dict]:
    return read_events(make_engine(f"sqlite:///{config.parent / 'audit.db'}"))


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_search_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["search", "--config", str(config), "--first", "Jnae", "--last", "Smith"]
    code = main([*args, "--dob", "03/07/2015", *REASON, "--json"])
    top = _json(capsys)["candidates"][0]
    assert code == 0
    assert (top["person_id"], top["confidence"]) == ("p1", "Strong match")
    assert top["dob"] == "2015-07-03" and top["nhs_number"] == JANE_NHS
    search, shown = _events(config)[1], _events(config)[0]
    assert (search["kind"], search["user_id"], search["role"]) == (
        "search", ME, "front_door"
    )  # fmt: skip
    assert search["case_ref"] == "REF-9"
    assert shown["data"]["person_ids"][0] == "p1"


def test_search_by_name_and_identifier(config, capsys) -> None:
    main(["search", "--config", str(config), "--name", "SMITH, Jane", *REASON])
    assert "Jane SMITH" in capsys.readouterr().out
    main(["search", "--config", str(config), "--id", JANE_NHS, *REASON, "--json"])
    assert [c["matched_on"] for c in _json(capsys)["candidates"]] == ["NHS number"]


def test_search_by_a_family_name_and_date_of_birth(config, capsys) -> None:
    args = ["search", "--config", str(config), "--last", "Smith"]
    main([*args, "--dob", "03/07/2015", *REASON, "--json"])
    got = _json(capsys)
    assert {c["person_id"] for c in got["candidates"]} == {"p1", "p8"}
    assert {c["matched_on"] for c in got["candidates"]} == {
        "family name; date of birth"
    }
    assert (got["fitting"], got["prompt"]) == (2, None)
    main([*args, "--dob", "03/07/2015", "--limit", "1", *REASON])
    assert "2 people fit what you gave; only the best match is listed. Add the " \
        "first name or the postcode" in capsys.readouterr().out  # fmt: skip


def test_search_with_postcode_and_age_range(config, capsys) -> None:
    args = ["search", "--config", str(config), "--first", "Jane", "--last", "Smith"]
    main([*args, "--postcode", "dt1 1aa", "--age-min", "10", "--age-max", "12",
          *REASON, "--json"])  # fmt: skip
    found = _json(capsys)["candidates"]
    assert {c["person_id"] for c in found} == {"p1", "p8"}
    assert found[0]["matched_on"] == "exact name; postcode; age inside the range given"
    assert search_criteria(config)["postcode"] == "DT11AA"


def search_criteria(config: Path) -> dict:
    return _events(config)[1]["data"]["criteria"]


def test_family_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["family", "--config", str(config), "--person-id", "p1", *REASON]
    assert main([*args, "--today", "2026-11-15", "--json"]) == 0
    result = _json(capsys)
    members = {m["person_id"]: m for m in result["members"]}
    assert set(members) == {"p1", "p2", "p3", "p4"}
    csc = next(s for s in members["p1"]["services"] if s["source"] == "csc")
    assert (csc["involvement"], csc["last_start"]) == ("Current", "2026-03-03")
    assert members["p4"]["age"] == 3
    assert result["who_to_call"][0]["lead"]["phone"] == "0161 000 1111"
    assert _events(config)[0]["kind"] == "family_opened"


def test_family_text(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["family", "--config", str(config), "--person-id", "p1", *REASON])
    out = capsys.readouterr().out
    assert "WHO TO CALL" in out and "Pat Lee" in out
    assert "No record in Housing data since April 2014" in out


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [(["--purpose", "Curiosity"], 2, "Choose a purpose from"),
     (["--purpose", "Emergency"], 2, "Explain the emergency"),
     (["--first", ""], 2, "first name and a last name")],
)  # fmt: skip
def test_refusals(config, capsys, extra, code, message) -> None:
    args = ["search", "--config", str(config), "--first", "Jane", "--last", "Smith"]
    assert main([*args, *REASON, *extra]) == code
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_auditor_refusal_is_recorded(tmp_path, capsys) -> None:
    make_index(tmp_path / "index.db", filler=5)
    config = write_config(tmp_path, "auditor")
    args = ["search", "--config", str(config), "--first", "Jane", "--last", "Smith"]
    assert main([*args, *REASON]) == 1
    assert "Your role cannot search" in capsys.readouterr().err
    assert (_events(config)[0]["kind"], _events(config)[0]["user_id"]) == (
        "access_denied", ME
    )  # fmt: skip


@pytest.mark.parametrize("flag", [["--user", "alice"], ["--role", "social_worker"]])
def test_no_flag_chooses_the_user_or_role(config, capsys, flag) -> None:
    """The CLI acts as the operating-system user, in the role the config grants:
    the old --user and --role flags are refused with a clear message, and
    nothing is searched or recorded."""
    before = len(_events(config))
    args = ["search", "--config", str(config), "--first", "Jane", "--last", "Smith"]
    assert main([*args, *REASON, *flag]) == 2
    captured = capsys.readouterr()
    assert "--user and --role are gone" in captured.err and captured.out == ""
    assert "[governance.cli_users]" in captured.err
    assert len(_events(config)) == before


def test_an_unlisted_operating_system_user_is_refused_and_recorded(
    tmp_path, capsys
) -> None:
    make_index(tmp_path / "index.db", filler=5)
    config = write_config(tmp_path, None)
    args = ["search", "--config", str(config), "--first", "Jane", "--last", "Smith"]
    assert main([*args, *REASON]) == 1
    err = capsys.readouterr().err
    assert f"user {ME} has no role" in err and "[governance.cli_users]" in err
    refused = _events(config)[0]
    assert (refused["kind"], refused["user_id"], refused["data"]["method"]) == (
        "sign_in_failed", ME, "cli"
    )  # fmt: skip
    assert not [e for e in _events(config) if e["kind"] == "search"]


def test_runs_as_a_module(config: Path) -> None:
    args = ["search", "--config", str(config), "--id", JANE_NHS, *REASON, "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "lookup", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        json.loads(done.stdout.splitlines()[-1])["candidates"][0]["person_id"] == "p1"
    )
