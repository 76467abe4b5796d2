"""The generated SSD tables written into a database, as a council's warehouse
holds them: date columns typed as dates, everything else text. Lets the
``format = "ssd"`` preset be tested end to end on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sources.fields import date_value

#: Columns ending like this hold dates (pers_dob, addr_address_start_date …).
_DATE_ENDINGS = ("_dob", "_date")


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Date columns as dates (SSD CSVs write them as text)."""
    return frame.with_columns(
        date_value(pl.col(c), pl.String, "%Y-%m-%d").alias(c)
        for c in frame.columns
        if c.endswith(_DATE_ENDINGS)
    )


def write_ssd_database(folder: Path, url: str, schema: str = "") -> dict[str, int]:
    """Write every ``ssd_*.csv`` of ``folder`` as a table at ``url`` (replacing
    it); rows written per table."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    rows = {}
    try:
        for path in sorted(folder.glob("ssd_*.csv")):
            frame = typed(pl.read_csv(path, infer_schema=False))
            name = f"{schema}.{path.stem}" if schema else path.stem
            frame.write_database(name, engine, if_table_exists="replace")
            rows[path.stem] = frame.height
    finally:
        engine.dispose()
    return rows
