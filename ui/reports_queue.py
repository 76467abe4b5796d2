"""The administrators' queue of workers' reports (wrong links, old contacts).

Shows person ids, sources and the worker's note only; closing a report with a
note is audited (``governance.reports``).
"""

from __future__ import annotations

import streamlit as st

from core.errors import UserInputError
from governance.audit import Actor
from governance.reports import REPORT_KINDS, close_report, reports
from ui.context import AppContext
from ui.text import md

SHOWN = 30


def _item(ctx: AppContext, actor: Actor, r: dict) -> None:
    with st.container(border=True):
        where = f" · source `{md(r['source'])}`" if r["source"] else ""
        st.markdown(
            f"**{REPORT_KINDS.get(r['kind'], r['kind'])}** · person "
            f"`{md(r['person_id'])}`{where}  \nReported by {md(r['reported_by'])} "
            f"on {r['reported_at'][:10]}  \n> {md(r['note'])}"
        )
        key = r["report_id"]
        note = st.text_input("What was done", key=f"done_{key}")
        if st.button("Close report", key=f"close_{key}"):
            try:
                close_report(ctx.audit_engine, actor, key, note)
            except UserInputError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def section(ctx: AppContext, actor: Actor) -> None:
    """Open reports, oldest first, each closed with a note."""
    st.subheader("Reports from workers")
    items = reports(ctx.audit_engine, actor)
    if not items:
        st.caption("No open reports.")
        return
    st.caption(
        f"{len(items)} open, oldest first. A wrong link is fixed with a clerical "
        "decision (python -m linkage decide) before the next build."
    )
    for r in items[:SHOWN]:
        _item(ctx, actor, r)
