"""How long a serving process takes to load the index, and its memory, then and
while it moves to the next build.

python bench/index_load.py [--people N] [--seed S] [--data DIR] [--json]

The data are ``bench/lookup_speed.py``'s (generated and built once into
``--data``, default ``/tmp/bench-lookup-2450k``: 2,450,000 people, seed 13, an
index of about 1,039,000). The build's prepared files (``lookup.artefact``) are
made from the rows first if missing or another release's (the figure is
printed as ``rows_load_s``: what every process paid before). Then a fresh
process:

* loads the current build through ``load_index`` (``load_s``; ``peak_mb``: its
  peak resident memory, VmHWM, interpreter and libraries included);
* serves 300 searches and family views of people drawn from the index and
  reads its resident memory (``rss_mb``: what a serving process holds, the
  mapped pages those answers touched included);
* moves to a next build through ``lookup.serving.ServedIndex`` while a thread
  keeps searching the old one, and reads the peak of that (``switch_peak_mb``:
  the peak is reset first, /proc/self/clear_refs). The next build is a copy of
  this build's prepared files under another build id: other files, so no page
  is shared with the first, and of the same size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path("/tmp/bench-lookup-2450k")
#: People drawn from the index for the serving warm-up.
SAMPLE = 300


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _config(data: Path, people: int, seed: int):  # noqa: ANN202
    from bench.lookup_speed import ensure_data
    from core.config import load_config

    return load_config(ensure_data(people, seed, data))


def prepare(data: Path, people: int, seed: int) -> dict:
    """Make the current build's prepared files if missing, and its copy as the
    next build; returns how long reading the rows took (when it had to)."""
    from core.db import make_engine
    from lookup.artefact import (
        MANIFEST,
        PreparedRefused,
        prepared_folder,
        read_manifest,
    )
    from lookup.index import current_build_id, load_index

    config = _config(data, people, seed)
    engine = make_engine(config.storage.index_url)
    folder = prepared_folder(config)
    build = current_build_id(engine)
    out: dict = {"rows_load_s": None}
    try:
        read_manifest(folder, build)
    except PreparedRefused:  # missing, or another release's: made from the rows
        start = time.perf_counter()
        load_index(engine, build, folder)
        out["rows_load_s"] = round(time.perf_counter() - start, 2)
    read_manifest(folder, build)
    nxt = folder / f"{build}-next"
    if nxt.exists():
        shutil.rmtree(nxt)
    shutil.copytree(folder / build, nxt)
    manifest = json.loads((nxt / MANIFEST).read_text())
    manifest["build_id"] = nxt.name
    (nxt / MANIFEST).write_text(json.dumps(manifest))
    return out


def _serve(index, rows: list[tuple], today: date) -> None:  # noqa: ANN001
    from lookup.family import family_view
    from lookup.query import parse_query
    from lookup.search import search

    for person_id, first, last, dob in rows:
        query = parse_query(first, last, dob if dob else None, "", today)
        search(index, query, today, 20)
        family_view(index, person_id, today)


def measure(data: Path, people: int, seed: int) -> dict:
    """The figures of one fresh serving process."""
    from core.db import make_engine
    from lookup.artefact import prepared_folder
    from lookup.serving import ServedIndex

    config = _config(data, people, seed)
    engine = make_engine(config.storage.index_url)
    folder = prepared_folder(config)
    today = date.today()
    build = {"id": None}
    served = ServedIndex(engine, folder, current=lambda: build["id"])
    from lookup.index import current_build_id

    build["id"] = current_build_id(engine)
    _reset_peak()
    start = time.perf_counter()
    index = served.get()
    load_s = time.perf_counter() - start
    peak = _status("VmHWM")
    sample = (
        index.people.select("person_id", "first_name", "last_name", "dob")
        .drop_nulls(["first_name", "last_name"])
        .sample(SAMPLE, seed=seed)
        .rows()
    )
    _serve(index, sample, today)
    rss = _status("VmRSS")
    del index
    _reset_peak()
    build["id"] = f"{build['id']}-next"
    stop = threading.Event()

    def keep_serving() -> None:
        while not stop.is_set():
            _serve(served.get(), sample[:20], today)

    worker = threading.Thread(target=keep_serving)
    worker.start()
    start = time.perf_counter()
    served.switch_now()
    switch_s = time.perf_counter() - start
    stop.set()
    worker.join()
    _serve(served.get(), sample, today)  # the new build touched as the old was
    return {
        "people": served.get().people.height,
        "load_s": round(load_s, 2),
        "peak_mb": round(peak, 1),
        "rss_mb": round(rss, 1),
        "switch_peak_mb": round(_status("VmHWM"), 1),
        "switch_s": round(switch_s, 2),
        "rss_after_switch_mb": round(_status("VmRSS"), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2_450_000, help="population")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="print JSON last")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # the fresh process
        print(json.dumps(measure(args.data, args.people, args.seed)))
        return 0
    made = prepare(args.data, args.people, args.seed)
    run = [sys.executable, str(Path(__file__).resolve()), "--measure",
           "--people", str(args.people), "--seed", str(args.seed),
           "--data", str(args.data)]  # fmt: skip
    done = subprocess.run(run, cwd=ROOT, check=True, capture_output=True, text=True)
    result = {**json.loads(done.stdout.strip().splitlines()[-1]), **made}
    ratio = result["switch_peak_mb"] / result["rss_mb"]
    print(
        f"{result['people']:,} people: loaded in {result['load_s']} s, peak "
        f"{result['peak_mb']:,.0f} MB, serving RSS {result['rss_mb']:,.0f} MB; "
        f"switch to the next build {result['switch_s']} s, peak "
        f"{result['switch_peak_mb']:,.0f} MB ({ratio:.2f}x serving RSS)"
    )
    if made["rows_load_s"] is not None:
        print(f"(prepared files made from the rows first: {made['rows_load_s']} s)")
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
