"""How right the family view is about a family, against the generator's truth.

python bench/family_quality.py [--people N] [--seed S] [--data DIR] [--views V]
    [--json]

Generates ``--people`` people as of today (default 10,000, seed 7) into
``--data`` (default ``/tmp/family-quality-N-S``), builds the index once, opens
the family view of ``--views`` people drawn at random (default: everyone in the
index) as ``--role`` sees it (default front_door: the visibility matrix, age
rules and detail limits of the generated config, through the same cut the
doorway makes), and compares with ``truth/``:

- ``relationship_precision``: of the members given a stated or derived
  relationship, the share whose relationship fits the true one
  (``synthetic.kinship``; "Sibling" fits a half-sibling, "Mother's partner" the
  father or a step-parent).
- ``relationship_coverage``: the share of members given a stated or derived
  relationship or an honest inference (what is known and that the relationship
  is not recorded: "Adult in the household since 2022, relationship not
  recorded"), never a bare "Not recorded". ``inferred_true`` says how many of
  those inferences the truth bears out (the person is of the household or
  family, and the adult/child word is right); the rest rest on a wrong link.
- ``incident_role_accuracy``: of the incidents shown, the share whose date,
  type and the person's role are the true ones (``truth/incidents.csv``).
- ``summary_complete``: the share of family views whose plain-text summary
  names every member's relationship and every service state shown.

Each person in the index is the true person holding most of their records.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
#: A derived or stated kind -> the true kinds it is right for.
FITS = {
    "parent": {"parent"},
    "step_parent": {"step_parent"},
    "carer": {"parent", "step_parent", "grandparent", "parent_partner",
              "aunt_uncle", "household_adult"},
    "grandparent": {"grandparent"},
    "child": {"child"},
    "stepchild": {"stepchild"},
    "grandchild": {"grandchild"},
    "partner": {"partner"},
    "sibling": {"sibling", "half_sibling"},
    "half_sibling": {"half_sibling"},
    "in_care_of": {"child", "stepchild", "grandchild", "household_child"},
    "parent_partner": {"parent", "step_parent", "parent_partner"},
    "co_parent": {"partner", "co_parent"},
    "sibling_parent": {"parent", "step_parent", "parent_partner"},
    "partner_child": {"child", "stepchild"},
    "aunt_uncle": {"aunt_uncle"},
}  # fmt: skip
#: How every inferred relationship ends: the honest part.
NOT_RECORDED = ", relationship not recorded"


def ensure_data(people: int, seed: int, data: Path, today: date) -> Path:
    """Generate (as of ``today``) and build the index once; the config path."""
    config = data / "config.toml"
    if (data / ".built").exists():
        return config
    run = [sys.executable, "-m"]
    gen = ["sources", "generate", "--people", str(people), "--seed", str(seed),
           "--as-of", today.isoformat(), "--out", str(data), "--quiet"]  # fmt: skip
    subprocess.run([*run, *gen], cwd=ROOT, check=True)
    subprocess.run([*run, "linkage", "build", "--config", str(config)], cwd=ROOT,
                   check=True)  # fmt: skip
    (data / ".built").write_text("ok\n")
    return config


def truth_of(truth_dir: Path, records: pl.DataFrame) -> dict[str, str]:
    """Index person -> the true person holding most of their records."""
    truth = pl.read_csv(
        truth_dir / "records.csv", columns=["source", "record_id", "person_id"],
        schema_overrides={"record_id": pl.Utf8},
    ).rename({"person_id": "truth_id"})  # fmt: skip
    joined = truth.join(records.cast(pl.Utf8), on=["source", "record_id"])
    best = (
        joined.group_by("person_id", "truth_id").len()
        .sort("len", descending=True).group_by("person_id").first()
    )  # fmt: skip
    return dict(best.select("person_id", "truth_id").iter_rows())


def honest(kind: str, truth: str, kin_truth: bool) -> bool:
    """Is an inference ("Adult in the household …") true of the pair?"""
    adult = kind.endswith("_adult")
    if truth in ("household_adult", "household_child"):
        return adult == (truth == "household_adult")
    return kin_truth


def rate(good: int, total: int) -> float:
    return round(good / total, 4) if total else 1.0


def incident_truth(truth_dir: Path) -> dict[tuple[str, date, str], set[str]]:
    """(true person, date, type) -> the roles the generator gave them in it."""
    path = truth_dir / "incidents.csv"
    if not path.exists():
        return {}
    rows = pl.read_csv(path, schema_overrides={"on": pl.Date}, infer_schema_length=0)
    out: dict[tuple[str, date, str], set[str]] = {}
    for pid, on, kind, role in rows.select("person_id", "on", "kind",
                                            "role").iter_rows():  # fmt: skip
        out.setdefault((pid, on, kind), set()).add(role)
    return out


def summary_lists_everything(view, sources) -> bool:  # noqa: ANN001
    """Does the plain-text summary name every member's relationship and every
    service state the view shows them?"""
    from ui.member import is_restricted
    from ui.summary_doc import SummaryHeader, summary_text

    head = SummaryHeader("bench", "BENCH-1", date.today(), "Bench borough")
    text = summary_text(view, sources, head)
    for m in view.members:
        if is_restricted(m):
            continue
        rel = "Person searched for" if m.is_focus else m.relationship
        if f"Name: {m.name}; Relationship: {rel};" not in text:
            return False
        for s in m.services:
            line = f"Name: {m.name}; Service: {s.service}; State: {s.involvement};"
            if line not in text:
                return False
    return True


def run(args: argparse.Namespace) -> dict:
    from core.config import load_config
    from core.db import make_engine
    from core.errors import NotInIndexError
    from governance.visibility import Policy, view_for_role
    from linkage.index_tables import records as records_table
    from lookup.family import family_view
    from lookup.index import load_index, read_table
    from lookup.services import configured_sources
    from synthetic.kinship import Kin, true_relationship

    today = date.today()
    data = args.data or Path(f"/tmp/family-quality-{args.people}-{args.seed}")
    config = load_config(ensure_data(args.people, args.seed, data, today))
    engine = make_engine(config.storage.index_url)
    index = load_index(engine)
    held = ("source", "record_id", "person_id")
    true = truth_of(data / "truth", read_table(engine, records_table,
                                               index.build_id, held))  # fmt: skip
    kin = Kin(pl.read_csv(data / "truth" / "people.csv", infer_schema_length=0))
    ids = index.people["person_id"].cast(pl.Utf8).to_list()
    if args.views and args.views < len(ids):
        ids = random.Random(args.seed).sample(ids, args.views)
    incidents = incident_truth(data / "truth")
    policy = Policy.from_config(config.governance, config.sources)
    cut = policy.disclosure(args.role, index)
    sources = {s.source: s for s in configured_sources(index.source_loads)}
    counts: Counter = Counter()
    confusion: Counter = Counter()
    start = time.perf_counter()
    for pid in ids:
        try:
            found = family_view(index, pid, today, cut)
        except NotInIndexError:  # known only to services the role may not see
            counts["not_shown"] += 1
            continue
        view = view_for_role(found, args.role, policy)
        counts["summaries"] += 1
        counts["summary_complete"] += summary_lists_everything(view, sources)
        for m in view.members:
            for s in m.services:
                for i in s.incidents:
                    counts["incidents"] += 1
                    said = incidents.get((true.get(m.person_id), i.on, i.kind), set())
                    counts["incident_right"] += i.role in said
        focus = true.get(pid)
        for m in view.members:
            if m.is_focus:
                continue
            counts["members"] += 1
            t = true_relationship(kin, focus, true.get(m.person_id), today)
            if m.relationship_basis in ("stated", "derived"):
                counts["specific"] += 1
                ok = t in FITS.get(m.relationship_kind, set())
                counts["precise"] += ok
                if not ok:
                    confusion[(m.relationship_kind, t)] += 1
                counts["covered"] += 1
            elif m.relationship_basis == "inferred":
                counts["inferred"] += 1
                counts["honest"] += honest(m.relationship_kind, t, t != "none")
                counts["covered"] += m.relationship.endswith(NOT_RECORDED)
    seconds = time.perf_counter() - start
    return {
        "people": args.people,
        "seed": args.seed,
        "views": counts["summaries"],
        "not_shown_to_role": counts["not_shown"],
        "members": counts["members"],
        "relationship_precision": rate(counts["precise"], counts["specific"]),
        "relationship_coverage": rate(counts["covered"], counts["members"]),
        "specific_share": rate(counts["specific"], counts["members"]),
        "inferred_true": rate(counts["honest"], counts["inferred"]),
        "incident_role_accuracy": rate(counts["incident_right"], counts["incidents"]),
        "incidents_shown": counts["incidents"],
        "summary_complete": rate(counts["summary_complete"], counts["summaries"]),
        "role": args.role,
        "wrong_relationships": {f"{k} for {t}": n
                                for (k, t), n in confusion.most_common(8)},
        "seconds": round(seconds, 1),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--views", type=int, default=0)
    parser.add_argument("--role", default="front_door",
                        help="the worker role whose view is measured")  # fmt: skip
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = run(args)
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
