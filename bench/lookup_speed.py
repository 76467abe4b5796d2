"""Search and family-view speed, accuracy and memory on a generated linked index.

python bench/lookup_speed.py [--people N] [--seed S] [--data DIR] [--queries Q]
    [--pg-url URL] [--json] [--misses FILE]

``--people`` is the generated population; the index holds the people known to
at least one service (about 0.4 of it), and that count is reported as
``people``: the default 2,450,000 gives an index of about 1,000,000 people.
The data are generated and built once into ``--data`` (default
``/tmp/lookup-bench-N-S``) and reused. 1,000 noisy queries drawn from the truth
(the mix is in ``bench/lookup_queries.py``: half without a date of birth, some
with a postcode or an age range, misspelt, nicknames, other spellings,
surname first) are searched; top-1/top-5 count a hit when the listed person
holds any of the true person's records. Queries that no search could answer
for sure (another true person who could be called by the referral's name fits
everything else given) are counted in top-1/top-5 and also reported apart,
with the figures without them (``ambiguous``, ``top1_unambiguous``,
``top5_unambiguous`` in the JSON). Of the ambiguous queries, those whose
fitting people fit within the results cap should list the person meant
(``ambiguous_listed``: share listed anywhere); those with more fitting people
than the cap should carry the count and the prompt the page shows asking for
the detail that tells them apart (``ambiguous_prompted``). A search is timed
with that count (``lookup.seen_results.fitting_count``: the people who fit that
a viewer who sees every service, age rules applied, may see) and its prompt.
Resident memory is read after the index is
loaded (the records' truth mapping is read afterwards, as the bench's own). With
``--pg-url`` (or ``TEST_POSTGRES_URL``) the same searches run as PostgreSQL
pg_trgm similarity queries over the same people.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Seconds to wait after loading before reading resident memory.
SETTLE_S = 15


def rss_mb() -> float:
    """Resident memory of this process, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def ensure_data(people: int, seed: int, data: Path) -> Path:
    """Generate and build the index once; returns the config path."""
    config = data / "config.toml"
    built = data / ".built"
    if built.exists():
        return config
    run = [sys.executable, "-m"]
    gen = ["sources", "generate", "--people", str(people), "--seed", str(seed)]
    subprocess.run([*run, *gen, "--out", str(data), "--quiet"], cwd=ROOT, check=True)
    build = ["linkage", "build", "--config", str(config)]
    subprocess.run([*run, *build], cwd=ROOT, check=True)
    built.write_text("ok\n")
    return config


def timed(fn, *args, cpu: list[float] | None = None):  # noqa: ANN001, ANN201
    """(result, wall-clock ms); CPU ms of this process appended to ``cpu``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    if cpu is not None:
        cpu.append((time.process_time() - start_cpu) * 1000)
    return out, (time.perf_counter() - start) * 1000


def run(args: argparse.Namespace) -> dict:
    from bench.lookup_queries import draw_queries, true_people
    from core.config import load_config
    from core.db import make_engine
    from linkage.index_tables import records as records_table
    from lookup.disclosure import Disclosure
    from lookup.family import family_view
    from lookup.index import load_index, read_table
    from lookup.query import parse_query
    from lookup.search import find
    from lookup.seen_results import fitting_count, narrowing_prompt
    from lookup.services import configured_sources

    data = args.data or Path(f"/tmp/lookup-bench-{args.people}-{args.seed}")
    config = load_config(ensure_data(args.people, args.seed, data))
    today = date.today()
    before = rss_mb()
    engine = make_engine(config.storage.index_url)
    index, load_ms = timed(load_index, engine)
    gc.collect()
    peak = rss_mb()
    time.sleep(SETTLE_S)  # polars' allocator hands freed load buffers back lazily
    rss = rss_mb()
    print(f"index: {index.people.height:,} people, loaded in {load_ms / 1000:.1f} s")
    print(
        f"RSS {rss:,.0f} MB settled {SETTLE_S} s after load ({peak:,.0f} MB just "
        f"after load, {before:,.0f} MB before)"
    )
    # Drawn after the measurement: reading the truth files is the bench's own
    # memory, not the index's.
    queries = draw_queries(data / "truth", args.queries, args.seed, today)
    held = ("source", "record_id", "person_id")
    truth = true_people(
        data / "truth", read_table(engine, records_table, index.build_id, held)
    )
    limit = config.app.max_results
    everything = Disclosure.everything(configured_sources(index.source_loads))
    listed, prompted = [0, 0], [0, 0]  # (ambiguous queries, listed / prompted)
    search_ms, family_ms, top1, top5 = [], [], 0, 0
    search_cpu: list[float] = []
    family_cpu: list[float] = []
    kinds: dict[str, list[int]] = {}
    noises: dict[str, list[int]] = {}
    clear_noises: dict[str, list[int]] = {}  # the same, unambiguous queries only
    for q in queries:
        parsed = parse_query(
            q.first, q.last, q.dob, "", today, q.postcode, q.age_min, q.age_max
        )

        def searched(query):  # noqa: ANN001, ANN202
            got = find(index, query, today, limit)
            fitting = fitting_count(index, got, everything, today)
            return got.candidates, fitting, narrowing_prompt(query, fitting, limit)

        (found, fitting, prompt), ms = timed(searched, parsed, cpu=search_cpu)
        search_ms.append(ms)
        ids = [c.person_id for c in found]
        want = truth.get(q.truth_id, set())
        if q.ambiguous and q.fits <= limit:
            listed[0], listed[1] = listed[0] + 1, listed[1] + bool(want & set(ids))
        elif q.ambiguous:
            said = bool(prompt) and fitting > len(found)
            prompted[0], prompted[1] = prompted[0] + 1, prompted[1] + said
        top1 += bool(ids[:1] and ids[0] in want)
        top5 += bool(want.intersection(ids[:5]))
        hit = (bool(ids[:1] and ids[0] in want), bool(want.intersection(ids[:5])))
        by_noise = [noises] if q.ambiguous else [noises, clear_noises]
        for table, key in ((kinds, _kind(q)), (kinds, _clear(q)),
                           *((t, n) for n in q.noise or ("none",)
                             for t in by_noise)):  # fmt: skip
            row = table.setdefault(key, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + 1, row[1] + hit[0], row[2] + hit[1]
        if not hit[0] and args.misses:
            _write_miss(args.misses, q, want, found)
        if want:
            _, ms = timed(family_view, index, sorted(want)[0], today, cpu=family_cpu)
            family_ms.append(ms)
    n = len(queries)
    result = {
        "people": index.people.height,
        "queries": n,
        "search_p50_ms": round(pct(search_ms, 50), 2),
        "search_p95_ms": round(pct(search_ms, 95), 2),
        "family_p95_ms": round(pct(family_ms, 95), 2),
        "top1": round(top1 / n, 4),
        "top5": round(top5 / n, 4),
        "rss_mb": round(rss, 1),
        "pg_trgm_p95_ms": None,
        "ambiguous": kinds.get("ambiguous", [0])[0],
        "top1_unambiguous": _share(kinds.get("unambiguous"), 1),
        "top5_unambiguous": _share(kinds.get("unambiguous"), 2),
        "ambiguous_within_cap": listed[0],
        "ambiguous_listed": _share(listed, 1),
        "ambiguous_over_cap": prompted[0],
        "ambiguous_prompted": _share(prompted, 1),
        "search_cpu_p95_ms": round(pct(search_cpu, 95), 2),
        "family_cpu_p95_ms": round(pct(family_cpu, 95), 2),
        "pg_trgm_ratio": None,
    }
    print(
        f"search p50 {result['search_p50_ms']} ms, p95 {result['search_p95_ms']} ms; "
        f"family p95 {result['family_p95_ms']} ms; top-1 {result['top1']}, "
        f"top-5 {result['top5']}"
    )
    print(
        f"ambiguous: {listed[0]} with the fitting people within the cap of "
        f"{limit}, the person meant listed in {listed[1]} "
        f"({result['ambiguous_listed']}); {prompted[0]} with more, the count and "
        f"prompt carried in {prompted[1]} ({result['ambiguous_prompted']})"
    )
    print(
        f"CPU time (less sensitive to other load on the machine): search p50 "
        f"{pct(search_cpu, 50):.2f} ms, p95 {pct(search_cpu, 95):.2f} ms; "
        f"family p95 {pct(family_cpu, 95):.2f} ms; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    tables = (("by detail given", kinds), ("by noise", noises),
              ("unambiguous queries by noise", clear_noises))  # fmt: skip
    for title, table in tables:
        print(title)
        for kind, (count, one, five) in sorted(table.items()):
            print(
                f"  {kind}: {count} queries, "
                f"top-1 {one / count:.3f}, top-5 {five / count:.3f}"
            )
    misses = [q for q in queries if not truth.get(q.truth_id)]
    if misses:
        print(f"{len(misses)} true people have no record in the index")
    result["pg_trgm_p95_ms"] = pg_part(args, index, queries, truth, limit)
    if result["pg_trgm_p95_ms"]:
        ratio = result["pg_trgm_p95_ms"] / max(result["search_p95_ms"], 1e-9)
        result["pg_trgm_ratio"] = round(ratio, 1)
        print(f"pg_trgm p95 / search p95 = {ratio:.1f}x")
    return result


def _write_miss(path: Path, q, want: set[str], found: list) -> None:  # noqa: ANN001
    """One query whose first result was not the person meant, as a JSON line."""
    line = {
        "query": [q.first, q.last, str(q.dob or ""), q.postcode, q.age_min, q.age_max],
        "noise": q.noise, "ambiguous": q.ambiguous, "truth_id": q.truth_id,
        "want": sorted(want),
        "rank": next((i for i, c in enumerate(found) if c.person_id in want), None),
        "top": [(c.person_id, c.score, c.first_name, c.last_name, str(c.dob),
                 c.postcode, c.matched_on) for c in found[:3]],
    }  # fmt: skip
    with path.open("a") as out:
        out.write(json.dumps(line) + "\n")


def _kind(q) -> str:  # noqa: ANN001
    """Which extra detail the query gave besides the name."""
    given = [
        label
        for label, there in (
            ("date of birth", q.dob),
            ("postcode", q.postcode),
            ("age range", q.age_min is not None),
        )
        if there
    ]
    return " + ".join(["name", *given]) if given else "name only"


def _clear(q) -> str:  # noqa: ANN001
    """Whether another true person fits everything the query gives."""
    return "ambiguous" if q.ambiguous else "unambiguous"


def _share(row: list[int] | None, col: int) -> float | None:
    return round(row[col] / row[0], 4) if row and row[0] else None


def pg_part(args, index, queries, truth, limit) -> float | None:  # noqa: ANN001
    url = args.pg_url or os.environ.get("TEST_POSTGRES_URL")
    if not url:
        print("pg_trgm comparison skipped: give --pg-url or set TEST_POSTGRES_URL.")
        return None
    from bench.lookup_pg import pg_trgm_search

    asked = [(f"{q.first} {q.last}".replace(",", " ").strip(), q.dob) for q in queries]
    times, found = pg_trgm_search(url, index.people, asked, limit)
    hits = sum(
        bool(truth.get(q.truth_id, set()).intersection(ids[:5]))
        for q, ids in zip(queries, found, strict=True)
    )
    p95 = round(pct(times, 95), 2)
    print(
        f"pg_trgm p50 {pct(times, 50):.2f} ms, p95 {p95} ms, "
        f"top-5 {hits / len(queries):.4f}"
    )
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2_450_000, help="population")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--data", type=Path, default=None, help="data folder")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--json", action="store_true", help="print JSON last")
    parser.add_argument(
        "--misses", type=Path, default=None,
        help="append each query whose first result is not the person meant to "
        "this file, one JSON line each (names and dates: generated data only)",
    )  # fmt: skip
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
