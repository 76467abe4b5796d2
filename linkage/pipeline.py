"""From standard records to people, families and explanations (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from core.config import LinkageConfig
from linkage.blocking import BlockedPairs, block
from linkage.cluster import cluster
from linkage.compare import Comparison, compare
from linkage.comparisons import default_comparisons
from linkage.decisions import decision_pairs
from linkage.explain import record_evidence
from linkage.families import family_members
from linkage.matches import possible_matches
from linkage.model import Model, train
from linkage.names import load_name_tables
from linkage.people import people_table
from linkage.progress import Stages
from linkage.score import score
from linkage.standardise import standardise

STAGES = ("standardise", "block", "compare", "train", "score", "cluster", "families")


@dataclass(frozen=True)
class Linkage:
    """Everything a build writes besides source reports, as frames."""

    records: pl.DataFrame  # standard records + person_id
    people: pl.DataFrame
    family_members: pl.DataFrame
    possible_matches: pl.DataFrame
    record_evidence: pl.DataFrame
    model: Model
    counts: dict[str, int] = field(default_factory=dict)
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    blocks_skipped: dict[str, int] = field(default_factory=dict)


def _score_pairs(
    std: pl.DataFrame,
    settings: LinkageConfig,
    comparisons: tuple[Comparison, ...],
    stages: Stages,
) -> tuple[BlockedPairs, Model, pl.DataFrame]:
    """Candidate pairs, the trained model, and every pair scored."""
    with stages.stage("block"):
        blocked = block(std)
    with stages.stage("compare"):
        levels = compare(std, blocked.pairs, comparisons)
    with stages.stage("train"):
        model = train(std, levels, comparisons, settings)
    with stages.stage("score"):
        scored = score(std, levels, comparisons, model)
    return blocked, model, scored


def link_records(
    records: pl.DataFrame,
    settings: LinkageConfig,
    services: dict[str, str],
    stages: Stages | None = None,
    comparisons: tuple[Comparison, ...] | None = None,
    decisions: pl.DataFrame | None = None,
) -> Linkage:
    """Standardise, block, compare, train, score, cluster and group into families.

    ``decisions``: clerical must-link/cannot-link decisions
    (``linkage.decisions.read_decisions``), honoured when clustering.
    """
    stages = stages or Stages(STAGES)
    comparisons = comparisons or default_comparisons()
    with stages.stage("standardise"):
        std = standardise(records, load_name_tables())
    blocked, model, scored = _score_pairs(std, settings, comparisons, stages)
    with stages.stage("cluster"):
        decided = decision_pairs(std, decisions)
        people_of = cluster(std, scored, settings.link_threshold, decisions=decided)
        matches = possible_matches(
            scored, people_of, settings.review_threshold, settings.link_threshold,
            decided,
        )  # fmt: skip
        evidence = record_evidence(
            std, people_of.person_ids, people_of.merged, comparisons
        )
    with stages.stage("families"):
        linked = records.with_columns(people_of.person_ids.alias("person_id"))
        people = people_table(linked)
        families = family_members(
            linked.with_columns(std["pc"], std["addr_nums"], std["ln_join"]), services
        )
    counts = {
        "records": records.height,
        "people": people.height,
        "families": families["family_id"].n_unique(),
        "pairs_compared": scored.height,
        "linked_pairs": people_of.merged.height,
        "refused_merges": people_of.refused.height,
        "possible_matches": matches.height,
        "clerical_decisions": 0 if decisions is None else decisions.height,
    }
    return Linkage(
        linked, people, families, matches, evidence, model, counts,
        dict(blocked.pairs_per_rule), dict(blocked.blocks_skipped),
    )  # fmt: skip
