"""What the index says about its builds and sources, for health checks: the build
being served, the newest attempt, and each source's load in the served build.
Plain dataclasses, no personal data (counts, dates, codes and safe problem text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, inspect, select

from linkage import index_tables as t


@dataclass(frozen=True)
class BuildRow:
    """One row of ``builds``: id, status and times (UTC)."""

    build_id: str
    status: str  # running | complete | failed
    started_at: datetime
    finished_at: datetime | None
    error: str = ""  # a failed build's reason (exception kind and stage)


@dataclass(frozen=True)
class SourceState:
    """One source's load in the served build."""

    source: str
    service: str
    ok: bool
    stale: bool
    stale_since: date | None
    current_as_of: date | None
    problems: tuple[str, ...]
    failure: str = ""  # why the load failed, in plain words (no values)

    @property
    def reason(self) -> str:
        """Why the source is not fresh: the recorded failure in plain words and
        its first problem (which names the file, row or column)."""
        first = self.problems[0] if self.problems else ""
        return ": ".join(part for part in (self.failure, first) if part)


@dataclass(frozen=True)
class BuildStatus:
    """The served build (None before the first), the newest attempt, the sources."""

    serving: BuildRow | None
    newest: BuildRow | None
    sources: tuple[SourceState, ...]


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _build(row) -> BuildRow:  # noqa: ANN001 (a SQLAlchemy row mapping)
    error = ""
    if row["status"] == "failed" and row["summary"]:
        error = str(json.loads(row["summary"]).get("error", ""))
    started, finished = _time(row["started_at"]), _time(row["finished_at"])
    return BuildRow(row["build_id"], row["status"], started, finished, error)


def _sources(conn, build_id: str) -> tuple[SourceState, ...]:  # noqa: ANN001
    loads = t.built(conn, t.source_loads, build_id)
    rows = conn.execute(
        select(loads).where(loads.c.build_id == build_id).order_by(loads.c.source)
    ).mappings()
    return tuple(
        SourceState(
            r["source"],
            r["service"],
            bool(r["ok"]),
            bool(r["stale"]),
            r["stale_since"],
            r["current_as_of"],
            tuple(json.loads(r["problems"] or "[]")),
            r.get("failure") or "",
        )
        for r in rows
    )


def build_status(engine: Engine) -> BuildStatus:
    """Read the index's build bookkeeping; empty when nothing was ever built."""
    if not inspect(engine).has_table(t.index_state.name):
        return BuildStatus(None, None, ())
    with engine.connect() as conn:
        current = conn.execute(
            select(t.index_state.c.build_id).where(t.index_state.c.id == 1)
        ).scalar_one_or_none()
        newest = (
            conn.execute(select(t.builds).order_by(t.builds.c.started_at.desc()))
            .mappings()
            .first()
        )
        serving = None
        if current is not None:
            serving = (
                conn.execute(select(t.builds).where(t.builds.c.build_id == current))
                .mappings()
                .first()
            )
        sources = _sources(conn, current) if current else ()
    return BuildStatus(
        _build(serving) if serving else None,
        _build(newest) if newest else None,
        sources,
    )
