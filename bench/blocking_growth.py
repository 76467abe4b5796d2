"""Candidate pairs per blocking rule, and how they grow with the population.

For each generated data folder (``sources generate`` output with its truth),
the records are standardised as a build does and every shipped blocking rule
is run alone: its pairs, how many join the same true person, how many of those
no other rule finds (what the rule is there for), and its pairs per record.
Then the union: pairs, true pairs found of all true pairs (pair completeness).
Growth between the first and last folder is the slope of log pairs against log
records (1 is linear; a rule over 1 makes ever larger blocks).

    .venv/bin/python bench/blocking_growth.py FOLDER [FOLDER ...]
        [--max-block N] [--refine N] [--refine-keys a,b] [--json]

``--refine 0`` gives the blocking before blocks were split (issue 17).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY  # noqa: E402


def _true_person(folder: Path) -> tuple[pl.DataFrame, pl.Series]:
    from core.config import load_config
    from sources.load import load_sources

    records = load_sources(load_config(folder / "config.toml")).records
    truth = pl.read_csv(folder / "truth" / "records.csv", infer_schema=False)
    person = records.select(KEY).join(
        truth.select(*KEY, "person_id"), on=KEY, how="left", maintain_order="left"
    )["person_id"]
    return records, person.cast(pl.Categorical).to_physical()


def measure(folder: Path, max_block: int | None = None, refine=None) -> dict:  # noqa: ANN001
    """Per rule and for the union: pairs, true pairs, pairs unique to a rule."""
    from core.config import LinkageConfig
    from linkage.blocking import Refinement, block, each_rule, rules_from
    from linkage.keycodes import pair_keys
    from linkage.names import load_name_tables
    from linkage.pipeline import LINK_FIELDS
    from linkage.standardise import standardise

    settings = LinkageConfig()
    cap = max_block or settings.max_block_records
    refine = refine or Refinement()
    records, person = _true_person(folder)
    std = standardise(records.select(LINK_FIELDS), load_name_tables())
    rules = rules_from(settings.blocking_rules)
    per_rule, true_keys = {}, []
    for name, pairs, skipped in each_rule(std, rules, cap, refine):
        same = person.gather(pairs["l"]) == person.gather(pairs["r"])
        true = pairs.filter(same.fill_null(False))
        per_rule[name] = {"pairs": pairs.height, "true": true.height,
                          "skipped_blocks": skipped}  # fmt: skip
        true_keys.append(pair_keys(true).to_frame().with_columns(rule=pl.lit(name)))
    every_true = pl.concat(true_keys)
    alone = every_true.group_by("key").agg(pl.col("rule").first(), n=pl.len())
    for row in alone.filter(pl.col("n") == 1).group_by("rule").len().iter_rows():
        per_rule[row[0]]["true_alone"] = row[1]
    started = time.perf_counter()
    union = block(std, rules, cap, refine)
    block_s = time.perf_counter() - started
    sizes = person.value_counts()["count"]
    all_true = int((sizes * (sizes - 1) // 2).sum())
    found_true = alone.height
    return {
        "folder": str(folder), "records": records.height, "max_block": cap,
        "pairs": union.pairs.height, "true_pairs": all_true,
        "true_found": found_true,
        "pair_completeness": round(found_true / max(all_true, 1), 6),
        "block_s": round(block_s, 1),
        "rules": {k: {**v, "true_alone": v.get("true_alone", 0)}
                  for k, v in per_rule.items()},
    }  # fmt: skip


def growth(small: dict, large: dict, a: int, b: int) -> float | None:
    if a <= 0 or b <= 0:
        return None
    return round(math.log(b / a) / math.log(large["records"] / small["records"]), 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--max-block", type=int)
    parser.add_argument(
        "--refine", type=int, help="refine_block_records (0: off; default: config's)"
    )
    parser.add_argument("--refine-keys", help="comma-separated; default: config's")
    parser.add_argument("--json", action="store_true", help="print JSON last")
    args = parser.parse_args()
    from core.config import LinkageConfig
    from linkage.blocking import Refinement

    settings = LinkageConfig()
    keys = settings.refine_keys
    if args.refine_keys is not None:
        keys = tuple(k for k in args.refine_keys.split(",") if k)
    bound = settings.refine_block_records if args.refine is None else args.refine
    refine = Refinement(bound, keys)
    runs = [measure(f, args.max_block, refine) for f in args.folders]
    first, last = runs[0], runs[-1]
    print("rule".ljust(36) + "".join(f"{r['records']:>12,}" for r in runs)
          + "   true  alone  growth")  # fmt: skip
    for name in first["rules"]:
        counts = [r["rules"][name]["pairs"] for r in runs]
        top = last["rules"][name]
        g = growth(first, last, counts[0], counts[-1]) if len(runs) > 1 else None
        print(name.ljust(36) + "".join(f"{c:>12,}" for c in counts)
              + f" {top['true']:>9,} {top['true_alone']:>6,}  {g}")  # fmt: skip
    for r in runs:
        print(f"{r['records']:,} records: {r['pairs']:,} pairs, pair completeness "
              f"{r['pair_completeness']:.5f} ({r['true_found']:,} of "
              f"{r['true_pairs']:,}), block {r['block_s']} s")  # fmt: skip
    if len(runs) > 1:
        print(f"union growth: {growth(first, last, first['pairs'], last['pairs'])}")
    if args.json:
        print(json.dumps({"runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
