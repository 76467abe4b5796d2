"""The same searches as PostgreSQL pg_trgm similarity queries, for comparison.

The index's people (display name and date of birth) are copied into a private
schema with a GIN trigram index; each query is one ``%`` + ``similarity()``
statement ordered by similarity (plus a date-of-birth boost when one is given).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import date

import polars as pl
import psycopg

_SEARCH = """
SELECT person_id FROM people
WHERE name %% %(q)s
ORDER BY similarity(name, %(q)s) + CASE WHEN dob = %(dob)s THEN 0.3 ELSE 0 END DESC
LIMIT %(limit)s
"""


def dbapi_url(url: str) -> str:
    """A SQLAlchemy URL ('postgresql+psycopg://...') as psycopg takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _load(conn: psycopg.Connection, people: pl.DataFrame) -> None:
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.execute("CREATE TABLE people (person_id text, name text, dob date)")
    rows = people.select(
        "person_id",
        pl.concat_str(
            pl.col("first_name").cast(pl.Utf8).fill_null(""),
            pl.col("last_name").cast(pl.Utf8).fill_null(""),
            separator=" ",
        )
        .str.to_lowercase()
        .alias("name"),
        "dob",
    )
    with conn.cursor().copy("COPY people (person_id, name, dob) FROM STDIN") as cp:
        for row in rows.iter_rows():
            cp.write_row(row)
    conn.execute(
        "CREATE INDEX people_name_trgm ON people USING gin (name gin_trgm_ops)"
    )
    conn.execute("ANALYZE people")


def pg_trgm_search(
    url: str,
    people: pl.DataFrame,
    queries: Sequence[tuple[str, date | None]],
    limit: int,
) -> tuple[list[float], list[list[str]]]:
    """(milliseconds per query, person ids found) for ``(name, dob)`` queries."""
    schema = f"bench_trgm_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbapi_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            conn.execute(f'SET search_path TO "{schema}", public')
            _load(conn, people)
            times, found = [], []
            with conn.cursor() as cur:
                for name, dob in queries:
                    start = time.perf_counter()
                    cur.execute(
                        _SEARCH,
                        {"q": name.lower(), "dob": dob, "limit": limit},
                        prepare=True,
                    )
                    ids = [r[0] for r in cur.fetchall()]
                    times.append((time.perf_counter() - start) * 1000)
                    found.append(ids)
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return times, found
