"""The Standard Safeguarding Dataset preset: ``format = "ssd"`` reads the SSD
tables from a council's database (``url`` or ``odbc_connect``, optional
``schema``; any table from the council's own view or query through
``ssd_tables``) and joins them exactly as a folder of SSD CSVs is joined, so
children's social care comes in with no mapping written.

``ssd_person`` is required; a table the preset cannot use is left out with a
warning naming the column it missed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from core.config import SourceConfig
from core.errors import SourceError
from sources.readers import RawExtract
from sources.readers.ssd_folder import extract
from sources.readers.ssd_spec import PERSON, missing_person_columns, usable_tables
from sources.readers.ssd_tables import database_tables, db_label


def read(path: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read and join the SSD tables from the source's database; ``path`` unused."""
    tables, errors, warnings = database_tables(src)
    if PERSON in tables:
        errors += missing_person_columns(tables[PERSON], db_label(src, PERSON))
    tables, unusable = usable_tables(tables, lambda n: db_label(src, n))
    if errors:
        raise SourceError(
            f"Source '{src.name}' has {len(errors)} problem(s)",
            errors + warnings + unusable,
        )
    label = db_label(src, PERSON).split(", ", 1)[1]
    return extract(tables, src, date.today(), as_of, label, (*warnings, *unusable))
