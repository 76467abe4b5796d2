"""The auditor's page: the audit log with filters, and a chain integrity check."""

from __future__ import annotations

import streamlit as st

from governance.access import audit_log
from governance.audit import EVENT_KINDS, Actor, verify_chain
from ui.audit_table import display, events_frame, filter_events
from ui.context import AppContext

MAX_EVENTS = 5000


def _integrity(ctx: AppContext) -> None:
    if st.button("Check the log has not been altered", key="verify"):
        check = verify_chain(ctx.audit_engine)
        if check.valid:
            st.success(f"Audit log intact: {check.events:,} events checked.")
        else:
            st.error(
                f"Audit log altered at event {check.first_broken}. Preserve the "
                "database and tell the information-governance lead."
            )


def page(ctx: AppContext, actor: Actor) -> None:
    """Who looked at whom, when and why; no search and no family data."""
    st.header("Audit log")
    frame = events_frame(audit_log(ctx.audit_engine, actor, MAX_EVENTS))
    users = sorted(set(frame["user_id"]))
    left, mid, right, far = st.columns(4)
    user = left.selectbox("User", users, index=None, placeholder="All users")
    kinds = mid.multiselect("Kind", sorted(EVENT_KINDS), placeholder="All kinds")
    start = right.date_input("From (UTC)", value=None, format="DD/MM/YYYY")
    end = far.date_input("To (UTC)", value=None, format="DD/MM/YYYY")
    shown = filter_events(frame, user, kinds, start, end)
    st.caption(f"{shown.height:,} of the latest {frame.height:,} events, newest first.")
    st.dataframe(display(shown), hide_index=True, width="stretch")
    _integrity(ctx)
