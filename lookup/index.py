"""Load the current build of the linked index into polars frames, once per process."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine, Table, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from core.errors import IndexNotReadyError
from linkage import index_tables as t
from lookup.names import default_nicknames, name_variants

_NOT_BUILT = (
    "The linked index has not been built yet. Ask the system administrator to run "
    "the build (python -m linkage build --config PATH), then try again."
)

_JSON_LISTS = ("case_numbers", "other_names", "other_dobs", "addresses")


@dataclass(frozen=True, eq=False)
class LinkedIndex:
    """One complete build of the index, as polars frames (one row per table row)."""

    build_id: str
    people: pl.DataFrame
    records: pl.DataFrame
    family_members: pl.DataFrame
    source_loads: pl.DataFrame
    possible_matches: pl.DataFrame
    record_evidence: pl.DataFrame
    names: pl.DataFrame  # person_id + standardised name variants, for search
    nicknames: pl.DataFrame  # (name, canonical) variants used on both sides


def current_build_id(engine: Engine) -> str:
    """The build the index currently serves, or IndexNotReadyError."""
    try:
        if not inspect(engine).has_table(t.index_state.name):
            raise IndexNotReadyError(_NOT_BUILT)
        with engine.connect() as conn:
            build_id = conn.execute(
                select(t.index_state.c.build_id).where(t.index_state.c.id == 1)
            ).scalar_one_or_none()
    except SQLAlchemyError as exc:
        raise IndexNotReadyError(
            "The linked index cannot be read. Check storage.index_url in the "
            "config and that the database is reachable."
        ) from exc
    if not build_id:
        raise IndexNotReadyError(_NOT_BUILT)
    return str(build_id)


def _polars_type(column) -> pl.DataType:  # noqa: ANN001
    name = type(column.type).__name__
    return {
        "Date": pl.Date(),
        "Integer": pl.Int64(),
        "Boolean": pl.Boolean(),
        "Float": pl.Float64(),
    }.get(name, pl.Utf8())


def read_table(engine: Engine, table: Table, build_id: str) -> pl.DataFrame:
    """All rows of ``table`` for one build, typed from the table's columns."""
    schema = {c.name: _polars_type(c) for c in table.columns if c.name != "build_id"}
    query = select(*(table.c[name] for name in schema)).where(
        table.c.build_id == build_id
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pl.DataFrame(
        [tuple(r) for r in rows], schema=schema, orient="row", strict=False
    )


def _decode_people(people: pl.DataFrame) -> pl.DataFrame:
    return people.with_columns(
        pl.col(c).str.json_decode(pl.List(pl.Utf8())).fill_null(pl.lit([]))
        for c in _JSON_LISTS
    )


def load_index(engine: Engine, build_id: str | None = None) -> LinkedIndex:
    """One build (the current one by default), read in full.

    Raises IndexNotReadyError when no build exists.
    """
    build_id = build_id or current_build_id(engine)
    try:
        frames = {
            table.name: read_table(engine, table, build_id)
            for table in (
                t.people,
                t.records,
                t.family_members,
                t.source_loads,
                t.possible_matches,
                t.record_evidence,
            )
        }
    except SQLAlchemyError as exc:
        raise IndexNotReadyError(
            "The linked index is incomplete. Ask the system administrator to run "
            "the build again."
        ) from exc
    people = _decode_people(frames.pop("people"))
    nicknames = default_nicknames()
    return LinkedIndex(
        build_id=build_id,
        people=people,
        names=name_variants(people, nicknames),
        nicknames=nicknames,
        **frames,
    )
