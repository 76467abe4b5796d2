"""The checks behind ``governance.health``: each returns findings, never raises.

Config valid; demo mode off; both databases reachable (a SQLite file that is not
there is missing, never created); the audit log append-only for the role the
config connects as; the served build's age and the newest attempt; stale and
dropped sources; the audit chain; free disk space where builds, snapshots and
the SQLite databases are written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from core.config import Config, load_config
from core.db import dialect, is_postgres, make_engine, sqlite_path
from core.errors import FamilyContextError
from governance.audit import ChainCheck
from governance.checkpoints import Reading, checkpoint_folder, verify_with
from governance.hardening import is_hardened
from governance.health import Finding, fail, ok, warn
from governance.keys import keyed, load_key
from governance.state import state_problems
from lookup.build_status import BuildStatus, build_status
from sources.snapshots import snapshot_folder

#: Privileges that would let the app change or remove audit events.
_CHANGES = ("UPDATE", "DELETE", "TRUNCATE")


def _why(exc: BaseException) -> str:
    """The database's own first line (no values of ours), or the error's kind."""
    orig = getattr(exc, "orig", None)
    first = str(orig or "").strip().splitlines()
    return (
        f"{type(orig or exc).__name__}: {first[0][:200]}"
        if first
        else (type(exc).__name__)
    )


def _open(check: str, key: str, url: str) -> tuple[Engine | None, Finding]:
    """An engine that has answered a query, or None and the failure."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        return None, fail(
            check,
            f"{key} names a SQLite file that does not exist: "
            "check the path, or restore it from the backup.",
            dialect="sqlite",
        )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        return None, fail(
            check,
            f"{key}: the database cannot be reached ({_why(exc)}).",
            dialect=dialect(engine),
        )
    return engine, ok(check, "reachable", dialect=dialect(engine))


def check_demo_mode(config: Config) -> Iterator[Finding]:
    if config.app.demo_mode:
        yield warn(
            "demo_mode",
            "app.demo_mode is true: demo users can sign in on "
            "this machine. Never set it on a shared server.",
        )
    else:
        yield ok("demo_mode", "off")


def _privileges(conn) -> dict[str, bool]:  # noqa: ANN001
    row = conn.execute(
        text(
            "SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER'), "
            "has_table_privilege('audit_events', 'UPDATE'), "
            "has_table_privilege('audit_events', 'DELETE'), "
            "has_table_privilege('audit_events', 'TRUNCATE') "
            "FROM pg_roles r, pg_class c "
            "WHERE r.rolname = current_user AND c.oid = 'audit_events'::regclass"
        )
    ).one()
    return dict(zip(("superuser", "owner", *_CHANGES), row, strict=True))


def check_audit_privileges(engine: Engine) -> Iterator[Finding]:
    """The role the config connects as cannot change or remove audit events."""
    if not is_postgres(engine):
        yield warn(
            "audit_privileges",
            "the audit log is a SQLite file: anyone who "
            "can write the file can change it. On a server use PostgreSQL "
            "and python -m governance setup-postgres.",
            dialect=dialect(engine),
        )
        return
    with engine.connect() as conn:
        found = _privileges(conn)
    can = [p for p in _CHANGES if found[p]]
    holes = [k for k in ("superuser", "owner") if found[k]] + can
    if not is_hardened(engine):
        holes.append("no append-only trigger")
    if holes:
        yield fail(
            "audit_privileges",
            "the app's database role can change the "
            f"audit log ({', '.join(holes)}). Run python -m governance "
            "setup-postgres as the database administrator and connect "
            "as the app's own role.",
            holes=holes,
        )
    else:
        yield ok(
            "audit_privileges",
            "append-only: this role may only INSERT and SELECT audit events",
        )


def check_audit_chain(
    engine: Engine, folder: Path | None, now: datetime
) -> Iterator[Finding]:
    """The keyed chain intact, and its head still continuing the newest signed
    checkpoint (``governance.checkpoint_folder``)."""
    if not inspect(engine).has_table("audit_events"):
        yield fail(
            "audit_chain",
            "storage.audit_url holds no audit log "
            "(no audit_events table): check the URL.",
        )
        return
    check, reading = verify_with(engine, folder if folder and folder.is_dir() else None)
    broken = check.first_broken is not None or check.problems
    if not broken:
        yield ok("audit_chain", f"intact: {check.events:,} events",
                 events=check.events, head_seq=check.head_seq,
                 head_hash=check.head_hash, keyed=check.keyed)  # fmt: skip
    else:
        where = f" at event {check.first_broken}" if check.first_broken else ""
        what = "; ".join(check.problems) or "an event was changed, removed or reordered"
        yield fail(
            "audit_chain",
            f"BROKEN{where}: {what}. Preserve the database and tell the "
            "information-governance lead.",
            events=check.events,
            first_broken=check.first_broken,
        )
    yield from _checkpoint_findings(check, reading, folder, now)
    state = state_problems(engine)
    if state:
        yield fail(
            "audit_state",
            "the governance tables were changed without an audit event: "
            + "; ".join(state[:5])
            + ("" if len(state) <= 5 else f" (and {len(state) - 5} more)")
            + ". Preserve the database and tell the information-governance lead.",
            problems=state,
        )
    else:
        yield ok("audit_state", "restrictions, review decisions, the queue's "
                 "position and sessions agree with the log")  # fmt: skip


def _checkpoint_findings(
    check: ChainCheck, reading: Reading, folder: Path | None, now: datetime
) -> Iterator[Finding]:
    newest = reading.newest
    if check.checkpoint_problems:
        yield fail(
            "audit_checkpoint",
            "the log does not continue its signed checkpoints: "
            + "; ".join(check.checkpoint_problems)
            + ". Preserve the database and the checkpoints and tell the "
            "information-governance lead.",
            problems=list(check.checkpoint_problems),
        )
    elif folder is None or newest is None:
        yield warn(
            "audit_checkpoint",
            "no signed checkpoint of the audit chain"
            + ("" if folder else " (governance.checkpoint_folder is not set)")
            + ": cutting the newest events would go unseen. Run python -m "
            "governance checkpoint nightly (docs/deploy.md).",
        )
    else:
        age = _hours(now, datetime.strptime(newest.at_utc, "%Y-%m-%dT%H:%M:%S.%fZ")
                     .replace(tzinfo=now.tzinfo))  # fmt: skip
        finding = ok if age <= 36 else warn
        yield finding(
            "audit_checkpoint",
            f"head event {check.head_seq} continues the newest checkpoint (event "
            f"{newest.seq}, {age} hours old"
            + ("" if age <= 36 else "; the nightly checkpoint has not run")
            + ")",
            checkpoint_seq=newest.seq,
            checkpoint_hash=newest.hash,
            age_hours=age,
            head_seq=check.head_seq,
        )


def _hours(later: datetime, earlier: datetime) -> float:
    return round((later - earlier) / timedelta(hours=1), 1)


def check_builds(
    status: BuildStatus, config: Config, now: datetime
) -> Iterator[Finding]:
    limit = config.operations.max_build_age_hours
    serving, newest = status.serving, status.newest
    if serving is None or serving.finished_at is None:
        yield fail(
            "build_age", "no build is being served: run python -m linkage build."
        )
    else:
        age = _hours(now, serving.finished_at)
        finding = ok if age <= limit else warn if age <= 2 * limit else fail
        words = "current" if age <= limit else "older than it should be"
        yield finding(
            "build_age",
            f"the build served finished {age} hours ago "
            f"({words}; operations.max_build_age_hours = {limit})",
            build_id=serving.build_id,
            age_hours=age,
        )
    if newest is None or serving is None or newest.build_id == serving.build_id:
        return
    if newest.status == "failed":
        why = newest.error or "no reason recorded"
        yield warn(
            "last_build",
            f"the newest build failed ({why}); the previous "
            "one is still served. See the build's log (journalctl -u "
            "family-context-build).",
            build_id=newest.build_id,
        )
    elif newest.status == "running" and _hours(now, newest.started_at) > 12:
        yield warn(
            "last_build",
            "a build has been running for more than 12 "
            "hours: it was probably killed. The next build cleans it up.",
            build_id=newest.build_id,
        )


def check_sources(status: BuildStatus) -> Iterator[Finding]:
    for src in status.sources:
        reason = f" ({src.reason})" if src.reason else ""
        if src.ok:
            continue
        if src.stale:
            yield warn(
                "sources",
                f"{src.source} ({src.service}) is failing and is "
                f"served from its last good extract, stale since "
                f"{src.stale_since}{reason}.",
                source=src.source,
                since=str(src.stale_since),
            )
        else:
            yield fail(
                "sources",
                f"{src.source} ({src.service}) is failing with no "
                f"usable snapshot, so it is not shown at all{reason}.",
                source=src.source,
            )
    if status.sources and all(s.ok for s in status.sources):
        yield ok(
            "sources",
            f"all {len(status.sources)} sources loaded fresh",
            sources=len(status.sources),
        )


def _folders(config: Config) -> dict[str, Path]:
    folders = {"snapshots": snapshot_folder(config)}
    for name, url in (
        ("index", config.storage.index_url),
        ("audit", config.storage.audit_url),
    ):
        path = sqlite_path(url)
        if path is not None:
            folders[name] = path.parent
    return folders


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(config: Config) -> Iterator[Finding]:
    need = config.operations.min_free_disk_gb
    for name, folder in _folders(config).items():
        free = round(shutil.disk_usage(_existing(folder)).free / 1e9, 1)
        finding = ok if free >= need else warn if free >= need / 2 else fail
        yield finding(
            "disk",
            f"{free} GB free for {name} (operations.min_free_disk_gb = {need})",
            folder=name,
            free_gb=free,
        )


def _guard(check: str, run: Callable[[], Iterator[Finding]]) -> list[Finding]:
    """A check that cannot run is a failure of that check, not of doctor."""
    try:
        return list(run())
    except (SQLAlchemyError, FamilyContextError, OSError) as exc:
        return [fail(check, f"could not be checked ({_why(exc)})")]


def run_checks(config_path: str, now: datetime) -> list[Finding]:
    """Every check, in the order someone on call reads them."""
    try:
        config = load_config(config_path)
    except FamilyContextError as exc:
        return [fail("config", str(exc))]
    found = [ok("config", f"{config_path} is valid"), *check_demo_mode(config)]
    index, reached = _open("index_db", "storage.index_url", config.storage.index_url)
    audit, audited = _open("audit_db", "storage.audit_url", config.storage.audit_url)
    found += [reached, audited]
    if audit is not None:
        try:
            audit = keyed(audit, load_key(config))
        except FamilyContextError as exc:
            found.append(fail("audit_key", str(exc)))
            audit.dispose()
            audit = None
    if index is not None:
        found += _guard(
            "build_age", lambda: check_builds(build_status(index), config, now)
        )
        found += _guard("sources", lambda: check_sources(build_status(index)))
        index.dispose()
    if audit is not None:
        found += _guard("audit_privileges", lambda: check_audit_privileges(audit))
        folder = checkpoint_folder(config)
        found += _guard("audit_chain", lambda: check_audit_chain(audit, folder, now))
        audit.dispose()
    return found + _guard("disk", lambda: check_disk(config))
