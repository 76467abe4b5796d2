"""A large frame written into a SQLite index by the ADBC SQLite driver, in a
child process: Arrow batches bound in C, no Python object per row or value
(the ``sqlite3`` module's executemany spends about 25 µs a record on binding).

The driver carries its own copy of SQLite. Two copies in one process corrupt a
database they both open (each drops the other's POSIX locks when it closes a
file), so the driver runs in a process of its own, which is the ordinary case of
two processes sharing a WAL database. The frame reaches it as an Arrow IPC file
in a private temporary folder beside the database (it holds the same personal
data), removed when the write ends. The child reports each committed chunk on
stdout, so progress and failures are seen as they happen.

python -m linkage.sqlite_ingest DATABASE TABLE FRAME.arrow CHUNK_ROWS
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import LinkageError

if TYPE_CHECKING:  # the child process never imports polars (a second of start)
    import polars as pl

#: How long a write waits for another writer (as ``core.db``'s engines).
BUSY_MS = 30_000
#: A 128 MiB page cache holds the table's indexes while rows are added.
CACHE_KIB = 131_072
_ROOT = Path(__file__).resolve().parents[1]


def ingest(
    database: Path,
    table: str,
    frame: pl.DataFrame,
    chunk_rows: int,
    on_rows: Callable[[int], None],
) -> None:
    """Append ``frame`` (columns named as ``table``'s; dates as ISO text) to
    ``table`` in ``database``, one committed transaction per ``chunk_rows``."""
    with tempfile.TemporaryDirectory(dir=database.parent, prefix=".ingest-") as tmp:
        path = Path(tmp) / "frame.arrow"
        frame.write_ipc(path, compression="uncompressed")
        run = [sys.executable, "-m", "linkage.sqlite_ingest", str(database), table,
               str(path), str(chunk_rows)]  # fmt: skip
        with subprocess.Popen(
            run, cwd=_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as child:
            for line in child.stdout or ():
                on_rows(int(line))
            problem = child.stderr.read() if child.stderr else ""
        if child.returncode != 0:
            # the driver's message names the table and the failing constraint,
            # never a row's values
            last = problem.strip().splitlines()[-1:] or ["no message"]
            raise LinkageError(f"Writing table {table} failed: {last[0]}")


def _main(database: str, table: str, frame: str, chunk_rows: str) -> int:
    # the driver's own low-level API: its DB-API layer imports pandas (seconds)
    import adbc_driver_manager as adbc
    import adbc_driver_sqlite
    import pyarrow as pa
    import pyarrow.ipc as ipc

    with pa.memory_map(frame) as source:
        data = ipc.open_file(source).read_all()
    with adbc_driver_sqlite.connect(database) as db, adbc.AdbcConnection(db) as conn:
        with adbc.AdbcStatement(conn) as statement:
            # synchronous=NORMAL as ``core.db``'s engines (safe in WAL mode; not
            # to be changed inside a transaction, so before autocommit goes)
            for pragma in (f"busy_timeout={BUSY_MS}", f"cache_size=-{CACHE_KIB}",
                           "synchronous=NORMAL"):  # fmt: skip
                statement.set_sql_query(f"PRAGMA {pragma}")
                statement.execute_update()
        conn.set_autocommit(False)
        step = int(chunk_rows)
        for start in range(0, data.num_rows, step):
            part = data.slice(start, step)
            with adbc.AdbcStatement(conn) as statement:
                statement.set_options(**{
                    adbc.INGEST_OPTION_TARGET_TABLE: table,
                    adbc.INGEST_OPTION_MODE: adbc.INGEST_OPTION_MODE_APPEND,
                })  # fmt: skip
                statement.bind_stream(part)
                statement.execute_update()
            conn.commit()
            print(part.num_rows, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:5]))
