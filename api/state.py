"""What one API process holds: the config, engines, policy, key cache and the
index being served (reloaded when a new build is switched in). Role-neutral
only; every role's cut is made per request by ``governance.access``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.tokens import TokenValidator
from core.config import Config
from core.db import make_engine
from core.errors import AuditError, IndexNotReadyError
from core.logs import log
from governance.audit import ensure_audit_schema
from governance.health import Health, check_health
from governance.keys import audit_engine
from governance.reports import ensure_reports_schema
from governance.sessions import SessionRules
from governance.system_events import record_config_loaded
from governance.visibility import Policy
from lookup.artefact import prepared_folder
from lookup.index import LinkedIndex
from lookup.serving import ServedIndex

#: Seconds between checks that the served build is still the current one.
BUILD_CHECK_SECONDS = 5.0
#: Seconds a health check's findings are reused (the probe is unauthenticated).
HEALTH_SECONDS = 30.0


@dataclass
class ServerState:
    """Per-process resources, made once by ``open_state``."""

    config_path: str
    config: Config
    index_engine: Engine
    audit_engine: Engine
    policy: Policy
    rules: SessionRules
    validator: TokenValidator
    served: ServedIndex
    today: Callable[[], date] = date.today
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _health: tuple[float, Health] | None = None

    def index(self) -> LinkedIndex:
        """The build being served; a newer one is loaded in the background and
        swapped in once ready, the old one answering meanwhile."""
        return self.served.get()

    def health(self) -> Health:
        """``governance.health`` findings, reused for ``HEALTH_SECONDS``."""
        cached = self._health
        if cached is None or time.monotonic() - cached[0] >= HEALTH_SECONDS:
            cached = (time.monotonic(), check_health(self.config_path))
            self._health = cached
        return cached[1]


def open_state(
    config_path: str,
    config: Config,
    validator: TokenValidator | None = None,
    today: Callable[[], date] | None = None,
) -> ServerState:
    """Engines, schema and the ``config`` event; raises AuditError if the audit
    store cannot be reached or written (the API then does not start)."""
    audit = audit_engine(config)  # carries the chain's key (governance.audit_key)
    try:
        ensure_audit_schema(audit)
        ensure_reports_schema(audit)
    except SQLAlchemyError as exc:
        raise AuditError(
            "The audit log cannot be reached, so the API cannot start. Check "
            "storage.audit_url."
        ) from exc
    record_config_loaded(audit, config, "api")
    engine = make_engine(config.storage.index_url)
    state = ServerState(
        config_path=config_path,
        config=config,
        index_engine=engine,
        audit_engine=audit,
        policy=Policy.from_config(config.governance, config.sources),
        rules=SessionRules.from_config(config.governance),
        validator=validator or TokenValidator(config.api),
        served=ServedIndex(engine, prepared_folder(config), BUILD_CHECK_SECONDS),
        today=today or date.today,
    )
    try:
        state.index()  # loaded before the first request, not during it
    except IndexNotReadyError:
        log("api_no_index")  # served once a build completes
    return state
