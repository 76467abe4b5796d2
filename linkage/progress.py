"""Stage timings, with tqdm progress bars on a terminal when asked for."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


class Stages:
    """Times named stages; shows one bar over the stages and one per long write."""

    def __init__(self, names: tuple[str, ...], show: bool = False) -> None:
        self.seconds: dict[str, float] = {}
        self.current = "start"
        self.show = show and sys.stderr.isatty()
        self._bar = (
            tqdm(total=len(names), desc="Linking", unit="stage", file=sys.stderr)
            if self.show
            else None
        )

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as stage ``name``."""
        self.current = name
        if self._bar is not None:
            self._bar.set_postfix_str(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(
                self.seconds.get(name, 0.0) + time.perf_counter() - start, 3
            )
            if self._bar is not None:
                self._bar.update(1)

    @contextmanager
    def rows(self, name: str, total: int) -> Iterator[Callable[[int], None]]:
        """A callback advancing a row bar for a long write (a no-op off terminal)."""
        if not self.show:
            yield lambda _n: None
            return
        bar = tqdm(total=total, desc=name, unit="row", file=sys.stderr, leave=False)
        try:
            yield bar.update
        finally:
            bar.close()

    def close(self) -> None:
        """Remove the stage bar from the terminal."""
        if self._bar is not None:
            self._bar.close()
