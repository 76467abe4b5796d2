"""The build lock: how a starting build tells a build that is still running
from one that was killed (kill -9, a power cut, the out-of-memory killer) and
left "running" with all its rows.

Every build holds the index's lock shared for its whole run. A starting build
that can take it exclusively knows no other build is alive, so every build
still marked running was abandoned. The operating system or the database
server lets go of a dead process's lock, so nothing has to time out:

- PostgreSQL: a session advisory lock (keyed by the schema) on a connection
  held open for the build;
- SQLite: ``flock`` on ``<index file>.build-lock`` beside the database.

Elsewhere (another database, an in-memory SQLite) no lock is taken and a build
still running after ``writer.STALE_AFTER`` is treated as crashed, as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from core.db import is_postgres, is_sqlite

_KEY = "family_context_build:"


@dataclass
class BuildLock:
    """Held for one build: ``alone`` says no other build was running when it
    started; ``share`` lets other builds start beside it."""

    alone: bool
    _share: Any = field(default=lambda: None, repr=False)

    def share(self) -> None:
        """Go from exclusive to shared, once any clean-up is done."""
        self._share()
        self._share = lambda: None


def _sqlite_file(engine: Engine) -> Path | None:
    name = engine.url.database or ""
    if not is_sqlite(engine) or name in ("", ":memory:"):
        return None
    if name.startswith("file:") or engine.url.query.get("mode") == "memory":
        return None
    return Path(name)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[BuildLock]:
    import fcntl

    lock_path = path.with_name(path.name + ".build-lock")
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
        except BlockingIOError:
            fcntl.flock(handle, fcntl.LOCK_SH)
            alone = False
        lock = BuildLock(alone, lambda: fcntl.flock(handle, fcntl.LOCK_SH))
        try:
            yield lock
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _advisory_lock(engine: Engine) -> Iterator[BuildLock]:
    with engine.connect() as conn:
        key = conn.execute(
            text("SELECT hashtext(:prefix || current_schema())"), {"prefix": _KEY}
        ).scalar_one()
        params = {"key": key}
        alone = conn.execute(
            text("SELECT pg_try_advisory_lock(:key)"), params
        ).scalar_one()
        conn.execute(text("SELECT pg_advisory_lock_shared(:key)"), params)
        conn.commit()

        def share() -> None:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), params)
            conn.commit()

        try:
            yield BuildLock(bool(alone), share if alone else lambda: None)
        finally:
            with contextlib.suppress(Exception):
                conn.execute(text("SELECT pg_advisory_unlock_all()"))
                conn.commit()


@contextlib.contextmanager
def build_lock(engine: Engine) -> Iterator[BuildLock | None]:
    """Hold the index's build lock for a build (None where none can be taken)."""
    path = _sqlite_file(engine)
    if path is not None:
        with _file_lock(path) as lock:
            yield lock
    elif is_postgres(engine):
        with _advisory_lock(engine) as lock:
            yield lock
    else:
        yield None
