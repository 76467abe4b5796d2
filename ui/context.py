"""What every page needs, built once per script run and passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from core.config import Config
from governance.flags import FlagRules
from governance.sessions import SessionRules
from governance.visibility import Policy
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

    @property
    def policy(self) -> Policy:
        """The visibility matrix, emergency purposes and sources' detail caps."""
        return Policy.from_config(self.config.governance, self.config.sources)

    @property
    def session_rules(self) -> SessionRules:
        """Idle and absolute time-outs and the one-session rule."""
        return SessionRules.from_config(self.config.governance)

    @property
    def flag_rules(self) -> FlagRules:
        """Thresholds of the auditor's proactive flags."""
        return FlagRules.from_config(self.config.governance)
