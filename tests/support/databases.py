"""Reaching the test PostgreSQL: through ODBC (psqlODBC) and as another role, and an
audit store made to refuse one kind of event."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from core.db import make_engine
from governance.audit import (
    EVENT_KINDS,
)


def odbc_driver() -> str:
    import pyodbc

    names = [d for d in pyodbc.drivers() if "postgres" in d.lower()]
    if not names:
        pytest.skip(
            "no PostgreSQL ODBC driver: apt-get install unixodbc odbc-postgresql"
        )
    return next((d for d in names if "Unicode" in d), names[0])


def odbc_string(url: str) -> str:
    u = make_url(url)
    return (
        f"Driver={{{odbc_driver()}}};Server={u.host};Port={u.port or 5432};"
        f"Database={u.database};Uid={u.username};"
        + (f"Pwd={u.password};" if u.password else "")
    )


def schema_of(url: str) -> str:
    return re.search(r"search_path%3D(\w+)", url).group(1)


def _as_role(url: str, role: str) -> Engine:
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _set_role(dbapi_conn, _record) -> None:  # noqa: ANN001
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET ROLE "{role}"')
        dbapi_conn.commit()  # as a login role would be: no transaction left open

    return engine


def refuse(engine: Engine, kind: str) -> None:
    """Make the audit store refuse events of ``kind`` (a registered constant)."""
    assert kind in EVENT_KINDS
    name = f"refuse_{kind}"
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE INSERT ON audit_events "
                f"WHEN NEW.kind = '{kind}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
            return
        conn.exec_driver_sql(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {name} BEFORE INSERT ON audit_events FOR EACH ROW "
            f"WHEN (NEW.kind = '{kind}') EXECUTE FUNCTION {name}()"
        )


def allow(engine: Engine, kind: str) -> None:
    """Undo ``refuse``."""
    with engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER refuse_{kind}" + (
            "" if engine.dialect.name == "sqlite" else " ON audit_events"
        )))  # fmt: skip
