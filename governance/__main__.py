"""``python -m governance verify --config PATH [--json]``: check the audit chain."""

from __future__ import annotations

import argparse
import json
import sys

from core.config import load_config
from core.db import make_engine
from core.errors import FamilyContextError
from governance.audit import ensure_audit_schema, verify_chain


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m governance")
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="check the audit log's hash chain")
    verify.add_argument("--config", default="config.toml", help="config file")
    verify.add_argument(
        "--json", action="store_true", help="machine-readable last line"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; exit 0 when the chain is intact, 1 when broken, 2 on error."""
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
        engine = make_engine(config.storage.audit_url)
        ensure_audit_schema(engine)
        check = verify_chain(engine)
    except FamilyContextError as exc:
        print(exc, file=sys.stderr)
        return 2
    if check.valid:
        print(f"Audit chain intact: {check.events:,} events checked.")
    else:
        print(
            f"Audit chain BROKEN at event {check.first_broken}: it or the event "
            "before it was changed, removed or reordered. Preserve the database "
            "and tell the information-governance lead."
        )
    if args.json:
        print(
            json.dumps(
                {
                    "events": check.events,
                    "valid": check.valid,
                    "first_broken": check.first_broken,
                }
            )
        )
    return 0 if check.valid else 1


if __name__ == "__main__":
    sys.exit(main())
