"""Build the linked index: load sources, link, write, switch atomically."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace

import polars as pl
from sqlalchemy import Engine, Table
from sqlalchemy.exc import SQLAlchemyError

from core.config import Config
from core.db import make_engine
from core.errors import FamilyContextError, LinkageError
from linkage import index_tables as t
from linkage.blocking import rules_from
from linkage.build_lock import BuildLock, build_lock
from linkage.decisions import read_decisions
from linkage.pipeline import STAGES, Linkage, link_records
from linkage.progress import Stages
from linkage.writer import (
    Abandoned,
    discard,
    drop_old_builds,
    insert_frame,
    new_build_id,
    prepare_index,
    publish,
    reclaim,
    running_builds,
    start_build,
    utc_now,
)
from sources.load import load_sources
from sources.records import LoadedSources
from sources.snapshots import SnapshotStore

#: Given the new build's id and its frames (by table name) while they are written
#: (on a thread beside the write), before the switch: ``lookup.build_files.saver``
#: saves its prepared files.
OnWritten = Callable[[str, Mapping[str, pl.DataFrame]], None]
#: Told of builds found abandoned, before they are cleaned up; raising stops the
#: build and leaves them for the next one.
OnAbandoned = Callable[[list[Abandoned]], None]


@dataclass(frozen=True)
class BuildSummary:
    """What a build did: counts and seconds per stage (no personal data)."""

    build_id: str
    records: int
    people: int
    families: int
    pairs_compared: int
    linked_pairs: int
    possible_matches: int
    quarantined: int
    refused_merges: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    sources: int = 0
    #: Failing sources served from their last good snapshot.
    stale_sources: tuple[str, ...] = ()
    #: Failing sources with no usable snapshot: not in this build at all.
    dropped_sources: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """``ok`` (every source fresh) or ``stale`` (some stale or dropped)."""
        return "stale" if self.stale_sources or self.dropped_sources else "ok"

    def to_dict(self) -> dict:
        """Plain values for ``builds.summary`` (JSON)."""
        return asdict(self)

    def lines(self) -> list[str]:
        """The summary as short lines for a terminal."""
        counts = {k: v for k, v in self.to_dict().items() if isinstance(v, int)}
        out = [f"Build {self.build_id} complete."]
        out += [f"  {k.replace('_', ' ')}: {v:,}" for k, v in counts.items()]
        for label, names in (
            ("served stale", self.stale_sources),
            ("dropped (no usable snapshot)", self.dropped_sources),
        ):
            if names:
                out.append(f"  sources {label}: {', '.join(names)}")  # fmt: skip
        rules = ", ".join(f"{k} {v:,}" for k, v in self.pairs_per_rule.items())
        out.append(f"  pairs per blocking rule: {rules}")
        total = sum(self.seconds.values())
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        out.append(f"  seconds: {total:.1f} ({stages})")
        return out


def _load_sources(config: Config) -> LoadedSources:
    """Every configured source, read and checked by ``sources``.

    Each good load becomes its source's last good snapshot; a broken or missing
    source is served from that snapshot and reported stale, never dropped.
    """
    return load_sources(config, snapshots=SnapshotStore.for_config(config))


def source_loads_frame(config: Config, loaded: LoadedSources) -> pl.DataFrame:
    """One row per source report, with the trust labels from the config."""
    by_name = {s.name: s for s in config.sources}
    rows = []
    for rep in loaded.reports:
        src = by_name.get(rep.source)
        rows.append(
            {
                "source": rep.source, "service": rep.service,
                "sensitivity": src.sensitivity if src else "standard",
                "rows_read": rep.rows_read, "rows_accepted": rep.rows_accepted,
                "rows_quarantined": rep.rows_quarantined,
                "field_faults": json.dumps(dict(rep.field_faults)),
                "extract_date": rep.extract_date,
                "coverage_from": src.coverage_from if src else None,
                "coverage_area": src.coverage_area if src else "",
                "age_min": src.age_min if src else None,
                "age_max": src.age_max if src else None,
                "age_any_roles": ";".join(r.strip().lower()
                                          for r in src.age_any_roles)
                if src else "",
                "lawful_basis": src.lawful_basis if src else "",
                "ok": rep.ok, "problems": json.dumps(list(rep.problems)),
                "stale": rep.stale, "stale_since": rep.stale_since,
                "current_as_of": rep.current_as_of or rep.extract_date,
                "drop_used": rep.drop, "failure": rep.failure,
            }
        )  # fmt: skip
    if not rows:
        names = [c.name for c in t.source_loads.columns if c.name != "build_id"]
        return pl.DataFrame(schema=dict.fromkeys(names, pl.Utf8))
    return pl.DataFrame(rows, infer_schema_length=None)


def _write(
    engine: Engine, build_id: str, table: Table, frame: pl.DataFrame, stages: Stages
) -> None:
    with stages.rows(table.name, frame.height) as advance:
        insert_frame(engine, table, frame, build_id, advance)


def _link_and_write(
    config: Config,
    engine: Engine,
    build_id: str,
    loaded: LoadedSources,
    stages: Stages,
    on_written: OnWritten | None,
) -> Linkage:
    """Link the records, writing each table on a thread of its own as soon as its
    frame is final (the records once people are known, while explanations and
    families are made): the rows are bound by the database (SQLite's ADBC child
    process, the PostgreSQL server), so the write takes the other core. Once every
    frame is made they are given to ``on_written`` on another thread, beside the
    rest of the write. ``write`` is the wait for the writes after the last stage,
    ``prepare`` what ``on_written`` adds after that; any failure fails the build."""
    tables = {table.name: table for table in t.BUILD_TABLES}
    frames: dict[str, pl.DataFrame] = {}
    services = {s.name: s.service for s in config.sources}
    decisions = read_decisions(engine)
    with ThreadPoolExecutor(1) as writer, ThreadPoolExecutor(1) as preparer:
        writes: list[Future[None]] = []

        def ready(name: str, frame: pl.DataFrame) -> None:
            frames[name] = frame
            writes.append(
                writer.submit(_write, engine, build_id, tables[name], frame, stages)
            )

        try:
            ready(t.source_loads.name, source_loads_frame(config, loaded))
            ready(t.quarantine.name, loaded.quarantine)
            ready(t.field_faults.name, loaded.faults)
            linkage = link_records(
                loaded.records, config.linkage, services, stages,
                decisions=decisions, ready=ready,
            )  # fmt: skip
            prepared = (
                preparer.submit(on_written, build_id, dict(frames))
                if on_written is not None
                else None
            )
            with stages.stage("write"):
                for write in writes:
                    write.result()
            if prepared is not None:
                with stages.stage("prepare"):
                    prepared.result()
        except BaseException:
            writer.shutdown(cancel_futures=True)  # (a running write is waited for)
            raise
    return linkage


def _parameters(config: Config, linkage: Linkage) -> dict:
    return {
        "model": linkage.model.to_dict(),
        "link_threshold": config.linkage.link_threshold,
        "review_threshold": config.linkage.review_threshold,
        "blocking_rules": [
            r.label() for r in rules_from(config.linkage.blocking_rules)
        ],
        "pairs_per_rule": linkage.pairs_per_rule,
        "blocks_skipped_as_too_large": linkage.blocks_skipped,
        "clerical_decisions": linkage.counts.get("clerical_decisions", 0),
        "weight_histogram": {str(k): v for k, v in linkage.weight_histogram.items()},
    }


def _run(
    config: Config,
    engine: Engine,
    build_id: str,
    stages: Stages,
    on_written: OnWritten | None,
) -> BuildSummary:
    with stages.stage("load"):
        loaded = _load_sources(config)
    linkage = _link_and_write(config, engine, build_id, loaded, stages, on_written)
    c, reports = linkage.counts, loaded.reports
    summary = BuildSummary(
        build_id, c["records"], c["people"], c["families"], c["pairs_compared"],
        c["linked_pairs"], c["possible_matches"], loaded.quarantine.height,
        c["refused_merges"], dict(stages.seconds), dict(linkage.pairs_per_rule),
        len(reports), tuple(r.source for r in reports if r.stale),
        tuple(r.source for r in reports if not r.usable),
    )  # fmt: skip
    with stages.stage("switch"):
        publish(engine, build_id, _parameters(config, linkage), summary.to_dict())
    return replace(summary, seconds=dict(stages.seconds))


def _discard_quietly(engine: Engine, build_id: str, reason: str) -> None:
    """Best effort: a database that is down cannot be cleaned up now."""
    try:
        discard(engine, build_id, reason)
    except SQLAlchemyError:
        pass


def _clean_up_abandoned(
    engine: Engine, lock: BuildLock | None, on_abandoned: OnAbandoned | None
) -> None:
    """With no other build alive, every build still marked running was killed:
    tell ``on_abandoned`` (the audit log) first, then drop its tables and mark
    it failed; and drop what a build before could not (``drop_old_builds``).
    Then let other builds start beside this one."""
    if lock is None:
        return
    if lock.alone:
        gone = running_builds(engine)
        if gone:
            if on_abandoned is not None:
                on_abandoned(gone)  # no event, no clean-up: it is tried next time
            reclaim(engine, gone)
        drop_old_builds(engine)
    lock.share()


def build_index(
    config: Config,
    *,
    progress: bool = False,
    run_id: str = "",
    on_abandoned: OnAbandoned | None = None,
    on_written: OnWritten | None = None,
) -> BuildSummary:
    """Build a new index and switch to it; on failure the previous index serves on.

    Builds left running by a killed process are cleaned up first (``on_abandoned``
    hears of them before); ``run_id`` ties this build to its audit start event;
    ``on_written`` is given the written frames before the switch (a failure
    there fails the build).
    """
    names = ("load", *STAGES, "write", *(("prepare",) if on_written else ()), "switch")
    stages = Stages(names, show=progress)
    engine = make_engine(config.storage.index_url)
    build_id = new_build_id()
    with contextlib.ExitStack() as held:
        held.callback(engine.dispose)
        held.callback(stages.close)
        try:
            prepare_index(engine)
            lock = held.enter_context(build_lock(engine))
            _clean_up_abandoned(engine, lock, on_abandoned)
            start_build(engine, build_id, utc_now(), run_id)
        except SQLAlchemyError as exc:
            raise LinkageError(
                "Cannot write the linked index: check storage.index_url in the "
                "config and that the database is reachable."
            ) from exc
        try:
            return _run(config, engine, build_id, stages, on_written)
        except Exception as exc:
            reason = f"{type(exc).__name__} during {stages.current}"
            _discard_quietly(engine, build_id, reason)
            if isinstance(exc, FamilyContextError):
                raise
            raise LinkageError(
                f"The build failed ({reason}); the previous index is still being "
                "served. Run the build again; if it fails again, report it with the "
                "build log."
            ) from exc
    raise AssertionError("unreachable")  # pragma: no cover
