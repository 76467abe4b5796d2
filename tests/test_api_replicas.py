"""Replicas: two API processes (uvicorn, started as ``python -m api``) and the
dashboard over one PostgreSQL audit database keep one audit chain, one session
list and one session per user across all of them."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from support.api_idp import Idp, start_api, stop, user, write_config
from support.app_harness import _app, _sign_in
from support.lookup_index import make_index

from core.db import make_engine
from governance.audit import read_events, verify_chain
from governance.sessions import ENDED_MESSAGES
from governance.store import app_sessions

SEARCH = {"purpose": "New referral (MASH)", "case_ref": "REF-9",
          "first_name": "Jane", "last_name": "Smith"}  # fmt: skip
#: The dashboard's demo front-door worker: the same person signs in to both.
WORKER = "demo.frontdoor"


@pytest.fixture
def replicas(tmp_path: Path, idp: Idp, postgres_url: str) -> Iterator[tuple]:
    make_index(tmp_path / "index.db", filler=20)
    config = write_config(tmp_path, idp.url, audit_url=postgres_url,
                          extra="[app]\ndemo_mode = true\n")  # fmt: skip
    first, url_a = start_api(config)
    try:
        second, url_b = start_api(config)
    except Exception:
        stop(first)
        raise
    try:
        yield config, url_a, url_b, make_engine(postgres_url)
    finally:
        stop(first)
        stop(second)


def _search(url: str, token: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/search", json=SEARCH, timeout=60,
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_two_api_processes_and_the_dashboard_share_chain_and_sessions(
    replicas, idp
) -> None:
    config, url_a, url_b, audit = replicas
    token = idp.token(*user(WORKER, "front_door"))
    assert _search(url_a, token).status_code == 200
    urls = [url_a, url_b] * 12
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda u: _search(u, token).status_code, urls))
    assert statuses == [200] * len(urls)
    events = list(reversed(read_events(audit, 5000)))
    kinds = [e["kind"] for e in events if e["kind"] != "config"]
    assert kinds.count("sign_in") == 1
    assert kinds.count("search") == kinds.count("results_shown") == len(urls) + 1
    assert [e["data"]["where"] for e in events if e["kind"] == "config"] == [
        "api", "api"]  # fmt: skip
    with audit.connect() as conn:
        rows = conn.execute(select(app_sessions)).mappings().all()
    assert [(r["user_id"], r["method"], r["ended_at"]) for r in rows] == [
        (WORKER, "api", None)]  # fmt: skip
    # the same worker signs in to the dashboard: the API session ends everywhere
    dashboard = _sign_in(_app(config), WORKER)
    assert dashboard.header[0].value == "Why are you looking?"
    for url in (url_a, url_b):
        ended = _search(url, token)
        assert ended.status_code == 401
        assert ended.json()["detail"] == ENDED_MESSAGES["replaced"]
    # a new token (a new sign-in at the case system) ends the dashboard's session
    assert _search(url_b, idp.token(*user(WORKER, "front_door"))).status_code == 200
    dashboard = dashboard.run()
    assert ENDED_MESSAGES["replaced"] in [w.value for w in dashboard.warning]
    with audit.connect() as conn:
        open_rows = conn.execute(
            select(app_sessions.c.method).where(app_sessions.c.ended_at.is_(None))
        ).scalars().all()  # fmt: skip
    assert open_rows == ["api"]
    check = verify_chain(audit)
    assert check.valid and check.events == len(read_events(audit, 5000))


def test_a_first_use_on_both_replicas_at_once_is_one_sign_in(replicas, idp) -> None:
    """A case system sends its first requests with a new token to both replicas
    at the same moment: one session is opened and one ``sign_in`` recorded."""
    _, url_a, url_b, audit = replicas
    token = idp.token(*user("amy.at.once", "front_door"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda u: _search(u, token).status_code,
                                 [url_a, url_b] * 4))  # fmt: skip
    assert statuses == [200] * 8
    kinds = [e["kind"] for e in read_events(audit, 5000)]
    assert kinds.count("sign_in") == 1
    assert kinds.count("search") == kinds.count("results_shown") == 8
    with audit.connect() as conn:
        rows = conn.execute(select(app_sessions.c.user_id)).scalars().all()
    assert rows == ["amy.at.once"]
    assert verify_chain(audit).valid
