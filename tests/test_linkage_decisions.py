"""Clerical decisions: stored outside builds, honoured by clustering and rebuilds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from support.population import records_frame, scored_pairs

from core.errors import LinkageError
from linkage.__main__ import main
from linkage.cluster import cluster
from linkage.decisions import decision_pairs, parse_record, read_decisions
from linkage.matches import possible_matches
from linkage.names import load_name_tables
from linkage.standardise import standardise


def _std(rows: list[dict]) -> pl.DataFrame:
    base = {"first_name": "Jane", "last_name": "Smith", "dob": date(2015, 7, 3)}
    return standardise(records_frame([{**base, **r} for r in rows]), load_name_tables())


def _decisions(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [("test", a, "test", b, kind) for a, b, kind in rows],
        schema=["source_a", "record_a", "source_b", "record_b", "decision"],
        orient="row",
    )


def test_cannot_link_stops_a_direct_and_a_chained_merge() -> None:
    std = _std([{}, {}, {}])
    scored = scored_pairs([(0, 1, 0.9999), (1, 2, 0.9998), (0, 2, 0.9997)])
    pairs = decision_pairs(std, _decisions(("r0", "r2", "cannot_link")))
    ids = cluster(std, scored, 0.99, decisions=pairs).person_ids.to_list()
    assert ids[0] == ids[1] != ids[2]


def test_a_cannot_link_pair_is_not_offered_for_review_again() -> None:
    std = _std([{}, {}, {}, {}])
    # r0-r1 refused by the decision; r2-r3 in the review band; r0-r3 too
    scored = scored_pairs([(0, 1, 0.9999), (2, 3, 0.95), (0, 3, 0.9)])
    decided = decision_pairs(
        std, _decisions(("r0", "r1", "cannot_link"), ("r2", "r3", "cannot_link"))
    )
    people = cluster(std, scored, 0.99, decisions=decided)
    ids = people.person_ids
    assert ids.n_unique() == 4
    offered = possible_matches(scored, people, 0.8, 0.99, decided)
    assert offered.select("person_a", "person_b").rows() == [
        tuple(sorted((ids[0], ids[3])))
    ]
    undecided = possible_matches(scored, people, 0.8, 0.99)
    assert undecided.height == 3


def test_must_link_merges_what_scores_and_guards_keep_apart() -> None:
    std = _std([{"dob": date(2015, 7, 3)}, {"dob": date(1990, 1, 1)}, {}])
    pairs = decision_pairs(std, _decisions(("r0", "r1", "must_link")))
    ids = cluster(std, scored_pairs([]), 0.99, decisions=pairs).person_ids.to_list()
    assert ids[0] == ids[1] != ids[2]


def test_cannot_link_beats_must_link_through_a_chain() -> None:
    std = _std([{}, {}, {}])
    decided = _decisions(
        ("r0", "r1", "must_link"),
        ("r1", "r2", "must_link"),
        ("r0", "r2", "cannot_link"),
    )
    ids = cluster(std, scored_pairs([]), 0.99, decisions=decision_pairs(std, decided))
    assert ids.person_ids[0] == ids.person_ids[1] != ids.person_ids[2]


def test_decisions_about_unknown_records_are_ignored() -> None:
    std = _std([{}, {}])
    pairs = decision_pairs(std, _decisions(("r0", "gone", "cannot_link")))
    assert pairs.cannot.height == 0 and pairs.must.height == 0


def test_parse_record_needs_source_and_id() -> None:
    assert parse_record("police:N:12") == ("police", "N:12")
    with pytest.raises(LinkageError, match="SOURCE:RECORD_ID"):
        parse_record("N12")


def test_cli_stores_decisions_and_the_latest_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\nindex_url = "sqlite:///index.db"\n', "utf-8")
    common = ["--config", str(config), "--by", "worker1", "--reason", "checked"]
    assert main(["decide", "--must-link", "a:1", "b:2", *common]) == 0
    assert main(["decide", "--cannot-link", "b:2", "a:1", *common]) == 0
    assert main(["decide", "--must-link", "a:1", "c:3", *common]) == 0
    assert main(["decide", "--must-link", "a:1", "a:1", *common]) == 1
    from core.config import load_config
    from core.db import make_engine

    engine = make_engine(load_config(config).storage.index_url)
    got = read_decisions(engine).sort("record_b")
    engine.dispose()
    assert got.rows() == [
        ("a", "1", "b", "2", "cannot_link"),
        ("a", "1", "c", "3", "must_link"),
    ]
