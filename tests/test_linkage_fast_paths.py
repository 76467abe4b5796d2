"""Speed paths give exactly what the plain paths give, on seeded synthetic data.

Blocking on integer key codes against blocking on the values; clustering that
sends only groups where a merge could be refused through the record-by-record
loop against sending every group through it.
"""

from __future__ import annotations

import math
import random

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal
from support.population import make_population

import linkage.blocking as blocking_module
import linkage.cluster as cluster_module
from linkage.blocking import (
    DEFAULT_RULES,
    BlockingRule,
    pairs_by_rule,
    rule_pairs,
    widest_block,
    with_blocking_keys,
)
from linkage.case_slips import case_deletion_keys
from linkage.cluster import cluster
from linkage.components import components, joins_in_order, risky_groups
from linkage.decisions import DecisionPairs
from linkage.keycodes import coded_keys, distinct_pairs
from linkage.names import load_name_tables
from linkage.standardise import standardise


@pytest.fixture(scope="module")
def population() -> tuple[pl.DataFrame, pl.DataFrame]:
    records, truth = make_population(60, seed=5)
    return standardise(records, load_name_tables()), truth


@pytest.fixture(scope="module")
def std(population: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    return population[0]


def test_codes_keep_equality_across_columns_and_nulls() -> None:
    frame = pl.DataFrame(
        {
            "rid": pl.Series([0, 1, 2], dtype=pl.UInt32),
            "a": ["x", None, "y"],
            "b": ["y", "x", None],
            "c": [["y", "x"], None, []],
        }
    )
    coded = coded_keys(frame, ["a", "b", "c"])
    assert coded["a"][0] == coded["b"][1] == coded["c"][0][1]
    assert coded["a"][2] == coded["b"][0] == coded["c"][0][0]
    assert coded["a"][0] != coded["a"][2]
    assert coded["a"].null_count() == coded["b"].null_count() == 1
    assert coded["c"][1] is None and coded["c"][2].len() == 0


@pytest.mark.parametrize("rule", DEFAULT_RULES, ids=lambda r: r.name)
def test_every_rule_finds_the_same_pairs_on_codes(std: pl.DataFrame, rule) -> None:  # noqa: ANN001
    keyed = with_blocking_keys(std)
    used = [c for c in (*rule.keys, *rule.right_keys, rule.left_missing) if c]
    for max_block in (3, 400):
        plain, big = rule_pairs(keyed, rule, max_block)
        coded, big_coded = rule_pairs(coded_keys(keyed, used), rule, max_block)
        assert big == big_coded
        assert_frame_equal(plain.sort("l", "r"), coded.sort("l", "r"))


SLIP_RULES = [r for r in DEFAULT_RULES if "case_dels" in r.keys] + [
    BlockingRule("slips_alone", ("case_dels",)),
    BlockingRule("slips_two_more", ("case_dels", "ln_phon", "dob_y")),
    BlockingRule("dob_then_slips", ("dob", "case_dels")),
]


def _slipped(std: pl.DataFrame, seed: int) -> pl.DataFrame:
    """``std`` with a third of its case numbers made another record's (a
    duplicate in the source), one digit off it, or it with a digit doubled, so
    deletion keys are shared by several records and repeat within one."""
    rng = random.Random(seed)
    numbers = std["case_number"].to_list()
    given = [i for i, n in enumerate(numbers) if n]
    for i in rng.sample(given, len(given) // 3):
        other = numbers[rng.choice(given)]
        k = rng.randrange(len(other))
        numbers[i] = rng.choice(
            [other, other[:k] + str(rng.randrange(10)) + other[k + 1 :],
             other[:k] + other[k] + other[k:]]
        )  # fmt: skip
    return std.with_columns(pl.Series("case_number", numbers, dtype=pl.String))


@pytest.mark.parametrize("rule", SLIP_RULES, ids=lambda r: r.name)
def test_slip_rules_skip_counting_blocks_only_when_none_can_be_big(
    std: pl.DataFrame, rule: BlockingRule
) -> None:
    """Blocks of deletion keys counted once (``widest_block``) give the pairs
    and skipped blocks that counting each rule's blocks gives, whether the
    widest deletion block is above the limit (counted) or not (skipped)."""
    slipped = _slipped(std, seed=9)
    widest = widest_block(case_deletion_keys(slipped))
    assert 2 < widest < 400
    keyed = with_blocking_keys(slipped)
    for max_block in (2, widest, 400):
        plain, big = rule_pairs(keyed, rule, max_block)
        fast, big_fast = pairs_by_rule(slipped, (rule,), max_block)[rule.name]
        assert big == big_fast
        assert_frame_equal(plain.sort("l", "r"), fast.sort("l", "r"))
    assert plain.height > 0


@pytest.mark.parametrize("merge_pairs", [1, 50, 10**9])
def test_union_merged_as_rules_finish_is_every_rule_s_pairs_once(
    std: pl.DataFrame, merge_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blocking_module, "MERGE_PAIRS", merge_pairs)
    found = pairs_by_rule(std)
    every = distinct_pairs(pl.concat([pairs for pairs, _ in found.values()]))
    blocked = blocking_module.block(std)
    assert blocked.pairs.height > 100
    assert_frame_equal(blocked.pairs, every)
    assert blocked.pairs_per_rule == {n: p.height for n, (p, _) in found.items()}
    assert blocked.blocks_skipped == {n: big for n, (_, big) in found.items()}


def _greedy_order(n: int, left: list[int], right: list[int]) -> list[bool]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    joined = []
    for a, b in zip(left, right, strict=True):
        ra, rb = find(a), find(b)
        joined.append(ra != rb)
        parent[rb] = ra
    return joined


def test_joins_in_order_is_kruskal_with_repeats() -> None:
    rng = random.Random(3)
    n = 40
    edges = [tuple(sorted(rng.sample(range(n), 2))) for _ in range(120)]
    edges += edges[:10]  # a repeated link never joins anything
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    expected = _greedy_order(n, left.tolist(), right.tolist())
    assert joins_in_order(n, left, right).tolist() == expected
    labels = components(n, left, right)
    assert labels[left].tolist() == labels[right].tolist()


def test_risky_groups_are_those_that_could_refuse() -> None:
    traits = pl.DataFrame(
        {
            "group": [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6],
            "nhs": ["a", "a", "a", "b", None, None, None, None, None, None, None],
            "upn_c": [None] * 11,
            "dob_s": ["20100304", "20100403", None, None, "20100304", "20130611",
                      None, None, None, None, None],
            "names": [["jack"], ["jack"], None, None, None, None, ["jack"],
                      ["jake"], ["sam", "samuel"], ["samuel"], None],
            "banned": [False] * 10 + [True],
        }
    )  # fmt: skip
    assert sorted(risky_groups(traits).to_list()) == [2, 3, 4, 6]


def _links(truth: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Links along each true person's records (mostly groups that cannot refuse a
    merge) and random links across people (that clash), as the clusterer takes
    them."""
    rng = random.Random(seed)
    people = truth.with_row_index("rid").group_by("person_id", maintain_order=True)
    rids = people.agg("rid")["rid"].to_list()
    pairs = {
        (a, b) for person in rids for a, b in zip(person, person[1:], strict=False)
    }
    while len(pairs) < 1.2 * truth.height:
        pairs.add(tuple(sorted(rng.sample(range(truth.height), 2))))
    pairs = sorted(pairs)
    probs = [rng.choice((0.995, 0.999, 0.9999, 0.99999)) for _ in pairs]
    return pl.DataFrame(
        {
            "l": [a for a, _ in pairs],
            "r": [b for _, b in pairs],
            "probability": probs,
            "weight": [math.log2(p / (1 - p)) for p in probs],
            "eligible": [True] * len(pairs),
            "first_name": [rng.choice((0, 0, 1, 5)) for _ in pairs],
            "nhs_number": [rng.choice((-1, -1, 0, 1)) for _ in pairs],
        },
        schema_overrides={"l": pl.UInt32, "r": pl.UInt32},
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clustering_equals_the_loop_over_every_group(
    population: tuple[pl.DataFrame, pl.DataFrame],
    seed: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    std, truth = population
    links = _links(truth, seed)
    rids = pl.Series(range(std.height), dtype=pl.UInt32)
    decisions = DecisionPairs(
        pl.DataFrame({"l": rids[:2], "r": rids[2:4]}),
        pl.DataFrame({"l": rids[4:6], "r": rids[7:9]}),
    )
    seen: list[tuple[int, int]] = []

    def counted(traits: pl.DataFrame) -> pl.Series:
        found = risky_groups(traits)
        seen.append((found.len(), traits["group"].n_unique()))
        return found

    with monkeypatch.context() as m:
        m.setattr(cluster_module, "risky_groups", counted)
        fast = cluster(std, links, 0.99, decisions=decisions)
    with monkeypatch.context() as m:
        m.setattr(cluster_module, "risky_groups", lambda t: t["group"].unique())
        slow = cluster(std, links, 0.99, decisions=decisions)
    assert_series_equal(fast.person_ids, slow.person_ids)
    assert_frame_equal(fast.merged, slow.merged)
    assert_frame_equal(fast.refused, slow.refused)
    assert slow.refused.height > 0  # the random links do hit the constraints
    assert all(0 < risky < groups for risky, groups in seen)  # both paths used


def test_scoring_in_chunks_keeps_what_scoring_at_once_keeps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import linkage.pipeline as pipeline
    from core.config import LinkageConfig

    records, _ = make_population(40, seed=9)
    whole = pipeline.link_people(records, LinkageConfig())
    monkeypatch.setattr(pipeline, "SCORE_CHUNK", 7)
    chunked = pipeline.link_people(records, LinkageConfig())
    assert chunked.pairs_compared == whole.pairs_compared > 7
    assert_frame_equal(chunked.scored, whole.scored)
    assert_series_equal(chunked.clusters.person_ids, whole.clusters.person_ids)
    low = min(LinkageConfig().review_threshold, LinkageConfig().link_threshold)
    assert whole.scored["probability"].min() >= low
