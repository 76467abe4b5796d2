"""Entry point of the dashboard: build the context, route to the right page.

Routing is by session state, not URLs: who is signed in decides the pages
(auditors reach only the audit workspace, administrators only sources, builds
and restrictions), every run re-checks the server-side session, a worker gives
a reason before any search, and the family view opens only after confirming.
"""

from __future__ import annotations

import time
from datetime import date

import streamlit as st

from core import logs
from core.config import Config
from core.errors import (
    AccessDenied,
    AuditError,
    ConfigError,
    FamilyContextError,
    NotInIndexError,
)
from governance.access import AccessRequest, audited_family
from governance.audit import Actor
from governance.places import Place, load_place, save_place
from governance.roles import demo_sign_in_allowed, pages_for, relayed
from governance.sessions import touch_session, utc_now
from ui import (
    admin_page,
    audit_page,
    data_page,
    family_page,
    focus,
    layout,
    nav,
    reason,
    resources,
    search_page,
    sign_in,
    state,
)
from ui.context import AppContext
from ui.titles import set_title


def _signed_in(ctx: AppContext) -> Actor | None:
    """The user with a live server-side session, or None (sign-in or why shown)."""
    actor = state.actor()
    if actor is None and sign_in.oidc_signed_in():
        actor = sign_in.oidc_actor(ctx)
        if actor is None:
            return None
        state.start_session(actor)
        state.mark_resume()  # a council sign-in cookie outlives the page: a reload
    if actor is None:
        set_title(ctx.config, "Sign in")
        sign_in.page(ctx)
        return None
    why = touch_session(ctx.audit_engine, actor, utc_now(), ctx.session_rules)
    if why != "active":
        state.end_session()
        set_title(ctx.config, "Signed out")
        sign_in.ended(why)
        return None
    return actor


def _route(ctx: AppContext, seen: dict[str, str]) -> None:
    """Render the page the session is on; ``seen`` gets its name and the role."""
    actor = _signed_in(ctx)
    if actor is None:
        return
    seen["role"] = actor.role
    layout.sidebar(ctx, actor)
    if nav.choice(actor.role) == nav.DATA:
        seen["page"] = "data"
        set_title(ctx.config, nav.DATA)
        data_page.page(ctx, actor)
        return
    pages = pages_for(actor.role)
    work = (("audit", audit_page.page, "Audit log"),
            ("admin", admin_page.page, "Sources and builds"))  # fmt: skip
    for name, show, title in work:
        if name in pages:
            seen["page"] = name
            set_title(ctx.config, title)
            show(ctx, actor)
            return
    if "search" not in pages:
        seen["page"] = "none"
        set_title(ctx.config, "No access")
        st.error("Your role has no pages here. Ask your manager for access.")
        return
    if state.take_resume():
        _resume(ctx, actor)
    _remember_place(ctx, actor)
    why = state.reason()
    if why is None:
        seen["page"] = "reason"
        set_title(ctx.config, "Why are you looking?")
        reason.page(ctx)
        return
    layout.reason_bar()
    # the one request every audited call of this run takes (loads the index, or
    # fails, before the worker types anything)
    request = AccessRequest(
        ctx.index(), ctx.audit_engine, actor, why, ctx.policy, ctx.today
    )
    _reopen(request)
    seen["page"] = state.view() or "search"
    if state.view() == "family":
        family_page.page(ctx, request)
    else:
        search_page.page(ctx, request)


def _resume(ctx: AppContext, actor: Actor) -> None:
    """After a reload: the reason and the person this (checked) session had."""
    place = load_place(ctx.audit_engine, actor.session_id)
    if place.reason is not None:
        state.set_reason(place.reason)
        state.set_reopen(place.person_id)
    state.set_place((place.reason, place.person_id))


def _remember_place(ctx: AppContext, actor: Actor) -> None:
    """Save where the session is whenever it moves (reason, open person). A view
    opened by override is not reopened on reload: the search shows instead."""
    view = state.family() if state.view() == "family" else None
    person = view.focus_id if view and not state.override(view.focus_id) else None
    here = (state.reason(), person or state.reopen())
    if here != state.place():
        save_place(ctx.audit_engine, actor.session_id, Place(*here), utc_now())
        state.set_place(here)


def _reopen(request: AccessRequest) -> None:
    """Open again, as a ``reopen`` event, the family view a reload closed."""
    person_id = state.reopen()
    if person_id is None:
        return
    state.set_reopen(None)
    try:
        state.open_family(audited_family(request, person_id, reopen=True))
    except (NotInIndexError, AccessDenied):
        st.info("The family view you had open could not be opened again (the "
                "index may have been rebuilt). Search again.")  # fmt: skip


Origin = tuple[str | None, str | None, bool, str | None]


def _context(
    config_path: str, cfg: Config, origin: Origin, today: date | None
) -> AppContext:
    audit_engine = resources.audit_engine(cfg.storage.audit_url, cfg)
    resources.config_recorded(config_path, cfg.storage.audit_url, cfg, audit_engine)
    return AppContext(
        config_path=config_path,
        config=cfg,
        audit_engine=audit_engine,
        demo_allowed=demo_sign_in_allowed(cfg.app.demo_mode, *origin),
        today=today or date.today(),
    )


def _origin() -> Origin:
    """(Host, client address, relayed by a proxy, browser's Origin) of this
    request, as the websocket handshake carried them."""
    headers = st.context.headers
    return (headers.get("Host"), st.context.ip_address, relayed(headers),
            headers.get("Origin"))  # fmt: skip


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
    logs.configure()
    with logs.request():
        started, seen = time.monotonic(), {"page": "sign_in"}
        outcome = "rerun"  # st.rerun() and st.stop() leave by an exception
        try:
            outcome = _render(config_path, host, remote_ip, today, seen)
        finally:
            logs.log(
                "dashboard_run",
                outcome=outcome,
                ms=round((time.monotonic() - started) * 1000, 1),
                **seen,
            )


def _render(
    config_path: str, host: str | None, remote_ip: str | None, today: date | None,
    seen: dict[str, str],
) -> str:  # fmt: skip
    """One run of the page; returns how it ended (ok or the error's kind)."""
    st.set_page_config(page_title="Family context lookup", layout="wide")
    try:
        cfg = resources.config(config_path)
    except ConfigError as exc:
        st.error(f"The dashboard cannot start. {exc}", icon=":material/error:")
        return type(exc).__name__
    layout.header(cfg, printing=state.view() == "family" and state.printing())
    origin = _origin() if host is None else (host, remote_ip, False, None)
    body = st.empty()
    try:
        with body.container():
            _route(_context(config_path, cfg, origin, today), seen)
            focus.apply()
    except AuditError as exc:
        state.clear_results()
        body.error(str(exc), icon=":material/error:")
        logs.log_error("dashboard_error", exc, **seen)
        return type(exc).__name__
    except FamilyContextError as exc:
        body.error(str(exc), icon=":material/error:")
        return type(exc).__name__
    return "ok"
