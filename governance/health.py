"""Health: what someone on call needs to know, as typed findings.

``check_health(config_path)`` runs every check in ``health_checks`` and returns a
``Health``; ``python -m governance doctor`` prints it and exits by its worst
finding, and an HTTP server (the API, issue 16) answers ``/health`` with
``liveness`` (no sign-in, no detail) and ``/health/detail`` with ``detail``
(signed in). The JSON of ``Health.to_dict`` is the contract for both. Findings
hold codes, counts, dates, source names and the tool's own texts: never
personal data, never a URL or a password.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Level = Literal["ok", "warn", "fail"]
LEVELS: tuple[Level, ...] = ("ok", "warn", "fail")
#: doctor's exit code per worst level (0 all well, 1 a warning, 2 a failure).
EXIT_CODES: dict[str, int] = {"ok": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class Finding:
    """One check's result: which check, how bad, what to do, and its figures."""

    check: str
    level: Level
    message: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "level": self.level,
            "message": self.message,
            "detail": dict(self.detail),
        }


def ok(check: str, message: str, **detail: Any) -> Finding:
    return Finding(check, "ok", message, detail)


def warn(check: str, message: str, **detail: Any) -> Finding:
    return Finding(check, "warn", message, detail)


def fail(check: str, message: str, **detail: Any) -> Finding:
    return Finding(check, "fail", message, detail)


@dataclass(frozen=True)
class Health:
    """Every finding of one run of the checks, and when it ran."""

    findings: tuple[Finding, ...]
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def status(self) -> Level:
        """The worst level found (ok when there are no findings)."""
        return max((f.level for f in self.findings), key=LEVELS.index, default="ok")

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "findings": [f.to_dict() for f in self.findings],
        }

    def lines(self) -> list[str]:
        """Findings as short lines for a terminal, worst first."""
        order = sorted(self.findings, key=lambda f: -LEVELS.index(f.level))
        marks = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
        return [f"{marks[f.level]} {f.check}: {f.message}" for f in order]

    def problems(self) -> list[Finding]:
        """The findings that are not ok."""
        return [f for f in self.findings if f.level != "ok"]


def liveness(health: Health) -> tuple[int, dict[str, Any]]:
    """HTTP status and body for an unauthenticated health probe: up or not."""
    code = 503 if health.status == "fail" else 200
    when = health.checked_at.isoformat(timespec="seconds")
    return code, {"status": health.status, "checked_at": when}


def detail(health: Health) -> tuple[int, dict[str, Any]]:
    """HTTP status and body for a signed-in health probe: every finding."""
    return (503 if health.status == "fail" else 200), health.to_dict()


def check_health(config_path: str, now: datetime | None = None) -> Health:
    """Run every check against the config at ``config_path``."""
    from governance.health_checks import run_checks

    when = now or datetime.now(UTC)
    return Health(tuple(run_checks(config_path, when)), when)
