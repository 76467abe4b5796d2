"""A web or email address in an extract's text is shown as text, never as a
link: Streamlit renders GitHub-flavoured Markdown, which links a bare
``https://…``, ``www.…`` or ``name@domain`` by itself. Checked in the real
renderer (Streamlit in headless Chromium) and on the family view's own line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.browser import CHROMIUM, FLAGS, _free_port, _wait_for

from lookup.services import Lead, ServiceStatus
from ui.service_blocks import service_block
from ui.text import md

ROOT = Path(__file__).resolve().parent.parent
TEXT = (
    "Reported via https://evil.example/login and www.evil.example; "
    "mail help.desk@evil.example or mailto:a@evil.example now"
)
#: The literal autolinks of GitHub-flavoured Markdown (mdast-util-gfm-autolink-
#: literal's own patterns).
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
SCRIPT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from ui.text import md
st.markdown(md({TEXT!r}))
"""

playwright = pytest.importorskip("playwright.sync_api", reason="playwright missing")


def test_no_autolink_survives_md():
    shown = md(TEXT)
    assert GFM_URL.search(TEXT) and GFM_EMAIL.search(TEXT)
    assert not GFM_URL.search(shown) and not GFM_EMAIL.search(shown)
    assert shown.replace("\u2060", "") == TEXT  # nothing else changed


def test_the_family_view_detail_line_links_nothing():
    status = ServiceStatus(
        source="police", service="Police", sensitivity="police",
        involvement="Current", summary="Current", last_start=None, last_end=None,
        last_contact=None, detail=TEXT, detail_withheld=False, lead=Lead(),
        current_as_of=None, coverage="",
    )  # fmt: skip
    line = service_block(status, "p1")
    assert "evil.example" in line
    assert not GFM_URL.search(line) and not GFM_EMAIL.search(line)


def test_streamlit_renders_an_address_in_extract_text_as_plain_text(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    script = tmp_path / "show.py"
    script.write_text(SCRIPT, encoding="utf-8")
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script),
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://localhost:{port}"
        _wait_for(url)
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.goto(url)
            block = page.locator('[data-testid="stMarkdownContainer"]').filter(
                has_text="Reported via"
            )
            block.first.wait_for()
            text = block.first.inner_text().replace("\u2060", "")
            links = block.first.locator("a").count()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "https://evil.example/login" in text and "help.desk@evil.example" in text
    assert links == 0
