"""Audit log under load and under attack.

1. ``--writers`` processes (each with its own engine) each append ``--events``
   events to one PostgreSQL audit table at once: count lost events, verify the
   chain, report events/s. The schema is hardened first (``setup-postgres``:
   append-only trigger, owned by the administrator) and the writers connect as
   a throw-away app role with only INSERT and SELECT, as the dashboard would.
2. Copy the first ``--tamper-log`` events to a SQLite file, then make
   ``--tamper-trials`` random single-field changes (one at a time, each undone
   before the next) and check ``verify_chain`` names the changed event each time.

``python bench/audit_load.py [--url URL] [--json]``; the URL defaults to
``TEST_POSTGRES_URL``. Without one the bench skips with a message.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.db import make_engine  # noqa: E402
from governance.audit import (  # noqa: E402
    Actor,
    Event,
    audit_events,
    ensure_audit_schema,
    record_event,
    verify_chain,
)
from governance.hardening import harden_postgres  # noqa: E402

TAMPER_FIELDS = (
    "at_utc", "kind", "user_id", "user_name", "role", "session_id", "purpose",
    "case_ref", "data", "prev_hash", "hash",
)  # fmt: skip


def _schema_url(base: str, schema: str, role: str = "") -> str:
    sep = "&" if "?" in base else "?"
    as_role = f"%20-crole%3D{role}" if role else ""
    return f"{base}{sep}options=-csearch_path%3D{schema}{as_role}"


def _writer(url: str, writer: int, events: int) -> int:
    """One app process: its own engine, ``events`` searches; returns how many."""
    engine = make_engine(url)
    actor = Actor(f"bench.{writer}", f"Writer {writer}", "front_door", str(writer))
    for i in range(events):
        record_event(engine, Event("search", actor, "MASH", f"R{writer}", {"i": i}))
    engine.dispose()
    return events


def load(
    url: str, app_url: str, writers: int, events: int
) -> tuple[int, int, bool, float, Engine]:
    """Run the concurrent writers (as the app role, through ``app_url``);
    (written, lost, chain valid, events/s, administrator's engine)."""
    engine = make_engine(url)
    ensure_audit_schema(engine)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=writers) as pool:
        done = sum(pool.map(_writer, [app_url] * writers, range(writers),
                            [events] * writers))  # fmt: skip
    elapsed = time.perf_counter() - start
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(audit_events))
        stored_n = stored.scalar_one()
    valid = verify_chain(engine).valid
    return done, writers * events - stored_n, valid, stored_n / elapsed, engine


def _copy(source: Engine, target: Engine, limit: int) -> int:
    ensure_audit_schema(target)
    with source.connect() as conn:
        rows = conn.execute(
            select(audit_events).order_by(audit_events.c.seq).limit(limit)
        ).mappings()
        rows = [dict(r) for r in rows]
    with target.begin() as conn:
        conn.execute(insert(audit_events), rows)
    return len(rows)


def _changed(value: str, rng: random.Random) -> str:
    """The value with one character replaced by a different one."""
    if not value:
        return "x"
    pos = rng.randrange(len(value))
    choices = [c for c in '0123456789abcdefXYZ{}":,_-' if c != value[pos]]
    return value[:pos] + rng.choice(choices) + value[pos + 1 :]


def tamper(copy: Engine, events: int, trials: int, seed: int = 7) -> int:
    """Trials detected: verify_chain must report exactly the changed event."""
    rng = random.Random(seed)
    detected = 0
    for _ in range(trials):
        seq, field = rng.randint(1, events), rng.choice(TAMPER_FIELDS)
        where = audit_events.c.seq == seq
        with copy.begin() as conn:
            old = conn.execute(select(audit_events.c[field]).where(where)).scalar()
            new = _changed(old, rng)
            conn.execute(update(audit_events).where(where).values({field: new}))
        check = verify_chain(copy)
        detected += (not check.valid) and check.first_broken == seq
        with copy.begin() as conn:
            conn.execute(update(audit_events).where(where).values({field: old}))
    return detected


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=os.environ.get("TEST_POSTGRES_URL", ""))
    p.add_argument("--writers", type=int, default=50)
    p.add_argument("--events", type=int, default=1000, help="events per writer")
    p.add_argument("--tamper-trials", type=int, default=1000)
    p.add_argument("--tamper-log", type=int, default=2000, help="events copied")
    p.add_argument("--json", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    if not args.url.startswith("postgresql"):
        print("SKIPPED: no PostgreSQL URL (pass --url or set TEST_POSTGRES_URL).")
        if args.json:
            print(json.dumps({"skipped": "no PostgreSQL URL"}))
        return 0
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    role = f"{schema}_app"
    admin = make_engine(args.url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
    try:
        harden_postgres(make_engine(_schema_url(args.url, schema)), role)
        written, lost, valid, rate, engine = load(
            _schema_url(args.url, schema),
            _schema_url(args.url, schema, role),
            args.writers,
            args.events,
        )
        with tempfile.TemporaryDirectory() as folder:
            copy = make_engine(f"sqlite:///{folder}/copy.db")
            n = _copy(engine, copy, args.tamper_log)
            detected = tamper(copy, n, args.tamper_trials)
            copy.dispose()
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
    print(f"{args.writers} writers (app role: INSERT and SELECT only, append-only "
          "trigger on) x ", end="")  # fmt: skip
    print(f"{args.events:,} events: {written:,} written, "
          f"{lost:,} lost, chain {'valid' if valid else 'BROKEN'}, {rate:,.0f} "
          f"events/s")  # fmt: skip
    print(f"tampering: {detected:,} of {args.tamper_trials:,} single-field changes "
          f"detected and located (copied log of {n:,} events)")  # fmt: skip
    if args.json:
        print(json.dumps({
            "writers": args.writers, "events_written": written, "events_lost": lost,
            "chain_valid": valid, "events_per_s": round(rate, 1),
            "tamper_trials": args.tamper_trials, "tamper_detected": detected,
        }))  # fmt: skip
    return 0 if (lost == 0 and valid and detected == args.tamper_trials) else 1


if __name__ == "__main__":
    sys.exit(main())
