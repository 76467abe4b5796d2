"""What every page shares: title, demo banner, who is signed in, the reason bar."""

from __future__ import annotations

import streamlit as st

from core.config import Config
from governance.access import audited_sign_out
from governance.audit import Actor
from governance.roles import ROLE_LABELS
from governance.sessions import end_session, utc_now
from ui import focus, sign_in, state
from ui.context import AppContext
from ui.text import md

DEMO_BANNER = "Demo mode: synthetic data, local sign-in — not for live use"

#: WCAG 2.2 AA fixes to Streamlit's theme, on every page: captions dark enough
#: for 4.5:1 on the sidebar's grey (Streamlit fades them by opacity to 3:1-3.8:1),
#: a focus outline of 3 px near-black (its own ring is a half-transparent red,
#: about 2.2:1), the demo banner styled as a note (it is not an alert: a screen
#: reader would announce it on every page), a chart wider than a phone scrolling
#: in its own box rather than the whole page sideways (WCAG 1.4.10 at 320 px).
STYLE = """<style>
[data-testid="stCaptionContainer"]{opacity:1 !important;color:#585653 !important}
:focus-visible{
outline:3px solid #0b0c0c !important;outline-offset:2px !important}
[data-testid$="RootElement"]:focus-within,[data-baseweb="select"]>div:focus-within,
[data-baseweb="textarea"]:focus-within{
outline:3px solid #0b0c0c !important;outline-offset:1px !important}
label:has(input[type="radio"]:focus-visible),
label:has(input[type="checkbox"]:focus-visible){
outline:3px solid #0b0c0c !important;outline-offset:2px !important}
input:focus,textarea:focus{outline:none !important}
[data-testid="stVegaLiteChart"]{max-width:100%;overflow-x:auto}
.st-key-demo_banner{background:#fff7bf;border-left:6px solid #594d00;
padding:0.5rem 0.75rem;border-radius:0.25rem}
</style>"""


def header(config: Config, printing: bool = False) -> None:
    """Page title (none over the print view: the summary is its own document, with
    its own h1), and the demo banner on every page when demo mode is on."""
    st.html(STYLE)
    if not printing:
        st.title(config.app.title)
    if config.app.demo_mode:
        with st.container(key="demo_banner"):
            st.markdown(f":material/science: **{DEMO_BANNER}**")


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
        focus.move_to("reason")
        st.rerun()
