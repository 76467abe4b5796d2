"""What every page needs, built once per script run and passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from core.config import Config
from lookup.index import LinkedIndex
from ui import resources


@dataclass(frozen=True)
class AppContext:
    """The loaded config, the audit engine, whether demo sign-in is allowed, today."""

    config_path: str
    config: Config
    audit_engine: Engine
    demo_allowed: bool
    today: date

    def index(self) -> LinkedIndex:
        """The current build of the linked index (cached per process and build)."""
        return resources.current_index(self.config_path, self.config)
