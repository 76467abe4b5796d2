"""Sign-in: council OpenID Connect (``st.login``), or the demo picker (demo mode on
localhost only). Either way a server-side session row is opened and checked."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from governance.audit import Actor
from governance.oidc import REFUSAL_CODES, identity
from governance.roles import DEMO_USERS, ROLE_LABELS
from governance.sessions import (
    ENDED_MESSAGES,
    open_session,
    opening,
    session_row,
    token_session_id,
    utc_now,
)
from governance.signin import demo_sign_in, failed_sign_in
from ui import state
from ui.context import AppContext

NOT_CONFIGURED = (
    "Council sign-in (OpenID Connect) is not configured yet, so you cannot sign "
    "in. Ask your system administrator."
)
EXPIRED_TOKEN = "Your sign-in has expired. Sign in again."


def oidc_provider() -> str | None:
    """The provider to pass to ``st.login`` ('' for a flat [auth]), None if unset."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    if not auth:
        return None
    names = [k for k, v in auth.items() if isinstance(v, Mapping)]
    return names[0] if names else ""


def oidc_signed_in() -> bool:
    """True when Streamlit holds an OIDC identity cookie for this browser."""
    return oidc_provider() is not None and bool(st.user.is_logged_in)


def _council_button() -> None:
    provider = oidc_provider()
    if provider is None:
        return
    if st.button("Sign in with your council account", type="primary", key="oidc"):
        st.login(provider or None)


def _demo(ctx: AppContext) -> None:
    users = {u.user_id: u for u in DEMO_USERS}
    chosen = st.radio(
        "Choose a demo user",
        list(users),
        format_func=lambda uid: f"{users[uid].name} — {ROLE_LABELS[users[uid].role]}",
        key="demo_user",
    )
    if st.button("Sign in", type="primary", key="sign_in"):
        actor = demo_sign_in(ctx.audit_engine, chosen, ctx.demo_allowed, utc_now(),
                             ctx.session_rules)  # fmt: skip
        state.start_session(actor)
        st.rerun()


def page(ctx: AppContext) -> None:
    """Council sign-in when configured; demo picker when allowed; else a message."""
    if oidc_provider() is None and not ctx.demo_allowed:
        st.info(NOT_CONFIGURED, icon=":material/lock:")
        if ctx.config.app.demo_mode:
            st.caption("Demo sign-in works only when opened on this computer.")
        return
    st.header("Sign in")
    _council_button()
    if ctx.demo_allowed:
        _demo(ctx)


def _refuse(ctx: AppContext, actor: Actor, why: str, message: str) -> None:
    if not state.flag(f"refused_{actor.session_id}"):
        failed_sign_in(ctx.audit_engine, actor, "oidc", why)
        state.set_flag(f"refused_{actor.session_id}")
    st.error(message, icon=":material/block:")
    if st.button("Sign out", key="oidc_sign_out"):
        st.logout()


def oidc_actor(ctx: AppContext) -> Actor | None:
    """The signed-in council user with a live session, or None (message shown)."""
    claims = st.user.to_dict()
    who = identity(claims, ctx.config.governance)
    actor = Actor(who.user_id, who.name, who.role or "none", token_session_id(claims))
    if who.role is None:
        _refuse(ctx, actor, REFUSAL_CODES.get(who.message, "no_role"), who.message)
        return None
    now = utc_now()
    if session_row(ctx.audit_engine, actor.session_id) is not None:
        return actor
    if who.token_expiry is not None and who.token_expiry <= now:
        _refuse(ctx, actor, "token_expired", EXPIRED_TOKEN)
        return None
    with opening(ctx.audit_engine, actor.session_id):  # one replica opens it
        if session_row(ctx.audit_engine, actor.session_id) is None:
            open_session(ctx.audit_engine, actor, "oidc", now, ctx.session_rules,
                         who.token_expiry)  # fmt: skip
    return actor


def ended(why: str) -> None:
    """The session is over: say why, offer to sign in again."""
    st.warning(ENDED_MESSAGES.get(why, ENDED_MESSAGES["unknown"]))
    if oidc_signed_in() and st.button("Sign in again", key="sign_in_again"):
        st.logout()
    elif not oidc_signed_in() and st.button("Back to sign-in", key="back_sign_in"):
        st.rerun()
