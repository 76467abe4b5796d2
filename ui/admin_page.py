"""The administrator's page: sources and builds, the linkage model, and
restricted people.

No family data: builds and loads show counts only, and restrictions are keyed by
the person id the information-governance lead passes on.
"""

from __future__ import annotations

import polars as pl
import streamlit as st
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from core.errors import LookupInputError
from governance.audit import Actor
from governance.restrictions import (
    CATEGORIES,
    active_restrictions,
    lift_restriction,
    set_restriction,
)
from linkage.index_tables import builds, index_state, records, source_loads
from lookup.index import read_table
from ui import model_report, reports_queue, resources
from ui.context import AppContext

LOAD_COLUMNS = ("source", "service", "sensitivity", "rows_read", "rows_accepted",
                "rows_quarantined", "extract_date", "ok", "stale", "stale_since",
                "failure")  # fmt: skip


def overview(engine: Engine) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The latest builds, and what each source loaded into the served build."""
    with engine.connect() as conn:
        recent = conn.execute(
            select(builds.c.build_id, builds.c.started_at, builds.c.finished_at,
                   builds.c.status).order_by(builds.c.started_at.desc()).limit(10)
        ).all()  # fmt: skip
        current = conn.execute(select(index_state.c.build_id)).scalar()
    build_cols = ["build_id", "started_at", "finished_at", "status"]
    # an index written before a column was added reads it as empty
    loads = read_table(engine, source_loads, current or "", LOAD_COLUMNS)
    return (
        pl.DataFrame(recent, schema=build_cols, orient="row"),
        loads.select(LOAD_COLUMNS),
    )


def source_restricted_count(engine: Engine) -> int:
    """People in the served build restricted by one of their own source records."""
    served = select(index_state.c.build_id).scalar_subquery()
    with engine.connect() as conn:
        return conn.execute(
            select(func.count(func.distinct(records.c.person_id))).where(
                records.c.build_id == served, records.c.restricted.is_not(None)
            )
        ).scalar_one()


def _restrictions(ctx: AppContext, actor: Actor) -> None:
    st.subheader("Restricted people")
    try:
        flagged = source_restricted_count(
            resources.index_engine(ctx.config.storage.index_url)
        )
    except SQLAlchemyError:
        flagged = 0  # no index yet, or one built before sources could flag
    if flagged:
        st.caption(
            f"{flagged:,} people are restricted by their own source records "
            "(protected address, adoption …); the source lifts those, not this page."
        )
    with st.form("restrict"):
        person = st.text_input("Person id", key="restrict_person")
        category = st.selectbox("Why", list(CATEGORIES), key="restrict_category",
                                format_func=CATEGORIES.get)  # fmt: skip
        if st.form_submit_button("Restrict this person"):
            try:
                set_restriction(ctx.audit_engine, actor, person.strip(), category)
            except LookupInputError as exc:
                st.error(str(exc))
    for row in active_restrictions(ctx.audit_engine):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            f"`{row['person_id']}` · {CATEGORIES.get(row['category'], '')} · set by "
            f"{row['set_by']} on {row['set_at'][:10]}"
        )
        if right.button("Lift", key=f"lift_{row['person_id']}"):
            lift_restriction(ctx.audit_engine, actor, row["person_id"])
            st.rerun()


def page(ctx: AppContext, actor: Actor) -> None:
    """Sources, builds and restrictions; never a search or a family view."""
    st.header("Sources and builds")
    try:
        recent, loads = overview(resources.index_engine(ctx.config.storage.index_url))
    except SQLAlchemyError:
        st.info("No index has been built yet: run python -m linkage build.")
    else:
        st.dataframe(loads, hide_index=True, width="stretch")
        st.caption("Latest builds")
        st.dataframe(recent, hide_index=True, width="stretch")
        model_report.section(ctx)
    _restrictions(ctx, actor)
    reports_queue.section(ctx, actor)
