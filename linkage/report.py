"""The model report for administrators: what the current build learnt and did.

Read from the index (no personal data): m and u per comparison level and the
match weight each gives, a threshold sweep (candidate pairs at or above each
match probability), the sizes of the people linked, and, where a truth file is
given, pair completeness per blocking rule. The dashboard's admin page and
``python -m linkage report`` show the same figures.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.errors import LinkageError
from linkage import index_tables as t

#: Match probabilities the sweep reports (as well as the build's thresholds).
SWEEP = (0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)


@dataclass(frozen=True)
class ModelReport:
    """The current build's model, thresholds and outcomes, as small frames."""

    build_id: str
    link_threshold: float
    review_threshold: float
    levels: pl.DataFrame  # comparison, level, label, m, u, weight
    sweep: pl.DataFrame  # threshold, pairs (compared pairs at or above it)
    cluster_sizes: pl.DataFrame  # records (per person), people
    rules: pl.DataFrame  # rule, label, pairs
    lambda_blocked: float
    em_iterations: int
    em_converged: bool


def level_table(model: dict) -> pl.DataFrame:
    """One row per comparison level: m, u and the weight log2(m/u) it adds."""
    rows = []
    for f in model["fields"]:
        for i, (label, m, u) in enumerate(
            zip(f["labels"], f["m"], f["u"], strict=True)
        ):
            rows.append(
                {
                    "comparison": f["name"], "level": i, "label": label, "m": m,
                    "u": u, "weight": math.log2(m) - math.log2(u),
                }
            )  # fmt: skip
    schema = {
        "comparison": pl.Utf8, "level": pl.Int64, "label": pl.Utf8,
        "m": pl.Float64, "u": pl.Float64, "weight": pl.Float64,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def sweep_table(histogram: dict, thresholds: tuple[float, ...]) -> pl.DataFrame:
    """Compared pairs at or above each match probability, from the build's
    histogram of match weights (pairs per whole-bit weight, rounded down)."""
    bins = sorted((int(k), int(v)) for k, v in histogram.items())
    rows = []
    for p in sorted(set(thresholds)):
        need = math.log2(p) - math.log2(1 - p)
        # A bin of weights [w, w + 1) counts when its lowest weight reaches
        # ``need`` (so the count never overstates), and the bin holding the
        # threshold is taken whole when the threshold is on its lower edge.
        rows.append({"threshold": p, "pairs": sum(n for w, n in bins if w >= need)})
    return pl.DataFrame(rows, schema={"threshold": pl.Float64, "pairs": pl.Int64})


NO_BUILD = "No build is being served yet: run python -m linkage build first."


def _current(engine: Engine) -> tuple[str, dict]:
    try:
        with engine.connect() as conn:
            state = conn.execute(select(t.index_state.c.build_id)).first()
            if state is None:
                raise LinkageError(NO_BUILD)
            build_id = state[0]
            row = conn.execute(
                select(t.builds.c.parameters).where(t.builds.c.build_id == build_id)
            ).first()
    except SQLAlchemyError as exc:  # no index tables yet, or unreachable
        raise LinkageError(NO_BUILD + " (check storage.index_url)") from exc
    return build_id, json.loads(row[0] if row and row[0] else "{}")


def cluster_sizes(engine: Engine, build_id: str) -> pl.DataFrame:
    """How many people hold 1, 2, 3 … records."""
    records = t.built(engine, t.records, build_id)
    per_person = (
        select(func.count().label("n"))
        .where(records.c.build_id == build_id)
        .group_by(records.c.person_id)
        .subquery()
    )
    query = select(per_person.c.n, func.count()).group_by(per_person.c.n)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pl.DataFrame(
        [{"records": int(n), "people": int(c)} for n, c in rows],
        schema={"records": pl.Int64, "people": pl.Int64},
    ).sort("records")


def model_report(engine: Engine) -> ModelReport:
    """The report of the build being served."""
    build_id, params = _current(engine)
    model = params.get("model")
    if not model:
        raise LinkageError(
            "The current build holds no trained model (built by an older version):"
            " run python -m linkage build again."
        )
    link, review = params["link_threshold"], params["review_threshold"]
    rules = pl.DataFrame(
        [
            {"rule": name, "label": label, "pairs": int(pairs)}
            for label in params.get("blocking_rules", [])
            for name in [label.split(":", 1)[0]]
            for pairs in [params.get("pairs_per_rule", {}).get(name, 0)]
        ],
        schema={"rule": pl.Utf8, "label": pl.Utf8, "pairs": pl.Int64},
    )
    return ModelReport(
        build_id, link, review, level_table(model),
        sweep_table(params.get("weight_histogram", {}), (*SWEEP, link, review)),
        cluster_sizes(engine, build_id), rules, model["lambda_blocked"],
        model["em_iterations"], model["em_converged"],
    )  # fmt: skip


def truth_completeness(config, truth_dir: str) -> dict:  # noqa: ANN001 (Config)
    """Pair completeness per blocking rule of the configured sources' records
    against a truth file (``truth_dir/records.csv``: source, record_id,
    person_id), as ``linkage.evaluate.pair_completeness``."""
    from pathlib import Path

    from linkage.evaluate import pair_completeness
    from linkage.names import load_name_tables
    from linkage.pipeline import LINK_FIELDS
    from linkage.standardise import standardise
    from sources.load import load_sources

    path = Path(truth_dir) / "records.csv"
    if not path.is_file():
        raise LinkageError(f"Truth file {path} not found; pass --truth DIR.")
    truth = pl.read_csv(path, infer_schema=False).select(
        "source", "record_id", pl.col("person_id").alias("true_person")
    )
    records = load_sources(config).records.select(LINK_FIELDS)
    std = standardise(records, load_name_tables())
    keyed = std.select("source", "record_id").join(
        truth, on=["source", "record_id"], how="left", maintain_order="left"
    )
    return pair_completeness(std, keyed["true_person"])


def report_dict(report: ModelReport, completeness: dict | None = None) -> dict:
    """The report as plain values (``--json``)."""
    return {
        "build_id": report.build_id,
        "link_threshold": report.link_threshold,
        "review_threshold": report.review_threshold,
        "levels": report.levels.to_dicts(),
        "sweep": report.sweep.to_dicts(),
        "cluster_sizes": report.cluster_sizes.to_dicts(),
        "rules": report.rules.to_dicts(),
        "pair_completeness": completeness or {},
    }


def report_text(report: ModelReport, completeness: dict | None = None) -> str:
    """The report as plain text for the command line."""
    converged = "converged" if report.em_converged else "not converged"
    out = [
        f"Build {report.build_id}: link at match probability "
        f"{report.link_threshold}, review from {report.review_threshold}; EM "
        f"{report.em_iterations} rounds ({converged}), "
        f"share of candidate pairs matching {report.lambda_blocked:.4f}.",
        "",
        "Comparison levels (m: share of true matches at the level; u: of non-"
        "matches; weight: log2(m/u) added to a pair):",
    ]
    for (name,), part in report.levels.group_by("comparison", maintain_order=True):
        out.append(f"  {name}")
        for row in part.iter_rows(named=True):
            out.append(
                f"    {row['level']}  {row['label']:<40} m {row['m']:.4f}  "
                f"u {row['u']:.6f}  weight {row['weight']:+.2f}"
            )
    out += ["", "Threshold sweep (compared pairs at or above):"]
    out += [
        f"  {r['threshold']:<8} {r['pairs']:>12,}"
        for r in report.sweep.iter_rows(named=True)
    ]
    out += ["", "People by records held:"]
    out += [
        f"  {r['records']:>4} records: {r['people']:,} people"
        for r in report.cluster_sizes.iter_rows(named=True)
    ]
    out += ["", "Blocking rules (candidate pairs):"]
    out += [
        f"  {r['label']}: {r['pairs']:,}" for r in report.rules.iter_rows(named=True)
    ]
    if completeness:
        out += [
            "",
            "Pair completeness against the truth file (share of true pairs; only it):",
        ]
        out += [
            f"  {name:<34} {v['completeness']:.4f}  {v['only']:,}"
            for name, v in completeness.items()
        ]
    return "\n".join(out)
