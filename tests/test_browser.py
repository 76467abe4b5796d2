"""The real server in headless Chromium: demo sign-in → reason → search →
family view with who to call. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import CHROMIUM, FLAGS, SHOTS, busiest_person, make_demo, serving

playwright = pytest.importorskip("playwright.sync_api", reason="playwright missing")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run does this)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return make_demo(tmp_path_factory.mktemp("browser") / "demo")


@pytest.fixture(scope="module")
def server(demo: Path) -> Iterator[str]:
    with serving(demo / "config.toml") as url:
        yield url


@pytest.fixture
def page(server: str):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        tab = browser.new_page(viewport={"width": 1300, "height": 1000})
        tab.set_default_timeout(20_000)
        tab.goto(server)
        yield tab
        browser.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_worker_finds_a_family_and_who_to_call(page, demo):
    first, last = busiest_person(demo)
    page.get_by_text("Demo mode").first.wait_for()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Why are you looking?").wait_for()
    _shot(page, "1-reason")
    page.get_by_label("Purpose").click()
    page.get_by_role("option", name="New referral (MASH)").click()
    page.get_by_label("Case or referral reference").fill("REF-BROWSER-1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("textbox", name="First name").fill(first.lower())
    page.get_by_role("textbox", name="Last name").fill(last.upper())
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Open").first.wait_for()
    _shot(page, "2-results")
    page.get_by_role("button", name="Open").first.click()
    page.get_by_text("may hold sensitive information").wait_for()
    page.get_by_role("button", name="Yes, open the record").click()
    page.get_by_role("heading", name="Who to call").wait_for()
    page.get_by_role("heading", name="Family and services").wait_for()
    page.get_by_text("Records joined:").first.wait_for()
    page.get_by_role("heading", name="Summary for case notes").wait_for()
    _shot(page, "3-family")
    body = page.inner_text("body")
    assert "Current as of" in body or "current as of" in body
    assert "Demo mode" in body
    _who_to_call(page)
    _printable_summary(page)


def _who_to_call(page) -> None:
    """Every who-to-call card links a phone (tel:) or an email (mailto:)."""
    calls = page.locator("a[href^='tel:']")
    emails = page.locator("a[href^='mailto:']")
    assert calls.count() + emails.count() > 0
    first = calls.first if calls.count() else emails.first
    assert first.inner_text().startswith(("Call ", "Email "))
    page.get_by_role("heading", name="Who to call").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "4-who-to-call.png"))


def _printable_summary(page) -> None:
    """Prepare (audited), download the text version, then the print view."""
    page.get_by_role("button", name="Prepare summary for case notes").click()
    download_button = page.get_by_role("button", name="Download summary (plain text)")
    download_button.wait_for()
    _shot(page, "5-summary-ready")
    with page.expect_download() as download:
        download_button.click()
    saved = SHOTS / "summary.txt"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "CURRENT INVOLVEMENTS: WHO TO CALL" in text and "REF-BROWSER-1" in text
    page.get_by_role("button", name="Open print view").click()
    page.get_by_role("heading", name="Family context summary").wait_for()
    _shot(page, "6-print-view")
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "7-as-printed.png"), full_page=True)
    page.emulate_media(media="screen")
    assert page.get_by_role("heading", name="Find a person").count() == 0
    page.get_by_role("button", name="Back to the family view").click()
    page.get_by_role("heading", name="Who to call").wait_for()


def test_data_page_lists_sources(page, demo):
    page.get_by_text("Demo mode").first.wait_for()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("About the data").first.click()
    page.get_by_role("heading", name="About the data").wait_for()
    page.get_by_role("table").first.wait_for()
    _shot(page, "8-data-page")
    body = page.inner_text("body")
    assert "Rows set aside" in body and "Current as of" in body


def test_remote_host_gets_no_demo_sign_in(server):
    """Reached by a council host name, the picker must not appear even in demo
    mode (the name resolves to this machine, so nothing leaves it)."""
    port = server.rsplit(":", 1)[1]
    rules = "--host-resolver-rules=MAP lookup.council.example 127.0.0.1"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[*FLAGS, rules])
        tab = browser.new_page()
        tab.goto(f"http://lookup.council.example:{port}")
        tab.get_by_text("not configured").first.wait_for(timeout=20_000)
        assert tab.get_by_role("button", name="Sign in").count() == 0
        browser.close()
