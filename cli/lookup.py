"""Command line: the same audited search and family view as the dashboard.

python -m lookup search --config PATH (--first X --last Y [--dob D] [--postcode P]
    [--age-min A --age-max B] | --id ID)
    --purpose P --case-ref R [--json]
python -m lookup family --config PATH --person-id ID --purpose P --case-ref R
    [--override "written reason"] [--json]

Both act as the operating-system user running them, in the role
``[governance.cli_users]`` grants that user (no flag chooses either), and apply
the dashboard's policy (``[governance]``: visibility matrix, emergency
purposes, restricted people). A restricted person opens only with ``--override``,
recorded as its own audit event for the auditor's review queue.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date

from cli.lookup_text import candidates_text, family_text
from cli.serialise import candidates_json, family_json
from core.config import Config, load_config
from core.db import make_engine
from core.errors import FamilyContextError, UserInputError
from governance.access import (
    AccessRequest,
    audited_family,
    audited_search_result,
    check_reason,
)
from governance.audit import ensure_audit_schema
from governance.cli_identity import cli_actor
from governance.keys import audit_engine
from governance.restrictions import RESTRICTED_MESSAGE, RestrictedRecord, is_redacted
from governance.visibility import Policy
from lookup.artefact import prepared_folder
from lookup.index import load_index
from lookup.query import parse_query
from lookup.search import Candidate


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config.toml", help="TOML config file")
    parser.add_argument("--purpose", required=True, help="one of [app] purposes")
    parser.add_argument("--case-ref", required=True, help="case or referral ref")
    parser.add_argument("--explanation", default="", help="needed for Emergency")
    for gone in ("--user", "--role"):
        parser.add_argument(gone, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--json", action="store_true", help="print JSON last")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``python -m lookup``."""
    parser = argparse.ArgumentParser(prog="python -m lookup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    find = commands.add_parser("search", help="find a person")
    find.add_argument("--first", default="")
    find.add_argument("--last", default="")
    find.add_argument("--name", default="", help='e.g. "SMITH, John"')
    find.add_argument("--dob", default="", help="DD/MM/YYYY or YYYY-MM-DD")
    find.add_argument("--id", default="", help="NHS number, UPN or case number")
    find.add_argument("--postcode", default="", help="optional: lifts people there")
    find.add_argument("--age-min", default=None, help="optional age range, years")
    find.add_argument("--age-max", default=None)
    find.add_argument("--limit", type=int, default=None)
    _common(find)
    fam = commands.add_parser("family", help="open a person's family view")
    fam.add_argument("--person-id", required=True)
    fam.add_argument(
        "--override",
        default="",
        help="written reason to open a restricted person (audited, reviewed)",
    )
    _common(fam)
    return parser


IDENTITY_FLAGS = (
    "--user and --role are gone: the command-line tools act as the operating-"
    "system user running them, in the role [governance.cli_users] grants that "
    "user in the config. Run as yourself (not a shared account)."
)


def _today(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError as exc:
        raise UserInputError("--today must be a date as YYYY-MM-DD.") from exc


def _restricted_note(found: list[Candidate]) -> str:
    ids = [c.person_id for c in found if is_redacted(c)]
    if not ids:
        return ""
    return (
        f"\n\n{', '.join(ids)}: {RESTRICTED_MESSAGE} To open one anyway, run "
        'family --person-id ID --override "written reason" (recorded and reviewed).'
    )


def _run(args: argparse.Namespace, config: Config) -> str:
    today = _today(args.today)
    policy = Policy.from_config(config.governance, config.sources)
    reason = check_reason(
        args.purpose, args.case_ref, args.explanation, config.app.purposes, policy
    )
    index = load_index(
        make_engine(config.storage.index_url), folder=prepared_folder(config)
    )
    audit = audit_engine(config)
    ensure_audit_schema(audit)
    actor = cli_actor(config, audit, "lookup")
    request = AccessRequest(index, audit, actor, reason, policy, today)
    if args.command == "search":
        first, last = ("", args.name) if args.name else (args.first, args.last)
        query = parse_query(
            first, last, args.dob, args.id, today,
            args.postcode, args.age_min, args.age_max,
        )  # fmt: skip
        limit = args.limit or config.app.max_results
        result = audited_search_result(request, query, limit)
        found = result.candidates
        fits = {"fitting": result.fitting, "prompt": result.prompt or None}
        payload = candidates_json(found) | fits
        text = candidates_text(found) + _restricted_note(found)
        text += f"\n\n{result.prompt}" if result.prompt else ""
    else:
        view = audited_family(request, args.person_id, override=args.override)
        payload, text = family_json(view), family_text(view)
    return json.dumps(payload, ensure_ascii=False) if args.json else text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; errors are printed as their safe message, never a traceback."""
    args = build_parser().parse_args(argv)
    if args.user is not None or args.role is not None:
        print(f"Error: {IDENTITY_FLAGS}", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
        print(_run(args, config))
    except RestrictedRecord as exc:
        print(f'Error: {exc} Use --override "written reason".', file=sys.stderr)
        return 1
    except FamilyContextError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UserInputError) else 1
    return 0
