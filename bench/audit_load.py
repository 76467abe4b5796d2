"""Audit log under load and under attack.

1. ``--writers`` processes (each with its own engine) each append ``--events``
   events to one PostgreSQL audit table at once: count lost events, verify the
   chain, report events/s. The schema is hardened first (``setup-postgres``:
   append-only trigger, owned by the administrator) and the writers connect as
   a throw-away app role with only INSERT and SELECT, as the dashboard would.
2. Copy the first ``--tamper-log`` events (with the chain's seals) to a SQLite
   file, sign a checkpoint of its head (``python -m governance checkpoint``),
   then tamper with it ``--tamper-trials`` times per kind, as someone with the
   database but not the key would, and check ``verify`` (with the checkpoint)
   finds each one:

   - ``field``: one field of one event changed (each undone before the next);
     the changed event must be the one named;
   - ``rehash``: one event edited and every later link recomputed (SHA-256,
     or HMAC under a guessed key); the edited event must be named;
   - ``strip``: the whole chain recomputed without a key and the seals removed,
     so it reads as a log from before keying;
   - ``cut_newest``: the newest events up to the checkpoint removed;
   - ``cut_oldest``: the oldest events removed;
   - ``forge_anchor``: the oldest events removed behind a matching
     ``chain_anchor`` (what retention leaves), unsealed or with a made-up seal.

``python bench/audit_load.py [--url URL] [--sqlite] [--json]``; the URL defaults
to ``TEST_POSTGRES_URL``. Without one the bench skips with a message;
``--sqlite`` runs the same on a fresh SQLite file (the dashboard's default
store). The chain's key is ``FAMILY_CONTEXT_AUDIT_KEY`` (one is made for the
run if unset).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, bindparam, delete, func, insert, select, text, update

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
from governance.chain import GENESIS, ROW_KEYS, chain_hash  # noqa: E402
from governance.checkpoints import verify_with, write_checkpoint  # noqa: E402
from governance.hardening import harden_postgres  # noqa: E402
from governance.keys import KEY_ENV  # noqa: E402
from governance.store import chain_anchor, chain_seals  # noqa: E402

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
    """The first ``limit`` events and the chain's seals (a valid prefix)."""
    ensure_audit_schema(target)
    with source.connect() as conn:
        rows = conn.execute(
            select(audit_events).order_by(audit_events.c.seq).limit(limit)
        ).mappings()
        rows = [dict(r) for r in rows]
        seals = [dict(r) for r in conn.execute(select(chain_seals)).mappings()]
    with target.begin() as conn:
        conn.execute(insert(audit_events), rows)
        conn.execute(insert(chain_seals), seals)
    return len(rows)


def _changed(value: str, rng: random.Random) -> str:
    """The value with one character replaced by a different one."""
    if not value:
        return "x"
    pos = rng.randrange(len(value))
    choices = [c for c in '0123456789abcdefXYZ{}":,_-' if c != value[pos]]
    return value[:pos] + rng.choice(choices) + value[pos + 1 :]


def tamper_fields(copy: Engine, folder: Path, events: int, trials: int,
                  rng: random.Random) -> int:  # fmt: skip
    """Trials detected: verify must report exactly the changed event."""
    detected = 0
    for _ in range(trials):
        seq, field = rng.randint(1, events), rng.choice(TAMPER_FIELDS)
        where = audit_events.c.seq == seq
        with copy.begin() as conn:
            old = conn.execute(select(audit_events.c[field]).where(where)).scalar()
            new = _changed(old, rng)
            conn.execute(update(audit_events).where(where).values({field: new}))
        check, _ = verify_with(copy, folder)
        detected += (not check.valid) and check.first_broken == seq
        with copy.begin() as conn:
            conn.execute(update(audit_events).where(where).values({field: old}))
    return detected


def _relink(conn, start: int, key: bytes | None, rng: random.Random) -> None:  # noqa: ANN001
    """Edit event ``start`` and recompute every later link with ``key``."""
    rows = [dict(r) for r in conn.execute(
        select(audit_events).where(audit_events.c.seq >= start - 1)
        .order_by(audit_events.c.seq)).mappings()]  # fmt: skip
    prev = rows[0]["hash"] if rows[0]["seq"] == start - 1 else GENESIS
    changed = []
    for row in (r for r in rows if r["seq"] >= start):
        if row["seq"] == start:
            field = rng.choice(ROW_KEYS)
            row[field] = _changed(row[field], rng)
        digest = chain_hash(prev, row, key)
        changed.append({**{k: row[k] for k in ROW_KEYS}, "b_seq": row["seq"],
                        "prev_hash": prev, "hash": digest})  # fmt: skip
        prev = digest
    conn.execute(
        update(audit_events).where(audit_events.c.seq == bindparam("b_seq"))
        .values({k: bindparam(k) for k in (*ROW_KEYS, "prev_hash", "hash")}),
        changed,
    )  # fmt: skip


def _rehash(conn, n: int, rng: random.Random) -> int | None:  # noqa: ANN001
    start = rng.randint(1, n)
    key = None if rng.random() < 0.5 else secrets.token_hex(32).encode()
    _relink(conn, start, key, rng)
    return start


def _strip(conn, n: int, rng: random.Random) -> int | None:  # noqa: ANN001
    _relink(conn, 1, None, rng)
    conn.execute(delete(chain_seals))
    return None


def _cut_newest(conn, n: int, rng: random.Random) -> int | None:  # noqa: ANN001
    conn.execute(delete(audit_events).where(audit_events.c.seq > rng.randint(1, n - 1)))
    return None


def _cut_oldest(conn, n: int, rng: random.Random) -> int | None:  # noqa: ANN001
    first = rng.randint(2, n)
    conn.execute(delete(audit_events).where(audit_events.c.seq < first))
    return first


def _forge_anchor(conn, n: int, rng: random.Random) -> int | None:  # noqa: ANN001
    first = rng.randint(2, n)
    prev = conn.execute(select(audit_events.c.prev_hash)
                        .where(audit_events.c.seq == first)).scalar_one()  # fmt: skip
    conn.execute(delete(audit_events).where(audit_events.c.seq < first))
    cutoff = "2026-01-01T00:00:00.000000Z"
    conn.execute(insert(chain_anchor), [{"id": 1, "first_seq": first,
                 "prev_hash": prev, "cutoff_utc": cutoff}])  # fmt: skip
    if rng.random() < 0.5:  # and a made-up seal beside it
        conn.execute(insert(chain_seals), [{"kind": "anchor", "first_seq": first,
                     "prev_hash": prev, "note": "{}", "at_utc": "x",
                     "mac": secrets.token_hex(32)}])  # fmt: skip
    return None


#: Tamperings beyond one field: each returns the event verify must name, or None
#: when finding the tampering at all is what counts.
KINDS: dict[str, Callable] = {
    "rehash": _rehash, "strip": _strip, "cut_newest": _cut_newest,
    "cut_oldest": _cut_oldest, "forge_anchor": _forge_anchor,
}  # fmt: skip


def tamper_kind(base: Path, folder: Path, events: int, trials: int, kind: str,
                rng: random.Random) -> int:  # fmt: skip
    """Trials of one kind detected, each on a fresh copy of the signed log."""
    detected = 0
    work = base.with_name(f"{kind}.db")
    for _ in range(trials):
        shutil.copyfile(base, work)
        copy = make_engine(f"sqlite:///{work}")
        with copy.begin() as conn:
            named = KINDS[kind](conn, events, rng)
        check, _ = verify_with(copy, folder)
        copy.dispose()
        found = not check.valid
        detected += found and (named is None or check.first_broken == named)
    return detected


def tamper(engine: Engine, log: int, trials: int, seed: int = 7) -> dict[str, int]:
    """Detected trials per kind, on a signed copy of the first ``log`` events."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        base, folder = Path(tmp) / "copy.db", Path(tmp) / "checkpoints"
        copy = make_engine(f"sqlite:///{base}")
        n = _copy(engine, copy, log)
        write_checkpoint(copy, folder, datetime.now(UTC))
        found = {"field": tamper_fields(copy, folder, n, trials, rng)}
        copy.dispose()
        for kind in KINDS:
            found[kind] = tamper_kind(base, folder, n, trials, kind, rng)
    return found


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=os.environ.get("TEST_POSTGRES_URL", ""))
    p.add_argument("--writers", type=int, default=50)
    p.add_argument("--events", type=int, default=1000, help="events per writer")
    p.add_argument("--tamper-trials", type=int, default=1000, help="per kind")
    p.add_argument("--tamper-log", type=int, default=2000, help="events copied")
    p.add_argument("--sqlite", action="store_true",
                   help="the same on a fresh SQLite file instead")  # fmt: skip
    p.add_argument("--json", action="store_true")
    return p.parse_args(argv)


def _sqlite(args: argparse.Namespace) -> tuple[int, int, bool, float, dict]:
    """The same load on a fresh SQLite file (no roles or trigger there: the
    writers queue for the file's write lock)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'audit.db'}"
        written, lost, valid, rate, engine = load(url, url, args.writers, args.events)
        found = tamper(engine, args.tamper_log, args.tamper_trials)
        engine.dispose()
    return written, lost, valid, rate, found


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    os.environ.setdefault(KEY_ENV, secrets.token_hex(32))  # the writers inherit it
    if args.sqlite:
        return _report(args, "SQLite file", *_sqlite(args))
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
        found = tamper(engine, args.tamper_log, args.tamper_trials)
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
    where = "PostgreSQL, app role: INSERT and SELECT only, append-only trigger on"
    return _report(args, where, written, lost, valid, rate, found)


def _report(args: argparse.Namespace, where: str, written: int, lost: int,
            valid: bool, rate: float, found: dict[str, int]) -> int:  # fmt: skip
    trials, detected = args.tamper_trials * len(found), sum(found.values())
    print(f"{args.writers} writers ({where}) x ", end="")
    print(f"{args.events:,} events: {written:,} written, "
          f"{lost:,} lost, chain {'valid' if valid else 'BROKEN'}, {rate:,.0f} "
          f"events/s (bar 1,000; issue 16's starting figure: about 220)")  # fmt: skip
    print(
        f"tampering a signed copy of {min(args.tamper_log, written):,} events: "
        f"{detected:,} of {trials:,} detected — "
        + ", ".join(f"{k} {v:,}/{args.tamper_trials:,}" for k, v in found.items())
    )
    if args.json:
        print(json.dumps({
            "store": "sqlite" if args.sqlite else "postgresql",
            "writers": args.writers, "events_written": written, "events_lost": lost,
            "chain_valid": valid, "events_per_s": round(rate, 1),
            "tamper_trials": trials, "tamper_detected": detected,
            "tamper_by_kind": found,
        }))  # fmt: skip
    return 0 if (lost == 0 and valid and detected == trials) else 1


if __name__ == "__main__":
    sys.exit(main())
