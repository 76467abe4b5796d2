"""Command line: ``python -m sources generate …`` and ``python -m sources check …``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from core.config import SSD_FLAVOURS
from core.errors import ConfigError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; give it as YYYY-MM-DD, e.g. 2026-11-20"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sources", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a synthetic population's extracts")
    gen.add_argument("--people", type=int, default=1000, help="how many people")
    gen.add_argument("--seed", type=int, default=1, help="same seed, same bytes")
    gen.add_argument("--out", type=Path, required=True, help="folder to write")
    gen.add_argument(
        "--as-of",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the population's 'today'; every date moves with it "
        "(default 2025-03-31, the fixed reference date)",
    )
    gen.add_argument(
        "--ssd-sqlite",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the SSD tables into this SQLite file (for format = ssd)",
    )
    gen.add_argument(
        "--ssd-flavour",
        choices=SSD_FLAVOURS,
        default="systemc",
        help="write children's social care as this case system's published SSD "
        "script fills the tables (default systemc)",
    )
    gen.add_argument(
        "--noise",
        choices=("normal", "harsh"),
        default="normal",
        help="harsh: a quarter of adults without a date of birth, dates drifting "
        "by weeks or months, 1 January placeholders in some sources, names in "
        "other languages' forms, people recorded at another address",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress or summary")
    chk = sub.add_parser("check", help="load every source and report, no build")
    chk.add_argument("--config", type=Path, required=True, help="config.toml")
    chk.add_argument("--json", action="store_true", help="end with one JSON line")
    return parser


def _generate(args: argparse.Namespace) -> int:
    from synthetic import generate

    if args.people < 1:
        print("--people must be at least 1", file=sys.stderr)
        return 2
    summary = generate(
        args.people,
        args.seed,
        args.out,
        progress=not args.quiet,
        as_of=args.as_of,
        ssd_flavour=args.ssd_flavour,
        noise=args.noise,
    )
    if args.ssd_sqlite:
        from synthetic.ssd_db import write_ssd_database

        url = f"sqlite:///{args.ssd_sqlite.resolve()}"
        write_ssd_database(args.out / "csc", url)
    if not args.quiet:
        print(
            f"{summary.people:,} people in {summary.households:,} households, "
            f"{summary.records:,} records as of {summary.as_of.isoformat()}, "
            f"{summary.seconds:.1f} s -> {args.out}"
        )
        for f in summary.files:
            print(f"  {f.path:<32} {f.format:<8} {f.rows:>10,} rows")
    return 0


def _check(args: argparse.Namespace) -> int:
    from core.config import load_config
    from sources.check import check_sources, report_json, report_lines

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    reports = check_sources(config)
    print("\n".join(report_lines(reports)))
    if args.json:
        print(json.dumps(report_json(reports)))
    if not reports:
        return 2
    return 0 if all(r.ok for r in reports) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; the exit code says whether it went well."""
    args = _parser().parse_args(argv)
    return _generate(args) if args.command == "generate" else _check(args)


if __name__ == "__main__":
    sys.exit(main())
