"""``python -m governance verify|checkpoint|new-key|doctor|setup-postgres|retention|
subject-access``: the audit log's upkeep, and subject access requests.

``verify --config PATH [--json] [--checkpoints DIR]`` checks the keyed chain, the
seals and every checkpoint (default: ``governance.checkpoint_folder``), read-only;
``checkpoint --config PATH [--folder DIR]`` signs the verified head into a new
checkpoint file; ``new-key --out PATH`` writes a new audit key (owner-only);
``doctor --config PATH
[--json] [--notify]`` runs the health checks (exit 0 well, 1 warning, 2 failure);
``setup-postgres --config PATH --app-role NAME`` installs the append-only trigger
and the app role's grants (run it as a database administrator, not as the app's
role); ``retention --config PATH [--apply]`` removes events older than
audit_retention_days (as the operating-system user, who needs the administrator
role in ``[governance.cli_users]``); ``subject-access PERSON_ID --ref REF
[--format json|csv|html] [--out FILE]`` writes one person's subject access
report (the user needs the auditor role there).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from core.config import Config, load_config
from core.db import make_engine, read_only_url, sqlite_path
from core.errors import AccessDenied, AuditError, FamilyContextError
from governance import retention
from governance.audit import ChainCheck, ensure_audit_schema
from governance.checkpoints import checkpoint_folder, verify_with, write_checkpoint
from governance.cli_identity import cli_actor
from governance.hardening import harden_postgres
from governance.keys import audit_engine, generate_key_file, key_id, keyed, load_key
from governance.state import state_problems
from governance.subject_access import FORMATS, RENDER, subject_access


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m governance")
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="check the audit log's hash chain")
    verify.add_argument("--config", default="config.toml", help="config file")
    verify.add_argument(
        "--json", action="store_true", help="machine-readable last line"
    )
    verify.add_argument(
        "--checkpoints", default=None, help="folder of signed checkpoints to check"
    )
    point = sub.add_parser("checkpoint", help="sign the chain's head into a file")
    point.add_argument("--config", default="config.toml", help="config file")
    point.add_argument("--folder", default=None, help="checkpoint folder")
    new_key = sub.add_parser("new-key", help="write a new audit key file")
    new_key.add_argument("--out", required=True, help="where (never overwritten)")
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
    sar = sub.add_parser(
        "subject-access",
        help="one person's subject access report (records held, every access)",
    )
    sar.add_argument("person_id", help="the person id (from the audit log)")
    sar.add_argument("--ref", required=True, help="the request's reference")
    sar.add_argument("--config", default="config.toml", help="config file")
    sar.add_argument("--format", choices=FORMATS, default="json")
    sar.add_argument("--out", help="file to write (default: standard output)")
    return parser


def _subject_access(args: argparse.Namespace) -> int:
    """Write the report as the operating-system user, in the role
    ``[governance.cli_users]`` grants (the audit permission is checked)."""
    from lookup.artefact import prepared_folder
    from lookup.index import load_index

    config = load_config(args.config)
    engine = audit_engine(config)
    ensure_audit_schema(engine)
    index = load_index(
        make_engine(config.storage.index_url), folder=prepared_folder(config)
    )
    actor = cli_actor(config, engine, "governance subject-access")
    report = subject_access(
        engine, actor, index, args.person_id, args.ref,
        config.app.local_authority, (args.format,),
    )  # fmt: skip
    text = RENDER[args.format](report)
    if not args.out:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    out.touch(mode=0o600)
    out.write_text(text, encoding="utf-8")
    print(
        f"Wrote {len(report.held)} records and {len(report.accesses)} accesses "
        f"to {out} (recorded as subject_access)."
    )
    return 0


def _retention(config_path: str, really: bool) -> int:
    config = load_config(config_path)
    engine = audit_engine(config)
    ensure_audit_schema(engine)
    days, now = config.governance.audit_retention_days, datetime.now(UTC)
    if really:
        actor = cli_actor(config, engine, "governance retention")
        if actor.role != "administrator":
            raise AccessDenied(
                f"Retention removes audit events: {actor.user_id} needs the "
                "administrator role in [governance.cli_users]."
            )
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
    if args.command == "new-key":
        return _new_key(Path(args.out))
    if args.command == "checkpoint":
        return _checkpoint(args.config, args.folder)
    if args.command == "retention":
        try:
            return _retention(args.config, args.apply)
        except (FamilyContextError, SQLAlchemyError) as exc:
            print(f"retention failed: {exc}", file=sys.stderr)
            return 2
    if args.command == "subject-access":
        try:
            return _subject_access(args)
        except (FamilyContextError, SQLAlchemyError) as exc:
            print(f"subject-access failed: {exc}", file=sys.stderr)
            return 2
    if args.command == "setup-postgres":
        try:
            return _setup(args.config, args.app_role)
        except (FamilyContextError, SQLAlchemyError) as exc:
            print(
                f"setup-postgres failed: {type(exc).__name__}: {exc}", file=sys.stderr
            )
            return 2
    return _verify(args.config, args.json, args.checkpoints)


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


def _new_key(out: Path) -> int:
    try:
        generate_key_file(out)
    except (AuditError, OSError) as exc:
        print(f"new-key failed: {exc}", file=sys.stderr)
        return 2
    print(
        f"Wrote a new audit key to {out} (readable by its owner only). Set "
        f'governance.audit_key = "file:{out}" and keep the file out of the '
        "database's backups."
    )
    return 0


def _checkpoint(config_path: str, folder: str | None) -> int:
    try:
        config = load_config(config_path)
        where = Path(folder) if folder else checkpoint_folder(config)
        if where is None:
            raise AuditError(
                "No checkpoint folder: set governance.checkpoint_folder (outside "
                "the database) or pass --folder DIR."
            )
        engine = _existing_log(config)
        path = write_checkpoint(engine, where, datetime.now(UTC))
    except (FamilyContextError, SQLAlchemyError, OSError) as exc:
        print(f"checkpoint failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(f"Checkpoint written: {path}")
    return 0


def _existing_log(config: Config) -> Engine:
    """The audit log, opened read-only when it is a SQLite file; an error (and
    no new file) when there is none."""
    url = config.storage.audit_url
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise AuditError(
            f"storage.audit_url names a SQLite file that does not exist ({path}): "
            "check the path, or restore the log from its backup."
        )
    engine = keyed(make_engine(read_only_url(url)), load_key(config))
    if not inspect(engine).has_table("audit_events"):
        raise AuditError(
            "storage.audit_url holds no audit log (no audit_events table): "
            "check the URL; an empty new database is not an intact log."
        )
    return engine


def _figures(check: ChainCheck | None, config: Config | None, **extra: object) -> str:
    if check is None:
        return json.dumps({"events": 0, "valid": False, "first_broken": None, **extra})
    key = key_id(load_key(config)) if config is not None else None
    return json.dumps({
        "events": check.events, "valid": check.valid,
        "first_broken": check.first_broken, "head_seq": check.head_seq,
        "head_hash": check.head_hash, "keyed": check.keyed, "key_id": key,
        "checkpoints": check.checkpoints, "problems": list(check.all_problems()),
        **extra,
    })  # fmt: skip


def _verify(config_path: str, as_json: bool, folder: str | None) -> int:
    """Check the chain; 0 intact, 1 broken, 2 could not check (never 'valid')."""
    try:
        config = load_config(config_path)
        where = Path(folder) if folder else checkpoint_folder(config)
        if folder and not where.is_dir():
            raise AuditError(f"--checkpoints {folder} is not a folder.")
        engine = _existing_log(config)
        check, reading = verify_with(
            engine, where if where and where.is_dir() else None
        )
        state = state_problems(engine)
        if state:
            check = replace(check, valid=False, problems=(*check.problems, *state))
    except (FamilyContextError, SQLAlchemyError) as exc:
        print(f"verify failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if as_json:
            print(_figures(None, None, error=type(exc).__name__))
        return 2
    newest = reading.newest
    if check.valid:
        against = (
            f"; {check.checkpoints} checkpoint(s) hold, the newest at event "
            f"{newest.seq}"
            if newest
            else "; no checkpoints given"
        )
        print(
            f"Audit chain intact: {check.events:,} events checked, head event "
            f"{check.head_seq} {check.head_hash}{against}."
        )
        if not check.keyed and check.events:
            print(
                "Note: this log has not been written since the chain was keyed; "
                "its links are plain SHA-256 until the next event is recorded."
            )
    else:
        where_broken = (
            f" at event {check.first_broken}: it or the event before it was "
            "changed, removed or reordered"
            if check.first_broken is not None
            else ""
        )
        print(f"Audit log BROKEN{where_broken}.")
        for problem in check.all_problems():
            print(f"  - {problem}")
        print("Preserve the database and tell the information-governance lead.")
    if as_json:
        print(_figures(check, config))
    return 0 if check.valid else 1


if __name__ == "__main__":
    sys.exit(main())
