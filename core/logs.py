"""Application logs: one JSON object per line on stderr, with a request id.

A log line carries an event name and fields; text fields are limited to known,
non-personal keys (``SAFE_TEXT``) and anything else that is not a number or a
bool is dropped, so a caller cannot log a name, date of birth, address or search
term by accident. Exceptions are logged by type and code location only: their
messages can hold values. Who searched whom lives in the audit log, never here.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import traceback
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

#: The application's logger; modules log through ``log`` below.
LOGGER = "family_context"
#: Text fields that may be logged: codes and identifiers, never free text.
SAFE_TEXT = frozenset(
    {
        "page", "role", "kind", "outcome", "error", "where", "stage", "source",
        "status", "build_id", "command", "check", "level", "method", "view",
        "dialect", "reason_code",
    }
)  # fmt: skip
#: Loggers of the servers the dashboard runs in, re-formatted to JSON lines too.
FOREIGN = ("streamlit", "uvicorn", "uvicorn.error", "uvicorn.access", "py.warnings")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)
_MARK = "_family_context_json"


def new_request_id() -> str:
    """A short random id tying together the lines of one request or command."""
    return uuid.uuid4().hex[:16]


@contextmanager
def request(request_id: str | None = None) -> Iterator[str]:
    """Log every line inside the block under one request id."""
    token = _request_id.set(request_id or new_request_id())
    try:
        yield _request_id.get()
    finally:
        _request_id.reset(token)


def safe_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Numbers, bools, None and allow-listed codes; anything else is dropped."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or isinstance(value, (bool, int, float)):
            out[key] = value
        elif isinstance(value, str) and key in SAFE_TEXT and len(value) <= 200:
            out[key] = value
    return out


def _where(exc: BaseException) -> str:
    """The innermost frame of our code (file:line in function), no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "site-packages" not in f.filename] or frames
    if not ours:
        return ""
    frame = ours[-1]
    name = "/".join(frame.filename.replace("\\", "/").split("/")[-2:])
    return f"{name}:{frame.lineno} in {frame.name}"


class JsonLines(logging.Formatter):
    """Formats a record as one JSON line: time, level, event, request id, fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": _request_id.get(),
        }
        fields = getattr(record, "fields", None)
        if fields is not None:
            line["event"] = record.msg
            line.update(safe_fields(fields))
        else:
            # Another library's message: its text may quote values, so only
            # where it came from is kept.
            line["event"] = "library_message"
            line["where"] = f"{record.module}:{record.lineno}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["error"] = type(exc).__name__
            line["where"] = _where(exc)
        return json.dumps(line, separators=(",", ":"))


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001
        pass


def log(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event with safe fields (see ``safe_fields``)."""
    logging.getLogger(LOGGER).log(level, event, extra={"fields": fields})


def log_error(event: str, exc: BaseException, **fields: Any) -> None:
    """Log an exception by type and location, never by message."""
    logging.getLogger(LOGGER).error(
        event, exc_info=(type(exc), exc, exc.__traceback__), extra={"fields": fields}
    )


def configure(level: str = "info") -> None:
    """Send the application's log (and the servers') to stderr as JSON lines.

    Idempotent: a second call in the same process changes nothing.
    """
    app = logging.getLogger(LOGGER)
    if not any(getattr(h, _MARK, False) for h in app.handlers):
        handler = _Stderr()
        handler.setFormatter(JsonLines())
        setattr(handler, _MARK, True)
        app.addHandler(handler)
        app.propagate = False
    app.setLevel(level.upper())
    logging.captureWarnings(True)
    warned = logging.getLogger("py.warnings")
    if not warned.handlers:
        warned.addHandler(_Stderr())
    for name in FOREIGN:
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(JsonLines())
