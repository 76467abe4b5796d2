"""Council sign-in for real: a mock OpenID Connect provider (oidc-provider-mock)
on 127.0.0.1, the real dashboard server, headless Chromium. Covers sign-in with a
role claim, a replayed cookie after sign-out, one session per user (a second
sign-in ends the first), an expired ID token, a user with no mapped role and an
Entra groups overage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import (
    CHROMIUM,
    FLAGS,
    ROOT,
    _free_port,
    _stop,
    _wait_for,
    _wait_http,
)
from support.lookup_index import JANE_NHS, make_index

playwright = pytest.importorskip("playwright.sync_api", reason="playwright missing")
pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock missing")

USERS = [
    {"sub": "alice", "name": "Alice Worker", "roles": ["front_door"]},
    {"sub": "carol", "name": "Carol Nobody", "roles": ["someone_else"]},
    {"sub": "dave", "name": "Dave Manygroups", "hasgroups": True},
]


def _start(cmd: list[str], cwd: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


@pytest.fixture
def stack(request, tmp_path) -> Iterator[tuple[str, int]]:
    """(dashboard URL, token lifetime): provider + dashboard with secrets.toml."""
    idp_port, app_port = _free_port(), _free_port()
    users = [a for u in USERS for a in ("--user-claims", json.dumps(u))]
    env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}
    lifetime = str(request.param)
    idp = _start([sys.executable, "-m", "oidc_provider_mock", "--port",
                  str(idp_port), "-e", lifetime, *users], tmp_path, env)  # fmt: skip
    make_index(tmp_path / "index.db")
    (tmp_path / "config.toml").write_text(
        '[storage]\nindex_url = "sqlite:///index.db"\naudit_url = "sqlite:///audit.db"\n'
    )
    app_url = f"http://localhost:{app_port}"
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[auth]\nredirect_uri = "{app_url}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-for-production"\n'
        'client_id = "family-context"\nclient_secret = "test-client-secret"\n'
        f'server_metadata_url = "http://127.0.0.1:{idp_port}'
        '/.well-known/openid-configuration"\n'
    )
    config = str(tmp_path / "config.toml")
    app = _start([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                  "--server.address", "127.0.0.1", "--server.port", str(app_port),
                  "--server.headless", "true", "--browser.gatherUsageStats", "false",
                  "--", "--config", config], tmp_path, env)  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration")
        _wait_for(app_url)
        yield app_url, request.param
    finally:
        _stop(app)
        _stop(idp)


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def _sign_in(context, url: str, sub: str):
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_role("button", name="Sign in with your council account").click()
    page.get_by_role("button", name=sub, exact=True).click()
    return page


def _events(folder: Path) -> list[dict]:
    """The audit events the dashboard recorded, oldest first."""
    from core.db import make_engine
    from governance.audit import read_events

    return list(reversed(read_events(make_engine(f"sqlite:///{folder}/audit.db"))))


@pytest.mark.parametrize("stack", [3600], indirect=True)
def test_sign_in_sign_out_and_replayed_cookie(stack, browser, tmp_path) -> None:
    url, _ = stack
    context = browser.new_context()
    page = _sign_in(context, url, "alice")
    page.get_by_text("Why are you looking?").wait_for()
    page.get_by_text("Alice Worker").first.wait_for()
    stolen = context.cookies()
    assert any(c["name"].startswith("_streamlit_user") for c in stolen)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda u: not u.startswith(url) or "oauth2" in u)
    replay = browser.new_context()
    replay.add_cookies(stolen)
    tab = replay.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(url)
    tab.get_by_text("You signed out. Sign in again to continue.").wait_for()
    assert tab.get_by_text("Why are you looking?").count() == 0
    events = _events(tmp_path)
    assert [e["kind"] for e in events][:3] == ["config", "sign_in", "sign_out"]
    replayed = events[-1]
    assert (replayed["kind"], replayed["user_id"]) == ("sign_in_failed", "alice")
    assert replayed["data"] == {"method": "oidc", "why": "revoked_session",
                                "ended": "sign_out"}  # fmt: skip
    first = _sign_in(browser.new_context(), url, "alice")
    first.get_by_text("Why are you looking?").wait_for()
    second = _sign_in(browser.new_context(), url, "alice")
    second.get_by_text("Why are you looking?").wait_for()
    first.reload()
    first.get_by_text("You signed in somewhere else, so this session ended.").wait_for()
    assert first.get_by_text("Why are you looking?").count() == 0
    second.reload()
    second.get_by_text("Why are you looking?").wait_for()
    stale = _events(tmp_path)[-1]
    assert (stale["kind"], stale["data"]["ended"]) == ("sign_in_failed", "replaced")


@pytest.mark.parametrize("stack", [12], indirect=True)
def test_expired_token_and_no_role(stack, browser, tmp_path) -> None:
    url, lifetime = stack
    page = _sign_in(browser.new_context(), url, "alice")
    page.get_by_text("Why are you looking?").wait_for()
    time.sleep(lifetime + 1)
    page.reload()
    page.get_by_text("Your sign-in has expired. Sign in again.").wait_for()
    assert page.get_by_text("Why are you looking?").count() == 0
    other = _sign_in(browser.new_context(), url, "carol")
    other.get_by_text("your account has no role in this tool").wait_for()
    assert other.get_by_text("Why are you looking?").count() == 0
    events = _events(tmp_path)
    expired = next(e for e in events if e["kind"] == "session_expired")
    assert expired["data"] == {"why": "token_expired"}
    refused = next(e for e in events if e["kind"] == "sign_in_failed")
    assert (refused["user_id"], refused["role"]) == ("carol", "none")
    assert refused["data"] == {"method": "oidc", "why": "no_role"}
    many = _sign_in(browser.new_context(), url, "dave")
    many.get_by_text("your account is in too many groups").wait_for()
    assert many.get_by_text("Why are you looking?").count() == 0
    overage = _events(tmp_path)[-1]
    assert (overage["user_id"], overage["kind"]) == ("dave", "sign_in_failed")
    assert overage["data"] == {"method": "oidc", "why": "groups_overage"}


def _resign(secret: str, cookie: dict, change) -> str:  # noqa: ANN001
    """The cookie's value decoded with the secret, changed and signed again the
    way the dashboard's server signs it."""
    from streamlit.web.server.starlette import starlette_app_utils as signing

    name = cookie["name"]
    raw = signing.decode_signed_value(secret, name, cookie["value"])
    assert raw is not None, "the cookie is not signed with the secret"
    changed = json.dumps(change(json.loads(raw)))
    return signing.create_signed_value(secret, name, changed).decode()


@pytest.mark.parametrize("stack", [3600], indirect=True)
def test_a_cookie_re_signed_with_another_role_is_refused_and_recorded(
    stack, browser, tmp_path
) -> None:
    """Whoever holds the cookie secret can sign any claims; the role the live
    session was opened with decides, and the altered cookie ends the session."""
    url, _ = stack
    context = browser.new_context()
    page = _sign_in(context, url, "alice")
    page.get_by_text("Why are you looking?").wait_for()
    cookies = context.cookies()
    (user,) = [c for c in cookies if c["name"] == "_streamlit_user"]
    forged = _resign("test-cookie-secret-not-for-production", user,
                     lambda claims: {**claims, "roles": ["auditor"]})  # fmt: skip
    other = browser.new_context()
    other.add_cookies([c if c is not user else {**c, "value": forged}
                       for c in cookies])  # fmt: skip
    tab = other.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(url)
    tab.get_by_text("This sign-in does not match its session").wait_for()
    assert tab.get_by_text("Why are you looking?").count() == 0
    assert tab.get_by_text("Audit log").count() == 0
    refused = _events(tmp_path)[-1]
    assert (refused["kind"], refused["user_id"], refused["role"]) == (
        "sign_in_failed", "alice", "auditor")  # fmt: skip
    assert refused["data"]["why"] == "session_mismatch"
    assert refused["data"]["session_role"] == "front_door"
    page.reload()  # the real cookie's session ended with it
    page.get_by_text("This session is not recognised").or_(
        page.get_by_text("This sign-in does not match its session")
    ).first.wait_for()
    assert page.get_by_text("Why are you looking?").count() == 0


@pytest.mark.parametrize("stack", [3600], indirect=True)
def test_reload_keeps_the_worker_on_the_same_family_for_the_same_reason(
    stack, browser, tmp_path
) -> None:
    """F5 on a family view: still signed in (the server-side session is checked
    first), the same reason, the same person, recorded as a ``reopen``; nothing
    of it in the address. After "Back to results" a reload comes back to the
    search with the reason kept."""
    url, _ = stack
    page = _sign_in(browser.new_context(), url, "alice")
    page.get_by_label("Purpose").click()
    page.get_by_role("option", name="New referral (MASH)").click()
    page.get_by_label("Case or referral reference").fill("REF-RELOAD-1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("textbox", name="Or search by an identifier").fill(JANE_NHS)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("heading", name="1 person found").wait_for()
    page.get_by_role("button", name="Open family view").click()
    page.get_by_role("button", name="Yes, open the record").click()
    page.get_by_role("heading", name="Jane SMITH and linked people").wait_for()
    page.reload()
    page.get_by_role("heading", name="Jane SMITH and linked people").wait_for()
    page.get_by_text("REF-RELOAD-1").first.wait_for()
    assert "Jane" not in page.url and "p1" not in page.url
    events = _events(tmp_path)
    opened = next(e for e in events if e["kind"] == "family_opened")
    reopened = events[-1]
    assert reopened["kind"] == "reopen" and reopened["data"] == opened["data"]
    assert (reopened["session_id"], reopened["case_ref"]) == (
        opened["session_id"], "REF-RELOAD-1")  # fmt: skip
    assert [e["kind"] for e in events].count("sign_in") == 1
    page.get_by_role("button", name="← Back to results").click()
    page.get_by_role("heading", name="Find a person").wait_for()
    page.reload()
    page.get_by_role("heading", name="Find a person").wait_for()
    page.get_by_text("REF-RELOAD-1").first.wait_for()
    assert page.get_by_role("heading", name="Jane SMITH and linked people").count() == 0
    assert [e["kind"] for e in _events(tmp_path)].count("reopen") == 1
