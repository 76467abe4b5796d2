"""The family view in headless Chromium for a role that sees police contact-only
and CAMHS not at all, and one that sees police not at all: what the page says
leaves no trace of what the role may not see (the small borough of
``disclosure_world``, the matrix of ``test_disclosure_matrix``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.browser import CHROMIUM, FLAGS, SHOTS, serving
from support.disclosure_world import MATRIX, write_world

playwright = pytest.importorskip("playwright.sync_api", reason="playwright missing")
if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium",
                allow_module_level=True)  # fmt: skip

#: What neither role may read once police (or CAMHS) is not seen in full.
POLICE_TRACES = ("POL-", "Carl", "Hidden", "Victim", "Suspect", "Domestic abuse",
                 "Police (safeguarding incidents) family", "4 records")  # fmt: skip
CAMHS_TRACES = ("CAM-R", "Anxiety referral", "Dr Ray")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-disclosure")
    index = write_world(folder / "index.db")
    tables = "".join(
        f"[governance.visibility.{role}]\n"
        + "".join(f'{cls} = "{level}"\n' for cls, level in row.items())
        for role, row in MATRIX.items()
    )
    config = folder / "config.toml"
    config.write_text(
        f'[app]\ndemo_mode = true\n[storage]\nindex_url = "{index.engine.url}"\n'
        f'audit_url = "sqlite:///{folder / "audit.db"}"\n{tables}',
        encoding="utf-8",
    )
    with serving(config) as url:
        yield url


def _family_page(server: str, user: str, shot: str) -> str:
    """Sign in as ``user``, give a reason, open the mother's family, read it all
    (the why-linked tables opened too)."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(20_000)
        page.goto(server)
        page.get_by_text(user).first.click()
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Purpose").click()
        page.get_by_role("option", name="New referral (MASH)").click()
        page.get_by_label("Case or referral reference").fill("REF-CUT-1")
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("textbox", name="First name").fill("Beth")
        page.get_by_role("textbox", name="Last name").fill("Test")
        page.get_by_role("button", name="Search", exact=True).click()
        page.get_by_role("button", name="Open").first.wait_for()
        results = page.inner_text("body")
        page.get_by_role("button", name="Open").first.click()
        page.get_by_role("button", name="Yes, open the record").click()
        page.get_by_role("heading", name="Family and services").wait_for()
        for toggle in page.get_by_text("Why were these records linked?").all():
            toggle.click()
        page.wait_for_timeout(1500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
        body = page.inner_text("body")
        browser.close()
    return results + "\n" + body


def test_contact_only_police_and_hidden_camhs_leave_no_trace(server) -> None:
    text = _family_page(server, "Chris Evans (demo)", "cut-early-help")
    assert "Police (safeguarding incidents)" in text  # involved, whom to call
    assert "Ask the lead professional for detail" in text and "PC Dale" in text
    for trace in (*POLICE_TRACES, *CAMHS_TRACES):
        assert trace not in text, f"Early Help reads {trace!r}"


def test_hidden_police_leaves_no_trace(server) -> None:
    text = _family_page(server, "Sam Okafor (demo)", "cut-social-worker")
    assert "Amy" in text and "Children's social care" in text
    for trace in (*POLICE_TRACES, "PC Dale"):
        assert trace not in text, f"the social worker reads {trace!r}"
