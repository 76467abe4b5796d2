"""The build one process serves, moved to a newer build without a pause.

The first ``get`` loads the current build. After that, every ``check_seconds``
a ``get`` asks which build is current; when a newer one is, it is loaded on a
background thread while the old one keeps answering, then swapped in, and the
old one is let go (one index held, plus the new one while it loads: from
prepared files, a few hundred MB of mapped pages, not a second copy). A build
that fails to load is logged and tried again at the next check; the old one
serves on. The identities an age rule leaves are made for one day
(``lookup.identity.with_age_cut``); the first ``get`` on a later day (past
midnight) makes them again for it on a background thread, the index made for
the day before answering meanwhile (still right: a person whose cut changed is
made per view until then).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from core.errors import IndexNotReadyError
from core.logs import log, log_error
from lookup.identity import age_cut_for
from lookup.index import LinkedIndex, current_build_id, load_index

#: Seconds between checks that the served build is still the current one.
CHECK_SECONDS = 5.0


class ServedIndex:
    """One process's index: loaded once, switched when a newer build is ready."""

    def __init__(
        self,
        engine: Engine,
        folder: Path | None,
        check_seconds: float = CHECK_SECONDS,
        current: Callable[[], str] | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._engine = engine
        self._folder = folder
        self._check_seconds = check_seconds
        self._current = current or (lambda: current_build_id(engine))
        self._index: LinkedIndex | None = None
        self._checked = float("-inf")
        self._loading: threading.Thread | None = None
        self._today = today
        self._recutting: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Whether a build is loaded (a ``get`` will not wait for a load)."""
        return self._index is not None

    @property
    def switching(self) -> bool:
        """Whether a newer build is being loaded while the old one serves."""
        return self._loading is not None

    def get(self) -> LinkedIndex:
        """The build being served; IndexNotReadyError before any build exists."""
        with self._lock:
            if self._index is None:
                self._index = self._load(self._current())
                self._checked = time.monotonic()
            elif time.monotonic() - self._checked >= self._check_seconds:
                self._checked = time.monotonic()
                self._start_switch()
            self._start_recut()
            return self._index

    @property
    def recutting(self) -> threading.Thread | None:
        """The thread making the age cut for a new day, while it runs."""
        return self._recutting

    def _start_recut(self) -> None:
        """Under the lock: make the age cut for today if the index served was
        made for another day (not while a newer build loads: it is made then)."""
        index, day = self._index, self._today()
        if index is None or index.age_cut_day in ("", day.isoformat()):
            return
        if self._recutting is not None or self._loading is not None:
            return
        self._recutting = threading.Thread(
            target=self._recut, args=(index, day), name="age-cut", daemon=True
        )
        self._recutting.start()

    def _recut(self, index: LinkedIndex, day: date) -> None:
        try:
            new = age_cut_for(index, day)
        except Exception as exc:  # noqa: BLE001 (logged; the day before's serves on)
            log_error("index_age_cut_failed", exc, build_id=index.build_id)
            new = None
        with self._lock:
            if new is not None and self._index is index:
                self._index = new
                log("index_age_cut_made", build_id=index.build_id)
            self._recutting = None

    def switch_now(self) -> LinkedIndex:
        """Load the current build if it is not the one served, and serve it
        (the old one answers ``get`` meanwhile); returns the index served."""
        with self._lock:
            thread = self._start_switch()
        if thread is not None:
            thread.join()
        with self._lock:
            if self._index is None:
                raise IndexNotReadyError("no build has been loaded yet")
            return self._index

    def _load(self, build_id: str) -> LinkedIndex:
        return load_index(self._engine, build_id, self._folder)

    def _start_switch(self) -> threading.Thread | None:
        """Under the lock: start loading the current build if it is newer."""
        if self._loading is not None:
            return self._loading
        try:
            build = self._current()
        except IndexNotReadyError as exc:  # the database is away: serve on
            log_error("index_check_failed", exc)
            return None
        if self._index is not None and build == self._index.build_id:
            return None
        self._loading = threading.Thread(
            target=self._switch, args=(build,), name="index-switch", daemon=True
        )
        self._loading.start()
        return self._loading

    def _switch(self, build: str) -> None:
        try:
            new = self._load(build)
        except Exception as exc:  # noqa: BLE001 (logged; the old build serves on)
            log_error("index_switch_failed", exc, build_id=build)
            new = None
        with self._lock:
            if new is not None:
                self._index = new  # the old build goes once no request holds it
                log("index_switched", build_id=build)
            self._loading = None
