"""Children's social care from a folder of Standard Safeguarding Dataset (SSD)
tables exported as CSV (``ssd_person.csv`` …, or the files ``ssd_tables``
names); no column mapping is needed.

``ssd_person.csv`` is required; a missing address, family, involvements or
professionals table is a warning, and a table the preset cannot use is left
out with a warning naming the column it missed. The join itself is
``ssd_join``'s, shared with the database preset (``format = "ssd"``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import RawExtract, file_date, missing_file, where
from sources.readers.ssd_join import FIELDS, SOURCE_COLUMNS, join_tables
from sources.readers.ssd_spec import PERSON, missing_person_columns, usable_tables
from sources.readers.ssd_tables import folder_file, folder_tables


def extract(
    tables: dict[str, pl.DataFrame],
    src: SourceConfig,
    modified: date,
    as_of: date | None,
    label: str,
    warnings: tuple[Problem, ...] = (),
) -> RawExtract:
    """Join SSD tables into a ``RawExtract`` whose columns are named after the
    SSD columns they come from (so a fault names ``pers_dob``, not ``dob``)."""
    records = join_tables(tables, src, as_of or modified)
    rows = records["__row"]
    records = records.drop("__row").rename(SOURCE_COLUMNS)
    columns = {f: SOURCE_COLUMNS[f] for f in FIELDS}
    return RawExtract(records, columns, modified, rows, label, warnings)


def read(folder: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read and join the SSD tables in ``folder``."""
    if not folder.is_dir():
        raise SourceError(
            f"Source '{src.name}' is missing", [missing_file(src, folder)]
        )
    tables, errors, warnings = folder_tables(folder, src)
    person = folder_file(folder, src, PERSON)
    if PERSON in tables:
        errors += missing_person_columns(tables[PERSON], where(src, person))
    tables, unusable = usable_tables(
        tables, lambda n: where(src, folder_file(folder, src, n))
    )
    if errors:
        raise SourceError(
            f"Source '{src.name}' has {len(errors)} problem(s)",
            errors + warnings + unusable,
        )
    modified = file_date(person)
    return extract(tables, src, modified, as_of, person.name, (*warnings, *unusable))
