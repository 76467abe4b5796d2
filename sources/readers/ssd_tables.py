"""Reading the SSD tables, from a database (``format = "ssd"``) or a folder of
CSVs (``ssd_csv``), each from its standard name or from the council's own
table, view, query or file (``[[sources]] ssd_tables``).

Every frame comes back as text (dates in the source's ``date_format``), with
script-specific column names renamed to the standard ones and placeholder
values ("SSD_PH") as nulls, so the join treats every build alike.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from core.config import SourceConfig, is_ssd_query
from core.errors import Problem, SourceError
from sources.readers import where
from sources.readers.csv_file import decode, read_text
from sources.readers.database import fetch, is_missing_table, read_only_problem
from sources.readers.ssd_spec import (
    ALL_TABLES,
    CORE_TABLES,
    PERSON,
    with_aliases,
    without_placeholders,
)

#: (tables by name, errors, warnings) as read.
Tables = tuple[dict[str, pl.DataFrame], list[Problem], list[Problem]]


def as_text(frame: pl.DataFrame, date_format: str) -> pl.DataFrame:
    """Typed database columns as text: dates in ``date_format``, the rest as is."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            exprs.append(col.dt.strftime(date_format).alias(name))
        elif dtype.is_float():
            whole = col.cast(pl.Int64, strict=False)
            out = pl.when(col == whole).then(whole.cast(pl.String))
            exprs.append(out.otherwise(col.cast(pl.String)).alias(name))
        elif dtype != pl.String:
            exprs.append(col.cast(pl.String).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _tidy(frame: pl.DataFrame, src: SourceConfig) -> pl.DataFrame:
    return without_placeholders(with_aliases(as_text(frame, src.date_format)))


def db_label(src: SourceConfig, name: str) -> str:
    """Where a table is, for messages: its standard name or the override key."""
    target = src.ssd_tables.get(name)
    if not target:
        return f"source '{src.name}', table {name}"
    shown = "query" if is_ssd_query(target) else f"table {target}"
    return f"source '{src.name}', ssd_tables.{name} ({shown})"


def _fetch_one(src: SourceConfig, name: str) -> pl.DataFrame:
    target = src.ssd_tables.get(name, name)
    if is_ssd_query(target):
        why = read_only_problem(target)
        if why:
            problem = Problem(db_label(src, name), f"refused: it {why}")
            raise SourceError(f"Source '{src.name}' query refused", [problem])
        return fetch(replace(src, query=target, table=""))
    return fetch(src, target)


def _absent(src: SourceConfig, name: str, place: str) -> Problem | None:
    """The problem of a table that is not there (None: silently optional)."""
    if name in src.ssd_tables:
        return Problem(
            place, f"not found; fix [[sources]] ssd_tables.{name} for '{src.name}'"
        )
    if name in CORE_TABLES:
        return Problem(place, "SSD table not found; its fields are left empty")
    return None


def database_tables(src: SourceConfig) -> Tables:
    """(tables, errors, warnings) of every SSD table the database has."""
    tables: dict[str, pl.DataFrame] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for name in ALL_TABLES:
        try:
            tables[name] = _tidy(_fetch_one(src, name), src)
        except SourceError as exc:
            if not is_missing_table(exc):
                errors.extend(exc.problems)
                continue
            problem = _absent(src, name, db_label(src, name))
            if name == PERSON:
                errors.append(problem or exc.problems[0])
            elif problem:
                warnings.append(problem)
    return tables, errors, warnings


def folder_file(folder: Path, src: SourceConfig, name: str) -> Path:
    """The CSV file holding table ``name`` in ``folder``."""
    return folder / src.ssd_tables.get(name, f"{name}.csv")


def folder_tables(folder: Path, src: SourceConfig) -> Tables:
    """(tables, errors, warnings) of every SSD table CSV in ``folder``."""
    tables: dict[str, pl.DataFrame] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for name in ALL_TABLES:
        path = folder_file(folder, src, name)
        if not path.is_file():
            if name == PERSON:
                errors.append(
                    Problem(
                        where(src, path),
                        "file not found; export ssd_person there or fix [[sources]] "
                        f"path (or ssd_tables.{PERSON}) for '{src.name}'",
                    )
                )
            elif problem := _absent(src, name, where(src, path)):
                warnings.append(problem)
            continue
        try:
            raw = read_text(decode(path.read_bytes(), src, path), src, path)
        except SourceError as exc:
            errors.extend(exc.problems)
            continue
        tables[name] = _tidy(raw, src)
    return tables, errors, warnings
