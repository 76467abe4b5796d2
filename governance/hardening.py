"""PostgreSQL hardening: the audit table is append-only for everyone.

A trigger refuses UPDATE, DELETE and TRUNCATE on ``audit_events`` (even for the
table's owner), and the application's database role is granted only INSERT and
SELECT on it; restrictions, review items, the review queue's position and
sessions change only to agree with the log (a trigger per table). Events
waiting to be linked (``audit_pending``) may be removed only
once linked, and never changed. The governance tables are handed to the
administrator running this (an owner could re-grant itself DELETE and disable the
trigger, and the dashboard creates the tables as the app role if it starts first),
and a superuser app role is refused, since nothing binds a superuser. Run once by a
database administrator:
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

#: Tables the app updates (sessions end, reviews close, restrictions lift, a
#: session's place moves).
_APP_WRITABLE = (
    "app_sessions", "review_items", "restrictions", "review_sync", "data_reports",
    "session_places",
)  # fmt: skip
#: Every governance table: owned by the administrator, never by the app role.
_OWNED = ("audit_events", "audit_pending", "chain_anchor", "chain_seals",
          *_APP_WRITABLE)  # fmt: skip

_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_PENDING_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_pending_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
       SELECT 1 FROM audit_events WHERE pending_id = OLD.pid) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_pending: % refused (an event leaves only once linked)',
    TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""
#: The governance tables change only to agree with the log (``governance.state``
#: checks the same rules afterwards, on any database).
_STATE_FUNCTION = """
CREATE OR REPLACE FUNCTION governance_state_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE d jsonb; k text; u text; r text; upto integer; keyed integer;
BEGIN
  IF TG_TABLE_NAME = 'restrictions' THEN
    SELECT kind, data::jsonb INTO k, d FROM audit_events
      WHERE kind IN ('restriction_set', 'restriction_lifted')
        AND data::jsonb->>'person_id' = NEW.person_id
      ORDER BY seq DESC LIMIT 1;
    IF k IS NULL
       OR (NEW.lifted_at IS NULL AND (k <> 'restriction_set'
           OR d->>'category' IS DISTINCT FROM NEW.category))
       OR (NEW.lifted_at IS NOT NULL AND k <> 'restriction_lifted') THEN
      RAISE EXCEPTION 'restrictions: % refused: it does not follow a recorded '
        'restriction event', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF TG_TABLE_NAME = 'review_items' THEN
    IF TG_OP = 'INSERT' THEN
      IF NEW.status <> 'open' OR NEW.decided_by IS NOT NULL THEN
        RAISE EXCEPTION 'review_items: a new item is open'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END IF;
    SELECT data::jsonb, user_id INTO d, u FROM audit_events
      WHERE kind = 'review_decision' AND data::jsonb->>'item_id' = NEW.item_id
      ORDER BY seq DESC LIMIT 1;
    IF (NEW.item_id, NEW.flag, NEW.user_id, NEW.detail, NEW.raised_at)
         IS DISTINCT FROM (OLD.item_id, OLD.flag, OLD.user_id, OLD.detail,
                           OLD.raised_at)
       OR d IS NULL OR d->>'status' IS DISTINCT FROM NEW.status
       OR d->>'note' IS DISTINCT FROM NEW.note OR u IS DISTINCT FROM NEW.decided_by
    THEN
      RAISE EXCEPTION 'review_items: change refused: it does not follow a '
        'recorded review_decision' USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF TG_TABLE_NAME = 'review_sync' THEN
    SELECT max((data::jsonb->>'upto')::integer) INTO upto FROM audit_events
      WHERE kind = 'queue_read';
    SELECT first_seq - 1 INTO keyed FROM chain_seals WHERE kind = 'keyed';
    upto := greatest(coalesce(upto, 0), coalesce(keyed, 0));
    IF EXISTS (SELECT 1 FROM audit_events WHERE seq > upto
               AND seq <= NEW.last_seq AND kind <> 'queue_read') THEN
      RAISE EXCEPTION 'review_sync: the position may not pass what a queue_read '
        'event recorded' USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF TG_TABLE_NAME = 'app_sessions' THEN
    IF TG_OP = 'INSERT' THEN
      SELECT data::jsonb, user_id, role INTO d, u, r FROM audit_events
        WHERE kind = 'sign_in' AND session_id = NEW.session_id
        ORDER BY seq DESC LIMIT 1;
      IF d IS NULL OR u <> NEW.user_id OR r <> NEW.role
         OR d->>'expires' IS DISTINCT FROM NEW.absolute_expiry
         OR d->>'token_expiry' IS DISTINCT FROM NEW.token_expiry THEN
        RAISE EXCEPTION 'app_sessions: a session opens only after its sign_in '
          'event' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END IF;
    IF (NEW.session_id, NEW.user_id, NEW.role, NEW.method, NEW.started_at,
        NEW.absolute_expiry, NEW.token_expiry)
         IS DISTINCT FROM (OLD.session_id, OLD.user_id, OLD.role, OLD.method,
                           OLD.started_at, OLD.absolute_expiry, OLD.token_expiry)
       OR (OLD.ended_at IS NOT NULL AND (NEW.ended_at IS DISTINCT FROM OLD.ended_at
           OR NEW.end_reason IS DISTINCT FROM OLD.end_reason))
       OR NEW.last_seen_at < OLD.last_seen_at THEN
      RAISE EXCEPTION 'app_sessions: a session may only be seen or ended, never '
        'changed or reopened' USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END
$$
"""
_STATE_TABLES = ("restrictions", "review_items", "review_sync", "app_sessions")
_TRIGGERS = (
    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
    "DROP TRIGGER IF EXISTS audit_pending_no_change ON audit_pending",
    "CREATE TRIGGER audit_pending_no_change BEFORE UPDATE OR DELETE ON "
    "audit_pending FOR EACH ROW EXECUTE FUNCTION audit_pending_refuse_change()",
    "DROP TRIGGER IF EXISTS audit_pending_no_truncate ON audit_pending",
    "CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
    *(
        statement
        for table in _STATE_TABLES
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_follows_the_log ON {table}",
            f"CREATE TRIGGER {table}_follows_the_log BEFORE INSERT OR UPDATE ON "
            f"{table} FOR EACH ROW EXECUTE FUNCTION governance_state_guard()",
        )
    ),
    "CREATE INDEX IF NOT EXISTS ix_audit_events_kind ON audit_events (kind, seq)",
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
        f"REVOKE ALL ON audit_pending FROM PUBLIC, {role}",
        f"GRANT SELECT, INSERT, DELETE ON audit_pending TO {role}",
        f"GRANT USAGE ON SEQUENCE audit_pending_pid_seq TO {role}",
        f"REVOKE ALL ON chain_anchor, chain_seals FROM PUBLIC, {role}",
        f"GRANT SELECT ON chain_anchor TO {role}",
        f"GRANT SELECT, INSERT ON chain_seals TO {role}",
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
        conn.execute(text(_PENDING_FUNCTION))
        conn.execute(text(_STATE_FUNCTION))
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
