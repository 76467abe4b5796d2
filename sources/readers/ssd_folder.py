"""Children's social care from a folder of Standard Safeguarding Dataset (SSD)
tables exported as CSV (``ssd_person.csv`` …); no column mapping is needed.

``ssd_person.csv`` is required; a missing address, family, involvements or
professionals table is reported as a warning and its fields are left empty.
Linked identifiers and episode tables are joined when present. The join itself
is ``ssd_join``'s, shared with the database preset (``format = "ssd"``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import RawExtract, file_date, missing_file, where
from sources.readers.csv_file import decode, read_text
from sources.readers.ssd_join import (
    OPTIONAL_TABLES,
    TABLES,
    column_problems,
    join_tables,
)

PERSON = "ssd_person"


def _tables(folder: Path, src: SourceConfig):
    """Every table present, plus all problems (errors) and warnings found."""
    tables: dict[str, pl.DataFrame] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for name in (*TABLES, *OPTIONAL_TABLES):
        path = folder / f"{name}.csv"
        if not path.is_file():
            if name in TABLES:
                problem = missing_file(src, path)
                (errors if name == PERSON else warnings).append(problem)
            continue
        try:
            tables[name] = read_text(decode(path.read_bytes(), src, path), src, path)
        except SourceError as exc:
            errors.extend(exc.problems)
    errors += column_problems(tables, lambda n: where(src, folder / f"{n}.csv"))
    return tables, errors, warnings


def extract(
    tables: dict[str, pl.DataFrame],
    src: SourceConfig,
    modified: date,
    as_of: date | None,
    label: str,
    warnings: tuple[Problem, ...] = (),
) -> RawExtract:
    """Join SSD tables into a ``RawExtract`` whose columns are the standard names."""
    records = join_tables(tables, src, as_of or modified)
    rows = records["__row"]
    records = records.drop("__row")
    columns = {c: c for c in records.columns}
    return RawExtract(records, columns, modified, rows, label, warnings)


def read(folder: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read and join the SSD tables in ``folder``."""
    if not folder.is_dir():
        raise SourceError(
            f"Source '{src.name}' is missing", [missing_file(src, folder)]
        )
    tables, errors, warnings = _tables(folder, src)
    if errors:
        raise SourceError(
            f"Source '{src.name}' has {len(errors)} problem(s)", errors + warnings
        )
    modified = file_date(folder / f"{PERSON}.csv")
    return extract(tables, src, modified, as_of, f"{PERSON}.csv", tuple(warnings))
