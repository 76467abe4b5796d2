"""``python -m lookup``: the audited command line, in ``cli.lookup``."""

from cli.lookup import main

if __name__ == "__main__":
    raise SystemExit(main())
