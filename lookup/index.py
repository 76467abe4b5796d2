"""Load the current build of the linked index into polars frames, once per process."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from sqlalchemy import Engine, Table, inspect, null, select
from sqlalchemy.exc import SQLAlchemyError

from core.errors import IndexNotReadyError
from core.logs import log, log_error
from linkage import index_tables as t
from lookup.artefact import PreparedRefused, as_text, open_prepared, save_prepared
from lookup.dob_sources import dob_sources
from lookup.family_index import FamilyIndex, build_family_index
from lookup.names import (
    canon_map,
    default_nicknames,
    default_surname_variants,
    name_variants,
)
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

_JSON_LISTS = ("case_numbers", "other_names", "other_dobs", "addresses",
               "previous_names")  # fmt: skip


_BATCH = 50_000
#: The tables a serving process reads.
_SERVED_TABLES = (t.people, t.records, t.family_members, t.source_loads,
                  t.possible_matches, t.record_evidence)  # fmt: skip
#: The records columns held in memory: what the family view reads, who holds the
#: record and its source's restriction code. The rest (names, identifiers,
#: addresses as each source gave them) stay in the database: search uses the
#: people table and the prepared structures.
RECORD_COLUMNS = ("person_id", "source", "involvement_start", "involvement_end",
                  "involvement_current", "last_contact", "detail", "lead_name",
                  "lead_role", "lead_team", "lead_phone", "lead_email",
                  "extract_date", "restricted", "role")  # fmt: skip
#: Read only while the prepared structures are built: every postcode a person
#: was recorded at, and which sources give them a date of birth.
_RECORD_BUILD_COLUMNS = ("postcode", "dob")
#: People columns only the prepared structures need (other names and dates of
#: birth are searched through them), dropped once they are built.
_PEOPLE_BUILD_COLUMNS = ("other_names", "other_dobs", "previous_names")
#: Repetitive text columns held as categoricals (a fraction of the memory).
#: Ids and addresses are not: nearly every value is distinct, and polars
#: registers each distinct value of a categorical on every load (seconds for a
#: million); as text they are read from the prepared files without a copy.
_CATEGORICAL = {
    "records": ("source", "detail", "lead_name", "lead_role", "lead_team",
                "lead_phone", "lead_email", "restricted", "role"),
    "family_members": ("relationship", "evidence", "sources"),
    "record_evidence": ("source", "explanation"),
    "names": ("first", "last"),
    "people": ("first_name", "last_name", "sex", "postcode"),
}  # fmt: skip
#: Whole-number columns that fit a narrower type.
_NARROW = {"people": ("n_records", "n_sources")}


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
    #: people with a record its source marks restricted (``records.restricted``)
    restricted_people: frozenset[str] = frozenset()
    #: the database it was read from: a person's identity as one viewer may see
    #: it is made from their records there (``lookup.identity``)
    engine: Engine | None = None
    #: people an age rule cuts, made once from the records left to them, with
    #: ``full`` (``lookup.identity.with_age_cut``); None: made per view
    age_cut: pl.DataFrame | None = None
    #: the day (ISO) ``age_cut`` was made for: on another day some people's cut
    #: differs (a birthday), so a serving process makes it again for the new day
    age_cut_day: str = ""
    #: per people row, a bit per ``source_loads`` row whose source gives the
    #: person a date of birth (``lookup.dob_sources``); None: not known
    dob_sources: np.ndarray | None = None


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


#: The order rows are read in where the database keeps none (PostgreSQL gives
#: one person's records in any order): the same index from every database, and
#: from a build's own frames (``stored_frames``).
ROW_ORDER = {t.records.name: ("person_id", "source", "record_id")}


def read_table(
    engine: Engine, table: Table, build_id: str, columns: tuple[str, ...] = ()
) -> pl.DataFrame:
    """All rows of ``table`` for one build (only ``columns`` when given), typed
    from the table's columns, in ``ROW_ORDER`` where it names the table; from
    the build's own table where it has one (``index_tables.built``)."""
    order = ROW_ORDER.get(table.name, ())
    table = t.built(engine, table, build_id)
    schema = {
        c.name: _polars_type(c)
        for c in table.columns
        if c.name != "build_id" and (not columns or c.name in columns)
    }
    have = {c["name"] for c in inspect(engine).get_columns(table.name)}
    # a column added by a newer release reads as null until the next build
    cols = [table.c[n] if n in have else null().label(n) for n in schema]
    query = select(*cols).where(table.c.build_id == build_id)
    query = query.order_by(*(table.c[n] for n in order))
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


def load_index(
    engine: Engine, build_id: str | None = None, folder: Path | None = None
) -> LinkedIndex:
    """One build (the current one by default), ready for search.

    With ``folder`` (``lookup.artefact.prepared_folder``) the build's prepared
    files are mapped when they are this build's and intact (with the age cut
    they were made with: ``lookup.identity.with_age_cut``); otherwise (logged
    with the reason) the build is read from its rows and assembled, and saved
    there for the next process. Raises IndexNotReadyError when no build exists.
    """
    from lookup.identity import with_age_cut  # it reads through a LinkedIndex

    build_id = build_id or current_build_id(engine)
    start = time.perf_counter()
    if folder is not None:
        try:
            index = open_prepared(folder, build_id)
        except PreparedRefused as refused:
            level = logging.INFO if refused.code == "missing" else logging.WARNING
            log("index_prepared_refused", level, build_id=build_id,
                reason_code=refused.code)  # fmt: skip
        else:
            log("index_loaded", build_id=build_id, source="prepared",
                seconds=round(time.perf_counter() - start, 2))  # fmt: skip
            index = replace(index, engine=engine)
            if index.age_cut is None:  # saved without one: made for the day
                index = with_age_cut(index, date.today())
            return index
    index = assemble_index(build_id, read_frames(engine, build_id))
    index = with_age_cut(replace(index, engine=engine), date.today())
    log("index_loaded", build_id=build_id, source="rows",
        seconds=round(time.perf_counter() - start, 2))  # fmt: skip
    if folder is not None:
        try:
            save_prepared(index, folder)
        except OSError as exc:  # a read-only or full disk: the next process reads rows
            log_error("index_prepared_not_saved", exc, build_id=build_id)
    return index


def stored_frames(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The frames ``assemble_index`` takes, from a build's own frames (keyed by
    table name) as the index stores and ``read_frames`` reads them back: the
    table's columns in its order, typed from it."""
    wanted = {t.records.name: (*RECORD_COLUMNS, *_RECORD_BUILD_COLUMNS)}
    out = {}
    for table in _SERVED_TABLES:
        only = wanted.get(table.name, ())
        schema = {
            c.name: _polars_type(c)
            for c in table.columns
            if c.name != "build_id" and (not only or c.name in only)
        }
        frame = frames[table.name]
        order = _present(frame, ROW_ORDER.get(table.name, ()))
        if order:  # (frames read back from the rows are in this order already)
            frame = frame.sort(order, maintain_order=True)
        out[table.name] = frame.select(
            pl.col(n).cast(d, strict=False) if n in frame.columns
            else pl.lit(None, d).alias(n)
            for n, d in schema.items()
        )  # fmt: skip
    return out


def read_frames(engine: Engine, build_id: str) -> dict[str, pl.DataFrame]:
    """The table frames ``assemble_index`` takes, as stored (records: only the
    columns the index uses)."""
    wanted = {t.records.name: (*RECORD_COLUMNS, *_RECORD_BUILD_COLUMNS)}
    try:
        return {
            table.name: read_table(engine, table, build_id, wanted.get(table.name, ()))
            for table in _SERVED_TABLES
        }
    except SQLAlchemyError as exc:
        raise IndexNotReadyError(
            "The linked index is incomplete. Ask the system administrator to run "
            "the build again."
        ) from exc


def _compact(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    cols = [c for c in _CATEGORICAL.get(name, ()) if frame.schema.get(c) == pl.Utf8]
    ints = [c for c in _NARROW.get(name, ()) if frame.schema.get(c) == pl.Int64]
    return frame.with_columns(
        pl.col(cols).cast(pl.Categorical), pl.col(ints).cast(pl.Int32)
    )


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Categoricals as text again (a frame of an already assembled index): the
    structures below binary-search and join on text."""
    return frame.with_columns(as_text())


def assemble_index(build_id: str, frames: dict[str, pl.DataFrame]) -> LinkedIndex:
    """A LinkedIndex from its table frames (people's list columns as JSON text or
    already decoded), with the search and family structures built once."""
    people = _plain(frames["people"])
    if people.schema["case_numbers"] == pl.Utf8:
        people = _decode_people(people)
    people = people.sort("person_id", maintain_order=True)
    ids = people["person_id"]
    nicknames = default_nicknames()
    names = name_variants(people, nicknames)
    records = _plain(frames["records"]).sort("person_id", maintain_order=True)
    members = _plain(frames["family_members"]).sort("person_id", maintain_order=True)
    pm = frames["possible_matches"]
    flagged = pl.concat([pm["person_a"], pm["person_b"]]).unique()
    families = build_family_index(ids, records, members)
    prepared_names = build_name_index(
        ids, names, canon_map(nicknames), default_surname_variants()
    )
    persons = build_person_index(people, flagged, records)
    restricted = source_restricted(records)
    held_dobs = dob_sources(ids, records, frames["source_loads"]["source"])
    # Built on the text ids above; held compact, and only what is read, from here.
    records = _compact("records", records.select(_present(records, RECORD_COLUMNS)))
    people = people.drop(_present(people, _PEOPLE_BUILD_COLUMNS))
    return LinkedIndex(
        build_id=build_id,
        people=_compact("people", people),
        records=records,
        family_members=_compact("family_members", members),
        source_loads=frames["source_loads"],
        possible_matches=pm,
        record_evidence=_compact(
            "record_evidence",
            # by person, so a family's rows are found by binary search
            frames["record_evidence"].sort("person_id", maintain_order=True),
        ),
        names=_compact("names", names.drop("canons")),
        nicknames=nicknames,
        prepared_families=families,
        prepared_names=prepared_names,
        prepared_people=persons,
        restricted_people=restricted,
        dob_sources=held_dobs,
    )


def _present(frame: pl.DataFrame, columns: tuple[str, ...]) -> list[str]:
    return [c for c in columns if c in frame.columns]


def source_restricted(records: pl.DataFrame) -> frozenset[str]:
    """People with at least one record its source marks restricted."""
    if "restricted" not in records.columns:
        return frozenset()
    flagged = records.filter(pl.col("restricted").is_not_null())["person_id"]
    return frozenset(flagged.unique().to_list())
