"""Restricted people flagged in a source: the ``restricted`` column is mapped to
a standard field, kept through snapshots and the index, and governance treats a
person with any flagged record exactly as an administrator's restriction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import TODAY, ask
from sqlalchemy import text, update
from support.lookup_index import make_index
from support.mapping import mapped, one_field

import governance.access as access
from core.config import parse_config
from governance.audit import Actor, read_events
from governance.flags import FlagRules
from governance.restrictions import RestrictedRecord, is_redacted
from governance.review import queue, sync_queue
from linkage import index_tables as t
from lookup.index import load_index, source_restricted
from lookup.query import parse_query
from sources.records import STANDARD_SCHEMA, LoadReport
from sources.snapshots import SnapshotStore
from synthetic import early_help
from synthetic.world import build_world

WORKER = Actor("u1", "Alex Morgan", "front_door", "s1")
AUDITOR = Actor("ig.jo", "Jo Patel", "auditor", "s-ig")
REASON = ("New referral (MASH)", "REF-1")

CODES = [
    # value in the extract, expected standard value (null = not restricted)
    ("Adoption", "adoption"),
    ("Protected address", "protected_address"),
    ("  high-profile ", "high_profile"),
    ("Staff relative", "staff_relative"),
    ("Y", "y"),
    ("R7", "r7"),  # an unexpected code restricts: withhold, never disclose
    ("N", None),
    ("no", None),
    ("Not restricted", None),
    ("0", None),
    ("", None),
    ("   ", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CODES)
def test_restricted_column_is_mapped(raw, expected) -> None:
    assert one_field("restricted", [raw]) == [expected]


def test_unrestricted_values_come_from_the_config() -> None:
    got = one_field("restricted", ["Open", "N", "Adoption"],
                    unrestricted_values=("open",))  # fmt: skip
    assert got == [None, "n", "adoption"]


def test_unmapped_restricted_is_null_and_typed() -> None:
    out = mapped({"n": ["A"]}, {"last_name": "n"})
    assert out.schema == pl.Schema(STANDARD_SCHEMA)
    assert out["restricted"].to_list() == [None]


def test_config_accepts_the_mapping(tmp_path: Path) -> None:
    raw = {"sources": [{"name": "eh", "service": "Early Help", "path": "e.csv",
                        "columns": {"last_name": "S", "first_name": "F",
                                    "restricted": "Restriction"},
                        "unrestricted_values": ["no"]}]}  # fmt: skip
    src = parse_config(raw, tmp_path).sources[0]
    assert src.columns["restricted"] == "Restriction"
    assert src.unrestricted_values == ("no",)


def test_older_snapshot_without_the_field_still_restores(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    old = mapped({"n": ["A"]}, {"last_name": "n"}).drop("restricted")
    held = pl.DataFrame(schema={"source": pl.Utf8, "row_number": pl.Int64,
                                "reason": pl.Utf8})  # fmt: skip
    report = LoadReport("t", "Test", "t.csv", 1, 1, 0, extract_date=date(2025, 3, 1))
    store.save(old, held, report)
    snap = store.restore(LoadReport("t", "Test", "t.csv", ok=False), TODAY)
    assert snap is not None and snap.records.schema == pl.Schema(STANDARD_SCHEMA)
    assert snap.records["restricted"].to_list() == [None]


@pytest.fixture
def flagged_db(tmp_path: Path) -> Path:
    """The test index with Karen Smith's (p2) housing record flagged by its source."""
    path = tmp_path / "index.db"
    engine = make_index(path, filler=10)
    with engine.begin() as conn:
        conn.execute(
            update(t.records)
            .where(t.records.c.person_id == "p2", t.records.c.source == "housing")
            .values(restricted="protected_address")
        )
    return path


def test_person_with_any_flagged_record_is_restricted(flagged_db, audit_engine):
    from core.db import make_engine

    index = load_index(make_engine(f"sqlite:///{flagged_db}"))
    assert index.restricted_people == {"p2"}
    karen = parse_query("Karen", "Smith", "02/11/1988")
    request = ask(index, audit_engine, WORKER, *REASON)
    found = access.audited_search(request, karen, 10)
    listed = next(c for c in found if c.person_id == "p2")
    assert is_redacted(listed) and listed.last_name is None and listed.dob is None
    assert read_events(audit_engine)[0]["data"]["restricted_ids"] == ["p2"]
    # Jane's family view shows her mother only as a placeholder
    view = access.audited_family(request, "p1")
    mother = next(m for m in view.members if m.person_id == "p2")
    assert mother.name == "Restricted record" and mother.services == ()
    with pytest.raises(RestrictedRecord):
        access.audited_family(request, "p2")
    assert read_events(audit_engine)[0]["data"]["restricted"] is True
    why = "Strategy meeting today"
    opened = access.audited_family(request, "p2", override=why)
    assert next(m for m in opened.members if m.is_focus).name != "Restricted record"
    override = read_events(audit_engine)[1]
    assert override["kind"] == "override"
    assert override["data"]["override_reason"] == why


def test_source_override_lands_in_the_review_queue(flagged_db, tmp_path) -> None:
    from core.db import make_engine
    from governance.audit import ensure_audit_schema

    audit = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(audit)
    index = load_index(make_engine(f"sqlite:///{flagged_db}"))
    access.audited_family(ask(index, audit, WORKER, *REASON), "p2",
                          override="Court order")  # fmt: skip
    sync_queue(audit, FlagRules())
    items = queue(audit)
    assert items.filter(pl.col("flag") == "override")["detail"].to_list() == [
        "p2: Court order"
    ]


def test_index_without_the_column_loads_and_restricts_no_one(tmp_path) -> None:
    """An index built before the field existed reads it as null until rebuilt."""
    engine = make_index(tmp_path / "index.db", filler=5)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE records DROP COLUMN restricted"))
    index = load_index(engine)
    assert index.records["restricted"].null_count() == index.records.height
    assert index.restricted_people == frozenset()


def test_source_restricted_needs_a_value() -> None:
    records = pl.DataFrame({"person_id": ["a", "a", "b", "c"],
                            "restricted": [None, "adoption", None, "y"]})  # fmt: skip
    assert source_restricted(records) == {"a", "c"}
    assert source_restricted(records.drop("restricted")) == frozenset()


def test_generator_flags_a_small_share_per_person() -> None:
    extract = early_help.build(build_world(2000, seed=11))
    (frame,) = extract.tables.values()
    rows = frame.join(extract.truth, left_on="Episode Member ID",
                      right_on="record_id")  # fmt: skip
    flagged = rows.filter(pl.col("Restriction").is_not_null())
    assert 0 < flagged["pid"].n_unique() < rows["pid"].n_unique() * 0.1
    assert set(flagged["Restriction"]) <= set(early_help.RESTRICTIONS)
    # a person's restriction is on every row of theirs, not a random row
    per_person = rows.group_by("pid").agg(pl.col("Restriction").n_unique())
    assert per_person["Restriction"].max() == 1


def test_administrator_sees_how_many_people_sources_restrict(flagged_db) -> None:
    from core.db import make_engine
    from lookup.index_overview import source_restricted_count

    assert source_restricted_count(make_engine(f"sqlite:///{flagged_db}")) == 1
