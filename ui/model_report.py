"""The admin page's model section: what the served build's model learnt.

Figures come from ``linkage.report`` (no SQL here, no personal data): m and u
per comparison level with the match weight each gives (an Altair chart, as
Splink users know it), a threshold sweep, people by records held, candidate
pairs per blocking rule, and pair completeness when a truth file sits beside
the config (generated demo data).
"""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from core.errors import FamilyContextError
from linkage.report import ModelReport, model_report, truth_completeness
from ui import resources
from ui.context import AppContext


def weights_chart(levels: pl.DataFrame) -> alt.Chart:
    """Match weight per comparison level, one row of bars per comparison."""
    data = levels.with_columns(
        pl.format("{} · {}", "level", "label").alias("level_label")
    ).to_pandas()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("weight:Q", title="match weight (log2 m/u)"),
            y=alt.Y("level_label:N", sort=None, title=None),
            color=alt.condition(
                alt.datum.weight > 0, alt.value("#2b7a3d"), alt.value("#b23a3a")
            ),
            row=alt.Row("comparison:N", sort=None, title=None),
            tooltip=["comparison", "label", "m", "u", "weight"],
        )
        .resolve_scale(y="independent")
        .properties(height=alt.Step(14))
    )


def _completeness(ctx: AppContext, report: ModelReport) -> None:
    truth = ctx.config.base_dir / "truth"
    if not (truth / "records.csv").is_file():
        return
    key = f"completeness_{report.build_id}"
    if st.button("Measure pair completeness against the truth file", key=key):
        st.session_state[key] = truth_completeness(ctx.config, str(truth))
    found = st.session_state.get(key)
    if found:
        rows = [{"rule": k, **v} for k, v in found.items()]
        st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch")


def section(ctx: AppContext) -> None:
    """The model report of the served build (nothing when none is served)."""
    st.subheader("Linkage model")
    try:
        report = model_report(resources.index_engine(ctx.config.storage.index_url))
    except (SQLAlchemyError, FamilyContextError):
        st.caption("No trained model yet: run python -m linkage build.")
        return
    converged = "converged" if report.em_converged else "did not converge"
    st.caption(
        f"Build {report.build_id}: pairs are linked at match probability "
        f"{report.link_threshold} and offered for review from "
        f"{report.review_threshold}. Training {converged} in "
        f"{report.em_iterations} rounds."
    )
    st.altair_chart(weights_chart(report.levels), width="stretch")
    with st.expander("m and u per comparison level"):
        st.dataframe(report.levels, hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.caption("Threshold sweep: compared pairs at or above each probability")
    left.dataframe(report.sweep, hide_index=True, width="stretch")
    right.caption("People by how many records they hold")
    right.dataframe(report.cluster_sizes, hide_index=True, width="stretch")
    st.caption("Candidate pairs per blocking rule")
    st.dataframe(report.rules, hide_index=True, width="stretch")
    _completeness(ctx, report)
