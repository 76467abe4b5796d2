"""Configuration and build events: what the tool was set up to do, and when the
index it serves changed. No personal data: a digest of the config, names of
sources, counts.

The actor is the operating-system user who ran the command, in the ``system``
role (never a role that can reach family data).
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from typing import Any, Literal, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.config import Config
from core.errors import AuditError
from governance.audit import Actor, Event, ensure_audit_schema, record_event

SYSTEM_ROLE = "system"
BuildStage = Literal["start", "complete", "failed"]
B = TypeVar("B", bound="BuildResult")


def system_actor(user: str | None = None) -> Actor:
    """The person (OS user) running a command, in the system role."""
    name = user or _os_user()
    return Actor(name, name, SYSTEM_ROLE, f"system-{uuid.uuid4()}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container's numeric uid)
        return "system"


def config_digest(config: Config) -> str:
    """SHA-256 of the loaded config in canonical form: equal settings, equal digest
    (comments and layout of the file do not count)."""
    settings = {k: v for k, v in asdict(config).items() if k != "base_dir"}
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def config_summary(config: Config) -> dict[str, Any]:
    """What a config event says: its digest and shape, never a URL or a secret."""
    return {
        "digest": config_digest(config),
        "sources": [s.name for s in config.sources],
        "demo_mode": config.app.demo_mode,
    }


def record_config_loaded(
    engine: Engine, config: Config, where: str, actor: Actor | None = None
) -> str:
    """Record that ``where`` (e.g. "dashboard") started with this config; returns
    the digest. Raises AuditError if it cannot be recorded."""
    data = {"what": "loaded", "where": where, **config_summary(config)}
    record_event(engine, Event("config", actor or system_actor(), data=data))
    return data["digest"]


def record_build(
    engine: Engine, actor: Actor, stage: BuildStage, data: Mapping[str, Any]
) -> None:
    """Record a build's start, completion (build id, counts) or failure."""
    record_event(engine, Event("build", actor, data={"stage": stage, **data}))


class AbandonedBuild(Protocol):
    """A build a killed process left running (``linkage.writer.Abandoned``)."""

    build_id: str
    run_id: str
    started_at: str


def record_abandoned(
    engine: Engine, actor: Actor, builds: Iterable[AbandonedBuild]
) -> None:
    """End each abandoned build's start event: a ``failed`` event under its own run
    id, recorded by the build that found it (``found_by``)."""
    for build in builds:
        record_build(engine, actor, "failed", {
            "run_id": build.run_id, "build_id": build.build_id,
            "error": "Abandoned", "started_at": build.started_at,
            "found_by": actor.session_id,
        })  # fmt: skip


class BuildResult(Protocol):
    """What a finished build reports (``linkage.build.BuildSummary``)."""

    build_id: str

    def to_dict(self) -> dict[str, Any]: ...


def audited_build(
    engine: Engine,
    config: Config,
    build: Callable[[], B],
    failed_build_id: Callable[[], str | None] = lambda: None,
    actor: Actor | None = None,
) -> B:
    """Run ``build`` between a ``start`` and a ``complete`` or ``failed`` event.

    No audit, no build: if the start cannot be recorded the build does not run.
    The ``failed`` event is best effort and never hides the build's own error.
    """
    who = actor or system_actor()
    run = {"run_id": who.session_id, "config_digest": config_digest(config)}
    try:
        ensure_audit_schema(engine)
        record_build(engine, who, "start", {**run, "sources": len(config.sources)})
    except (SQLAlchemyError, AuditError) as exc:
        raise AuditError(
            "The build could not be recorded in the audit log (storage.audit_url), "
            "so it was not started. Check that database, then run the build again."
        ) from exc
    try:
        result = build()
    except Exception as exc:
        # best effort: the build's own error is the one to report
        failed = {**run, "error": type(exc).__name__, "build_id": None}
        with contextlib.suppress(Exception):
            failed["build_id"] = failed_build_id()
        with contextlib.suppress(AuditError):
            record_build(engine, who, "failed", failed)
        raise
    counts = {k: v for k, v in result.to_dict().items() if isinstance(v, int)}
    record_build(engine, who, "complete",
                 {**run, "build_id": result.build_id, **counts})  # fmt: skip
    return result
