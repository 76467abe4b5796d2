"""What the administrator's and the data pages show about the index: the latest
builds, each source's load in the served build, when it went live, and how many
people their own source restricts. Counts and dates only, no personal data.

Every read raises ``IndexNotReadyError`` when there is no index or it cannot be
read, so a page says so rather than showing an empty table or a count of 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import TypeVar

import polars as pl
from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from core.errors import IndexNotReadyError
from linkage import index_tables as t
from lookup.index import current_build_id, read_table

_T = TypeVar("_T")
_UNREADABLE = (
    "The linked index cannot be read. Check storage.index_url in the config and "
    "that the database is reachable."
)


@dataclass(frozen=True)
class RecentBuild:
    """One of the latest builds: id, UTC times as stored, status."""

    build_id: str
    started_at: str
    finished_at: str | None
    status: str


@dataclass(frozen=True)
class SourceLoadCounts:
    """What one source loaded into the served build."""

    source: str
    service: str
    sensitivity: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    extract_date: date | None
    ok: bool
    stale: bool | None  # served from the last good extract (null: older index)
    stale_since: date | None
    failure: str | None  # why the latest load failed, in plain words


@dataclass(frozen=True)
class BuildsOverview:
    """The latest builds (newest first) and the served build's source loads."""

    recent: tuple[RecentBuild, ...]
    loads: tuple[SourceLoadCounts, ...]


@dataclass(frozen=True)
class ServedLoads:
    """When the served build went live (UTC text, "" if unknown) and its
    ``source_loads`` rows as a frame (what ``lookup.services`` reads)."""

    switched_at: str
    loads: pl.DataFrame


_LOAD_COLUMNS = tuple(f.name for f in fields(SourceLoadCounts))


def _read(engine: Engine, read: Callable[[Connection, str], _T]) -> _T:
    """``read(conn, served build id)``, database failures as IndexNotReadyError."""
    build_id = current_build_id(engine)
    try:
        with engine.connect() as conn:
            return read(conn, build_id)
    except SQLAlchemyError as exc:
        raise IndexNotReadyError(_UNREADABLE) from exc


def builds_overview(engine: Engine, latest: int = 10) -> BuildsOverview:
    """The ``latest`` builds and what each source loaded into the served one."""
    b = t.builds.c

    def read(conn: Connection, build_id: str) -> BuildsOverview:
        recent = conn.execute(
            select(b.build_id, b.started_at, b.finished_at, b.status)
            .order_by(b.started_at.desc())
            .limit(latest)
        ).all()
        # an index written before a column was added reads it as empty
        loads = read_table(engine, t.source_loads, build_id, _LOAD_COLUMNS)
        return BuildsOverview(
            tuple(RecentBuild(*row) for row in recent),
            tuple(
                SourceLoadCounts(*row)
                for row in loads.select(_LOAD_COLUMNS).iter_rows()
            ),
        )

    return _read(engine, read)


def served_loads(engine: Engine) -> ServedLoads:
    """The served build's switch time and its source loads."""

    def read(conn: Connection, build_id: str) -> ServedLoads:
        switched = conn.execute(select(t.index_state.c.switched_at)).scalar()
        return ServedLoads(switched or "", read_table(engine, t.source_loads, build_id))

    return _read(engine, read)


def served_faults(engine: Engine) -> pl.DataFrame:
    """The served build's ``field_faults`` rows: values not used as given, by
    source, row, field and column (no values; none for an index built before
    they were kept)."""

    def read(conn: Connection, build_id: str) -> pl.DataFrame:
        table = t.built(engine, t.field_faults, build_id)
        if not inspect(conn).has_table(table.name):
            names = [c.name for c in t.field_faults.columns if c.name != "build_id"]
            return pl.DataFrame(schema=dict.fromkeys(names, pl.Utf8))
        return read_table(engine, t.field_faults, build_id)

    return _read(engine, read)


def source_restricted_count(engine: Engine) -> int:
    """People in the served build restricted by one of their own source records
    (0 for a build made before sources could restrict: it has no such column)."""

    def read(conn: Connection, build_id: str) -> int:
        table = t.built(engine, t.records, build_id)
        r = table.c
        columns = {c["name"] for c in inspect(conn).get_columns(table.name)}
        if "restricted" not in columns:
            return 0
        people = func.count(func.distinct(r.person_id))
        query = select(people).where(r.build_id == build_id, r.restricted.is_not(None))
        return int(conn.execute(query).scalar_one())

    return _read(engine, read)


def person_in_served_build(engine: Engine, person_id: str) -> bool:
    """Whether ``person_id`` names a person in the build being served."""

    def read(conn: Connection, build_id: str) -> bool:
        p = t.built(engine, t.people, build_id).c
        query = select(p.person_id).where(
            p.build_id == build_id, p.person_id == person_id
        )
        return conn.execute(query.limit(1)).first() is not None

    return _read(engine, read)
