"""Load every configured source into standard records, one source at a time.

A broken source (missing file, missing column, unreadable format) is reported
with all its problems and skipped; the others still load. Only when no source
at all can be read does ``load_sources`` raise.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import polars as pl

from core.config import Config, SourceConfig
from core.errors import Problem, SourceError
from sources import faults as faults_
from sources import quarantine
from sources.derived import part_columns, with_derived
from sources.mapping import DATE_FIELDS, map_records
from sources.readers import RawExtract, Reader, readers, where
from sources.readers.database import describe
from sources.readers.drops import is_drop_folder, read_newest
from sources.records import LoadedSources, LoadReport, empty_records
from sources.snapshots import SnapshotStore

#: Formats read from a database rather than a file or folder.
DATABASE_FORMATS = ("sql", "odbc", "ssd")

#: Why a load failed, for the data page (``LoadReport.failure``).
UNREADABLE = "the latest extract could not be read"
NO_ROWS = "the latest extract had no usable rows"

#: Share of unparseable values in a date column that suggests a wrong date_format.
DATE_FORMAT_ALARM = 0.5


@dataclass(frozen=True)
class SourceLoad:
    """One source's records, quarantined rows and report."""

    records: pl.DataFrame
    quarantine: pl.DataFrame
    report: LoadReport
    #: values not used as given (``sources.faults.FAULT_SCHEMA``)
    faults: pl.DataFrame = field(default_factory=faults_.empty_faults)


def _missing_columns(raw: RawExtract, src: SourceConfig, path: Path) -> list[Problem]:
    """Every mapped column the extract does not have (parts of an address and
    identifier columns too)."""
    label = raw.file_label or path.name
    named = {f"columns.{f}": c for f, c in raw.columns.items()} | part_columns(src)
    return [
        Problem(
            f"source '{src.name}', file {label}, column '{column}'",
            f"column not found (mapped from {key.removeprefix('columns.')}); fix "
            f"[[sources]] {key} for '{src.name}' or the extract's header",
        )
        for key, column in named.items()
        if column not in raw.frame.columns
    ]


def _date_warnings(
    raw: RawExtract, src: SourceConfig, faults: dict[str, int]
) -> list[Problem]:
    """A date column that is mostly unparseable probably has the wrong format."""
    rows = raw.frame.height
    return [
        Problem(
            f"source '{src.name}', file {raw.file_label}, column '{raw.columns[f]}'",
            f"{faults[f]:,} of {rows:,} values are not dates in format "
            f"{src.date_format}; check [[sources]] date_format",
        )
        for f in DATE_FIELDS
        if rows and faults.get(f, 0) > DATE_FORMAT_ALARM * rows
    ]


def _location(config: Config, src: SourceConfig) -> str:
    """Where the source is, for reports (a database's password hidden)."""
    if src.format in DATABASE_FORMATS:
        return describe(src)
    return str(config.source_path(src))


def _failed(src: SourceConfig, where_: str, problems: list[Problem]) -> SourceLoad:
    report = LoadReport(
        source=src.name,
        service=src.service,
        path=where_,
        ok=False,
        problems=tuple(str(p) for p in problems),
        failure=UNREADABLE,
    )
    return SourceLoad(empty_records(), quarantine.empty_quarantine(), report)


def _checked(reader: Reader) -> Reader:
    """``reader``, refusing an extract that lacks a mapped column."""

    def read(path: Path, src: SourceConfig, configured: date | None) -> RawExtract:
        raw = reader(path, src, configured)
        problems = _missing_columns(raw, src, path)
        if problems:
            raise SourceError(
                f"Source '{src.name}' lacks mapped columns",
                problems + list(raw.warnings),
            )
        return with_derived(raw, src)

    return read


def _read(
    path: Path, src: SourceConfig, configured: date | None
) -> tuple[RawExtract, date | None]:
    """The extract, and the date of the drop read when ``path`` holds drops."""
    reader = _checked(readers()[src.format])
    if is_drop_folder(path, src):
        return read_newest(path, src, configured, reader)
    return reader(path, src, configured), None


def load_source(config: Config, src: SourceConfig) -> SourceLoad:
    """Read, check and map one source; never raises for a bad extract."""
    path = config.source_path(src)
    location = _location(config, src)
    configured = src.extract_date
    try:
        raw, drop = _read(path, src, configured)
    except SourceError as exc:
        return _failed(src, location, list(exc.problems))
    extract_date = configured or drop or raw.modified
    try:
        mapped = map_records(raw.frame, src, raw.columns, extract_date, raw.row_numbers)
    except pl.exceptions.PolarsError as exc:
        # polars' message may quote a value, so only its kind is reported
        problem = Problem(
            where(src, path), f"could not be mapped ({type(exc).__name__})"
        )
        return _failed(src, location, [problem])
    accepted, held = quarantine.split(mapped.records, raw.short_rows)
    warnings = list(raw.warnings) + _date_warnings(raw, src, mapped.unparseable)
    report = LoadReport(
        source=src.name,
        service=src.service,
        path=location,
        rows_read=mapped.records.height,
        rows_accepted=accepted.height,
        rows_quarantined=held.height,
        quarantine_reasons=quarantine.reasons(held),
        field_faults=mapped.counts,
        faults=faults_.summary(mapped.faults),
        extract_date=extract_date,
        ok=True,
        problems=tuple(str(p) for p in warnings),
        current_as_of=extract_date,
        drop=drop.isoformat() if drop else "",
    )
    return SourceLoad(accepted, held, report, mapped.faults)


def shrink_problem(
    report: LoadReport, src: SourceConfig, last_good: int | None
) -> Problem | None:
    """Why a load that read cleanly is still a failed load, or None: it kept no
    usable rows, or fewer than ``min_row_share`` of the last good load's."""
    if not last_good or report.rows_accepted >= src.min_row_share * last_good:
        return None
    then = (
        ". Treated as a failed load: the last good records are served, marked "
        "out of date, until a complete extract arrives; ask the supplier to send "
        "it again"
    )
    if report.rows_accepted == 0:
        what = f"has {_nothing(report)}; the last good load had {last_good:,}"
    else:
        what = (
            f"kept {report.rows_accepted:,} usable rows, "
            f"{report.rows_accepted / last_good:.0%} of the last good load's "
            f"{last_good:,} (under min_row_share {src.min_row_share:g})"
        )
        then += (
            f"; if the source really shrank, set [[sources]] min_row_share lower "
            f"for '{src.name}' for one build"
        )
    return Problem(f"source '{src.name}', {report.path}", f"the extract {what}{then}")


def _nothing(report: LoadReport) -> str:
    if report.rows_read == 0:
        return "no data rows (empty or header only)"
    return f"no usable rows ({report.rows_read:,} read, all set aside)"


def _empty_warning(report: LoadReport, src: SourceConfig) -> Problem | None:
    """A first load with no usable rows is accepted (nothing to compare it with)
    but said, so a header-only extract on day one is not taken for a quiet one."""
    if report.rows_accepted:
        return None
    return Problem(
        f"source '{src.name}', {report.path}",
        f"the extract has {_nothing(report)}; if this service should have records, "
        "check its export (once it has delivered rows, an empty extract is refused)",
    )


def guarded(load: SourceLoad, src: SourceConfig, last_good: int | None) -> SourceLoad:
    """``load``, or a failed load when it lost most of the source's rows."""
    if not load.report.ok:
        return load
    problem = shrink_problem(load.report, src, last_good)
    if problem is None:
        warning = _empty_warning(load.report, src)
        if warning is None:
            return load
        report = replace(load.report, problems=(*load.report.problems, str(warning)))
        return SourceLoad(load.records, load.quarantine, report, load.faults)
    kept = load.report.rows_accepted / last_good if last_good else 0
    report = replace(
        load.report,
        ok=False,
        problems=(str(problem), *load.report.problems),
        failure=f"the latest extract had {kept:.0%} of the usual rows"
        if load.report.rows_accepted
        else NO_ROWS,
    )
    # the few rows it kept are not served alone: the snapshot stands in, or nothing
    return SourceLoad(empty_records(), quarantine.empty_quarantine(), report)


def _with_snapshot(
    load: SourceLoad, store: SnapshotStore | None, today: date, max_days: int
) -> SourceLoad:
    """Keep a good load as the last good snapshot; stand a failed one in with it
    (a failed load never replaces the snapshot)."""
    if store is None:
        return load
    if load.report.ok:
        store.save(load.records, load.quarantine, load.report, load.faults)
        return load
    snap = store.restore(load.report, today, max_days)
    if snap is None:
        return load
    return SourceLoad(snap.records, snap.quarantine, snap.report, snap.faults)


def load_sources(
    config: Config,
    snapshots: SnapshotStore | None = None,
    today: date | None = None,
) -> LoadedSources:
    """Load every source in ``config``; raise ``SourceError`` only if none is usable.

    With ``snapshots``, each good load becomes its source's last good snapshot and
    a failed source is served from its snapshot, reported ``stale``.
    """
    day = today or date.today()
    # two sources at a time: polars releases the GIL, so one source's Python
    # glue and single-threaded steps overlap the other's parallel work
    with ThreadPoolExecutor(max_workers=2) as pool:
        fresh = list(pool.map(lambda src: load_source(config, src), config.sources))
    last_good = snapshots.last_good_rows if snapshots else lambda _name: None
    loads = [
        _with_snapshot(
            guarded(load, src, last_good(src.name)), snapshots, day, src.stale_max_days
        )
        for load, src in zip(fresh, config.sources, strict=True)
    ]
    if snapshots is not None:
        snapshots.prune({src.name for src in config.sources})
    if not any(load.report.usable for load in loads):
        problems = [
            Problem(load.report.source, text)
            for load in loads
            for text in load.report.problems
        ] or [Problem("config", "no [[sources]] are configured; add at least one")]
        raise SourceError("No source could be read", problems)
    return LoadedSources(
        records=pl.concat([empty_records(), *(ld.records for ld in loads)]),
        quarantine=pl.concat(
            [quarantine.empty_quarantine(), *(ld.quarantine for ld in loads)]
        ),
        faults=pl.concat([faults_.empty_faults(), *(ld.faults for ld in loads)]),
        reports=tuple(load.report for load in loads),
    )
