"""Clerical decisions: a person's say that two records are, or are not, one person.

Decisions live in ``clerical_decisions``, outside any build, so every rebuild
honours them: a must-link pair is merged whatever the scores (only a
cannot-link can stop it), and a cannot-link pair never ends up in one person,
directly or through a chain. For one pair of records the latest decision wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine, insert, select

from core.errors import LinkageError
from linkage import index_tables as t
from linkage.writer import utc_now

KINDS = ("must_link", "cannot_link")
DECISION_SCHEMA = {
    "source_a": pl.Utf8, "record_a": pl.Utf8, "source_b": pl.Utf8,
    "record_b": pl.Utf8, "decision": pl.Utf8,
}  # fmt: skip
RID_PAIRS = pl.Schema({"l": pl.UInt32, "r": pl.UInt32})


@dataclass(frozen=True)
class DecisionPairs:
    """Decisions as record row keys (``l`` < ``r``) of the frame being linked."""

    must: pl.DataFrame
    cannot: pl.DataFrame

    @staticmethod
    def none() -> DecisionPairs:
        """No decisions."""
        return DecisionPairs(
            pl.DataFrame(schema=RID_PAIRS), pl.DataFrame(schema=RID_PAIRS)
        )


def parse_record(text: str) -> tuple[str, str]:
    """``"source:record_id"`` -> (source, record_id)."""
    source, sep, record = text.partition(":")
    if not sep or not source or not record:
        raise LinkageError(
            "A record is named as SOURCE:RECORD_ID (the source name from the "
            "config, a colon, and the record id), e.g. police:N123."
        )
    return source, record


def record_decision(
    engine: Engine, a: tuple[str, str], b: tuple[str, str], decision: str,
    decided_by: str, reason: str,
) -> None:  # fmt: skip
    """Store one decision about records ``a`` and ``b`` (each (source, record_id))."""
    if decision not in KINDS:
        raise LinkageError(f"A decision is one of {', '.join(KINDS)}.")
    if a == b:
        raise LinkageError("A decision needs two different records.")
    if not decided_by.strip() or not reason.strip():
        raise LinkageError("A decision needs --by (who decided) and --reason.")
    (sa, ra), (sb, rb) = sorted([a, b])
    t.metadata.create_all(engine, tables=[t.clerical_decisions], checkfirst=True)
    with engine.begin() as conn:
        conn.execute(
            insert(t.clerical_decisions).values(
                source_a=sa, record_a=ra, source_b=sb, record_b=rb,
                decision=decision, decided_by=decided_by.strip(),
                reason=reason.strip(), decided_at=utc_now(),
            )
        )  # fmt: skip


def read_decisions(engine: Engine) -> pl.DataFrame:
    """The latest decision per record pair (``DECISION_SCHEMA`` columns)."""
    t.metadata.create_all(engine, tables=[t.clerical_decisions], checkfirst=True)
    c = t.clerical_decisions.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.source_a, c.record_a, c.source_b, c.record_b, c.decision)
            .order_by(c.decision_id)
        ).all()  # fmt: skip
    frame = pl.DataFrame([tuple(r) for r in rows], schema=DECISION_SCHEMA, orient="row")
    pair = ["source_a", "record_a", "source_b", "record_b"]
    return frame.group_by(pair, maintain_order=True).last()


def decision_pairs(std: pl.DataFrame, decisions: pl.DataFrame | None) -> DecisionPairs:
    """Decisions whose two records are both in ``std``, as row-key pairs."""
    if decisions is None or decisions.is_empty():
        return DecisionPairs.none()
    keys = std.select("rid", "source", "record_id")
    found = decisions.join(
        keys, left_on=["source_a", "record_a"], right_on=["source", "record_id"]
    ).join(
        keys, left_on=["source_b", "record_b"], right_on=["source", "record_id"],
        suffix="_b",
    )  # fmt: skip
    pairs = found.select(
        pl.min_horizontal("rid", "rid_b").alias("l"),
        pl.max_horizontal("rid", "rid_b").alias("r"),
        "decision",
    ).cast({"l": pl.UInt32, "r": pl.UInt32})

    def kind(name: str) -> pl.DataFrame:
        return pairs.filter(pl.col("decision") == name).select("l", "r").unique()

    return DecisionPairs(kind("must_link"), kind("cannot_link"))
