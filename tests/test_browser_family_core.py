"""Relationships and incidents in headless Chromium: a front-door worker reads
the child's mother as "Mother" (and why), the child's presence at a police
incident with her role, and both again in the printed summary; an Early Help
worker (police contact-only) reads that police are involved and whom to call,
never the incident or the role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.browser import CHROMIUM, FLAGS, SHOTS, open_family, serving
from support.disclosure_world import MATRIX, with_roles, write_world

playwright = pytest.importorskip("playwright.sync_api", reason="playwright missing")
if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium",
                allow_module_level=True)  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-family-core")
    index = write_world(folder / "index.db", with_roles(),
                        any_age_roles="child present;victim")  # fmt: skip
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


def _amy(
    server: str, user: str, shot: str, ready: str, summary: bool = False
) -> tuple[str, str]:
    """Sign in as ``user``, open Amy's family and wait for ``ready`` (the last
    card renders last); the page's text and, when asked, the summary's print
    view."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(server)
        open_family(page, user, "Amy", "Test", "REF-FAM-1")
        page.get_by_text(ready).first.wait_for()
        page.wait_for_timeout(1000)
        text = page.inner_text("body")
        printed = ""
        if summary:
            page.get_by_role("button", name="Prepare summary for case notes").click()
            page.get_by_role("button", name="Open print view").click()
            page.get_by_text("Family context summary").first.wait_for()
            printed = page.inner_text("body")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
        browser.close()
    return text, printed


def test_relationships_and_incidents_on_screen_and_in_the_summary(server) -> None:
    text, printed = _amy(server, "Alex Morgan (demo)", "family-core-front-door",
                         "Mother · age 36", summary=True)  # fmt: skip
    assert "Mother · age 36" in text
    assert "Relationship as recorded: Children's social care: Beth recorded as " in (
        text
    )
    assert "Adult in the household" in text  # Carl: co-resident, nothing stated
    assert "Incidents (latest first):" in text and "Child present" in text
    assert "Police (safeguarding incidents): for people under 18, only incidents" in (
        text
    )
    for words in ("Mother", "Child present", "Services for each person",
                  "Domestic abuse, child present", "None found"):  # fmt: skip
        assert words in printed, f"the summary lacks {words!r}"


def test_a_contact_only_role_reads_whom_to_call_not_the_incident(server) -> None:
    text, _ = _amy(server, "Chris Evans (demo)", "family-core-early-help",
                   "Ask the lead professional for detail")  # fmt: skip
    assert "Police (safeguarding incidents)" in text and "PC Dale" in text
    assert "Ask the lead professional for detail" in text
    for trace in ("Child present", "Victim", "Domestic abuse", "Incidents (latest"):
        assert trace not in text, f"Early Help reads {trace!r}"
