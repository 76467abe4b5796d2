"""The shipped systemd units: systemd-analyze accepts them, and every command they
run is one this version's command lines accept (so a renamed flag fails here)."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
CHECKOUT = "/opt/family-context"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read(UNITS / name)
    return parser


def _exec(name: str) -> list[str]:
    return shlex.split(_unit(name)["Service"]["ExecStart"])


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")
def test_systemd_analyze_accepts_every_unit(tmp_path: Path) -> None:
    for unit in UNITS.iterdir():
        body = unit.read_text().replace(f"{CHECKOUT}/.venv/bin/python", sys.executable)
        (tmp_path / unit.name).write_text(body.replace(CHECKOUT, str(ROOT)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_timers_start_their_services() -> None:
    for timer in UNITS.glob("*.timer"):
        assert (UNITS / timer.name.replace(".timer", ".service")).exists()
        assert _unit(timer.name)["Timer"]["Persistent"] == "true"
    assert _unit("family-context-build.timer")["Timer"]["OnCalendar"]


def test_build_and_doctor_commands_parse() -> None:
    from cli.linkage import _parser as linkage_parser
    from governance.__main__ import _parser as governance_parser

    build = _exec("family-context-build.service")
    assert build[:3] == [f"{CHECKOUT}/.venv/bin/python", "-m", "linkage"]
    args = linkage_parser().parse_args(build[3:])
    assert (args.command, args.json) == ("build", True)
    doctor = _exec("family-context-doctor.service")
    args = governance_parser().parse_args(doctor[3:])
    assert (args.command, args.json, args.notify) == ("doctor", True, True)
    assert "3" in _unit("family-context-build.service")["Service"]["SuccessExitStatus"]
    point = _exec("family-context-checkpoint.service")
    args = governance_parser().parse_args(point[3:])
    assert (args.command, args.config) == (
        "checkpoint",
        "/etc/family-context/config.toml",
    )
    assert _unit("family-context-checkpoint.timer")["Timer"]["OnCalendar"]


def test_dashboard_runs_app_py_on_loopback_with_the_shipped_settings() -> None:
    command = _exec("family-context-dashboard.service")
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[4] == f"{CHECKOUT}/app.py" and (ROOT / "app.py").exists()
    assert command[-2:] == ["--config", "/etc/family-context/config.toml"]
    service = _unit("family-context-dashboard.service")["Service"]
    assert service["WorkingDirectory"] == "/etc/family-context"
    assert service["User"] == "family-context"
    settings = (ROOT / "deploy" / "streamlit" / "config.toml").read_text()
    assert 'address = "127.0.0.1"' in settings


def test_api_unit_runs_the_api_with_the_shipped_config() -> None:
    from api.__main__ import build_parser

    command = _exec("family-context-api.service")
    assert command[:3] == [f"{CHECKOUT}/.venv/bin/python", "-m", "api"]
    args = build_parser().parse_args(command[3:])
    assert args.config == "/etc/family-context/config.toml"
    assert (args.host, args.port, args.workers) == (None, None, None)
    service = _unit("family-context-api.service")["Service"]
    assert service["User"] == "family-context"
    assert service["ProtectSystem"] == "strict"
