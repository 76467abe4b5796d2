"""Tables of the linked index, written by ``linkage`` and read by ``lookup``.

Every row carries the ``build_id`` that wrote it. A build writes its rows into
tables of its own (``own_table``: ``records__<build>`` …), then switches
``index_state`` to itself in one transaction, so readers only ever see a
complete index; an old build's tables are later dropped whole. The shared
tables below (``records`` …) hold the rows of builds made before builds had
tables of their own, and of indexes written row by row; ``built`` names the
table a build's rows are in.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl
from sqlalchemy import (
    Boolean,
    Column,
    Computed,
    Connection,
    Date,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.types import TypeEngine

from sources.records import STANDARD_SCHEMA

metadata = MetaData()


def _sql_type(dtype: pl.DataType) -> TypeEngine:
    if dtype == pl.Date:
        return Date()
    if dtype == pl.Int64:
        return Integer()
    if dtype == pl.Boolean:
        return Boolean()
    return Text()


index_state = Table(
    "index_state",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("build_id", String(40), nullable=False),
    Column("switched_at", String(32), nullable=False),  # UTC ISO 8601
)

builds = Table(
    "builds",
    metadata,
    Column("build_id", String(40), primary_key=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("status", String(16), nullable=False),  # running | complete | failed
    Column("parameters", Text),  # JSON: the trained model, thresholds
    Column("summary", Text),  # JSON: counts per stage
    Column("run_id", String(64)),  # the audit run id of its start event
)

source_loads = Table(
    "source_loads",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("source", String(64), nullable=False),
    Column("service", Text, nullable=False),
    Column("sensitivity", String(16), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("rows_quarantined", Integer, nullable=False),
    Column("field_faults", Text),  # JSON {column: count}
    Column("extract_date", Date),
    Column("coverage_from", Date),
    Column("coverage_area", Text),
    Column("age_min", Integer),
    Column("age_max", Integer),
    # roles shown whatever the age (``age_any_roles``), ";"-joined, lower case
    Column("age_any_roles", Text),
    Column("lawful_basis", Text),
    Column("ok", Boolean, nullable=False),
    Column("problems", Text),  # JSON list of safe messages
    # A failed source served from its last good snapshot is "stale": its rows
    # are the snapshot's, current as of that snapshot's extract date.
    Column("stale", Boolean),
    Column("stale_since", Date),
    Column("current_as_of", Date),
    Column("drop_used", Text),  # the dated drop read, when the path is a folder
    Column("failure", Text),  # why the latest load failed, in plain words
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("source", String(64), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("reason", Text, nullable=False),
)

#: A value the mapping did not use as given (``sources.faults``): no value kept.
field_faults = Table(
    "field_faults",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("source", String(64), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("field", String(32), nullable=False),
    Column("column", Text, nullable=False),
    Column("fault", Text, nullable=False),
    Column("other_row", Integer),  # the earlier row of a repeated record id
)

records = Table(
    "records",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("person_id", String(40), nullable=False, index=True),
    *(Column(name, _sql_type(dtype)) for name, dtype in STANDARD_SCHEMA.items()),
)

people = Table(
    "people",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("person_id", String(40), nullable=False),
    Column("first_name", Text),  # best display value across the person's records
    Column("last_name", Text),
    Column("dob", Date),
    Column("sex", String(1)),
    Column("nhs_number", String(10)),
    Column("upn", String(13)),
    Column("case_numbers", Text),  # JSON list of "source:number"
    Column("address", Text),  # most recent known address
    Column("postcode", String(8)),
    Column("other_names", Text),  # JSON list of "first last" variants seen
    Column("other_dobs", Text),  # JSON list of ISO dates seen besides dob
    Column("addresses", Text),  # JSON list of every address seen, newest first
    Column("n_records", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
    # JSON list of "first last" names a record states were the person's (a
    # previous family name; ``records.previous_names``), also in other_names
    Column("previous_names", Text),
)

family_members = Table(
    "family_members",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("family_id", String(80), nullable=False),
    Column("person_id", String(40), nullable=False),
    Column("relationship", Text),
    Column("evidence", Text),  # plain words, e.g. "Housing tenancy household"
    # the sources the row rests on, ";"-joined: a viewer sees the link only when
    # they may see every one of them (null in builds made before it was kept)
    Column("sources", Text),
)

possible_matches = Table(
    "possible_matches",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("person_a", String(40), nullable=False),
    Column("person_b", String(40), nullable=False),
    Column("probability", Float, nullable=False),
)

record_evidence = Table(
    "record_evidence",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("person_id", String(40), nullable=False),
    Column("source", String(64), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("probability", Float),  # best link into the person; null if alone
    Column("explanation", Text),  # JSON [{"field", "level", "weight"}]
)

#: The links clustering accepted inside each person of three or more records
#: (a lone hidden record may be what joins the others: ``lookup.disclosure_links``
#: splits such a person for a viewer who may not see it). ``links``: ";"-joined
#: "i-j" pairs of the person's records numbered from 0 in (source, record_id) order;
#: ``evidence``: a JSON list in the same order, each link's probability and the
#: fields that agreed with their weights (null in builds made before it was kept).
record_links = Table(
    "record_links",
    metadata,
    Column("build_id", String(40), nullable=False, index=True),
    Column("person_id", String(40), nullable=False, index=True),
    Column("links", Text, nullable=False),
    Column("evidence", Text),
)

#: Clerical decisions outlive builds: every build reads and honours them.
clerical_decisions = Table(
    "clerical_decisions",
    metadata,
    Column("decision_id", Integer, primary_key=True, autoincrement=True),
    Column("source_a", String(64), nullable=False),
    Column("record_a", Text, nullable=False),
    Column("source_b", String(64), nullable=False),
    Column("record_b", Text, nullable=False),
    Column("decision", String(16), nullable=False),  # must_link | cannot_link
    Column("decided_by", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_at", String(32), nullable=False),  # UTC ISO 8601
)

BUILD_TABLES = (
    source_loads,
    quarantine,
    field_faults,
    records,
    people,
    family_members,
    possible_matches,
    record_evidence,
    record_links,
)

#: Between a bulk table's name and its build's key in the build's own table.
OWN = "__"
#: Build ids that name tables: ``linkage.writer.new_build_id`` and test ids.
_BUILD_ID = re.compile(r"^[0-9A-Za-z_-]{1,40}$")


def names_tables(build_id: str) -> bool:
    """Whether ``build_id`` can name tables of its own (``own_key``)."""
    return bool(_BUILD_ID.match(build_id))


def own_key(build_id: str) -> str:
    """The part of a build's own table names that is the build (lower case)."""
    if not names_tables(build_id):
        raise ValueError("A build id has 1 to 40 letters, digits, '-' or '_'.")
    return build_id.lower().replace("-", "_")


@lru_cache(maxsize=256)
def own_table(table: Table, build_id: str, stored: bool = False) -> Table:
    """``table`` as one build writes it, in a table of its own dropped whole when
    the build goes. ``build_id`` is a generated column holding the build's id
    (computed on read, or ``stored`` where the database computes no other kind:
    PostgreSQL), so a query written for the shared table reads it unchanged.
    Indexed on person_id where it is read by person (``own_indexes``)."""
    # the id is checked by own_key: letters, digits, '-' and '_' only
    generated = Computed(text(f"'{build_id}'"), persisted=True if stored else None)
    columns = [
        Column("build_id", String(40), generated)
        if c.name == "build_id"
        else Column(c.name, c.type, nullable=c.nullable)
        for c in table.columns
    ]
    return Table(f"{table.name}{OWN}{own_key(build_id)}", MetaData(), *columns)


#: Bulk tables read by person id, one person at a time (the family view, a
#: subject access check): their own tables get an index on it.
_BY_PERSON = ("records", "people", "record_links")


def own_indexes(table: Table, build_id: str) -> list[Index]:
    """The indexes of ``table``'s own table for ``build_id``, made once its rows
    are in (one sort, not a B-tree grown row by row)."""
    if table.name not in _BY_PERSON:
        return []
    own = own_table(table, build_id)
    return [Index(f"ix_{own.name}", own.c.person_id)]


def built(bind: Engine | Connection, table: Table, build_id: str) -> Table:
    """The table holding ``build_id``'s rows of ``table``: the build's own when
    the database has it, else the shared one (asked each time: a build's tables
    go when a newer build is served, and a process still reading it then finds
    no rows, as when they were deleted)."""
    if not names_tables(build_id):
        return table
    own = own_table(table, build_id)
    return own if inspect(bind).has_table(own.name) else table


def own_tables(names: list[str]) -> dict[str, str]:
    """Of a database's table names, the build tables' own ones and their keys."""
    bulk = {b.name for b in BUILD_TABLES}
    out = {}
    for name in names:
        base, sep, key = name.partition(OWN)
        if sep and base in bulk and key:
            out[name] = key
    return out
