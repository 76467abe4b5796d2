"""A person joined only through a record the viewer may not see is not one person
to them.

Clustering joins records by the links it accepted (``linkage.links``). When a
record the viewer may not see (a hidden service, an age rule) is what joins two
sets of records they may see, showing those sets as one person would tell them
that record exists. So, for that viewer, a person's records shown to them are
split into the groups their own accepted links join; the person is the group
with the most records seen in full (then the most records, then the first by
source and record id), and the services of the other groups are set aside for
that person (a service with records on both sides too): no output for that
viewer (identity, services, how and why linked, counts, detail) draws on them:
a missed link rather than a disclosure (someone who may see the whole person
sees those services with it).

What is set aside is not lost: the records set aside that their own links join
(links between records the viewer may see, never through one they may not) are
to that viewer the person a build without the record joining them would make
(``Apart``): with its own id, made as linkage makes ids (``linkage.cluster.
person_id`` of its smallest record key), found by its own records' names and
opened as its own person. ``apart_owner`` finds the person of the build behind
such an id (for restrictions, the audit and opening it again).

A build made before links were kept (no row for the person) is shown as before.
Each link's evidence (``stored_links``) lets "why linked" be cut the same way
(``lookup.evidence.seen_evidence``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from sqlalchemy import Engine, inspect, null, select

from linkage import index_tables as t
from linkage.cluster import person_id as made_id
from linkage.links import MIN_RECORDS
from lookup.index import LinkedIndex
from lookup.per_index import per_index

#: (person_id, source): a source's records set aside for a viewer.
SourceKey = tuple[str, str]

#: Person ids asked for in one query (SQLite's bound-parameter limit is 32,766).
_BATCH = 10_000


@lru_cache(maxsize=16)
def _has_links(engine: Engine, build_id: str) -> bool:
    """Does the index database keep links (asked once per build served, not on
    every view: a database made before links were kept has no such table)?"""
    return inspect(engine).has_table(t.built(engine, t.record_links, build_id).name)


@dataclass(frozen=True)
class StoredLinks:
    """One person's accepted links (record positions in (source, record_id)
    order) and, per link, its evidence: ``{"p": probability, "fields": [...]}``
    (None in builds made before evidence was kept)."""

    links: list[tuple[int, int]]
    evidence: list[dict] | None = None


@lru_cache(maxsize=16)
def _has_evidence(engine: Engine, build_id: str) -> bool:
    """Does ``record_links`` have its evidence column (asked once per build)?"""
    table = t.built(engine, t.record_links, build_id)
    columns = inspect(engine).get_columns(table.name)
    return any(c["name"] == "evidence" for c in columns)


def stored_links(index: LinkedIndex, person_ids: list[str]) -> dict[str, StoredLinks]:
    """Person id → the accepted links between their records, with their evidence
    (people of fewer than ``MIN_RECORDS`` records have none)."""
    engine = index.engine
    if engine is None or not person_ids or not _has_links(engine, index.build_id):
        return {}
    table, out = t.built(engine, t.record_links, index.build_id), {}
    why = table.c.evidence if _has_evidence(engine, index.build_id) else null()
    with engine.connect() as conn:
        for at in range(0, len(person_ids), _BATCH):
            wanted = person_ids[at : at + _BATCH]
            query = select(
                table.c.build_id, table.c.person_id, table.c.links, why
            ).where(table.c.person_id.in_(wanted))
            for build, pid, links, evidence in conn.execute(query):
                if build == index.build_id:
                    pairs = [
                        (int(a), int(b))
                        for a, _, b in (p.partition("-") for p in links.split(";"))
                    ]
                    out[pid] = StoredLinks(
                        pairs, json.loads(evidence) if evidence else None
                    )
    return out


def _groups(nodes: list[int], links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of ``nodes`` under the links between two of them."""
    parent = {n: n for n in nodes}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in links:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for n in nodes:
        groups.setdefault(root(n), []).append(n)
    return list(groups.values())


def _person_aside(
    sources: list[str], links: list[tuple[int, int]],
    shown: Callable[[str], bool], full: Callable[[str], bool],
) -> set[str]:  # fmt: skip
    """The sources of one person to set aside: ``sources`` per record position.

    A source is kept only when all its records shown fall in the main group; a
    source set aside may have been what joined the main group, so the groups
    are made again without it until none is set aside."""
    aside: set[str] = set()
    while True:
        nodes = [i for i, s in enumerate(sources) if shown(s) and s not in aside]
        groups = _groups(nodes, links)
        if len(groups) < 2:
            return aside
        main = max(groups, key=lambda g: (sum(full(sources[i]) for i in g), len(g),
                                          -g[0]))  # fmt: skip
        inside = {sources[i] for i in main}
        outside = {sources[i] for g in groups if g is not main for i in g}
        aside |= outside  # a source with records on both sides goes too
        if not outside & inside:
            return aside


@dataclass(frozen=True)
class Apart:
    """Records of one person set aside for a viewer that their own links join:
    to that viewer, a person of their own."""

    person_id: str  # the person of the build they belong to
    keys: frozenset[tuple[str, str]]  # (source, record_id)
    #: their positions among the person's records in (source, record_id) order
    positions: frozenset[int]
    #: the links between them, positions in their (source, record_id) order
    links: StoredLinks


def apart_id(person_id: str, key: tuple[str, str]) -> str:
    """The id of records set aside whose smallest (source, record_id) is
    ``key``: linkage's id for it, unless that is the id of the person they
    belong to (the person's smallest record set aside), then one made from it."""
    made = made_id(key[0] + "\x1f" + key[1])
    return made if made != person_id else made_id("apart\x1f" + made)


def _owners(index: LinkedIndex) -> dict[str, str]:
    """Every id ``apart_id`` can give → the person of the build (people of
    ``MIN_RECORDS`` or more records only: no fewer can be split)."""
    held = index.records.group_by(pl.col("person_id").cast(pl.Utf8)).len()
    big = held.filter(pl.col("len") >= MIN_RECORDS)["person_id"].to_list()
    return {
        apart_id(pid, key): pid
        for pid, keys in record_keys(index, big).items()
        for key in keys
    }


def apart_owner(index: LinkedIndex, apart: str) -> str | None:
    """The person of the build an ``apart_id`` was made from (None: no such
    id). Made once per index served, on the first id asked."""
    return per_index(index, "apart_owners", lambda: _owners(index)).get(apart)


def _apart(
    pid: str, keys: list[tuple[str, str]], stored: StoredLinks, aside: set[str],
) -> dict[str, Apart]:  # fmt: skip
    """The records of ``aside`` (every one is shown) grouped by the links
    between them, each group a person of its own."""
    nodes = [i for i, (s, _) in enumerate(keys) if s in aside]
    why = stored.evidence
    out = {}
    for group in _groups(nodes, stored.links):
        group = sorted(group)
        at = {n: i for i, n in enumerate(group)}
        kept = [k for k, (a, b) in enumerate(stored.links) if a in at and b in at]
        own = StoredLinks(
            [(at[stored.links[k][0]], at[stored.links[k][1]]) for k in kept],
            None if why is None else [why[k] for k in kept],
        )
        out[apart_id(pid, keys[group[0]])] = Apart(
            pid, frozenset(keys[i] for i in group), frozenset(group), own
        )
    return out


@dataclass(frozen=True)
class Split:
    """What ``split_people`` found: the (person, source) set aside, and the
    people those records are to the viewer (``Apart``, by id)."""

    aside: frozenset[SourceKey]
    apart: dict[str, Apart]


def split_people(
    index: LinkedIndex,
    records: list[dict],
    shown: Callable[[str, str], bool],
    full: Callable[[str, str], bool],
) -> Split:
    """The (person id, source) of ``records`` (whole people) the viewer does not
    see as their person's: outside the main group that the person's accepted
    links join over the sources shown to the viewer (``shown(person id,
    source)``; ``full``: seen in full); and the people they are to the viewer."""
    counts: dict[str, dict[str, int]] = {}
    for r in records:
        by = counts.setdefault(r["person_id"], {})
        by[r["source"]] = by.get(r["source"], 0) + 1
    wanted = [
        pid for pid, by in counts.items()
        if sum(by.values()) >= MIN_RECORDS
        and any(not shown(pid, s) for s in by)
        and sum(n for s, n in by.items() if shown(pid, s)) >= 2
    ]  # fmt: skip
    out: set[SourceKey] = set()
    found: dict[str, tuple[StoredLinks, set[str]]] = {}
    for pid, stored in stored_links(index, wanted).items():
        # positions follow (source, record_id) order: each source's run in turn
        sources = [s for s in sorted(counts[pid]) for _ in range(counts[pid][s])]
        aside = _person_aside(
            sources, stored.links,
            lambda s, p=pid: shown(p, s), lambda s, p=pid: full(p, s),
        )  # fmt: skip
        out.update((pid, s) for s in aside)
        if aside:
            found[pid] = (stored, aside)
    apart: dict[str, Apart] = {}
    for pid, keys in record_keys(index, list(found)).items():
        if len(keys) == sum(counts[pid].values()):  # else not this build's
            apart.update(_apart(pid, keys, *found[pid]))
    return Split(frozenset(out), apart)


def record_keys(
    index: LinkedIndex, person_ids: list[str]
) -> dict[str, list[tuple[str, str]]]:
    """Person id → their records' (source, record_id), in that order (the
    positions links number), read from the index database (not held in
    memory; none without it)."""
    engine = index.engine
    if engine is None or not person_ids:
        return {}
    table, out = t.built(engine, t.records, index.build_id), {}
    with engine.connect() as conn:
        for at in range(0, len(person_ids), _BATCH):
            query = select(
                table.c.build_id, table.c.person_id, table.c.source,
                table.c.record_id,
            ).where(table.c.person_id.in_(person_ids[at : at + _BATCH]))  # fmt: skip
            for build, pid, source, rid in conn.execute(query):
                if build == index.build_id:
                    out.setdefault(pid, []).append((str(source), str(rid)))
    return {pid: sorted(keys) for pid, keys in out.items()}
