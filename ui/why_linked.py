"""'Why were these records linked?': each record's agreeing fields, in words.

One row per record, one column per field compared: how the field agreed and how
much it counted ("exact, strongly for +12.7"). Drawn only once opened.
"""

from __future__ import annotations

import streamlit as st

from lookup.evidence import FIELD_NAMES, THROUGH_UNSEEN, FieldEvidence, RecordEvidence
from ui.text import md

EXPLAINED = (
    "Each record joins its person through its best match with another of their "
    "records. The number is how much a field counted: above 0 for the link, "
    "below 0 against it; 8 or more is strong evidence."
)


def _how_sure(r: RecordEvidence) -> str:
    if r.unseen:
        return THROUGH_UNSEEN
    if r.probability is None:
        return "Not joined to another record"
    if r.probability >= 0.9995:
        return "Above 99.9%"
    return f"{r.probability:.1%}"


def _cell(f: FieldEvidence | None) -> str:
    if f is None:
        return "not compared"
    short = f.words.removeprefix("counted ").removeprefix("made ").removesuffix(" to")
    return f"{md(f.level)}: {short} ({f.weight:+.1f})"


def evidence_table(records: list[RecordEvidence]) -> str:
    """A Markdown table: record, how sure, then one column per field seen."""
    seen = {f.field for r in records for f in r.fields}
    fields = [name for name in FIELD_NAMES.values() if name in seen]
    fields += sorted(seen - set(fields))
    head = ["Record", "How sure", *fields]
    rows = []
    for r in records:
        by_field = {f.field: f for f in r.fields}
        rows.append([f"{md(r.service)} {md(r.record_id)}", _how_sure(r),
                     *(_cell(by_field.get(name)) for name in fields)])  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def expander(person_id: str, records: list[RecordEvidence]) -> None:
    """On demand: the table is built only while the expander is open."""
    box = st.expander(
        "Why were these records linked?", key=f"why_{person_id}", on_change="rerun"
    )
    if not box.open:
        return
    with box:
        if not records:
            st.markdown("No linkage details are held for the records shown.")
            return
        st.caption(EXPLAINED)
        st.markdown(evidence_table(records))
