"""What every page shares: title, demo banner, who is signed in, the reason bar."""

from __future__ import annotations

import streamlit as st

from core.config import Config
from governance.access import audited_sign_out
from governance.audit import Actor
from governance.roles import ROLE_LABELS
from governance.sessions import end_session, utc_now
from ui import sign_in, state
from ui.context import AppContext
from ui.text import md

DEMO_BANNER = "Demo mode: synthetic data, local sign-in — not for live use"


def header(config: Config) -> None:
    """Page title, and the demo banner on every page when demo mode is on."""
    st.title(config.app.title)
    if config.app.demo_mode:
        st.warning(DEMO_BANNER, icon=":material/science:")


def sidebar(ctx: AppContext, actor: Actor) -> None:
    """Who is signed in, in which role, and a way to sign out."""
    with st.sidebar:
        st.markdown(f"Signed in as **{md(actor.user_name)}**")
        st.caption(ROLE_LABELS.get(actor.role, actor.role))
        if st.button("Sign out", key="sign_out"):
            oidc = sign_in.oidc_signed_in()
            try:
                audited_sign_out(ctx.audit_engine, actor)
                end_session(ctx.audit_engine, actor.session_id, utc_now(), "sign_out")
            finally:
                state.end_session()
            if oidc:
                st.logout()  # clears Streamlit's cookie; our row is already revoked
            else:
                st.rerun()
        st.caption(ctx.config.app.local_authority)


def reason_bar() -> None:
    """The reason for access, shown above the search, with a way to change it."""
    reason = state.reason()
    if reason is None:
        return
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.info(
        f"Purpose: **{md(reason.purpose)}** · Case or referral: "
        f"**{md(reason.case_ref)}**",
        icon=":material/assignment:",
    )
    if right.button("Change reason", key="change_reason"):
        state.set_reason(None)
        st.rerun()
