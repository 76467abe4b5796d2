"""Entry point of the dashboard: build the context, route to the right page.

Routing is by session state, not URLs: who is signed in decides the pages
(auditors reach only the audit workspace, administrators only sources, builds
and restrictions), every run re-checks the server-side session, a worker gives
a reason before any search, and the family view opens only after confirming.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.config import Config
from core.errors import AuditError, ConfigError, FamilyContextError
from governance.access import AccessRequest
from governance.audit import Actor
from governance.roles import demo_sign_in_allowed, pages_for
from governance.sessions import touch_session, utc_now
from ui import (
    admin_page,
    audit_page,
    data_page,
    family_page,
    layout,
    nav,
    reason,
    resources,
    search_page,
    sign_in,
    state,
)
from ui.context import AppContext


def _signed_in(ctx: AppContext) -> Actor | None:
    """The user with a live server-side session, or None (sign-in or why shown)."""
    actor = state.actor()
    if actor is None and sign_in.oidc_signed_in():
        actor = sign_in.oidc_actor(ctx)
        if actor is None:
            return None
        state.start_session(actor)
    if actor is None:
        sign_in.page(ctx)
        return None
    why = touch_session(ctx.audit_engine, actor, utc_now(), ctx.session_rules)
    if why != "active":
        state.end_session()
        sign_in.ended(why)
        return None
    return actor


def _route(ctx: AppContext) -> None:
    actor = _signed_in(ctx)
    if actor is None:
        return
    layout.sidebar(ctx, actor)
    if nav.choice(actor.role) == nav.DATA:
        data_page.page(ctx, actor)
        return
    pages = pages_for(actor.role)
    if "audit" in pages:
        audit_page.page(ctx, actor)
        return
    if "admin" in pages:
        admin_page.page(ctx, actor)
        return
    if "search" not in pages:
        st.error("Your role has no pages here. Ask your manager for access.")
        return
    why = state.reason()
    if why is None:
        reason.page(ctx)
        return
    layout.reason_bar()
    # the one request every audited call of this run takes (loads the index, or
    # fails, before the worker types anything)
    request = AccessRequest(
        ctx.index(), ctx.audit_engine, actor, why, ctx.policy, ctx.today
    )
    if state.view() == "family":
        family_page.page(ctx, request)
    else:
        search_page.page(ctx, request)


def _context(
    config_path: str, cfg: Config, origin: tuple[str | None, str | None, bool],
    today: date | None,
) -> AppContext:  # fmt: skip
    audit_engine = resources.audit_engine(cfg.storage.audit_url)
    resources.config_recorded(config_path, cfg.storage.audit_url, cfg, audit_engine)
    return AppContext(
        config_path=config_path,
        config=cfg,
        audit_engine=audit_engine,
        demo_allowed=demo_sign_in_allowed(cfg.app.demo_mode, *origin),
        today=today or date.today(),
    )


def _origin() -> tuple[str | None, str | None, bool]:
    """(Host header, client address, relayed by a proxy) of this request."""
    headers = st.context.headers
    relayed = any(headers.get(h) for h in ("X-Forwarded-For", "Forwarded"))
    return headers.get("Host"), st.context.ip_address, relayed


def run(
    config_path: str,
    *,
    host: str | None = None,
    remote_ip: str | None = None,
    today: date | None = None,
) -> None:
    """Render one run of the dashboard.

    ``host`` is the Host the page was reached on and ``remote_ip`` the client's
    address; by default both come from the request (a missing Host counts as not
    local, a proxy's X-Forwarded-For as remote). Tests pass ``host="localhost"``
    (and a fixed ``today``) explicitly.
    """
    st.set_page_config(page_title="Family context lookup", layout="wide")
    try:
        cfg = resources.config(config_path)
    except ConfigError as exc:
        st.error(f"The dashboard cannot start. {exc}", icon=":material/error:")
        return
    layout.header(cfg)
    origin = _origin() if host is None else (host, remote_ip, False)
    body = st.empty()
    try:
        with body.container():
            _route(_context(config_path, cfg, origin, today))
    except AuditError as exc:
        state.clear_results()
        body.error(str(exc), icon=":material/error:")
    except FamilyContextError as exc:
        body.error(str(exc), icon=":material/error:")
