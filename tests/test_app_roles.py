"""Every role against every page of the dashboard, the visibility matrix and
restricted records as the user sees them, and server-side session time-outs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest
from support.app_harness import (
    _app,
    _config,
    _events,
    _reason,
    _search,
    _sign_in,
    _texts,
)

from core.config import GovernanceConfig
from core.db import make_engine
from governance.audit import Actor, read_events, verify_chain
from governance.reasons import Reason
from governance.restrictions import RESTRICTED_MESSAGE, set_restriction
from governance.roles import (
    DEMO_USERS,
    PAGES,
    demo_sign_in_allowed,
    pages_for,
    relayed,
)
from governance.store import app_sessions
from governance.visibility import Policy
from ui.layout import DEMO_BANNER
from ui.nav import DATA

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


# --- every role x every page x every sensitivity class, on SQLite and PostgreSQL

#: One source of each class in the test index: (source, person, detail text).
CLASSES = {
    "standard": ("csc", "p1", "Child in need plan"),
    "police": ("police", "p2", "Domestic incident (victim)"),
    "sensitive": ("camhs", "p1", "Anxiety referral"),
}
#: The matrix under test: every level appears (defaults for two roles).
MATRIX = {
    "front_door": {"standard": "full", "police": "full", "sensitive": "full"},
    "early_help": {"standard": "full", "police": "contact_only",
                   "sensitive": "contact_only"},
    "social_worker": {"standard": "full", "police": "hidden",
                      "sensitive": "contact_only"},
}  # fmt: skip
#: Family data that must never reach an auditor's or administrator's screen.
FAMILY_TEXT = ("1 Demo Road", "Pat Lee", "Dr Ray", "Sue Hall", "0161 000",
               *(detail for _, _, detail in CLASSES.values()))  # fmt: skip


def _copy_index(sqlite_path: Path, url: str) -> None:
    """The test index, table by table, into the PostgreSQL schema at ``url``."""
    from linkage import index_tables

    source, target = make_engine(f"sqlite:///{sqlite_path}"), make_engine(url)
    index_tables.metadata.create_all(target)
    with source.connect() as read, target.begin() as write:
        for table in index_tables.metadata.sorted_tables:
            rows = [dict(r) for r in read.execute(table.select()).mappings()]
            if rows:
                write.execute(table.insert(), rows)
    source.dispose()
    target.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def stores(request, tmp_path, index_db) -> tuple[str, str]:  # noqa: F811
    """(index URL, audit URL): both SQLite, or both one PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{index_db}", f"sqlite:///{tmp_path}/audit.db"
    url = request.getfixturevalue("postgres_url")
    _copy_index(index_db, url)
    return url, url


def _matrix_config(folder: Path, index_url: str, audit_url: str) -> Path:
    path = folder / "config.toml"
    tables = "".join(
        f"[governance.visibility.{role}]\n"
        + "".join(f'{sensitivity} = "{level}"\n' for sensitivity, level in row.items())
        for role, row in MATRIX.items()
    )
    path.write_text(
        f'[app]\ndemo_mode = true\n[storage]\nindex_url = "{index_url}"\n'
        f'audit_url = "{audit_url}"\n{tables}',
        encoding="utf-8",
    )
    return path


def _page_text(at) -> str:  # noqa: ANN001
    parts = [at.title, at.header, at.subheader, at.markdown, at.caption, at.info,
             at.warning, at.error, at.success, at.text]  # fmt: skip
    text = "\n".join(_texts(p) for p in parts)
    frames = "\n".join(d.value.to_csv() for d in at.dataframe)
    return (text + "\n" + frames).replace("\\", "")  # markdown escapes


def _buttons(at) -> set[str]:  # noqa: ANN001
    return {b.key for b in at.button if b.key}


def _check_class(at, config_events, role: str, sensitivity: str):  # noqa: ANN001, ANN202
    """The open family view shows this class exactly as the matrix says."""
    source, person, detail = CLASSES[sensitivity]
    level = Policy.from_config(GovernanceConfig(visibility=MATRIX)).level(
        role, sensitivity
    )
    text, reveal = _page_text(at), f"reveal_{person}_{source}"
    service = {"csc": "Children's social care", "police": "Police",
               "camhs": "CAMHS"}[source]  # fmt: skip
    if level == "hidden":
        assert detail not in text and reveal not in _buttons(at)
        assert f"{service}: not shown for your role" in text
    elif level == "contact_only":
        assert detail not in text and reveal not in _buttons(at)
        assert f"#### {service}" in _texts(at.markdown)
        assert "Ask the lead professional for detail" in text
    elif sensitivity == "standard":
        assert detail in text
    else:
        assert detail not in text and reveal in _buttons(at)
        at = at.button(key=reveal).click().run()
        assert detail in _page_text(at)
        opened = config_events()[-1]
        assert (opened["kind"], opened["data"]["source"]) == ("service_opened", source)
    return at


@pytest.mark.parametrize("role", sorted(ROLE_OF))
def test_role_page_and_class_matrix(tmp_path, stores, role) -> None:
    """Every role tries every page; workers see each class as the matrix says,
    auditors and administrators never see family data, whatever the state says."""
    index_url, audit_url = stores
    config = _matrix_config(tmp_path, index_url, audit_url)

    def events() -> list[dict]:
        return list(reversed(read_events(make_engine(audit_url))))

    at = _sign_in(_app(config), ROLE_OF[role])
    allowed = pages_for(role)
    assert DEMO_BANNER in _texts(at.markdown)
    if "search" not in allowed:  # auditor, administrator: force worker pages
        at.session_state["fc_reason"] = Reason("New referral (MASH)", "REF-1")
        for page in ("search", "family"):
            at.session_state["fc_view"] = page
            at = at.run()
            text = _page_text(at)
            assert "Why are you looking?" not in text and "Find a person" not in text
            assert not any(t in text for t in FAMILY_TEXT)
            assert not [k for k in _buttons(at) if k.startswith(("open_", "reveal_"))]
        expected = "Audit log" if role == "auditor" else "Sources and builds"
        assert [h.value for h in at.header][0] == expected
        if role == "administrator":
            at = at.radio(key="nav").set_value(DATA).run()
            assert not any(t in _page_text(at) for t in FAMILY_TEXT)
        assert not at.exception
        return
    at = at.radio(key="nav").set_value(DATA).run()
    assert not any(t in _page_text(at) for t in FAMILY_TEXT)
    at = _reason(at.radio(key="nav").set_value("Find a person").run())
    for page in ("audit", "admin"):
        assert HEADERS[page] not in _page_text(at)
    at = _search(at, "Jane", "Smith", "03/07/2015")
    at = at.button(key="open_p1").click().run()
    at = at.button(key="confirm_open").click().run()
    assert at.header[0].value == "Jane SMITH and linked people"
    for sensitivity in CLASSES:
        at = _check_class(at, events, role, sensitivity)
    kinds = [e["kind"] for e in events()]
    assert kinds[:5] == ["config", "sign_in", "search", "results_shown",
                         "family_opened"]  # fmt: skip
    assert verify_chain(make_engine(audit_url)).valid
    assert not at.exception


def test_auditor_sees_who_looked_but_no_family_data(tmp_path, stores) -> None:
    """After a worker opened a family and its detail, the auditor's log names the
    people by id and the searched name, never what the services hold."""
    index_url, audit_url = stores
    config = _matrix_config(tmp_path, index_url, audit_url)
    at = _reason(_sign_in(_app(config), "demo.frontdoor"))
    at = _search(at, "Jane", "Smith", "03/07/2015")
    at = at.button(key="open_p1").click().run()
    at = at.button(key="confirm_open").click().run()
    at = at.button(key="reveal_p2_police").click().run()
    at = _sign_in(_app(config), "demo.auditor")
    text = _page_text(at)
    assert "family_opened" in text and "service_opened" in text and "p2" in text
    assert not any(t in text for t in FAMILY_TEXT)
    at.text_input(key="f_person").input("p2")
    at = at.run()
    kinds = set(at.dataframe[0].value["Kind"])  # this very look mentions p2 too
    assert kinds == {"family_opened", "service_opened", "audit_search"}
    at.text_input(key="f_person").input("")
    at.text_input(key="f_searched").input("SMITH")
    at = at.run()
    assert at.dataframe[0].value["Kind"].tolist() == ["search"]
    looks = [e for e in read_events(make_engine(audit_url))
             if e["kind"] == "audit_search"]  # fmt: skip
    assert [e["data"]["filter"] for e in looks] == [
        {"searched": "SMITH"},
        {"person": "p2"},
        {},
    ]
    assert looks[0]["user_id"] == "demo.auditor"


def _remote_script(config: str, host: str, remote_ip: str | None) -> None:
    from datetime import date

    from ui.main import run

    run(config, host=host, remote_ip=remote_ip, today=date(2026, 11, 15))


@pytest.mark.parametrize(
    ("host", "remote_ip", "forwarded", "allowed"),
    [
        ("localhost:8501", None, False, True),
        ("127.0.0.1:8501", "127.0.0.1", False, True),
        ("[::1]:8501", "::1", False, True),
        ("localhost:8501", "203.0.113.9", False, False),  # forged Host header
        ("localhost:8501", None, True, False),  # relayed by a proxy
        ("family.example.gov.uk", None, False, False),
        (None, None, False, False),
    ],
)
def test_demo_sign_in_only_from_this_machine(host, remote_ip, forwarded, allowed):
    assert demo_sign_in_allowed(True, host, remote_ip, forwarded) is allowed
    assert demo_sign_in_allowed(False, host, remote_ip, forwarded) is False


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),
        ("http://localhost:8501", True),
        ("http://127.0.0.1:8501", True),
        ("http://[::1]:8501", True),
        # A proxy that adds no forwarding header and passes its own Host on:
        # the browser still names the public address it was given.
        ("https://lookup.council.example", False),
        ("https://localhost.council.example", False),
        ("null", False),
    ],
)
def test_demo_sign_in_needs_a_local_browser_origin(origin, allowed) -> None:
    assert demo_sign_in_allowed(True, "127.0.0.1:8501", None, False, origin) is allowed


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"Host": "localhost"}, False),
        ({"X-Forwarded-For": "203.0.113.9"}, True),
        ({"X-Real-IP": "203.0.113.9"}, True),
        ({"X-Forwarded-Proto": "https"}, True),
        ({"X-Forwarded-Host": "lookup.council.example"}, True),
        ({"Forwarded": "for=203.0.113.9"}, True),
        ({"Via": "1.1 proxy"}, True),
    ],
)
def test_any_forwarding_header_means_relayed(headers, expected) -> None:
    assert relayed(headers) is expected


def test_forged_localhost_host_gets_no_demo_picker(tmp_path, index_db) -> None:  # noqa: F811
    config = _config(tmp_path, index_db)
    at = AppTest.from_function(
        _remote_script, args=(str(config), "localhost", "203.0.113.9"),
        default_timeout=30,
    ).run()  # fmt: skip
    assert not at.radio and DEMO_BANNER in _texts(at.markdown)
    assert not at.exception
