"""Load the current build of the linked index into polars frames, once per process."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine, Table, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from core.errors import IndexNotReadyError
from linkage import index_tables as t
from lookup.family_index import FamilyIndex, build_family_index
from lookup.names import canon_map, default_nicknames, name_variants
from lookup.prepared import (
    NameIndex,
    PersonIndex,
    build_name_index,
    build_person_index,
)

_NOT_BUILT = (
    "The linked index has not been built yet. Ask the system administrator to run "
    "the build (python -m linkage build --config PATH), then try again."
)

_JSON_LISTS = ("case_numbers", "other_names", "other_dobs", "addresses")


_BATCH = 50_000
#: Repetitive text columns held as categoricals (a fraction of the memory).
_CATEGORICAL = {
    "records": ("first_name", "last_name", "sex", "relationship", "detail",
                "lead_name", "lead_role", "lead_team", "lead_phone", "lead_email",
                "status", "postcode"),
    "record_evidence": ("explanation",),
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class LinkedIndex:
    """One complete build of the index, as polars frames (one row per table row).

    ``people``, ``records`` and ``family_members`` are sorted by person_id; the
    ``prepared_*`` structures (built once) index them by people row.
    Build one with ``assemble_index``.
    """

    build_id: str
    people: pl.DataFrame
    records: pl.DataFrame
    family_members: pl.DataFrame
    source_loads: pl.DataFrame
    possible_matches: pl.DataFrame
    record_evidence: pl.DataFrame
    names: pl.DataFrame  # person_id + standardised name variants, for search
    nicknames: pl.DataFrame  # (name, canonical) variants used on both sides
    prepared_families: FamilyIndex
    prepared_names: NameIndex
    prepared_people: PersonIndex


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
    frames = [pl.DataFrame(schema=schema)]
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=_BATCH).execute(query)
        for part in result.partitions():
            frames.append(pl.DataFrame(part, schema=schema, orient="row", strict=False))
    return pl.concat(frames, rechunk=True)


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
    return assemble_index(build_id, frames)


def _compact(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    cols = [c for c in _CATEGORICAL.get(name, ()) if frame.schema.get(c) == pl.Utf8]
    return frame.with_columns(pl.col(cols).cast(pl.Categorical)) if cols else frame


def assemble_index(build_id: str, frames: dict[str, pl.DataFrame]) -> LinkedIndex:
    """A LinkedIndex from its table frames (people's list columns as JSON text or
    already decoded), with the search and family structures built once."""
    people = frames["people"]
    if people.schema["case_numbers"] == pl.Utf8:
        people = _decode_people(people)
    people = people.sort("person_id", maintain_order=True)
    nicknames = default_nicknames()
    names = name_variants(people, nicknames)
    frames = {name: _compact(name, frame) for name, frame in frames.items()}
    records = frames["records"].sort("person_id", maintain_order=True)
    members = frames["family_members"].sort("person_id", maintain_order=True)
    pm = frames["possible_matches"]
    flagged = pl.concat([pm["person_a"], pm["person_b"]]).unique()
    return LinkedIndex(
        build_id=build_id,
        people=people,
        records=records,
        family_members=members,
        source_loads=frames["source_loads"],
        possible_matches=pm,
        record_evidence=frames["record_evidence"],
        names=names,
        nicknames=nicknames,
        prepared_families=build_family_index(people["person_id"], records, members),
        prepared_names=build_name_index(
            people["person_id"], names, canon_map(nicknames)
        ),
        prepared_people=build_person_index(people, flagged, records),
    )
