"""Linkage quality against known truth, this project beside Splink 5.

Data: FEBRL4 (two files of 5,000; the union is deduplicated and the true pairs
are the 5,000 cross pairs, so a link inside one file counts as a false
positive), FEBRL3 (5,000 records, deduplicated) and generated boroughs of 10k
and 100k people (``--people`` scales the larger one down). Pairwise precision,
recall and F1 are over record pairs put in one person (after clustering, for
both linkers, at match probability 0.99). Generated data also gets exact-person
cluster scores, household false merges (two true people of one true household
merged) and family-membership precision/recall. Every data set gets blocking
pair completeness (share of true pairs among this project's candidate pairs).

    .venv/bin/python bench/linkage_quality.py [--people 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import KEY, DataSet, febrl, generated, link_in_subprocess  # noqa: E402
from linkage.evaluate import family_measure, pairwise  # noqa: E402


def cluster_scores(joined: pl.DataFrame) -> dict[str, float]:
    """Share of found people that are exactly one true person, and vice versa."""
    both = joined.group_by("person_id", "true_person").len()
    sizes_p = joined.group_by("person_id").len().rename({"len": "np"})
    sizes_t = joined.group_by("true_person").len().rename({"len": "nt"})
    exact = both.join(sizes_p, on="person_id").join(sizes_t, on="true_person")
    exact = exact.filter(
        (pl.col("len") == pl.col("np")) & (pl.col("len") == pl.col("nt"))
    )
    return {
        "cluster_precision": exact.height / max(sizes_p.height, 1),
        "cluster_recall": exact.height / max(sizes_t.height, 1),
    }


def household_false_merges(joined: pl.DataFrame) -> int:
    """Distinct pairs of true people of one true household merged into one person."""
    g = joined.select("person_id", "true_person", "household_id").drop_nulls().unique()
    pairs = g.join(g, on=["person_id", "household_id"], suffix="_b").filter(
        pl.col("true_person") < pl.col("true_person_b")
    )
    return pairs.select("true_person", "true_person_b").unique().height


def pair_completeness(data: DataSet) -> float:
    """Share of true same-person record pairs among this project's blocked pairs."""
    from linkage.blocking import block
    from linkage.names import load_name_tables
    from linkage.standardise import standardise

    std = standardise(data.records, load_name_tables())
    truth = std.select("rid", *KEY).join(data.truth, on=KEY, how="left")["true_person"]
    pairs = block(std).pairs
    hits = pairs.select(
        (truth.gather(pairs["l"]) == truth.gather(pairs["r"])).alias("same")
    )["same"].sum()
    sizes = truth.drop_nulls().value_counts()["count"]
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    return hits / true_pairs if true_pairs else 1.0


def _scores(data: DataSet, people: pl.DataFrame) -> tuple[dict, pl.DataFrame]:
    joined = people.join(data.truth, on=KEY, how="inner")
    s = pairwise(joined["person_id"], joined["true_person"])
    return {k: s[k] for k in ("precision", "recall", "f1")}, joined


def evaluate(data: DataSet) -> dict:
    """Our and Splink's scores on one data set (plus generated-data extras)."""
    opts = {"febrl_data": data.febrl, "link_only": data.link_only}
    ours = link_in_subprocess("ours", data.records)
    theirs = link_in_subprocess("splink", data.records, **opts)
    result, joined = _scores(data, ours.people)
    splink, s_joined = _scores(data, theirs.people)
    result |= {f"splink_{k}": v for k, v in splink.items()}
    result |= {"seconds": ours.seconds, "splink_seconds": theirs.seconds}
    result["pair_completeness"] = pair_completeness(data)
    if not data.febrl:
        fam = family_measure(joined, ours.families)
        result |= cluster_scores(joined)
        result |= {f"splink_{k}": v for k, v in cluster_scores(s_joined).items()}
        result |= {
            "household_false_merges": household_false_merges(joined),
            "splink_household_false_merges": household_false_merges(s_joined),
            "family_precision": fam["precision"],
            "family_recall": fam["recall"],
            "records": data.records.height,
        }
    return result


def _print(name: str, r: dict) -> None:
    print(f"{name}: precision {r['precision']:.4f} recall {r['recall']:.4f} "
          f"F1 {r['f1']:.4f} ({r['seconds']:.1f}s) | Splink 5 precision "
          f"{r['splink_precision']:.4f} recall {r['splink_recall']:.4f} "
          f"F1 {r['splink_f1']:.4f} ({r['splink_seconds']:.1f}s); "
          f"pair completeness {r['pair_completeness']:.4f}")  # fmt: skip
    if "family_precision" in r:
        print(
            f"  records {r['records']:,}; people exact: precision "
            f"{r['cluster_precision']:.4f} recall {r['cluster_recall']:.4f} "
            f"(Splink {r['splink_cluster_precision']:.4f} / "
            f"{r['splink_cluster_recall']:.4f}); household false merges "
            f"{r['household_false_merges']} (Splink "
            f"{r['splink_household_false_merges']}); family precision "
            f"{r['family_precision']:.4f} recall {r['family_recall']:.4f}"
        )
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    """Run every data set and print figures (and one JSON line with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default="/tmp/bench-linkage", help="cache folder")
    parser.add_argument("--only", nargs="*", help="febrl4 febrl3 small large")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    wanted = set(args.only or ("febrl4", "febrl3", "small", "large"))
    out: dict[str, dict] = {}
    for name in ("febrl4", "febrl3"):
        if name in wanted:
            out[name] = evaluate(febrl(name))
            _print(name, out[name])
    for key, n in (("small", args.small), ("large", args.people)):
        if key in wanted and (key == "large" or n != args.people):
            folder = Path(args.data) / f"p{n}-s{args.seed}"
            label = f"generated_{n // 1000}k" if n >= 1000 else f"generated_{n}"
            out[label] = evaluate(generated(n, args.seed, folder))
            _print(label, out[label])
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
