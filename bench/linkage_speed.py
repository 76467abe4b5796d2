"""Linking speed and peak memory, this project beside Splink 5, plus a full build.

The same standard records (loaded by ``sources`` from a generated borough) go
to each linker in its own subprocess (``bench.common.link_in_subprocess``), so
each wall time and peak resident memory is that linker's alone: records in, a
person per record out (ours stops there too: families, possible matches and
explanations are the build's, timed below). Splink trains as its documentation
recommends, with u sampling and EM capped at 5 million pairs. Then
``python -m linkage build`` runs end to end (load, link, families, write to
SQLite, switch) and is timed, with its own seconds per stage.

    .venv/bin/python bench/linkage_speed.py [--people 1000000] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, generated, link_in_subprocess  # noqa: E402


def _stage_seconds(url: str) -> dict[str, float]:
    """Seconds per stage the newest complete build recorded in its summary."""
    from sqlalchemy import select

    from core.db import make_engine
    from linkage import index_tables as t

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            summary = conn.execute(
                select(t.builds.c.summary)
                .where(t.builds.c.status == "complete")
                .order_by(t.builds.c.finished_at.desc())
            ).scalar()
    finally:
        engine.dispose()
    return json.loads(summary or "{}").get("seconds", {})


def build_seconds(config: Path) -> tuple[float, dict[str, float]]:
    """Wall time of ``python -m linkage build`` on ``config`` (fresh index file),
    and the build's own seconds per stage."""
    from core.config import load_config

    url = load_config(config).storage.index_url
    if url.startswith("sqlite:///"):
        index = Path(url.removeprefix("sqlite:///"))
        index = index if index.is_absolute() else config.parent / index
        for old in index.parent.glob(index.name + "*"):
            old.unlink()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "linkage", "build", "--config", str(config)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"build failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started, _stage_seconds(url)


def main(argv: list[str] | None = None) -> None:
    """Time both linkers and the full build; print figures (JSON last with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default="/tmp/bench-linkage", help="cache folder")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(args.data) / f"p{args.people}-s{args.seed}"
    data = generated(args.people, args.seed, folder)
    print(f"{args.people:,} people, {data.records.height:,} records", flush=True)
    ours = link_in_subprocess("ours", data.records, people_only=True)
    print(f"ours: {ours.seconds:.1f}s, peak {ours.peak_mb:,.0f} MB", flush=True)
    out = {"people": args.people, "records": data.records.height,
           "link_s": ours.seconds, "link_peak_mb": ours.peak_mb,
           "splink_s": None, "splink_peak_mb": None, "build_s": None,
           "build_stages": None}  # fmt: skip
    del data
    if not args.no_splink:
        records = generated(args.people, args.seed, folder).records
        theirs = link_in_subprocess("splink", records)
        del records
        out |= {"splink_s": theirs.seconds, "splink_peak_mb": theirs.peak_mb}
        print(f"Splink 5: {theirs.seconds:.1f}s, peak {theirs.peak_mb:,.0f} MB; "
              f"ratio time {ours.seconds / theirs.seconds:.2f}, memory "
              f"{ours.peak_mb / theirs.peak_mb:.2f}", flush=True)  # fmt: skip
    if not args.no_build:
        out["build_s"], out["build_stages"] = build_seconds(folder / "config.toml")
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in out["build_stages"].items())
        print(f"full linkage build: {out['build_s']:.1f}s ({stages})", flush=True)
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
