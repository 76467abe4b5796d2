"""Load every configured source into standard records, one source at a time.

A broken source (missing file, missing column, unreadable format) is reported
with all its problems and skipped; the others still load. Only when no source
at all can be read does ``load_sources`` raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from core.config import Config, SourceConfig
from core.errors import Problem, SourceError
from sources import quarantine
from sources.mapping import DATE_FIELDS, map_records
from sources.readers import RawExtract, readers, where
from sources.records import LoadedSources, LoadReport, empty_records

#: Share of unparseable values in a date column that suggests a wrong date_format.
DATE_FORMAT_ALARM = 0.5


@dataclass(frozen=True)
class SourceLoad:
    """One source's records, quarantined rows and report."""

    records: pl.DataFrame
    quarantine: pl.DataFrame
    report: LoadReport


def _missing_columns(raw: RawExtract, src: SourceConfig, path: Path) -> list[Problem]:
    """Every mapped column the extract does not have."""
    label = raw.file_label or path.name
    return [
        Problem(
            f"source '{src.name}', file {label}, column '{column}'",
            f"column not found (mapped from {field}); fix [[sources]] "
            f"columns.{field} for '{src.name}' or the extract's header",
        )
        for field, column in raw.columns.items()
        if column not in raw.frame.columns
    ]


def _date_warnings(raw: RawExtract, src: SourceConfig, faults: dict[str, int]):
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


def _failed(src: SourceConfig, path: Path, problems: list[Problem]) -> SourceLoad:
    report = LoadReport(
        source=src.name,
        service=src.service,
        path=str(path),
        ok=False,
        problems=tuple(str(p) for p in problems),
    )
    return SourceLoad(empty_records(), quarantine.empty_quarantine(), report)


def load_source(config: Config, src: SourceConfig) -> SourceLoad:
    """Read, check and map one source; never raises for a bad extract."""
    path = config.source_path(src)
    configured = date.fromisoformat(src.extract_date) if src.extract_date else None
    try:
        raw = readers()[src.format](path, src, configured)
    except SourceError as exc:
        return _failed(src, path, list(exc.problems))
    problems = _missing_columns(raw, src, path)
    if problems:
        return _failed(src, path, problems + list(raw.warnings))
    extract_date = configured or raw.modified
    try:
        mapped = map_records(raw.frame, src, raw.columns, extract_date, raw.row_numbers)
    except pl.exceptions.PolarsError as exc:
        # polars' message may quote a value, so only its kind is reported
        problem = Problem(
            where(src, path), f"could not be mapped ({type(exc).__name__})"
        )
        return _failed(src, path, [problem])
    accepted, held = quarantine.split(mapped.records)
    warnings = list(raw.warnings) + _date_warnings(raw, src, mapped.faults)
    report = LoadReport(
        source=src.name,
        service=src.service,
        path=str(path),
        rows_read=mapped.records.height,
        rows_accepted=accepted.height,
        rows_quarantined=held.height,
        field_faults=mapped.faults,
        extract_date=extract_date,
        ok=True,
        problems=tuple(str(p) for p in warnings),
    )
    return SourceLoad(accepted, held, report)


def load_sources(config: Config) -> LoadedSources:
    """Load every source in ``config``; raise ``SourceError`` only if none loads."""
    loads = [load_source(config, src) for src in config.sources]
    if not any(load.report.ok for load in loads):
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
        reports=tuple(load.report for load in loads),
    )
