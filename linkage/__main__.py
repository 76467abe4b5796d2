"""Command line: ``python -m linkage build|evaluate|decide --config PATH``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from core.config import load_config
from core.errors import FamilyContextError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m linkage",
        description="Link agency records into people and families.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the linked index and switch to it")
    build.add_argument("--config", required=True, help="path of config.toml")
    ev = sub.add_parser("evaluate", help="score the current index against truth")
    ev.add_argument("--config", required=True, help="path of config.toml")
    ev.add_argument("--truth", required=True, help="folder holding records.csv")
    ev.add_argument("--json", action="store_true", help="end with one JSON line")
    dec = sub.add_parser(
        "decide", help="record a clerical decision that every rebuild honours"
    )
    dec.add_argument("--config", required=True, help="path of config.toml")
    kind = dec.add_mutually_exclusive_group(required=True)
    kind.add_argument("--must-link", nargs=2, metavar=("RECORD_A", "RECORD_B"))
    kind.add_argument("--cannot-link", nargs=2, metavar=("RECORD_A", "RECORD_B"))
    dec.add_argument("--by", required=True, help="who decided")
    dec.add_argument("--reason", required=True, help="why, in a few words")
    return parser


def _decide(args: argparse.Namespace) -> None:
    from core.db import make_engine
    from linkage.decisions import parse_record, record_decision

    kind = "must_link" if args.must_link else "cannot_link"
    a, b = (parse_record(x) for x in args.must_link or args.cannot_link)
    engine = make_engine(load_config(args.config).storage.index_url)
    try:
        record_decision(engine, a, b, kind, args.by, args.reason)
    finally:
        engine.dispose()
    print(f"Recorded {kind.replace('_', '-')}; the next build will honour it.")


def _build(args: argparse.Namespace) -> None:
    """Build, recorded in the audit log as start then complete or failed."""
    from core.db import make_engine
    from governance.system_events import audited_build
    from linkage.build import build_index

    config = load_config(args.config)
    audit = make_engine(config.storage.audit_url)
    started = _utc_now()
    try:
        summary = audited_build(
            audit, config,
            lambda: build_index(config, progress=sys.stderr.isatty()),
            lambda: _newest_build(config.storage.index_url, started),
        )  # fmt: skip
    finally:
        audit.dispose()
    print("\n".join(summary.lines()))


def _utc_now() -> str:
    from linkage.writer import utc_now

    return utc_now()


def _newest_build(index_url: str, since: str) -> str | None:
    """The id of the build this run started (for its ``failed`` audit event)."""
    from sqlalchemy import select

    from core.db import make_engine
    from linkage.index_tables import builds

    engine = make_engine(index_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(builds.c.build_id)
                .where(builds.c.started_at >= since)
                .order_by(builds.c.started_at.desc())
                .limit(1)
            ).scalar_one_or_none()
    finally:
        engine.dispose()


def _evaluate(args: argparse.Namespace) -> None:
    from linkage.evaluate import evaluate

    scores = evaluate(load_config(args.config), args.truth)
    family = scores.get("family") or {}
    print(
        f"Records matched to truth: {scores['records_matched']:,} of "
        f"{scores['records_in_index']:,}; people found {scores['people_found']:,}, "
        f"true {scores['people_true']:,}."
    )
    print(
        f"Pairwise precision {scores['precision']:.4f}, recall "
        f"{scores['recall']:.4f}, F1 {scores['f1']:.4f}."
    )
    if family:
        print(
            f"Family membership precision {family['precision']:.4f}, "
            f"recall {family['recall']:.4f}."
        )
    if args.json:
        print(json.dumps(scores))


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; errors are reported in plain words with a non-zero exit."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            _build(args)
        elif args.command == "decide":
            _decide(args)
        else:
            _evaluate(args)
    except FamilyContextError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
