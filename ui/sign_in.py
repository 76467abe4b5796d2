"""Sign-in: the demo user picker, only in demo mode and only on localhost."""

from __future__ import annotations

import uuid

import streamlit as st

from governance.access import audited_sign_in
from governance.audit import Actor
from governance.roles import DEMO_USERS, ROLE_LABELS
from ui import state
from ui.context import AppContext

NOT_CONFIGURED = (
    "Council sign-in (OpenID Connect) is not configured yet, so you cannot sign "
    "in. Ask your system administrator."
)


def page(ctx: AppContext) -> None:
    """Demo picker when allowed; otherwise the not-configured message only."""
    if not ctx.demo_allowed:
        st.info(NOT_CONFIGURED, icon=":material/lock:")
        if ctx.config.app.demo_mode:
            st.caption("Demo sign-in works only when opened on this computer.")
        return
    st.header("Sign in")
    users = {u.user_id: u for u in DEMO_USERS}
    chosen = st.radio(
        "Choose a demo user",
        list(users),
        format_func=lambda uid: f"{users[uid].name} — {ROLE_LABELS[users[uid].role]}",
        key="demo_user",
    )
    if st.button("Sign in", type="primary", key="sign_in"):
        user = users[chosen]
        actor = Actor(user.user_id, user.name, user.role, str(uuid.uuid4()))
        audited_sign_in(ctx.audit_engine, actor, "demo")
        state.start_session(actor)
        st.rerun()
