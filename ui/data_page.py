"""About the data: each source, how current, what it covers, rows loaded, problems.

Counts and dates only, never personal data, so it needs no reason for access.
Reached by workers and administrators (``governance.roles``), not auditors.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import streamlit as st
from sqlalchemy import Engine

from core.errors import IndexNotReadyError
from governance.audit import Actor
from governance.roles import may
from lookup.index_overview import served_faults, served_loads
from lookup.services import Source, configured_sources, coverage_text
from lookup.text import long_date
from sources.faults import summary
from ui import resources
from ui.context import AppContext
from ui.text import md
from ui.trust import problem_lines


def status_text(src: Source) -> str:
    """'Up to date', 'Out of date: …since 3 May 2026' or 'Not loaded' (in words)."""
    why = f" ({src.failure})" if src.failure else ""
    if src.stale_since is not None:
        return f"Out of date: extracts failing since {long_date(src.stale_since)}{why}"
    return "Up to date" if src.ok else f"Not loaded: latest extract failed{why}"


def ages_text(src: Source) -> str:
    """'16 and over', '4 to 20' or 'All ages': the council's age rule for the source."""
    low, high = src.age_min, src.age_max
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"{low} and over"
    return f"Up to {high}" if high is not None else "All ages"


def source_table(loads: pl.DataFrame) -> list[dict[str, str]]:
    """One row per source, in configured order, worded for people."""
    rows = []
    for src, r in zip(configured_sources(loads), loads.iter_rows(named=True),
                      strict=True):  # fmt: skip
        rows.append({
            "Service": src.service, "Status": status_text(src),
            "Current as of": long_date(src.extract_date) or "Unknown",
            "Data covers": coverage_text(src), "Ages shown": ages_text(src),
            "Rows read": f"{r['rows_read']:,}",
            "Rows accepted": f"{r['rows_accepted']:,}",
            "Rows set aside": f"{r['rows_quarantined']:,}",
        })  # fmt: skip
    return rows


def _admin_problems(loads: pl.DataFrame) -> None:
    shown = False
    for r in loads.iter_rows(named=True):
        problems = json.loads(r.get("problems") or "[]")
        if problems:
            shown = True
            st.markdown(
                f"**{md(r['service'])}**\n" + "\n".join(f"- {md(p)}" for p in problems)
            )
    if not shown:
        st.markdown("None.")


def fault_lines(engine: Engine) -> dict[str, list[str]]:
    """Per source, each kind of value the served build did not use as given, with
    its column and first rows (no values)."""
    found = served_faults(engine)
    return {
        source: [count.line() for count in summary(part)]
        for (source,), part in found.partition_by("source", as_dict=True).items()
    }


def _admin_faults(engine: Engine) -> None:
    shown = fault_lines(engine)
    for source, lines in shown.items():
        st.markdown(f"**{md(source)}**\n" + "\n".join(f"- {md(x)}" for x in lines))
    if not shown:
        st.markdown("None.")


def page(ctx: AppContext, actor: Actor) -> None:
    """The sources of the current build: status, dates, coverage and row counts."""
    st.header("About the data")
    st.markdown(
        "Where the information comes from and how up to date it is. Rows set "
        "aside could not be used (for example, no name) and are not searchable."
    )
    try:
        served = served_loads(resources.index_engine(ctx.config.storage.index_url))
    except IndexNotReadyError:
        st.info("No data has been loaded yet. The administrator runs the build.")
        return
    switched, loads = served.switched_at, served.loads
    if switched:
        built = long_date(date.fromisoformat(switched[:10]))
        st.caption(f"Data last rebuilt on {built}.")
    lines = problem_lines({s.source: s for s in configured_sources(loads)})
    if lines:
        st.warning(
            "**Some sources are out of date or missing.**\n\n"
            + "\n".join(f"- {md(line)}" for line in lines),
            icon=":material/warning:",
        )
    else:
        st.success("Every source loaded in the latest build.", icon=":material/check:")
    st.table(source_table(loads), hide_index=True)
    if may(actor.role, "administer"):
        st.subheader("Problems reported by the latest load")
        _admin_problems(loads)
        st.subheader("Values not used as given, by row")
        st.caption(
            "Each was set to empty, cleaned, cut or renamed as it says; the rows "
            "are the extract's data rows. The full list is the index's "
            "field_faults table."
        )
        _admin_faults(resources.index_engine(ctx.config.storage.index_url))
