"""A folder of dated drops: each delivery in its own subfolder or file named by
date (``2026-11-01/``, ``police_20261101.csv``). The newest complete drop is
read; complete means every expected file is there and the reader accepts it.
An incomplete newest drop falls back to the one before, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import RawExtract, where

_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
#: File name endings each single-file format reads.
SUFFIXES = {
    "csv": (".csv", ".txt", ".tsv", ".psv"),
    "excel": (".xlsx", ".xlsm", ".xls", ".ods"),
    "parquet": (".parquet",),
}
SSD_FILES = (
    "ssd_person.csv", "ssd_address.csv", "ssd_family.csv",
    "ssd_involvements.csv", "ssd_professionals.csv",
)  # fmt: skip


def _drop_date(name: str) -> date | None:
    match = _DATE.search(name)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def dated_drops(folder: Path) -> list[tuple[date, Path]]:
    """Entries of ``folder`` named by a date, newest first."""
    found = [(_drop_date(p.name), p) for p in folder.iterdir()]
    return sorted(((d, p) for d, p in found if d), reverse=True)


def is_drop_folder(path: Path, src: SourceConfig) -> bool:
    """Whether ``path`` is a folder of dated drops rather than one extract."""
    if not path.is_dir() or src.format not in (*SUFFIXES, "ssd_csv"):
        return False
    if src.format == "ssd_csv" and (path / "ssd_person.csv").exists():
        return False
    return bool(dated_drops(path))


def _target(drop: Path, src: SourceConfig) -> tuple[Path | None, list[str]]:
    """(what the reader reads, expected files missing) for one drop."""
    if drop.is_file():
        ok = src.format in SUFFIXES and drop.suffix.lower() in SUFFIXES[src.format]
        return (drop, []) if ok else (None, [drop.name])
    if src.format == "ssd_csv":
        expected = src.drop_files or SSD_FILES
        return drop, [f for f in expected if not (drop / f).is_file()]
    if src.drop_files:
        missing = [f for f in src.drop_files if not (drop / f).is_file()]
        return drop / src.drop_files[0], missing
    files = [p for p in drop.iterdir() if p.suffix.lower() in SUFFIXES[src.format]]
    if len(files) != 1:
        return None, [f"one {'/'.join(SUFFIXES[src.format])} file"]
    return files[0], []


def read_newest(
    folder: Path,
    src: SourceConfig,
    configured: date | None,
    reader: Callable[[Path, SourceConfig, date | None], RawExtract],
) -> tuple[RawExtract, date]:
    """The newest complete drop's extract and its date; a ``SourceError`` with
    every drop's problems when none is complete."""
    skipped: list[Problem] = []
    for day, drop in dated_drops(folder):
        target, missing = _target(drop, src)
        if target is None or missing:
            skipped.append(
                Problem(
                    where(src, drop),
                    f"drop {day.isoformat()} is incomplete (missing "
                    f"{', '.join(missing)})",
                )
            )
            continue
        try:
            raw = reader(target, src, configured or day)
        except SourceError as exc:
            skipped.append(
                Problem(where(src, drop), f"drop {day.isoformat()} is unreadable")
            )
            skipped.extend(exc.problems)
            continue
        if skipped:
            used = Problem(
                where(src, drop),
                f"used the drop of {day.isoformat()}: newer drops are incomplete "
                "or unreadable (see above)",
            )
            raw = replace(raw, warnings=(*skipped, used, *raw.warnings))
        return raw, day
    raise SourceError(
        f"Source '{src.name}' has no complete drop",
        skipped
        or [Problem(where(src, folder), "no dated drop found; name drops by date")],
    )
