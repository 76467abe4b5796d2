"""Command line: ``python -m linkage build|evaluate|decide|report --config PATH``.

``build`` exits 0 when every source was fresh, 3 when it built but some sources
are stale or dropped, 1 when it failed (the previous index still serves), 2 for
a wrong command line; with ``--json`` its last line is a one-line summary.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from core import logs
from core.config import Config, load_config
from core.errors import FamilyContextError
from core.notify import Notice, notify

#: Exit codes of ``build`` (2 is argparse's for a wrong command line).
BUILT, FAILED, STALE = 0, 1, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m linkage",
        description="Link agency records into people and families.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the linked index and switch to it")
    build.add_argument("--config", required=True, help="path of config.toml")
    build.add_argument(
        "--json", action="store_true", help="end with a one-line JSON summary"
    )
    ev = sub.add_parser("evaluate", help="score the current index against truth")
    ev.add_argument("--config", required=True, help="path of config.toml")
    ev.add_argument("--truth", required=True, help="folder holding records.csv")
    ev.add_argument("--json", action="store_true", help="end with one JSON line")
    rep = sub.add_parser(
        "report", help="what the current build's model learnt: m, u, weights, sweep"
    )
    rep.add_argument("--config", required=True, help="path of config.toml")
    rep.add_argument(
        "--truth", help="folder holding records.csv: adds pair completeness per rule"
    )
    rep.add_argument("--json", action="store_true", help="one JSON object instead")
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


def _build(args: argparse.Namespace) -> int:
    """Build, recorded in the audit log as start then complete or failed; say how
    it went (exit code, summary line) and notify on failure or stale sources."""
    try:
        config = load_config(args.config)
    except FamilyContextError as exc:
        # no config, so no notify command to run: the unit's failure shows it
        print(f"Error: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"status": "failed", "error": type(exc).__name__}))
        return FAILED
    try:
        summary = _audited_build(config)
    except Exception as exc:
        outcome = {"status": "failed", "error": type(exc).__name__}
        text = str(exc) if isinstance(exc, FamilyContextError) else ""
        logs.log_error("build_failed", exc)
        print(f"Error: {text or type(exc).__name__}", file=sys.stderr)
        _finish(config, outcome, args.json, text)
        return FAILED
    print("\n".join(summary.lines()))
    outcome = {"status": summary.status, **summary.to_dict()}
    outcome.pop("pairs_per_rule")
    _finish(config, outcome, args.json)
    return STALE if summary.status == "stale" else BUILT


def _audited_build(config: Config):  # noqa: ANN202 (BuildSummary, imported late)
    from core.db import make_engine
    from governance.keys import audit_engine
    from governance.system_events import audited_build, record_abandoned, system_actor
    from linkage.build import build_index
    from lookup.artefact import prepared_folder
    from lookup.build_files import saver

    audit = audit_engine(config)
    index = make_engine(config.storage.index_url)
    started = _utc_now()
    who = system_actor()
    try:
        return audited_build(
            audit, config,
            lambda: build_index(
                config, progress=sys.stderr.isatty(), run_id=who.session_id,
                on_abandoned=lambda gone: record_abandoned(audit, who, gone),
                on_written=saver(index, prepared_folder(config)),
            ),
            lambda: _newest_build(config.storage.index_url, started),
            actor=who,
        )  # fmt: skip
    finally:
        audit.dispose()
        index.dispose()


def _finish(config: Config, outcome: dict, as_json: bool, error: str = "") -> None:
    """Log the outcome, notify if it calls for it, print the summary line."""
    counts = {k: v for k, v in outcome.items() if isinstance(v, (int, float))}
    logs.log("build_finished", status=outcome["status"],
             build_id=outcome.get("build_id"), **counts)  # fmt: skip
    ops = config.operations
    if outcome["status"] == "failed" or (
        outcome["status"] == "stale" and ops.notify_on_stale
    ):
        sent = notify(
            ops, Notice("build", outcome["status"], notice_text(outcome, error))
        )
        if sent.ran and sent.returncode != 0:
            why = sent.error or f"exit {sent.returncode}"
            print(f"Warning: the notify command did not succeed ({why}).",
                  file=sys.stderr)  # fmt: skip
    if as_json:
        print(json.dumps(outcome, separators=(",", ":"), default=str))


def notice_text(outcome: dict, error: str = "") -> str:
    """The on-call message for a failed or stale build: codes, counts, source names
    and the tool's own error text; never a record."""
    host, now = socket.gethostname(), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    summary = json.dumps(outcome, separators=(",", ":"), default=str)
    if outcome["status"] == "failed":
        head = (f"Family context lookup: the build FAILED on {host} at {now}. "
                "The previous index is still being served.")  # fmt: skip
        why = f"{outcome['error']}: {error}" if error else outcome["error"]
        return f"{head}\nError: {why}\nSummary: {summary}\n"
    parts = [f"served stale: {', '.join(outcome['stale_sources'])}"
             if outcome["stale_sources"] else "",
             f"dropped: {', '.join(outcome['dropped_sources'])}"
             if outcome["dropped_sources"] else ""]  # fmt: skip
    return (
        f"Family context lookup: build {outcome['build_id']} on {host} at {now} "
        f"finished with sources not fresh ({'; '.join(p for p in parts if p)}). "
        "Check those extracts with python -m sources check.\n"
        f"Summary: {summary}\n"
    )


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


def _report(args: argparse.Namespace) -> None:
    from core.db import make_engine
    from linkage.report import (
        model_report,
        report_dict,
        report_text,
        truth_completeness,
    )

    config = load_config(args.config)
    engine = make_engine(config.storage.index_url)
    try:
        report = model_report(engine)
    finally:
        engine.dispose()
    completeness = truth_completeness(config, args.truth) if args.truth else None
    if args.json:
        print(json.dumps(report_dict(report, completeness)))
    else:
        print(report_text(report, completeness))


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; errors are reported in plain words with a non-zero exit."""
    args = _parser().parse_args(argv)
    logs.configure()
    try:
        if args.command == "build":
            with logs.request():
                return _build(args)
        if args.command == "decide":
            _decide(args)
        elif args.command == "report":
            _report(args)
        else:
            _evaluate(args)
    except FamilyContextError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0
