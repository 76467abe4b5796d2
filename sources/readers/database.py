"""Extracts read from a database: a table or a read-only query, through a
SQLAlchemy URL (``format = "sql"``: SQLite, PostgreSQL, SQL Server via
``mssql+pyodbc``) or through pyodbc with a DSN or ODBC connection string
(``format = "odbc"``: how council warehouses are usually reached).

Rows are fetched in batches of ``batch_size``. Columns arrive typed; dates stay
dates, everything else becomes text for the mapping. Messages name the source,
the table (or "query") and the SQLSTATE, never a value or a password.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from core.config import SourceConfig
from core.db import is_postgres
from core.errors import Problem, SourceError
from sources import fields
from sources.readers import RawExtract

#: Words that make a statement more than a read (outside strings and comments).
_WRITES = frozenset(
    "insert update delete merge drop alter create truncate grant revoke exec "
    "execute call into copy attach detach pragma vacuum reindex lock commit "
    "rollback begin savepoint declare bulk openrowset opendatasource".split()
)
_LITERALS = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\[[^\]]*\]|`[^`]*`|--[^\n]*|/\*.*?\*/",
    re.DOTALL,
)
_SECRET = re.compile(r"(?i)\b(pwd|password)\s*=\s*(\{[^}]*\}|[^;]*)")
#: SQLSTATE (or its two-character class) -> what to fix.
_HINTS = {
    "42S02": "table or view not found; check [[sources]] table and schema, and "
    "that the login may read it",
    "42P01": "table or view not found; check [[sources]] table and schema, and "
    "that the login may read it",
    "42": "refused by the database (syntax or permission); check [[sources]] "
    "query or table and the login's permissions",
    "08": "could not connect; check server, port, network and Encrypt settings",
    "HYT": "timed out connecting; check server, port and network",
    "28": "login refused; check the read-only login's user name and password",
    "IM": "ODBC driver or DSN not found; install the driver (odbcinst -q -d "
    "lists them) or fix [[sources]] odbc_connect",
    "3D": "database not found; check the database name in the url or odbc_connect",
}


def read_only_problem(sql: str) -> str | None:
    """Why ``sql`` is not one read-only SELECT/WITH statement, or None if it is."""
    bare = _LITERALS.sub(" ", sql).strip().rstrip(";").strip()
    if ";" in bare:
        return "holds more than one statement; give a single SELECT"
    words = re.findall(r"[a-z_]+", bare.lower())
    if not words or words[0] not in ("select", "with"):
        return "must start with SELECT or WITH"
    writes = sorted(set(words) & _WRITES)
    if writes:
        return f"is not read-only (uses {', '.join(w.upper() for w in writes)})"
    return None


def describe(src: SourceConfig) -> str:
    """Where a database source is, with any password hidden."""
    if src.url:
        from sqlalchemy.engine import make_url

        try:
            return make_url(src.url).render_as_string(hide_password=True)
        except Exception:  # an unparseable URL is reported when it is used
            return "url (unparseable)"
    return "odbc " + _SECRET.sub(r"\1=***", src.odbc_connect)


def label(src: SourceConfig, table: str = "") -> str:
    """The table or query named in messages."""
    name = table or src.table
    return f"table {name}" if name else "query"


def _where(src: SourceConfig, table: str = "") -> str:
    return f"source '{src.name}', {label(src, table)}"


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if not state and orig.args and isinstance(orig.args[0], str):
        head = orig.args[0]
        state = head if re.fullmatch(r"[0-9A-Z]{5}", head) else ""
    if not state and "no such table" in str(orig).lower():
        state = "42S02"  # SQLite names no SQLSTATE
    return state or ""


def failure(src: SourceConfig, exc: BaseException, table: str = "") -> SourceError:
    """A database error as a safe ``SourceError`` (the driver's text may quote
    values or the connection string, so only its kind and SQLSTATE are shown)."""
    state = _sqlstate(exc)
    hint = next(
        (_HINTS[k] for k in (state, state[:3], state[:2]) if k in _HINTS),
        "could not be read; check [[sources]] url/odbc_connect, table or query",
    )
    kind = type(getattr(exc, "orig", None) or exc).__name__
    code = f", SQLSTATE {state}" if state else ""
    problem = Problem(_where(src, table), f"{hint} ({kind}{code})")
    return SourceError(f"Source '{src.name}' could not be read", [problem])


def _quoted(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def select_sql(src: SourceConfig, table: str = "") -> str:
    """The statement to run: the configured query, or every column of a table."""
    if not table and src.query:
        why = read_only_problem(src.query)
        if why:
            problem = Problem(f"source '{src.name}', query", f"refused: it {why}")
            raise SourceError(f"Source '{src.name}' query refused", [problem])
        return src.query.strip().rstrip(";")
    name = table or src.table
    if src.schema and "." not in name:
        name = f"{src.schema}.{name}"
    return f"SELECT * FROM {_quoted(name)}"


def _normalise(batch: pl.DataFrame) -> pl.DataFrame:
    """Dates stay dates; every other column becomes trimmed text."""
    out = []
    for name, dtype in batch.schema.items():
        if dtype == pl.Date:
            out.append(pl.col(name))
        elif isinstance(dtype, pl.Datetime):
            out.append(pl.col(name).dt.replace_time_zone(None).cast(pl.Datetime("us")))
        else:
            out.append(fields.text(pl.col(name), dtype).alias(name))
    return batch.select(out)


def _query(sql: str, conn: Any, batch_size: int) -> pl.DataFrame:
    """All rows of ``sql`` on ``conn``, fetched ``batch_size`` at a time. Each
    batch's types come from all its rows: a column null for its first hundred
    rows (SystemC writes empty UPN rows first) must not be typed as null."""
    batches = pl.read_database(
        sql, conn, iter_batches=True, batch_size=batch_size, infer_schema_length=None
    )
    frames = [_normalise(b) for b in batches]
    if not frames:  # no rows: ask once more, unbatched, for the column names
        frames = [_normalise(pl.read_database(sql, conn, infer_schema_length=None))]
    return pl.concat(frames, how="vertical_relaxed")


def _read_url(src: SourceConfig, sql: str) -> pl.DataFrame:
    from sqlalchemy import create_engine, text

    engine = create_engine(src.url)
    try:
        with engine.connect() as conn:
            if is_postgres(engine):
                conn.execute(text("SET TRANSACTION READ ONLY"))
            return _query(sql, conn, src.batch_size)
    finally:
        engine.dispose()


def _read_odbc(src: SourceConfig, sql: str) -> pl.DataFrame:
    import pyodbc

    target = src.odbc_connect
    target = target if "=" in target else f"DSN={target}"
    conn = pyodbc.connect(target, autocommit=True, readonly=True, timeout=30)
    try:
        return _query(sql, conn, src.batch_size)
    finally:
        conn.close()


def is_missing_table(exc: SourceError) -> bool:
    """Whether a ``fetch`` failed only because its table does not exist."""
    return any("table or view not found" in p.message for p in exc.problems)


def fetch(src: SourceConfig, table: str = "") -> pl.DataFrame:
    """Every row of ``table`` (or of the source's table or query); raises a safe
    ``SourceError`` on any database failure."""
    sql = select_sql(src, table)
    try:
        odbc = src.format == "odbc" or not src.url
        return _read_odbc(src, sql) if odbc else _read_url(src, sql)
    except SourceError:
        raise
    except Exception as exc:  # drivers raise their own types; shown by kind only
        raise failure(src, exc, table) from None


def read(path: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read a ``sql`` or ``odbc`` source; ``path`` is unused."""
    frame = fetch(src)
    return RawExtract(frame, dict(src.columns), date.today(), file_label=label(src))
