"""PostgreSQL hardening: the audit table is append-only for everyone.

A trigger refuses UPDATE, DELETE and TRUNCATE on ``audit_events`` (even for the
table's owner), and the application's database role is granted only INSERT and
SELECT on it. Run once by a database administrator:
``python -m governance setup-postgres --config PATH --app-role NAME``.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from core.errors import AuditError
from governance.audit import ensure_audit_schema
from governance.store import ensure_governance_schema

_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

#: Tables the app updates (sessions end, reviews close, restrictions lift).
_APP_WRITABLE = ("app_sessions", "review_items", "restrictions")

_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_TRIGGERS = (
    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
)


def quoted_role(name: str) -> str:
    """A role name checked to be a plain identifier, double-quoted for SQL."""
    if not _ROLE_NAME.fullmatch(name):
        raise AuditError(
            "--app-role must be a plain PostgreSQL role name (letters, digits, _)."
        )
    return f'"{name}"'


def _grants(role: str, schema: str) -> list[str]:
    writable = ", ".join(_APP_WRITABLE)
    return [
        f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
        f"REVOKE ALL ON audit_events FROM PUBLIC, {role}",
        f"GRANT SELECT, INSERT ON audit_events TO {role}",
        f"GRANT USAGE ON SEQUENCE audit_events_seq_seq TO {role}",
        f"REVOKE ALL ON {writable} FROM PUBLIC",
        f"GRANT SELECT, INSERT, UPDATE ON {writable} TO {role}",
        f"REVOKE ALL ON chain_anchor FROM PUBLIC, {role}",
        f"GRANT SELECT ON chain_anchor TO {role}",
    ]


def harden_postgres(engine: Engine, app_role: str) -> None:
    """Create the tables, install the append-only trigger, grant the app role."""
    if engine.dialect.name != "postgresql":
        raise AuditError("setup-postgres needs a PostgreSQL storage.audit_url.")
    role = quoted_role(app_role)
    ensure_audit_schema(engine)
    ensure_governance_schema(engine)
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        conn.execute(text(_FUNCTION))
        for statement in (*_TRIGGERS, *_grants(role, schema)):
            conn.execute(text(statement))


def is_hardened(engine: Engine) -> bool:
    """True when both append-only triggers are installed on audit_events."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND "
                "tgrelid = 'audit_events'::regclass AND tgname IN "
                "('audit_events_no_change', 'audit_events_no_truncate')"
            )
        ).scalar_one()
    return found == 2
