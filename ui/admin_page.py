"""The administrator's page: sources and builds, the linkage model, and
restricted people.

No family data: builds and loads show counts only, and restrictions are keyed by
the person id the information-governance lead passes on.
"""

from __future__ import annotations

import dataclasses

import polars as pl
import streamlit as st

from core.errors import IndexNotReadyError, UserInputError
from governance.audit import Actor
from governance.restrictions import (
    CATEGORIES,
    active_restrictions,
    lift_restriction,
    set_restriction,
)
from lookup.index_overview import (
    RecentBuild,
    SourceLoadCounts,
    builds_overview,
    person_in_served_build,
    source_restricted_count,
)
from ui import model_report, reports_queue, resources
from ui.context import AppContext


def _frame(rows: tuple, row_type: type) -> pl.DataFrame:
    """Dataclass rows as a table, its columns in the fields' order even if empty."""
    columns = [f.name for f in dataclasses.fields(row_type)]
    data = [dataclasses.astuple(r) for r in rows]
    return pl.DataFrame(data, schema=columns, orient="row")


NO_SUCH_PERSON = (
    "No person with that id is in the index being served: check the id the "
    "information-governance lead gave (it is shown on the person's family view). "
    "Nothing was restricted."
)


def _restrict(ctx: AppContext, actor: Actor, person_id: str, category: str) -> None:
    """Restrict a person the index knows; an unknown id is an error, not a
    restriction of no one."""
    try:
        known = person_in_served_build(
            resources.index_engine(ctx.config.storage.index_url), person_id
        )
    except IndexNotReadyError:
        known = False  # no index yet: nobody can be looked up, so nobody to hide
    if not known:
        st.error(NO_SUCH_PERSON)
        return
    try:
        set_restriction(ctx.audit_engine, actor, person_id, category)
    except UserInputError as exc:
        st.error(str(exc))


def _restrictions(ctx: AppContext, actor: Actor) -> None:
    st.subheader("Restricted people")
    try:
        flagged = source_restricted_count(
            resources.index_engine(ctx.config.storage.index_url)
        )
    except IndexNotReadyError as exc:
        st.warning(f"Restrictions set by sources cannot be counted: {exc}")
        flagged = 0
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
            _restrict(ctx, actor, person.strip(), category)
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
        found = builds_overview(resources.index_engine(ctx.config.storage.index_url))
    except IndexNotReadyError as exc:
        st.info(str(exc))
    else:
        loads = _frame(found.loads, SourceLoadCounts)
        st.dataframe(loads, hide_index=True, width="stretch")
        st.caption("Latest builds")
        st.dataframe(
            _frame(found.recent, RecentBuild), hide_index=True, width="stretch"
        )
        model_report.section(ctx)
    _restrictions(ctx, actor)
    reports_queue.section(ctx, actor)
