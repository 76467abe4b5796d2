"""python -m api --config PATH [--host H] [--port P] [--workers N]

Starts the read API under uvicorn beside the dashboard, reading the same index
and audit store. Host, port and workers default to ``[api]`` in the config.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from core.config import load_config
from core.errors import ConfigError

#: Seconds an idle keep-alive connection is held open.
KEEP_ALIVE_SECONDS = 75


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    parser.add_argument("--config", required=True, help="the config.toml")
    parser.add_argument("--host", help="address to listen on (api.host)")
    parser.add_argument("--port", type=int, help="port (api.port)")
    parser.add_argument("--workers", type=int, help="processes (api.workers)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    from api.server import CONFIG_ENV

    args = build_parser().parse_args(argv)
    try:
        api = load_config(args.config).api
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    os.environ[CONFIG_ENV] = os.path.abspath(args.config)
    uvicorn.run(
        "api.server:app",
        factory=True,
        host=args.host or api.host,
        port=args.port or api.port,
        workers=args.workers or api.workers,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        # longer than nginx keeps an idle upstream connection (60 s), so nginx,
        # not uvicorn, closes it: a POST sent on a connection uvicorn is closing
        # would fail, and nginx does not retry a POST
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
