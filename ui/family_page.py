"""Family view: who to call first, then the timeline, every member, the summary."""

from __future__ import annotations

import streamlit as st

from governance.access import AccessRequest, sources_for
from lookup.family import FamilyView
from ui import focus as focus_on
from ui import grid, member, state, summary, timeline, who_to_call
from ui.context import AppContext
from ui.titles import set_title
from ui.trust import source_warnings


def _intro(view: FamilyView) -> None:
    focus = next(m for m in view.members if m.is_focus)
    with focus_on.target("family"):
        st.header(f"{focus.name} and linked people")
    linked = len(view.members) - 1
    st.caption(
        f"{linked} linked {'person' if linked == 1 else 'people'} found. "
        "A starting point for a conversation: check with the professionals named."
    )


def page(ctx: AppContext, request: AccessRequest) -> None:
    """The opened family view (already audited when it was opened)."""
    view: FamilyView | None = state.family()
    if view is None:
        state.back_to_results()
        st.rerun()
        return
    if state.printing():
        set_title(ctx.config, "Summary for case notes (print view)")
        summary.print_view(ctx, request, view)
        return
    set_title(ctx.config, "Family view")
    if st.button("← Back to results", key="back"):
        state.back_to_results()
        focus_on.move_to("results")
        st.rerun()
    _intro(view)
    sources = sources_for(request)
    source_warnings(sources)
    grid.section(view, sources)
    who_to_call.section(request, view)
    timeline.section(view, request.today)
    st.subheader("Family and services")
    for i, m in enumerate(view.members):
        st.html(f'<span id="{grid.member_anchor(i)}"></span>')
        member.card(request, m, list(view.evidence.get(m.person_id, ())))
    summary.section(ctx, request, view)
