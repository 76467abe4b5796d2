"""``python -m governance verify|setup-postgres|retention``: the audit log's upkeep.

``verify --config PATH [--json]`` checks the hash chain; ``doctor --config PATH
[--json] [--notify]`` runs the health checks (exit 0 well, 1 warning, 2 failure);
``setup-postgres --config PATH --app-role NAME`` installs the append-only trigger
and the app role's grants (run it as a database administrator, not as the app's
role); ``retention --config PATH [--apply]`` removes events older than
audit_retention_days.
"""

from __future__ import annotations

import argparse
import getpass
import json
import socket
import sys
import uuid
from datetime import UTC, datetime

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from core.config import load_config
from core.db import make_engine
from core.errors import AuditError, FamilyContextError
from governance import retention
from governance.audit import Actor, ensure_audit_schema, verify_chain
from governance.hardening import harden_postgres


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m governance")
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="check the audit log's hash chain")
    verify.add_argument("--config", default="config.toml", help="config file")
    verify.add_argument(
        "--json", action="store_true", help="machine-readable last line"
    )
    setup = sub.add_parser(
        "setup-postgres", help="append-only trigger and grants on PostgreSQL"
    )
    setup.add_argument("--config", default="config.toml", help="config file")
    setup.add_argument(
        "--app-role", required=True, help="the dashboard's PostgreSQL role"
    )
    doctor = sub.add_parser("doctor", help="health checks for whoever is on call")
    doctor.add_argument("--config", default="config.toml", help="config file")
    doctor.add_argument("--json", action="store_true", help="one JSON document")
    doctor.add_argument(
        "--notify",
        action="store_true",
        help="run operations.notify_command when anything is not ok",
    )
    keep = sub.add_parser(
        "retention", help="remove audit events older than audit_retention_days"
    )
    keep.add_argument("--config", default="config.toml", help="config file")
    keep.add_argument("--apply", action="store_true", help="remove (default: count)")
    return parser


def _retention(config_path: str, really: bool) -> int:
    config = load_config(config_path)
    engine = make_engine(config.storage.audit_url)
    ensure_audit_schema(engine)
    days, now = config.governance.audit_retention_days, datetime.now(UTC)
    if really:
        user = getpass.getuser()
        actor = Actor(user, user, "administrator", f"cli-{uuid.uuid4()}")
        done = retention.apply(engine, actor, days, now)
    else:
        done = retention.plan(engine, days, now)
    verb = "Removed" if really else "Would remove (use --apply)"
    print(f"{verb} {done.expired:,} audit events from before {done.cutoff[:10]}.")
    return 0


def _setup(config_path: str, app_role: str) -> int:
    config = load_config(config_path)
    harden_postgres(make_engine(config.storage.audit_url), app_role)
    print(
        f"audit_events is now append-only; role {app_role} may only INSERT and "
        "SELECT on it."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command; exit 0 when the chain is intact, 1 when broken, 2 on error."""
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        return _doctor(args.config, args.json, args.notify)
    if args.command == "retention":
        try:
            return _retention(args.config, args.apply)
        except (FamilyContextError, SQLAlchemyError) as exc:
            print(f"retention failed: {exc}", file=sys.stderr)
            return 2
    if args.command == "setup-postgres":
        try:
            return _setup(args.config, args.app_role)
        except (FamilyContextError, SQLAlchemyError) as exc:
            print(
                f"setup-postgres failed: {type(exc).__name__}: {exc}", file=sys.stderr
            )
            return 2
    return _verify(args.config, args.json)


def _doctor(config_path: str, as_json: bool, send: bool) -> int:
    """Print the findings; exit by the worst (0 ok, 1 warn, 2 fail)."""
    from core.notify import Notice, notify
    from governance.health import check_health

    health = check_health(config_path)
    if as_json:
        print(json.dumps(health.to_dict(), indent=2))
    else:
        print("\n".join(health.lines()))
    if send and health.problems():
        lines = [f"{f.level.upper()} {f.check}: {f.message}" for f in health.problems()]
        text = (
            f"Family context lookup on {socket.gethostname()}: doctor found "
            f"{len(lines)} problem(s).\n" + "\n".join(lines) + "\n"
        )
        try:
            notify(
                load_config(config_path).operations,
                Notice("doctor", health.status, text),
            )
        except FamilyContextError:
            pass  # an invalid config is already the finding being reported
    return health.exit_code


def _figures(
    events: int, valid: bool, first_broken: int | None, **extra: object
) -> str:
    return json.dumps(
        {"events": events, "valid": valid, "first_broken": first_broken, **extra}
    )


def _verify(config_path: str, as_json: bool) -> int:
    """Check the chain; 0 intact, 1 broken, 2 could not check (never 'valid')."""
    try:
        config = load_config(config_path)
        engine = make_engine(config.storage.audit_url)
        if not inspect(engine).has_table("audit_events"):
            raise AuditError(
                "storage.audit_url holds no audit log (no audit_events table): "
                "check the URL; an empty new database is not an intact log."
            )
        check = verify_chain(engine)
    except (FamilyContextError, SQLAlchemyError) as exc:
        print(f"verify failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if as_json:
            print(_figures(0, False, None, error=type(exc).__name__))
        return 2
    if check.valid:
        print(f"Audit chain intact: {check.events:,} events checked.")
    else:
        print(
            f"Audit chain BROKEN at event {check.first_broken}: it or the event "
            "before it was changed, removed or reordered. Preserve the database "
            "and tell the information-governance lead."
        )
    if as_json:
        print(_figures(check.events, check.valid, check.first_broken))
    return 0 if check.valid else 1


if __name__ == "__main__":
    sys.exit(main())
