"""The Standard Safeguarding Dataset preset: ``format = "ssd"`` reads the SSD
tables from a council's database (``url`` or ``odbc_connect``, optional
``schema``) and joins them exactly as a folder of SSD CSVs is joined, so
children's social care comes in with no mapping written.

``ssd_person`` is required; a missing address, family, involvements or
professionals table is a warning; linked identifiers and episode tables (early
help, child in need, child protection, looked after) are used when present.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.readers import RawExtract
from sources.readers.database import fetch, is_missing_table, label
from sources.readers.ssd_folder import PERSON, extract
from sources.readers.ssd_join import OPTIONAL_TABLES, TABLES, as_text, column_problems


def _tables(src: SourceConfig):
    """Every SSD table the database has (as text), errors and warnings."""
    tables = {PERSON: as_text(fetch(src, PERSON), src.date_format)}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for name in (*TABLES, *OPTIONAL_TABLES):
        if name == PERSON:
            continue
        try:
            tables[name] = as_text(fetch(src, name), src.date_format)
        except SourceError as exc:
            if not is_missing_table(exc):
                errors.extend(exc.problems)
            elif name in TABLES:
                warnings.append(
                    Problem(
                        f"source '{src.name}', {label(src, name)}",
                        "SSD table not found; its fields are left empty",
                    )
                )
    errors += column_problems(tables, lambda n: f"source '{src.name}', table {n}")
    return tables, errors, warnings


def read(path: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read and join the SSD tables from the source's database; ``path`` unused."""
    tables, errors, warnings = _tables(src)
    if errors:
        raise SourceError(
            f"Source '{src.name}' has {len(errors)} problem(s)", errors + warnings
        )
    label_ = f"table {PERSON}"
    return extract(tables, src, date.today(), as_of, label_, tuple(warnings))
