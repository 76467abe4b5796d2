"""``python -m linkage``: build, evaluate, report, decide, in ``cli.linkage``."""

from cli.linkage import main

if __name__ == "__main__":
    raise SystemExit(main())
