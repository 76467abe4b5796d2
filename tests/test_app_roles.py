"""Every role against every page of the dashboard, the visibility matrix and
restricted records as the user sees them, and server-side session time-outs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from test_app_pages import (
    _app,
    _config,
    _events,
    _reason,
    _search,
    _sign_in,
    _texts,
    index_db,  # noqa: F401  (module fixture)
)

from core.db import make_engine
from governance.audit import Actor
from governance.restrictions import RESTRICTED_MESSAGE, set_restriction
from governance.roles import DEMO_USERS, PAGES, pages_for
from governance.store import app_sessions

#: The header each page shows first, so the test can tell which page is up.
HEADERS = {
    "reason": "Why are you looking?",
    "audit": "Audit log",
    "admin": "Sources and builds",
}
ROLE_OF = {u.role: u.user_id for u in DEMO_USERS}


def _audit_engine(config: Path):
    return make_engine(f"sqlite:///{config.parent}/audit.db")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", sorted(ROLE_OF))
def test_every_role_reaches_only_its_pages(tmp_path, index_db, role, page) -> None:  # noqa: F811
    at = _sign_in(_app(_config(tmp_path, index_db)), ROLE_OF[role])
    allowed = pages_for(role)
    first = next(p for p in ("reason", "audit", "admin") if p in allowed)
    assert at.header[0].value == HEADERS[first]
    if page in ("search", "family"):  # try to force a worker page by state
        at.session_state["fc_view"] = page
        at = at.run()
    headers = [h.value for h in at.header]
    if page in HEADERS and page not in allowed:
        assert HEADERS[page] not in headers
    if page == "sign_in":
        assert not at.radio or "demo_user" not in [r.key for r in at.radio]
    if role in ("auditor", "administrator"):
        assert not any(k and k.startswith("q_") for k in [t.key for t in at.text_input])
        assert "Find a person" not in headers
    assert not at.exception


def test_early_help_sees_contact_only_for_sensitive(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    at = _reason(_sign_in(_app(config), "demo.earlyhelp"), "Early Help request")
    at = _search(at, "Jane", "Smith", "03/07/2015")
    at = at.button(key="open_p1").click().run()
    at = at.button(key="confirm_open").click().run()
    page = _texts(at.markdown)
    assert "Ask the lead professional for detail" in page
    assert not [b for b in at.button if (b.key or "").startswith("reveal_")]
    assert _events(config)[-1]["kind"] == "family_opened"


def test_restricted_record_needs_a_written_override(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    at = _reason(_sign_in(_app(config), "demo.frontdoor"))
    admin = Actor("demo.admin", "Admin", "administrator", "s-a")
    set_restriction(_audit_engine(config), admin, "p1", "protected_address")
    at = _search(at, "Jane", "Smith", "03/07/2015")
    assert RESTRICTED_MESSAGE in _texts(at.markdown)
    assert "03/07/2015" not in _texts(at.markdown)
    at = at.button(key="override_p1").click().run()
    at = at.button(key="confirm_open").click().run()
    assert "Write the reason" in _texts(at.error)
    at.text_area(key="why").input("Court-ordered assessment today")
    at = at.button(key="confirm_open").click().run()
    assert at.header[0].value == "Jane SMITH and linked people"
    kinds = [e["kind"] for e in _events(config)]
    assert kinds[-2:] == ["override", "family_opened"]


def test_administrator_restricts_from_the_page(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    at = _sign_in(_app(config), "demo.admin")
    at.text_input(key="restrict_person").input("p3")
    at = at.button(key="FormSubmitter:restrict-Restrict this person").click().run()
    assert "`p3`" in _texts(at.markdown)
    at = at.button(key="lift_p3").click().run()
    assert "`p3`" not in _texts(at.markdown)
    kinds = [e["kind"] for e in _events(config)]
    assert kinds[-2:] == ["restriction_set", "restriction_lifted"]


def test_idle_session_is_ended_server_side(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    at = _reason(_sign_in(_app(config), "demo.frontdoor"))
    with _audit_engine(config).begin() as conn:
        conn.execute(update(app_sessions).values(last_seen_at="2000-01-01T00:00:00Z"))
    at = _search(at, "Jane", "Smith")
    assert "period without use" in _texts(at.warning)
    assert not at.subheader and "q_last" not in [t.key for t in at.text_input]
    assert _events(config)[-1]["kind"] == "session_expired"
    at = at.run()
    assert at.radio(key="demo_user")


def test_no_shared_cache_can_carry_a_view_between_users() -> None:
    """st.cache_data is shared by every user: no page may put a view in it."""
    ui = Path(__file__).resolve().parent.parent / "ui"
    users = [p.name for p in ui.glob("*.py") if "cache_data" in p.read_text()]
    assert users == []
