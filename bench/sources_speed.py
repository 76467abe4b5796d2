"""Reading speed and peak memory of ``sources``: every extract of a generated
borough, read, checked and mapped to standard records.

The 1M-people borough's extracts hold about 0.78 million rows, so to reach the
3 million-row bar each source is listed ``--repeat`` times (default: enough
copies for 3 rows per person), each copy read and mapped in full as its own
source. Loading runs in a fresh subprocess so its peak resident memory is its
own. Bars: under 20 s and under 3 GB for ~3 million rows.

    .venv/bin/python bench/sources_speed.py [--people 1000000] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Rows the bar asks for per generated person (3 million for 1 million people).
ROWS_PER_PERSON = 3


def measure(config_path: Path, repeat: int) -> dict:
    """Load every source ``repeat`` times; rows, seconds and this process's peak."""
    from core.config import load_config
    from sources.load import load_sources

    config = load_config(config_path)
    sources = tuple(
        dataclasses.replace(s, name=f"{s.name}_{i}")
        for i in range(repeat)
        for s in config.sources
    )
    config = dataclasses.replace(config, sources=sources)
    started = time.perf_counter()
    loaded = load_sources(config)
    seconds = time.perf_counter() - started
    read = sum(r.rows_read for r in loaded.reports)
    assert read == sum(r.rows_accepted + r.rows_quarantined for r in loaded.reports)
    assert loaded.records.height + loaded.quarantine.height == read
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": read, "seconds": round(seconds, 2), "peak_mb": round(peak)}


def base_rows(config_path: Path) -> int:
    """Rows of one copy of every extract (read once to size the repeat)."""
    from core.config import load_config
    from sources.check import check_sources

    return sum(r.rows_read for r in check_sources(load_config(config_path)))


def main(argv: list[str] | None = None) -> None:
    """Generate (or reuse) a borough, then time loading ~3 rows per person."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default="/tmp/bench-linkage", help="cache folder")
    parser.add_argument("--repeat", type=int, default=0, help="copies of each source")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat)))
        return
    folder = Path(args.data) / f"p{args.people}-s{args.seed}"
    config = folder / "config.toml"
    if not config.is_file():
        from synthetic import generate

        generate(args.people, args.seed, folder)
    repeat = args.repeat
    if not repeat:
        repeat = max(1, math.ceil(ROWS_PER_PERSON * args.people / base_rows(config)))
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(config), "--repeat", str(repeat)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{args.people:,} people, each source read {repeat} times: "
        f"{figures['rows']:,} rows in {figures['seconds']:.1f} s, "
        f"peak {figures['peak_mb']:,} MB (bars: 20 s, 3,000 MB)"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
