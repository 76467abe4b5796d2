"""A person as one viewer may see them: identity made only from records they may see.

The ``people`` table gives each person's best name, date of birth, addresses and
identifiers over all their records. When a viewer may not see some of those
records in full (a hidden or contact-only source, an age rule), the person is
made again, the same way (``linkage.people.people_table``), from the records of
the sources they see in full, read from the index database for just those
people. A person seen only through contact-only sources keeps a name and date of
birth (to tell them apart) and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from functools import lru_cache

import polars as pl
from sqlalchemy import Engine, inspect, null, select

from core.errors import UserInputError
from linkage import index_tables as t
from linkage.people import FIELDS, people_table
from lookup.disclosure_links import Apart
from lookup.index import ROW_ORDER, LinkedIndex
from lookup.people_rows import row_in, sorted_ids
from lookup.prepared import age_cut_people
from lookup.services import configured_sources
from sources.records import STANDARD_SCHEMA

#: People-row fields a contact-only view keeps: enough to tell people apart.
CONTACT_IDENTITY = ("person_id", "first_name", "last_name", "dob")
_LISTS = ("case_numbers", "addresses", "other_names", "other_dobs", "previous_names")


_ORDER = ROW_ORDER[t.records.name]
#: Person ids asked for in one query (SQLite's bound-parameter limit is 32,766).
_BATCH = 10_000


@lru_cache(maxsize=16)
def _stored(engine: Engine, build_id: str) -> frozenset[str]:
    """The records columns the index database has (asked once per build served):
    a column a newer release adds reads as null until the next build adds it."""
    table = t.built(engine, t.records, build_id)
    return frozenset(c["name"] for c in inspect(engine).get_columns(table.name))


def _records(index: LinkedIndex, person_ids: list[str]) -> pl.DataFrame:
    schema = {c: STANDARD_SCHEMA.get(c, pl.Utf8) for c in FIELDS}
    if index.engine is None or not person_ids:
        return pl.DataFrame(schema=schema)
    have = _stored(index.engine, index.build_id)
    table = t.built(index.engine, t.records, index.build_id)
    fields = (table.c[c] if c in have else null().label(c) for c in FIELDS)
    cols = [table.c.build_id, *fields]
    rows = []
    with index.engine.connect() as conn:
        for at in range(0, len(person_ids), _BATCH):
            # by person id only (its index), the build checked here: a planner
            # given both conditions may scan the whole build through build_id
            wanted = person_ids[at : at + _BATCH]
            query = (
                select(*cols)
                .where(table.c.person_id.in_(wanted))
                .order_by(*(table.c[c] for c in _ORDER))
            )
            rows += [tuple(r)[1:] for r in conn.execute(query)
                     if r[0] == index.build_id]  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def _records_apart(
    index: LinkedIndex, person_ids: list[str], apart: Mapping[str, Apart]
) -> pl.DataFrame:
    """``_records`` of these people, those made of records set aside for a
    viewer (``lookup.disclosure_links``) from their own records only."""
    made = [p for p in person_ids if p in apart]
    if not made:
        return _records(index, person_ids)
    own = [p for p in person_ids if p not in apart]
    owners = {apart[p].person_id for p in made}
    rows = _records(index, sorted({*own, *owners}))
    parts = [rows.filter(pl.col("person_id").is_in(own))]
    for aid in made:  # each person's rows in (source, record_id) order
        a = apart[aid]
        theirs = rows.filter(pl.col("person_id") == a.person_id)
        theirs = theirs.filter(
            pl.Series([i in a.positions for i in range(theirs.height)])
        )
        parts.append(theirs.with_columns(person_id=pl.lit(aid)))
    return pl.concat(parts)


def stored_records(
    index: LinkedIndex, person_ids: list[str], apart: Mapping[str, Apart] | None = None
) -> pl.DataFrame:
    """The records of these people as the index database holds them, with
    ``linkage.people.FIELDS`` (none without a database); ``apart``: the people
    records set aside for a viewer make, given their own records."""
    return _records_apart(index, person_ids, apart or {})


def cut_identities(records: pl.DataFrame, cut: pl.DataFrame) -> pl.DataFrame:
    """The people rows of ``cut`` (``lookup.prepared.age_cut_people``) made
    from their records in the sources left to them, with ``full``, sorted by
    person_id (list columns decoded)."""
    kept = records.join(
        cut.select("person_id", pl.col("full").str.split(";").alias("source")).explode(
            "source"
        ),
        on=["person_id", "source"],
        how="semi",
    )
    if kept.is_empty():
        return pl.DataFrame(schema={"person_id": pl.Utf8, "full": pl.Utf8})
    made = people_table(kept).with_columns(
        pl.col(c).str.json_decode(pl.List(pl.Utf8)) for c in _LISTS
    )
    return made.join(cut, on="person_id").sort("person_id")


def with_age_cut(
    index: LinkedIndex, today: date, records: pl.DataFrame | None = None
) -> LinkedIndex:
    """The index with the identities an age rule leaves (``cut_identities``)
    made once, for every family view and results list on days when the same
    records are cut (a viewer who sees every source in full).

    ``records``: the build's records with ``linkage.people.FIELDS`` (a build
    making its prepared files has them in memory); otherwise those of the
    people cut are read from the index database, and without one nothing is
    made. A person whose cut has changed since ``today`` (a birthday) no longer
    matches the one made here, and is made per view (``seen_identities``).
    """
    if records is None and index.engine is None:
        return index
    sources = configured_sources(index.source_loads)
    rules = pl.DataFrame(
        [(s.source, s.age_min, s.age_max) for s in sources],
        schema={"source": pl.Utf8, "age_min": pl.Int32, "age_max": pl.Int32},
        orient="row",
    )
    limited = pl.col("age_min").is_not_null() | pl.col("age_max").is_not_null()
    held = index.records.select("person_id", pl.col("source").cast(pl.Utf8)).unique()
    # only people holding a record of a source with an age rule can be cut
    ruled = held.join(rules.filter(limited), on="source", how="semi")
    held = held.join(ruled.select("person_id"), on="person_id", how="semi")
    people = index.people.select("person_id", "dob")
    cut = age_cut_people(people, held, rules, today)
    if records is None:
        records = _records(index, cut["person_id"].to_list())
    else:
        records = records.join(cut, on="person_id", how="semi")
        records = records.sort(_ORDER, maintain_order=True).select(FIELDS)
    made = cut_identities(records, cut)
    return replace(index, age_cut=made, age_cut_day=today.isoformat())


def age_cut_for(index: LinkedIndex, today: date) -> LinkedIndex:
    """The index with its age cut made for ``today``: the same index when it
    already is (``lookup.serving`` makes it again after midnight)."""
    if index.age_cut_day == today.isoformat():
        return index
    return with_age_cut(index, today)


def _made_once(
    index: LinkedIndex,
    wanted: Mapping[str, tuple[frozenset[str], frozenset[str]]],
) -> dict[str, dict]:
    """Those of ``wanted`` whose cut is the one made at load (``with_age_cut``)."""
    made = index.age_cut
    if made is None or made.is_empty():
        return {}
    ids = sorted_ids(index, "age_cut", made["person_id"])
    out = {}
    for pid, (full, contact) in wanted.items():
        row = row_in(ids, pid)
        if contact or row < 0:
            continue
        found = made.row(row, named=True)
        if found["full"] == ";".join(sorted(full)) and full:
            out[pid] = {k: v for k, v in found.items() if k != "full"}
    return out


def _rows(records: pl.DataFrame) -> dict[str, dict]:
    if records.is_empty():
        return {}
    made = people_table(records)
    made = made.with_columns(
        pl.col(c).str.json_decode(pl.List(pl.Utf8)) for c in _LISTS
    )
    return {r["person_id"]: r for r in made.iter_rows(named=True)}


def _blank(pid: str, kept: Mapping[str, object] | None) -> dict:
    row: dict = {"person_id": pid, "first_name": None, "last_name": None,
                 "dob": None, "sex": None, "nhs_number": None, "upn": None,
                 "case_numbers": [], "address": None, "postcode": None,
                 "addresses": []}  # fmt: skip
    row.update({k: kept[k] for k in CONTACT_IDENTITY if kept and k in kept})
    return row


def seen_identities(
    index: LinkedIndex,
    wanted: Mapping[str, tuple[frozenset[str], frozenset[str]]],
    apart: Mapping[str, Apart] | None = None,
) -> dict[str, dict]:
    """Person id → a people row made from their records of the ``full`` sources
    given (name and date of birth from the ``contact`` ones when none is full).

    ``wanted`` maps a person id to (full sources, contact-only sources). Without
    the index database (an index assembled in memory) nothing but the name and
    date of birth of the people row is kept. ``apart``: the people records set
    aside for the viewer make (``lookup.disclosure_links``), made from their own
    records.
    """
    if not wanted:
        return {}
    apart = apart or {}
    ready = _made_once(index, {p: w for p, w in wanted.items() if p not in apart})
    if ready:
        rest = {p: w for p, w in wanted.items() if p not in ready}
        return ready | seen_identities(index, rest, apart)
    records = _records_apart(index, sorted(wanted), apart)
    if index.engine is None:
        people = index.people.filter(pl.col("person_id").is_in(list(wanted)))
        return {
            r["person_id"]: _blank(r["person_id"], r)
            for r in people.iter_rows(named=True)
        } | {p: _blank(p, None) for p in wanted if p in apart}
    full = pl.DataFrame(
        [(p, s) for p, (f, _) in wanted.items() for s in f],
        schema={"person_id": pl.Utf8, "source": pl.Utf8}, orient="row",
    )  # fmt: skip
    contact = pl.DataFrame(
        [(p, s) for p, (_, c) in wanted.items() for s in c],
        schema={"person_id": pl.Utf8, "source": pl.Utf8}, orient="row",
    )  # fmt: skip
    in_full = _rows(records.join(full, on=["person_id", "source"], how="semi"))
    in_contact = _rows(records.join(contact, on=["person_id", "source"], how="semi"))
    return {pid: in_full.get(pid) or _blank(pid, in_contact.get(pid)) for pid in wanted}


def person_held(index: LinkedIndex, person_id: str) -> list[dict]:
    """Every stored field of every record of one person in this build, by source
    and record id (for a subject access request; never for a worker)."""
    if index.engine is None:
        raise UserInputError(
            "A subject access needs the index database; load the index from it."
        )
    table = t.built(index.engine, t.records, index.build_id)
    query = select(table).where(
        table.c.build_id == index.build_id, table.c.person_id == person_id
    )
    with index.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda r: (str(r["source"]), str(r["record_id"])))
