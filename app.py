"""The dashboard: ``streamlit run app.py -- --config PATH`` (default config.toml)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ui.main import run


def config_path(argv: Sequence[str]) -> str:
    """The --config value from the arguments after ``--``."""
    parser = argparse.ArgumentParser(prog="app.py", add_help=False)
    parser.add_argument("--config", default="config.toml")
    args, _ = parser.parse_known_args(list(argv))
    return args.config


if __name__ == "__main__":
    run(config_path(sys.argv[1:]))
