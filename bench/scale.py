"""How far one machine goes: build and serve generated populations of growing size.

python bench/scale.py [--sizes 1000000,2450000,5000000] [--seed 13]
    [--root /tmp] [--queries 500] [--rebuild] [--json]

For each population (generated once into ``ROOT/bench-scale-N-S``; the
2,450,000 / seed 13 one is ``bench/lookup_speed.py``'s ``/tmp/bench-lookup-2450k``)
the full build runs once as ``python -m linkage build`` (wall seconds, seconds
per stage from its summary, peak resident memory from ``/usr/bin/time``; kept in
the folder's ``scale-build.json`` and reused unless ``--rebuild``). Then a fresh
process loads the index as the dashboard does (``load_s``), serves the noisy
queries of ``bench/lookup_queries.py`` (``search_p95_ms``) and reads its
resident memory after loading and before the queries' truth is read
(``rss_mb``). ``time_exponent`` and ``memory_exponent`` are the slopes of a
least-squares fit of log build seconds and log build peak memory against log
population: 1 is linear growth.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOOKUP_DATA = Path("/tmp/bench-lookup-2450k")


def _folder(root: Path, people: int, seed: int) -> Path:
    if people == 2_450_000 and seed == 13:
        return LOOKUP_DATA
    return root / f"bench-scale-{people}-{seed}"


def generate(people: int, seed: int, data: Path) -> Path:
    config = data / "config.toml"
    if not config.exists():
        subprocess.run(
            [sys.executable, "-m", "sources", "generate", "--people", str(people),
             "--seed", str(seed), "--out", str(data), "--quiet"],
            cwd=ROOT, check=True,
        )  # fmt: skip
    return config


def build(config: Path, rebuild: bool) -> dict:
    """The full build's figures, measured once per data folder."""
    kept = config.parent / "scale-build.json"
    if kept.exists() and not rebuild:
        return json.loads(kept.read_text())
    timing = config.parent / "scale-build.time"
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(timing), sys.executable, "-m",
         "linkage", "build", "--config", str(config), "--json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    figures = {
        "records": summary["records"],
        "build_s": round(wall, 1),
        "build_stages_s": {k: round(v, 1) for k, v in summary["seconds"].items()},
        "build_peak_mb": round(int(timing.read_text().split()[-1]) / 1024, 1),
    }
    kept.write_text(json.dumps(figures))
    (config.parent / ".built").write_text("ok\n")  # bench/lookup_speed.py's mark
    return figures


def serve(config: Path, queries: int, seed: int) -> dict:
    """Load, memory and search speed in a fresh process (``--serve``)."""
    from bench.index_load import _status
    from bench.lookup_queries import draw_queries
    from bench.lookup_speed import pct
    from core.config import load_config
    from core.db import make_engine
    from lookup.artefact import prepared_folder
    from lookup.index import load_index
    from lookup.query import parse_query
    from lookup.search import search

    cfg = load_config(config)
    engine = make_engine(cfg.storage.index_url)
    start = time.perf_counter()
    index = load_index(engine, folder=prepared_folder(cfg))
    load_s = time.perf_counter() - start
    rss = _status("VmRSS")
    today = date.today()
    times = []
    for q in draw_queries(config.parent / "truth", queries, seed, today):
        parsed = parse_query(
            q.first, q.last, q.dob, "", today, q.postcode, q.age_min, q.age_max
        )
        begin = time.perf_counter()
        search(index, parsed, today, cfg.app.max_results)
        times.append((time.perf_counter() - begin) * 1000)
    return {
        "people": index.people.height,
        "load_s": round(load_s, 2),
        "rss_mb": round(rss, 1),
        "search_p95_ms": round(pct(times, 95), 2),
    }


def _served(config: Path, queries: int, seed: int) -> dict:
    """``serve`` in a fresh process; a first one makes the prepared files if a
    build left none (an index built before they existed)."""
    run = [sys.executable, str(Path(__file__).resolve()), "--serve", str(config),
           "--queries", str(queries), "--seed", str(seed)]  # fmt: skip
    for _ in range(2):
        done = subprocess.run(run, cwd=ROOT, check=True, capture_output=True, text=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if "index_prepared_refused" not in done.stderr:
            return figures
    return figures


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log y against log x (None for fewer than 2)."""
    if len(xs) < 2:
        return None
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True))
    den = sum((a - mx) ** 2 for a in lx)
    return round(num / den, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000000,2450000,5000000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--root", type=Path, default=Path("/tmp"))
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true", help="print JSON last")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve, args.queries, args.seed)))
        return 0
    sizes = []
    for people in (int(s) for s in args.sizes.split(",")):
        config = generate(people, args.seed, _folder(args.root, people, args.seed))
        row = {"population": people, **build(config, args.rebuild)}
        row.update(_served(config, args.queries, args.seed))
        sizes.append(row)
        stages = ", ".join(f"{k} {v}" for k, v in row["build_stages_s"].items())
        print(
            f"{people:,} population: {row['records']:,} records, "
            f"{row['people']:,} people; build {row['build_s']} s ({stages}), "
            f"peak {row['build_peak_mb']:,.0f} MB; load {row['load_s']} s, "
            f"RSS {row['rss_mb']:,.0f} MB, search p95 {row['search_p95_ms']} ms",
            flush=True,
        )
    pops = [r["population"] for r in sizes]
    result = {
        "sizes": sizes,
        "time_exponent": slope(pops, [r["build_s"] for r in sizes]),
        "memory_exponent": slope(pops, [r["build_peak_mb"] for r in sizes]),
    }
    print(f"time exponent {result['time_exponent']}, "
          f"memory exponent {result['memory_exponent']}")  # fmt: skip
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
