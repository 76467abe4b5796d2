"""The summary for case notes: prepared (an audited export) before it is shown.

Nothing of the summary reaches the browser until ``record_summary_export`` has
written its event; after that the print view and both downloads are offered.
"""

from __future__ import annotations

import re

import streamlit as st

from governance.access import AccessRequest, sources_for
from governance.exports import record_summary_export
from lookup.family import FamilyView
from ui import focus, state
from ui.context import AppContext
from ui.summary_doc import SummaryHeader, summary_body_html, summary_html, summary_text

#: When printing, only the summary container is shown (no sidebar, no buttons);
#: on a narrow screen the tables wrap their words instead of widening the page.
PRINT_CSS = """<style>
.st-key-print_summary table{border-collapse:collapse;width:100%;margin-bottom:1em;
table-layout:fixed}
.st-key-print_summary th,.st-key-print_summary td{border:1px solid #0b0c0c;
padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
@media print{
body *{visibility:hidden}
.st-key-print_summary,.st-key-print_summary *{visibility:visible}
.st-key-print_summary{position:absolute;left:0;top:0;width:100%}
[data-testid="stSidebar"],[data-testid="stHeader"]{display:none}
}
</style>"""


def _header(ctx: AppContext, request: AccessRequest) -> SummaryHeader:
    r = request
    return SummaryHeader(
        r.actor.user_name, r.reason.case_ref, r.today, ctx.config.app.local_authority
    )


def file_stem(case_ref: str) -> str:
    """'family-summary-REF-1': the case reference made safe for a file name."""
    return "family-summary-" + (re.sub(r"[^A-Za-z0-9-]+", "-", case_ref) or "case")


def section(ctx: AppContext, request: AccessRequest, view: FamilyView) -> None:
    """Prepare the summary (audited), then offer the print view and downloads."""
    with focus.target("summary"):
        st.subheader("Summary for case notes")
    if not state.summary_ready():
        st.markdown(
            "The family, current involvements, contacts and how current the data "
            "is, to print or save to the case file. Preparing it is recorded."
        )
        if st.button("Prepare summary for case notes", key="prepare_summary",
                     icon=":material/description:"):  # fmt: skip
            record_summary_export(request.audit, request.actor, request.reason, view)
            state.set_summary_ready(True)
            focus.move_to("summary")
            st.rerun()
        return
    sources = sources_for(request)
    head = _header(ctx, request)
    stem = file_stem(request.reason.case_ref)
    left, mid, right = st.columns(3)
    if left.button("Open print view", key="print_view", icon=":material/print:"):
        state.set_summary_ready(True, printing=True)
        focus.move_to("print")
        st.rerun()
    mid.download_button(
        "Download summary (web page)", summary_html(view, sources, head),
        file_name=stem + ".html", mime="text/html", key="download_html",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "Download summary (plain text)", summary_text(view, sources, head),
        file_name=stem + ".txt", mime="text/plain", key="download_text",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def print_view(ctx: AppContext, request: AccessRequest, view: FamilyView) -> None:
    """Only the summary, ready for the browser's Print (already audited)."""
    if st.button("← Back to the family view", key="close_print"):
        state.set_summary_ready(True, printing=False)
        focus.move_to("summary")
        st.rerun()
    st.caption("To print, press Ctrl+P (Cmd+P on a Mac). Only the summary prints.")
    st.html(PRINT_CSS)
    head = _header(ctx, request)
    with focus.target("print"), st.container(key="print_summary"):
        st.html(summary_body_html(view, sources_for(request), head))
