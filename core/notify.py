"""Tell whoever is on call: run the configured command with a short message.

``operations.notify_command`` is an argument list (no shell), e.g. ``["mail",
"-s", "Family context", "ops@council.example"]``; the message is its standard
input and its environment carries ``FAMILY_CONTEXT_EVENT`` and
``FAMILY_CONTEXT_STATUS``. Messages are built from codes, counts, source names
and the tool's own error texts, never from records, so they hold no personal data.
A notifier that fails is reported on stderr and never changes the exit code of
the command that called it: the failure it was reporting is the one that counts.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass

from core.config import OperationsConfig
from core.logs import log


@dataclass(frozen=True)
class Notice:
    """One message to send: what happened (event), how bad (status), the text."""

    event: str  # build or doctor
    status: str  # failed, stale, warn …
    text: str


@dataclass(frozen=True)
class Sent:
    """How a notification went: run or not, and the notifier's exit code."""

    ran: bool
    returncode: int | None = None
    error: str = ""


def _env(notice: Notice) -> dict[str, str]:
    return {
        **os.environ,
        "FAMILY_CONTEXT_EVENT": notice.event,
        "FAMILY_CONTEXT_STATUS": notice.status,
        "FAMILY_CONTEXT_HOST": socket.gethostname(),
    }


def notify(ops: OperationsConfig, notice: Notice) -> Sent:
    """Run ``ops.notify_command`` with the notice on stdin (nothing if unset)."""
    if not ops.notify_command:
        return Sent(False)
    try:
        done = subprocess.run(
            list(ops.notify_command),
            input=notice.text,
            text=True,
            env=_env(notice),
            capture_output=True,
            timeout=ops.notify_timeout_seconds,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log("notify_failed", 40, error=type(exc).__name__, kind=notice.event)
        return Sent(True, None, type(exc).__name__)
    log("notified", kind=notice.event, status=notice.status, code=done.returncode)
    return Sent(True, done.returncode)
