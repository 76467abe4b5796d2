"""Last good snapshot per source: a broken or missing extract never replaces
the records a source last delivered successfully.

After every good load the source's records and quarantine are written as
Parquet (with a small JSON note of dates and counts) under ``snapshots/`` next
to the index database. When a later load of that source fails, the build uses
the snapshot instead, marked stale since the first failed load and "current as
of" the snapshot's extract date, for at most the source's ``stale_max_days``
(then the snapshot is deleted and the source is not available). The snapshots
hold the same personal data as the index and need the same protection; a source
removed from the config has its snapshot deleted (``prune``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl

from core.config import Config
from sources.faults import empty_faults, per_field, summary
from sources.records import LoadReport, with_standard_columns


@dataclass(frozen=True)
class Snapshot:
    """A source's last good records, quarantine and their dates."""

    records: pl.DataFrame
    quarantine: pl.DataFrame
    report: LoadReport  # stale, stale_since and current_as_of set
    faults: pl.DataFrame  # the snapshot's own fault rows


def snapshot_folder(config: Config) -> Path:
    """``snapshots/`` beside a SQLite index file, else under the config's data/."""
    prefix = "sqlite:///"
    url = config.storage.index_url
    if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
        return Path(url[len(prefix) :]).parent / "snapshots"
    return config.base_dir / "data" / "snapshots"


def _stem(source: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", source)


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


@dataclass(frozen=True)
class SnapshotStore:
    """Snapshots in one folder: ``<source>.records.parquet``,
    ``<source>.quarantine.parquet``, ``<source>.json`` and
    ``<source>.faults.parquet``."""

    folder: Path

    @classmethod
    def for_config(cls, config: Config) -> SnapshotStore:
        return cls(snapshot_folder(config))

    def _paths(self, source: str) -> tuple[Path, Path, Path]:
        stem = self.folder / _stem(source)
        return (
            stem.with_name(stem.name + ".records.parquet"),
            stem.with_name(stem.name + ".quarantine.parquet"),
            stem.with_name(stem.name + ".json"),
        )

    def _faults_path(self, source: str) -> Path:
        return self.folder / f"{_stem(source)}.faults.parquet"

    def _note(self, source: str) -> dict:
        note = self._paths(source)[2]
        return json.loads(note.read_text(encoding="utf-8")) if note.is_file() else {}

    def save(
        self,
        records: pl.DataFrame,
        quarantine: pl.DataFrame,
        report: LoadReport,
        faults: pl.DataFrame | None = None,
    ) -> None:
        """Keep a good load as the source's last good snapshot."""
        self.folder.mkdir(parents=True, exist_ok=True)
        rec, held, note = self._paths(report.source)
        _write_atomic(rec, records.write_parquet)
        _write_atomic(held, quarantine.write_parquet)
        found = empty_faults() if faults is None else faults
        _write_atomic(self._faults_path(report.source), found.write_parquet)
        extract = report.extract_date.isoformat() if report.extract_date else None
        text = json.dumps(
            {
                "extract_date": extract,
                "rows_read": report.rows_read,
                "rows_accepted": report.rows_accepted,
                "rows_quarantined": report.rows_quarantined,
            }
        )
        _write_atomic(note, lambda p: p.write_text(text, encoding="utf-8"))

    def last_good_rows(self, source: str) -> int | None:
        """Usable rows of the source's last good load (kept after its records are
        dropped, so a shrunken extract is still refused), or None if never."""
        rows = self._note(source).get("rows_accepted")
        return int(rows) if rows is not None else None

    def restore(
        self, failed: LoadReport, today: date, max_days: int | None = None
    ) -> Snapshot | None:
        """The last good snapshot standing in for a failed load, or None.

        The first failed day is remembered, so ``stale_since`` stays put over
        repeated failures until a good load replaces the snapshot. Once the
        source has failed for more than ``max_days`` the snapshot is deleted: a
        source that stops sending has its data dropped, not served for ever."""
        rec, held, note_path = self._paths(failed.source)
        note = self._note(failed.source)
        if not (note and rec.is_file() and held.is_file()):
            return None
        since = note.get("failing_since") or today.isoformat()
        failing_days = (today - date.fromisoformat(since)).days
        if max_days is not None and failing_days >= max_days:
            self._drop(failed.source)
            return None
        if "failing_since" not in note:
            text = json.dumps(note | {"failing_since": since})
            _write_atomic(note_path, lambda p: p.write_text(text, encoding="utf-8"))
        extract = note.get("extract_date")
        path = self._faults_path(failed.source)
        # a snapshot saved before faults were kept has none to show
        faults = pl.read_parquet(path) if path.is_file() else empty_faults()
        report = replace(
            failed,
            rows_read=note["rows_read"],
            rows_accepted=note["rows_accepted"],
            rows_quarantined=note["rows_quarantined"],
            extract_date=date.fromisoformat(extract) if extract else None,
            stale=True,
            stale_since=date.fromisoformat(since),
            current_as_of=date.fromisoformat(extract) if extract else None,
            field_faults=per_field(faults),
            faults=summary(faults),
        )
        records = with_standard_columns(pl.read_parquet(rec))
        return Snapshot(records, pl.read_parquet(held), report, faults)

    def _drop(self, source: str) -> None:
        """Delete the records, keeping the note's counts for ``last_good_rows``."""
        for path in (*self._paths(source)[:2], self._faults_path(source)):
            path.unlink(missing_ok=True)

    def prune(self, keep: set[str]) -> None:
        """Delete the snapshots of sources no longer configured."""
        if not self.folder.is_dir():
            return
        stems = {_stem(s) for s in keep}
        for path in self.folder.iterdir():
            stem = path.name.split(".", 1)[0]
            if stem not in stems and path.suffix in (".parquet", ".json", ".tmp"):
                path.unlink()
