"""From standard records to people, families and explanations (no database)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from core.config import LinkageConfig
from linkage.blocking import BlockedPairs, Refinement, block, rules_from
from linkage.cluster import Clusters, DobConflict, cluster
from linkage.compare import Comparison, compare
from linkage.comparisons import comparisons_from
from linkage.decisions import DecisionPairs, decision_pairs
from linkage.explain import explained_pairs, record_evidence
from linkage.families import family_members
from linkage.links import record_links
from linkage.matches import possible_matches
from linkage.model import Model, train
from linkage.names import load_name_tables
from linkage.people import people_table
from linkage.progress import Stages
from linkage.score import record_traits, score
from linkage.standardise import standardise

STAGES = (
    "standardise", "block", "compare", "train", "score", "cluster", "explain",
    "families",
)  # fmt: skip
#: Record fields the linker reads. The rest (contacts, involvement, references)
#: matter only once people are known, so standardising never copies them.
LINK_FIELDS = (
    "source", "record_id", "first_name", "last_name", "dob", "sex", "nhs_number",
    "upn", "case_number", "address", "postcode", "town", "identifiers",
    "dob_year_only",
)  # fmt: skip

#: Pairs scored at once: only those that could be linked or reviewed are kept,
#: so memory stays bounded however many pairs were compared.
SCORE_CHUNK = 500_000
SCORE_THREADS = 2

#: Told each table's frame (by table name) as soon as it is final, while later
#: stages run: ``linkage.build`` writes it beside them.
Ready = Callable[[str, pl.DataFrame], None]


@dataclass(frozen=True)
class People:
    """Records linked into people (what clustering decided), before families."""

    std: pl.DataFrame  # standardised link fields, one row per record (rid order)
    blocked: BlockedPairs
    model: Model
    scored: pl.DataFrame  # scored pairs at or above the review threshold
    clusters: Clusters
    decided: DecisionPairs
    pairs_compared: int
    weight_histogram: dict[int, int] = field(default_factory=dict)


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
    weight_histogram: dict[int, int] = field(default_factory=dict)
    #: the links accepted inside each person of three or more records
    record_links: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"person_id": pl.Utf8, "links": pl.Utf8, "evidence": pl.Utf8}
        )
    )


def dob_conflict(model: Model, settings: LinkageConfig) -> DobConflict:
    """How clustering weighs dates of birth under ``model``: its weight per
    date-of-birth level, the weight a pair needs to be linked, the
    comparison's day limits, and the weight of differing case numbers."""
    weights = model.field("dob").weights()
    p = settings.link_threshold
    threshold = float(np.log2(p) - np.log2(1 - p))
    days = (settings.dob_few_days, settings.dob_weeks, settings.dob_year)
    names = {f.name for f in model.fields}
    case = (
        float(model.field("case_number").weights()[-1])
        if "case_number" in names
        else None
    )
    return DobConflict(dict(enumerate(weights.tolist())), threshold, days, case)


def weight_histogram(scored: pl.DataFrame) -> dict[int, int]:
    """Pairs per whole-bit match weight (rounded down), for the threshold sweep
    of the model report."""
    bins = scored.select(pl.col("weight").floor().cast(pl.Int64).alias("w"))
    counts = bins.group_by("w").len()
    return dict(zip(counts["w"].to_list(), counts["len"].to_list(), strict=True))


def _add(into: dict[int, int], more: dict[int, int]) -> None:
    for k, v in more.items():
        into[k] = into.get(k, 0) + v


def _score_pairs(
    std: pl.DataFrame,
    settings: LinkageConfig,
    comparisons: tuple[Comparison, ...],
    stages: Stages,
) -> tuple[BlockedPairs, Model, pl.DataFrame, int, dict[int, int]]:
    """Candidate pairs, the trained model, the pairs worth keeping, how many
    pairs were compared, and the compared pairs per match weight.

    Only pairs that could be linked or reviewed are kept: the rest say nothing
    to clustering, review or explanations, and at a million records they are
    most of the memory.
    """
    with stages.stage("block"):
        blocked = block(
            std, rules_from(settings.blocking_rules), settings.max_block_records,
            Refinement(settings.refine_block_records, settings.refine_keys),
        )  # fmt: skip
    with stages.stage("compare"):
        levels = compare(std, blocked.pairs, comparisons)
    with stages.stage("train"):
        model = train(std, levels, comparisons, settings)
    with stages.stage("score"):
        keep = pl.col("probability") >= min(
            settings.review_threshold, settings.link_threshold
        )
        traits = record_traits(std, comparisons)

        def one(part: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, int]]:
            scored = score(std, part, comparisons, model, traits)
            return scored.filter(keep), weight_histogram(scored)

        # Two chunks at once: much of scoring is numpy on one core.
        with ThreadPoolExecutor(SCORE_THREADS) as pool:
            found = list(pool.map(one, levels.iter_slices(SCORE_CHUNK)))
        parts, histogram = [kept for kept, _ in found], {}
        for _, counts in found:
            _add(histogram, counts)
        if not parts:
            parts = [score(std, levels, comparisons, model, traits)]
    return blocked, model, pl.concat(parts), levels.height, histogram


def link_people(
    records: pl.DataFrame,
    settings: LinkageConfig,
    stages: Stages | None = None,
    comparisons: tuple[Comparison, ...] | None = None,
    decisions: pl.DataFrame | None = None,
) -> People:
    """Standardise, block, compare, train, score and cluster: a person per record.

    ``decisions``: clerical must-link/cannot-link decisions
    (``linkage.decisions.read_decisions``), honoured when clustering.
    """
    stages = stages or Stages(STAGES)
    comparisons = comparisons or comparisons_from(settings)
    with stages.stage("standardise"):
        std = standardise(records.select(LINK_FIELDS), load_name_tables())
    blocked, model, scored, compared, histogram = _score_pairs(
        std, settings, comparisons, stages
    )
    with stages.stage("cluster"):
        decided = decision_pairs(std, decisions)
        people_of = cluster(
            std, scored, settings.link_threshold, decisions=decided,
            conflict=dob_conflict(model, settings),
        )  # fmt: skip
    return People(std, blocked, model, scored, people_of, decided, compared, histogram)


def link_records(
    records: pl.DataFrame,
    settings: LinkageConfig,
    services: dict[str, str],
    stages: Stages | None = None,
    comparisons: tuple[Comparison, ...] | None = None,
    decisions: pl.DataFrame | None = None,
    ready: Ready | None = None,
) -> Linkage:
    """People (``link_people``), then what a build shows about them: possible
    matches, the evidence for each record's link, people and families.

    ``ready`` is given each output frame (records, possible_matches,
    record_evidence, record_links, people, family_members) once it is final.
    """
    stages = stages or Stages(STAGES)
    comparisons = comparisons or comparisons_from(settings)
    ready = ready or (lambda _name, _frame: None)
    found = link_people(records, settings, stages, comparisons, decisions)
    std, people_of = found.std, found.clusters
    linked = records.with_columns(people_of.person_ids.alias("person_id"))
    ready("records", linked)
    with stages.stage("explain"):
        matches = possible_matches(
            found.scored, people_of, settings.review_threshold,
            settings.link_threshold, found.decided,
        )  # fmt: skip
        explained = explained_pairs(people_of.merged, comparisons)
        evidence = record_evidence(std, people_of.person_ids, explained)
        links = record_links(std, people_of.person_ids, explained)
    for name, frame in (("possible_matches", matches), ("record_evidence", evidence),
                        ("record_links", links)):  # fmt: skip
        ready(name, frame)
    with stages.stage("families"):
        people = people_table(linked)
        ready("people", people)
        families = family_members(
            linked.with_columns(std["pc"], std["addr_nums"], std["ln_join"]), services
        )
        ready("family_members", families)
    counts = {
        "records": records.height,
        "people": people.height,
        "families": families["family_id"].n_unique(),
        "pairs_compared": found.pairs_compared,
        "linked_pairs": people_of.merged.height,
        "refused_merges": people_of.refused.height,
        "possible_matches": matches.height,
        "clerical_decisions": 0 if decisions is None else decisions.height,
    }
    blocked = found.blocked
    return Linkage(
        linked, people, families, matches, evidence, found.model, counts,
        dict(blocked.pairs_per_rule), dict(blocked.blocks_skipped),
        found.weight_histogram, links,
    )  # fmt: skip
