"""The Debian Chromium the browser tests drive, a free port, and waiting for a server
to answer."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "browser"


CHROMIUM = Path("/usr/bin/chromium")


FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("the dashboard did not start")


def _wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


@contextmanager
def serving(config: Path) -> Iterator[str]:
    """The dashboard on a free loopback port for ``config``, stopped after."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--", "--config", str(config)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://localhost:{port}"
    try:
        _wait_for(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def make_demo(out: Path, people: int = 800, seed: int = 9) -> Path:
    """A generated and built synthetic borough in ``out`` (its config beside it)."""
    from linkage.__main__ import main as linkage_main
    from sources.__main__ import main as sources_main

    assert sources_main(["generate", "--people", str(people), "--seed", str(seed),
                         "--out", str(out), "--quiet"]) == 0  # fmt: skip
    assert linkage_main(["build", "--config", str(out / "config.toml")]) == 0
    return out


def busiest_person(demo: Path) -> tuple[str, str]:
    """(first, last name) of the person with the most records in the truth."""
    import polars as pl

    records = pl.read_csv(demo / "truth" / "records.csv")
    people = pl.read_csv(demo / "truth" / "people.csv", infer_schema_length=0)
    busy = records.group_by("person_id").len()
    busy = busy.sort("len", "person_id", descending=[True, False])
    row = people.filter(pl.col("person_id") == busy["person_id"][0]).row(0, named=True)
    return row["first_name"], row["last_name"]


def open_family(page, user: str, first: str, last: str, case_ref: str) -> None:  # noqa: ANN001
    """Sign in as demo ``user``, give a reason, search ``first last`` and open the
    first person found, up to the family view's heading."""
    page.get_by_text(user).first.click()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Purpose").click()
    page.get_by_role("option", name="New referral (MASH)").click()
    page.get_by_label("Case or referral reference").fill(case_ref)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("textbox", name="First name").fill(first)
    page.get_by_role("textbox", name="Last name").fill(last)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Open").first.click()
    page.get_by_role("button", name="Yes, open the record").click()
    page.get_by_role("heading", name="Family and services").wait_for()


def require_browser():  # noqa: ANN201
    """Playwright's sync API, or skip the calling module when Playwright or the
    Debian Chromium is missing (call at module level)."""
    import pytest

    sync = pytest.importorskip("playwright.sync_api", reason="playwright missing")
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium "
            "(apt-get install chromium; .ci/run does this)",
            allow_module_level=True,
        )
    return sync


@contextmanager
def browser_tab(url: str, width: int = 1300) -> Iterator:
    """A headless Chromium tab on ``url`` (20 s timeouts), closed after."""
    sync = require_browser()
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        tab = browser.new_page(viewport={"width": width, "height": 1000})
        tab.set_default_timeout(20_000)
        tab.goto(url)
        try:
            yield tab
        finally:
            browser.close()
