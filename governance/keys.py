"""The audit chain's key: a secret held outside the database.

Every event's hash is an HMAC under this key, so someone who can only change
the database (a copy of it, a DBA, the app's own role) cannot rewrite events
and recompute the chain. ``governance.audit_key`` names where the key is:

- ``"file:PATH"``: the first line of a file (relative to the config folder),
  readable only by the service's user (``python -m governance new-key``);
- ``"env:NAME"``: an environment variable;
- empty (the default): the ``FAMILY_CONTEXT_AUDIT_KEY`` environment variable;
  in demo mode, when that is unset, a key generated once beside the config
  (``audit.key``, owner-only). Outside demo mode a missing key is an error
  naming ``governance.audit_key``.

The key travels with the audit engine (``keyed``); an engine opened without
one (tests, benches) uses ``FAMILY_CONTEXT_AUDIT_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from sqlalchemy import Connection, Engine

from core.config import Config
from core.db import make_engine
from core.errors import AuditError, ConfigError, Problem

KEY_ENV = "FAMILY_CONTEXT_AUDIT_KEY"
DEMO_KEY_FILE = "audit.key"
MIN_LENGTH = 32
_OPTION = "audit_key"
_HOW = (
    "create one with `python -m governance new-key --out /etc/family-context/"
    'audit.key` and set governance.audit_key = "file:/etc/family-context/audit.key"'
)


def _problem(message: str) -> ConfigError:
    return ConfigError(
        "The audit log's key cannot be read.",
        [Problem("governance.audit_key", message)],
    )


def _checked(text: str, where: str) -> bytes:
    value = text.strip()
    if len(value) < MIN_LENGTH:
        raise _problem(
            f"{where} holds a key of {len(value)} characters; use at least "
            f"{MIN_LENGTH} random characters ({_HOW})."
        )
    return value.encode("utf-8")


def _from_file(path: Path) -> bytes:
    try:
        first = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise _problem(f"cannot read {path} ({exc.strerror}); {_HOW}.") from exc
    return _checked(first[0] if first else "", str(path))


def _from_env(name: str) -> bytes | None:
    value = os.environ.get(name, "")
    return _checked(value, f"environment variable {name}") if value else None


def generate_key_file(path: Path) -> bytes:
    """Write a new random key to ``path`` (owner read/write only); refuse to
    overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise AuditError(
            f"{path} already exists: a key is never overwritten (the chain "
            "written under it could no longer be verified)."
        ) from exc
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key.encode("utf-8")


def load_key(config: Config) -> bytes:
    """The key ``governance.audit_key`` names, or a ConfigError naming it."""
    where = config.governance.audit_key.strip()
    if where.startswith("file:"):
        path = Path(where.removeprefix("file:"))
        return _from_file(path if path.is_absolute() else config.base_dir / path)
    if where.startswith("env:"):
        name = where.removeprefix("env:")
        found = _from_env(name)
        if found is None:
            raise _problem(f"environment variable {name} is not set; {_HOW}.")
        return found
    if where:
        raise _problem('must be "file:PATH" or "env:NAME" (or empty)')
    found = _from_env(KEY_ENV)
    if found is not None:
        return found
    if not config.app.demo_mode:
        raise _problem(
            f"is not set and {KEY_ENV} is empty: the audit chain needs a secret "
            f"held outside the database; {_HOW}."
        )
    demo = config.base_dir / DEMO_KEY_FILE
    return _from_file(demo) if demo.exists() else generate_key_file(demo)


def keyed(engine: Engine, key: bytes) -> Engine:
    """The same engine (and pool), carrying the chain's key."""
    return engine.execution_options(**{_OPTION: key})


def key_of(bind: Engine | Connection) -> bytes:
    """The key an engine carries, else ``FAMILY_CONTEXT_AUDIT_KEY``, else an
    AuditError (nothing is written unkeyed)."""
    found = bind.get_execution_options().get(_OPTION)
    if found:
        return found
    env = _from_env(KEY_ENV)
    if env is None:
        raise AuditError(
            "The audit log's key is not available, so nothing can be recorded or "
            f"verified: set governance.audit_key (or {KEY_ENV})."
        )
    return env


def key_id(key: bytes) -> str:
    """A short fingerprint that names a key without revealing it."""
    return hmac.new(key, b"family-context key id", hashlib.sha256).hexdigest()[:16]


def audit_engine(config: Config) -> Engine:
    """The audit database's engine, carrying the key the config names."""
    key = load_key(config)
    return keyed(make_engine(config.storage.audit_url), key)
