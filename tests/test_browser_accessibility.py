"""WCAG 2.2 AA in the real dashboard: axe-core (npm, tests/a11y) injected by
Playwright into every page and state a worker, an auditor and an administrator
reach (the family view's prepared-request and report forms too), plus what axe
does not check: a title per state, one h1 in the print view, headings that
nest, no sideways scrolling at 320 px, a focus indicator of at least 3:1, no "?"
help icons between fields, a demo banner that is no alert.
Figures go to test-artifacts/browser/accessibility.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.axe import (
    axe_missing,
    blocking,
    focus_contrast,
    run_axe,
    settle,
    sideways_overflow,
)
from support.browser import CHROMIUM, FLAGS, SHOTS, busiest_person, make_demo, serving

playwright = pytest.importorskip("playwright.sync_api", reason="playwright missing")
if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium",
                allow_module_level=True)  # fmt: skip
if axe_missing():
    pytest.fail(axe_missing(), pytrace=False)

WIDE, NARROW = {"width": 1300, "height": 1000}, {"width": 320, "height": 800}
SUFFIX = " – Family context lookup (demo)"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return make_demo(tmp_path_factory.mktemp("a11y") / "demo", people=600)


@pytest.fixture(scope="module")
def server(demo: Path) -> Iterator[str]:
    with serving(demo / "config.toml") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def report() -> Iterator[dict]:
    found: dict[str, dict] = {}
    yield found
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "accessibility.json").write_text(json.dumps(found, indent=2))


def _tab(browser, url: str):
    page = browser.new_page(viewport=WIDE)
    page.set_default_timeout(20_000)
    page.goto(url)
    return page


def _check(page, name: str, report: dict) -> dict:
    """axe, the title and the narrow width for the page as it is now."""
    settle(page)
    findings = run_axe(page)
    if blocking(findings):  # once more after a second: a fade-in is not the page
        page.wait_for_timeout(1000)
        findings = run_axe(page)
    title = page.title()
    page.set_viewport_size(NARROW)
    page.wait_for_timeout(600)
    overflow = sideways_overflow(page)
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(300)
    report[name] = {
        "title": title,
        "overflow_320": overflow,
        "blocking": [
            f"{f.rule} ({f.impact}, {f.nodes} nodes): {f.targets}"
            for f in blocking(findings)
        ],  # fmt: skip
        "other": [
            f"{f.rule} ({f.impact}, {f.nodes} nodes)"
            for f in findings
            if f not in blocking(findings)
        ],  # fmt: skip
    }
    return report[name]


def _sign_in(page, user: str | None = None) -> None:
    page.get_by_role("button", name="Sign in").wait_for()
    if user:
        page.get_by_text(user).click()
    page.get_by_role("button", name="Sign in").click()


def _give_reason(page) -> None:
    page.get_by_label("Purpose").click()
    page.get_by_role("option", name="New referral (MASH)").click()
    page.get_by_label("Case or referral reference").fill("REF-A11Y-1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("textbox", name="First name").wait_for()


def _worker_states(page, demo: Path, report: dict) -> list[str]:
    """Walk sign-in → … → print view → data page, checking each; the states."""
    first, last = busiest_person(demo)
    page.get_by_role("button", name="Sign in").wait_for()
    _check(page, "sign-in", report)
    _sign_in(page)
    page.get_by_text("Why are you looking?").wait_for()
    _check(page, "reason", report)
    _give_reason(page)
    _check(page, "search", report)
    page.get_by_role("textbox", name="First name").fill(first)
    page.get_by_role("textbox", name="Last name").fill(last)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Open").first.wait_for()
    _check(page, "results", report)
    page.get_by_role("button", name="Open").first.click()
    page.get_by_text("may hold sensitive information").wait_for()
    _check(page, "confirm", report)
    page.get_by_role("button", name="Yes, open the record").click()
    page.get_by_role("heading", name="Who to call").wait_for()
    _check(page, "family view", report)
    page.get_by_role("button", name="Prepare summary for case notes").click()
    page.get_by_role("button", name="Open print view").wait_for()
    _check(page, "summary", report)
    page.get_by_role("button", name="Open print view").click()
    page.get_by_role("heading", name="Family context summary").wait_for()
    _check(page, "print view", report)
    report["print view"]["h1"] = page.locator("h1").count()
    page.get_by_role("button", name="Back to the family view").click()
    page.get_by_role("heading", name="Who to call").wait_for()
    page.get_by_text("About the data").first.click()
    page.get_by_role("heading", name="About the data").wait_for()
    _check(page, "data page", report)
    return ["sign-in", "reason", "search", "results", "confirm", "family view",
            "summary", "print view", "data page"]  # fmt: skip


def test_every_worker_state_passes_axe_and_has_its_own_title(
    browser, server, demo, report
) -> None:
    page = _tab(browser, server)
    states = _worker_states(page, demo, report)
    page.close()
    for state in states:
        assert report[state]["blocking"] == [], (state, report[state])
        assert report[state]["overflow_320"] == 0, (state, report[state])
        assert report[state]["title"].endswith(SUFFIX), (state, report[state])
    titles = {report[s]["title"] for s in states if s != "summary"}
    assert len(titles) == len(states) - 1  # the summary is part of the family view
    assert report["print view"]["h1"] == 1


@pytest.mark.parametrize(
    ("user", "heading", "title"),
    [("Jo Patel", "Audit log", "Audit log"),
     ("Ravi Shah", "Sources and builds", "Sources and builds")],
)  # fmt: skip
def test_auditor_and_administrator_pages_pass_axe(
    browser, server, report, user, heading, title
) -> None:
    page = _tab(browser, server)
    _sign_in(page, user)
    page.get_by_role("heading", name=heading).wait_for()
    found = _check(page, heading, report)
    page.close()
    assert found["blocking"] == [] and found["overflow_320"] == 0, found
    assert found["title"] == title + SUFFIX


def test_family_view_forms_pass_axe(browser, server, demo, report) -> None:
    """The prepared-request form and what it prepares, and the report form, each
    opened from a who-to-call card: axe, the page's title, 320 px."""
    page = _tab(browser, server)
    _family(page, demo)
    page.get_by_role("heading", name="Who to call").wait_for()
    page.get_by_role("button", name="Prepare an email or call to").first.click()
    page.get_by_role("button", name="Prepare the request").wait_for()
    states = [_check(page, "request form", report)]
    page.get_by_role("button", name="Prepare the request").click()
    page.get_by_role("heading", name="To read out on the phone").first.wait_for()
    states.append(_check(page, "prepared request", report))
    page.get_by_role("button", name="Report an out-of-date contact").first.click()
    page.get_by_role("button", name="Send report").wait_for()
    states.append(_check(page, "report form", report))
    page.close()
    for found in states:
        assert found["blocking"] == [] and found["overflow_320"] == 0, found
        assert found["title"].endswith(SUFFIX), found


def test_focus_indicator_help_icons_and_banner(browser, server) -> None:
    """Tab from the first field through the search form and the side menu: every
    stop shows an indicator of at least 3:1, and none is a "?" help icon."""
    page = _tab(browser, server)
    banner = page.get_by_text("Demo mode").first
    banner.wait_for()
    assert page.locator("[role=alert]").filter(has_text="Demo mode").count() == 0
    _sign_in(page)
    _give_reason(page)
    settle(page)
    page.get_by_role("textbox", name="First name").focus()
    stops = []
    for _ in range(12):
        name = page.evaluate(
            "() => document.activeElement.getAttribute('aria-label') ||"
            " document.activeElement.closest('label,[data-testid]')?.innerText"
            " || document.activeElement.tagName"
        )
        stops.append((name, focus_contrast(page)))
        page.keyboard.press("Tab")
    page.close()
    shown = [(n, c) for n, c in stops if c is not None]
    assert len(shown) >= 8, stops
    assert all(c >= 3 for _, c in shown), stops
    assert not any(str(n).startswith("Help for") for n, _ in stops), stops


def test_family_view_headings_nest(browser, server, demo) -> None:
    """No heading is more than one level below the one before it, and each
    person's name sits below the section that lists them."""
    page = _tab(browser, server)
    _family(page, demo)
    page.get_by_role("heading", name="Family and services").wait_for()
    settle(page)
    levels = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain] h1,"
        " [data-testid=stMain] h2, [data-testid=stMain] h3, [data-testid=stMain]"
        " h4, [data-testid=stMain] h5, [data-testid=stMain] h6')]"
        ".map(h => [Number(h.tagName[1]), h.innerText.trim()])"
    )
    page.close()
    assert levels[0][0] == 1 and [lv for lv, _ in levels].count(1) == 1, levels
    for (before, _), (after, text) in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, (before, after, text, levels)
    section = next(lv for lv, t in levels if t == "Family and services")
    person = next(lv for lv, t in levels if "(person searched for)" in t)
    assert person == section + 1


def _family(page, demo: Path) -> None:
    first, last = busiest_person(demo)
    _sign_in(page)
    _give_reason(page)
    page.get_by_role("textbox", name="First name").fill(first)
    page.get_by_role("textbox", name="Last name").fill(last)
    page.get_by_role("button", name="Search", exact=True).click()
    _focus_lands_on(page, "h3", "found")
    page.get_by_role("button", name="Open").first.click()
    _focus_lands_on(page, "h3", "Open the record of")
    page.get_by_role("button", name="Yes, open the record").click()
    _focus_lands_on(page, "h2", "and linked people")


def _focus_lands_on(page, tag: str, words: str) -> None:
    """After an action focus moves to the new content (not the top of the page)."""
    page.wait_for_function(
        "([tag, words]) => document.activeElement.matches(tag)"
        " && document.activeElement.innerText.includes(words)",
        arg=[tag, words],
    )


def test_grid_shows_every_member_and_service_and_each_cell_jumps(
    browser, server, demo
) -> None:
    from ui.grid import STATES

    page = _tab(browser, server)
    _family(page, demo)
    settle(page)
    table = page.locator("table.fc-grid")
    services = table.locator("thead th").count() - 1
    rows = table.locator("tbody tr")
    assert services >= 5 and rows.count() >= 2
    cells = table.locator("tbody td")
    states = [t.split(":")[0].strip() for t in cells.all_inner_texts()]
    assert len(states) == rows.count() * services
    assert set(states) <= set(STATES) and "Current" in states, states
    # words, not colour alone: every state's cell has its word and its own colour
    colours = {s: cells.nth(states.index(s)).evaluate(
        "e => getComputedStyle(e).backgroundColor") for s in set(states)}  # fmt: skip
    assert len(set(colours.values())) == len(colours), colours
    link = table.get_by_role("link").filter(has_text="Current").first
    target = link.get_attribute("href")
    assert target.startswith("#member-")
    link.click()
    page.wait_for_function("(id) => location.hash === id", arg=target)
    page.wait_for_timeout(500)
    top = page.locator(target).bounding_box()["y"]
    # the member's card is now at the top (a scroll lands within a pixel)
    assert -1 < top < 200, top
    # the grid's rows are the member cards, by name and in the same order
    heads = page.evaluate(
        "() => { const all = [...document.querySelectorAll('h3, h4')];"
        " const at = all.findIndex(h => h.innerText.trim() === 'Family and services');"
        " return all.slice(at + 1).filter(h => h.tagName === 'H4')"
        ".map(h => h.innerText.replace(' (person searched for)', '').trim()); }"
    )
    names = [t.split("\n")[0].strip() for t in
             table.locator("tbody th").all_inner_texts()]  # fmt: skip
    assert names == heads
    page.close()
