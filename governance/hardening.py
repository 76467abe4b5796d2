"""PostgreSQL hardening: the audit table is append-only for everyone.

A trigger refuses UPDATE, DELETE and TRUNCATE on ``audit_events`` (even for the
table's owner), and the application's database role is granted only INSERT and
SELECT on it. The governance tables are handed to the administrator running this
(an owner could re-grant itself DELETE and disable the trigger, and the dashboard
creates the tables as the app role if it starts first), and a superuser app role
is refused, since nothing binds a superuser. Run once by a database administrator:
``python -m governance setup-postgres --config PATH --app-role NAME``.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from core.db import is_postgres
from core.errors import AuditError
from governance.audit import ensure_audit_schema
from governance.reports import ensure_reports_schema
from governance.store import ensure_governance_schema

_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

#: Tables the app updates (sessions end, reviews close, restrictions lift).
_APP_WRITABLE = (
    "app_sessions", "review_items", "restrictions", "review_sync", "data_reports"
)  # fmt: skip
#: Every governance table: owned by the administrator, never by the app role.
_OWNED = ("audit_events", "chain_anchor", *_APP_WRITABLE)

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


def _check_app_role(conn, app_role: str) -> None:  # noqa: ANN001
    """Refuse an app role that no trigger or grant can hold back: a superuser, the
    administrator running setup, or a member of the administrator's role (it could
    SET ROLE to the tables' owner)."""
    found = conn.execute(
        text("SELECT rolsuper, pg_has_role(rolname, current_user, 'MEMBER') "
             "FROM pg_roles WHERE rolname = :name"),
        {"name": app_role},
    ).first()  # fmt: skip
    if found is None:
        raise AuditError(f"--app-role {app_role} does not exist: create it first.")
    if found[0] or found[1]:
        raise AuditError(
            f"--app-role {app_role} is a superuser, the role running setup or a "
            "member of it: the dashboard must use its own role without SUPERUSER "
            "and outside the administrator's role, or the audit log cannot be "
            "made append-only."
        )


def harden_postgres(engine: Engine, app_role: str) -> None:
    """Create the tables, take ownership, install the trigger, grant the app role."""
    if not is_postgres(engine):
        raise AuditError("setup-postgres needs a PostgreSQL storage.audit_url.")
    role = quoted_role(app_role)
    with engine.connect() as conn:
        _check_app_role(conn, app_role)
    ensure_audit_schema(engine)
    ensure_governance_schema(engine)
    ensure_reports_schema(engine)
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        owners = [f"ALTER TABLE {t} OWNER TO CURRENT_USER" for t in _OWNED]
        conn.execute(text(_FUNCTION))
        for statement in (*owners, *_TRIGGERS, *_grants(role, schema)):
            conn.execute(text(statement))


def is_hardened(engine: Engine) -> bool:
    """True when both append-only triggers are installed on audit_events."""
    if not is_postgres(engine):
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
