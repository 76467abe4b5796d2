"""Linkage quality against known truth, this project beside Splink 5.

Data: FEBRL4 (two files of 5,000; the union is deduplicated and the true pairs
are the 5,000 cross pairs, so a link inside one file counts as a false
positive), FEBRL1-3 (1,000 / 5,000 / 5,000 records, deduplicated), Splink's
fake_1000 (names, date of birth, city and email; ``../shared/linkage-dev``),
degraded variants of FEBRL3 and FEBRL4 (a third of dates of birth blanked, known
only by year, or drifted by up to four months; FEBRL3 split into two files
linked across only: ``bench.common.degraded``), and generated boroughs of 10k
and 100k people (``--people`` scales the larger one down), the larger also with
the harsh noise profile (``--noise harsh``). Pairwise precision,
recall and F1 are over record pairs put in one person (after clustering, for
both linkers, at match probability 0.99). Generated data also gets exact-person
cluster scores, household false merges (two true people of one true household
merged) and family-membership precision/recall. Every data set gets blocking
pair completeness (share of true pairs among this project's candidate pairs),
in all and per rule (with the true pairs only that rule finds), and the ratio
of our F1 to Splink's from the same run. The true family pairs no group holds
are counted by what their records share (``linkage.evaluate.family_misses``):
an address, a postcode, a group each with one third person, or nothing; the
last no family rule can find, so they bound the family recall (``ceiling``).
``--skip-splink`` leaves Splink out, for a quick loop on our own figures.
``--ssd-flavour eclipse`` (or mosaic) shapes the generated boroughs' children's
social care as that case system's SSD script does (default SystemC's); the
entries' names then end in ``_eclipse``, so they are never read as the default.

    .venv/bin/python bench/linkage_quality.py [--people 100000] [--only large]
        [--skip-splink] [--ssd-flavour systemc|eclipse|mosaic] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    KEY,
    DataSet,
    degraded,
    fake1000,
    febrl,
    generated,
    link_in_subprocess,
)
from linkage.evaluate import family_measure, family_misses, pairwise  # noqa: E402
from linkage.evaluate import pair_completeness as completeness_by_rule  # noqa: E402

#: Public data sets (and our degraded variants of them), in print order.
PUBLIC = (
    "febrl1", "febrl2", "febrl3", "febrl4", "fake1000",
    "febrl3_dob_blank", "febrl3_dob_year", "febrl3_dob_drift", "febrl3_link_only",
    "febrl4_dob_blank", "febrl4_dob_year", "febrl4_dob_drift",
)  # fmt: skip


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


def pair_completeness(data: DataSet) -> dict[str, dict]:
    """Per blocking rule and in all: share of true same-person record pairs among
    this project's candidate pairs (``linkage.evaluate.pair_completeness``)."""
    from linkage.names import load_name_tables
    from linkage.pipeline import LINK_FIELDS
    from linkage.standardise import standardise

    std = standardise(data.records.select(LINK_FIELDS), load_name_tables())
    truth = std.select("rid", *KEY).join(data.truth, on=KEY, how="left")["true_person"]
    return completeness_by_rule(std, truth)


def public(name: str) -> DataSet:
    """A public data set or a degraded variant ("febrl3_dob_year")."""
    for kind in ("dob_blank", "dob_year", "dob_drift", "link_only"):
        if name.endswith(kind):
            return degraded(public(name.removesuffix(f"_{kind}")), kind)
    return fake1000() if name == "fake1000" else febrl(name)


def _scores(data: DataSet, people: pl.DataFrame) -> tuple[dict, pl.DataFrame]:
    joined = people.join(data.truth, on=KEY, how="inner")
    s = pairwise(joined["person_id"], joined["true_person"])
    return {k: s[k] for k in ("precision", "recall", "f1")}, joined


def _families(data: DataSet, joined: pl.DataFrame, families: pl.DataFrame) -> dict:
    """Family precision and recall, and what the missed true pairs share."""
    fam = family_measure(joined, families)
    places = joined.join(data.records.select(*KEY, "postcode", "address"), on=KEY)
    misses = family_misses(places, families)
    return {
        "family_precision": fam["precision"],
        "family_recall": fam["recall"],
        "family_misses": misses,
    }


def evaluate(data: DataSet, splink: bool = True) -> dict:
    """Our and Splink's scores on one data set (plus generated-data extras);
    without ``splink`` ours only."""
    opts = {"profile": data.splink_profile, "link_only": data.link_only}
    ours = link_in_subprocess("ours", data.records)
    result, joined = _scores(data, ours.people)
    result["seconds"] = ours.seconds
    s_joined = None
    if splink:
        theirs = link_in_subprocess("splink", data.records, **opts)
        scores, s_joined = _scores(data, theirs.people)
        result |= {f"splink_{k}": v for k, v in scores.items()}
        result["splink_seconds"] = theirs.seconds
        result["f1_ratio"] = (
            result["f1"] / result["splink_f1"] if result["splink_f1"] else 0
        )
    by_rule = pair_completeness(data)
    result["pair_completeness"] = by_rule["all"]["completeness"]
    result["pair_completeness_by_rule"] = by_rule
    if "household_id" in data.truth.columns:  # generated: households known
        result |= cluster_scores(joined)
        result["household_false_merges"] = household_false_merges(joined)
        if s_joined is not None:
            result |= {f"splink_{k}": v for k, v in cluster_scores(s_joined).items()}
            result["splink_household_false_merges"] = household_false_merges(s_joined)
        result |= _families(data, joined, ours.families)
        result["records"] = data.records.height
    return result


def _splink_words(r: dict) -> str:
    if "splink_f1" not in r:
        return "Splink skipped"
    return (
        f"Splink 5 precision {r['splink_precision']:.4f} recall "
        f"{r['splink_recall']:.4f} F1 {r['splink_f1']:.4f} "
        f"({r['splink_seconds']:.1f}s); F1 ratio {r['f1_ratio']:.4f}"
    )


def _family_words(r: dict) -> str:
    m = r["family_misses"]
    return (
        f"  family precision {r['family_precision']:.4f} recall "
        f"{r['family_recall']:.4f}; true pairs missed, by what their records "
        f"share: address {m['same_address']}, postcode {m['same_postcode']}, "
        f"a third person {m['through_another']}, nothing {m['nothing_shared']} "
        f"(recall ceiling {m['recall_ceiling']:.4f})"
    )


def _print(name: str, r: dict) -> None:
    print(
        f"{name}: precision {r['precision']:.4f} recall {r['recall']:.4f} "
        f"F1 {r['f1']:.4f} ({r['seconds']:.1f}s) | {_splink_words(r)}; "
        f"pair completeness {r['pair_completeness']:.4f}"
    )
    rules = r["pair_completeness_by_rule"]
    print("  per rule (completeness, pairs, true pairs only it finds): " + "; ".join(
        f"{n} {v['completeness']:.3f} {v['pairs']:,} {v['only']}"
        for n, v in rules.items() if n != "all"))  # fmt: skip
    if "family_precision" in r:
        splink = (
            f" (Splink {r['splink_cluster_precision']:.4f} / "
            f"{r['splink_cluster_recall']:.4f})"
            if "splink_cluster_precision" in r else ""
        )  # fmt: skip
        merges = (
            f" (Splink {r['splink_household_false_merges']})"
            if "splink_household_false_merges" in r else ""
        )  # fmt: skip
        print(
            f"  records {r['records']:,}; people exact: precision "
            f"{r['cluster_precision']:.4f} recall {r['cluster_recall']:.4f}"
            f"{splink}; household false merges {r['household_false_merges']}"
            f"{merges}"
        )
        print(_family_words(r))
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    """Run every data set and print figures (and one JSON line with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default="/tmp/bench-linkage", help="cache folder")
    parser.add_argument(
        "--only", nargs="*", help=f"{' '.join(PUBLIC)} small large harsh"
    )
    parser.add_argument(
        "--skip-splink", action="store_true", help="our linker only (a quick loop)"
    )
    parser.add_argument(
        "--ssd-flavour",
        default="systemc",
        choices=("systemc", "eclipse", "mosaic"),
        help="whose SSD script shapes the generated children's social care",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    splink = not args.skip_splink
    wanted = set(args.only or (*PUBLIC, "small", "large", "harsh"))
    out: dict[str, dict] = {}
    for name in PUBLIC:
        if name in wanted:
            out[name] = evaluate(public(name), splink)
            _print(name, out[name])
    for key, n in (
        ("small", args.small),
        ("large", args.people),
        ("harsh", args.people),
    ):
        if key in wanted and (key != "small" or n != args.people):
            noise = "harsh" if key == "harsh" else "normal"
            suffix = "-harsh" if key == "harsh" else ""
            flavour = args.ssd_flavour
            shaped = "" if flavour == "systemc" else f"-{flavour}"
            folder = Path(args.data) / f"p{n}-s{args.seed}{suffix}{shaped}"
            label = f"generated_{n // 1000}k" if n >= 1000 else f"generated_{n}"
            label = label.replace("generated_", "generated_harsh_") if suffix else label
            label += shaped.replace("-", "_")
            data = generated(n, args.seed, folder, noise, flavour)
            out[label] = evaluate(data, splink)
            _print(label, out[label])
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
