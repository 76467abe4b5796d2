"""A timeline of the family's involvements: an Altair chart and the same as a table.

The chart labels each bar with its word (Current / Historic), so colour is never
the only signal; the table is the text alternative for screen readers.
"""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import streamlit as st

from lookup.family import FamilyView
from lookup.services import ServiceStatus
from lookup.text import long_date
from ui.member import is_restricted

#: Shortest bar drawn, so a one-day involvement is still visible.
MIN_DAYS = 45
COLOURS = {"Current": "#1d70b8", "Historic": "#505a5f"}


def involvement_spans(s: ServiceStatus) -> list[tuple[date, date | None, bool]]:
    """(start, end, current) of each dated involvement shown (none for a role that
    sees only whom to contact: its episodes are blanked)."""
    return [(e.start, e.end, e.current) for e in s.episodes if e.start]


def timeline_rows(view: FamilyView, today: date) -> list[dict]:
    """One row per dated involvement shown in the view, oldest first."""
    rows = []
    for m in view.members:
        if is_restricted(m):
            continue
        for s in m.services:
            if s.involvement not in COLOURS:
                continue
            for start, last, current in involvement_spans(s):
                rows.append({
                    "person": m.name, "service": s.service,
                    "involvement": "Current" if current else "Historic",
                    "start": start, "end": today if current else (last or start),
                    "to": "now" if current else long_date(last) or "not recorded",
                })  # fmt: skip
    return sorted(rows, key=lambda r: (r["start"], r["person"], r["service"]))


def undated(view: FamilyView) -> int:
    """Involvements shown without a start date (not recorded, or not for your role)."""
    return sum(
        1
        for m in view.members
        for s in m.services
        if s.involvement in COLOURS and s.last_start is None
    )


def chart(rows: list[dict]) -> alt.LayerChart:
    """Bars from start to end per person and service, labelled with their word."""
    values = [
        {"label": f"{r['person']} — {r['service']}", "involvement": r["involvement"],
         "start": r["start"].isoformat(),
         "end": max(r["end"], r["start"] + timedelta(days=MIN_DAYS)).isoformat(),
         "from": long_date(r["start"]), "to": r["to"]}
        for r in rows
    ]  # fmt: skip
    first = min(r["start"] for r in rows)
    last = max(r["end"] for r in rows)
    room = last + (last - first) * 0.15 + timedelta(days=90)  # for the end words
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=360))
    )
    colour = alt.Color(
        "involvement:N",
        title="Involvement",
        scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())),
        legend=alt.Legend(orient="bottom"),
    )
    bars = base.mark_bar(height=14).encode(
        x=alt.X(
            "start:T",
            title=None,
            scale=alt.Scale(domain=[first.isoformat(), room.isoformat()]),
        ),
        x2="end:T",
        color=colour,
        tooltip=["label:N", "involvement:N", "from:N", "to:N"],
    )
    words = base.mark_text(align="left", dx=4).encode(x="end:T", text="involvement:N")
    return (bars + words).properties(height=alt.Step(28))


def section(view: FamilyView, today: date) -> None:
    """Heading, chart with alt text, then the table with the same information."""
    st.subheader("Timeline of involvement")
    rows = timeline_rows(view, today)
    missing = undated(view)
    if not rows:
        st.markdown("No dated involvement to show for this family.")
    else:
        st.altair_chart(
            chart(rows), width="stretch",
            alt="Timeline chart of the family's involvements. The table below "
            "gives the same information.",
        )  # fmt: skip
        st.markdown("**Timeline as a table**")
        st.table(
            [{"Person": r["person"], "Service": r["service"],
              "Involvement": r["involvement"], "From": long_date(r["start"]),
              "To": r["to"]} for r in rows],
            hide_index=True,
        )  # fmt: skip
    if missing:
        what = "involvement has" if missing == 1 else "involvements have"
        st.caption(
            f"{missing} more {what} no start date to show (not recorded, or not "
            "shown for your role)."
        )
