"""No audit, no data: when the audit store refuses an event, nothing is shown.

The store is made to refuse one kind of event with a trigger, on SQLite and
PostgreSQL, and every disclosure path is tried: the audited facade (search,
results list, family view, service detail, override, printable summary, the
auditor's CSV export), the command line and the dashboard.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ask
from support.app_harness import _app, _config, _reason, _sign_in, _texts
from support.app_harness import _search as app_search
from support.databases import allow, refuse
from support.lookup_index import make_index

import governance.access as access
from core.db import make_engine
from core.errors import AuditError
from governance.audit import (
    Actor,
    ensure_audit_schema,
    read_events,
    verify_chain,
)
from governance.cli_identity import os_user
from governance.exports import record_summary_export
from governance.reasons import Reason
from governance.restrictions import set_restriction
from governance.review import events_frame, export_csv
from lookup.__main__ import main as lookup_main
from lookup.index import LinkedIndex, load_index
from lookup.query import parse_query

WORKER = Actor("u1", "Alex Morgan", "front_door", "s1")
AUDITOR = Actor("ig.jo", "Jo Patel", "auditor", "s-ig")
ADMIN = Actor("demo.admin", "Admin", "administrator", "s-a")
WHY = ("New referral (MASH)", "REF-1")
JANE = parse_query("Jane", "Smith", "03/07/2015")
REFUSED = "could not be recorded in the audit log"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LinkedIndex:
    return load_index(make_index(tmp_path_factory.mktemp("nodata") / "index.db"))


def _search(index, audit):
    return access.audited_search(ask(index, audit, WORKER, *WHY), JANE, 10)


def _family(index, audit, **kw):
    return access.audited_family(ask(index, audit, WORKER, *WHY), "p1", **kw)


def _detail(index, audit):
    request = ask(index, audit, WORKER, *WHY)
    return access.audited_service_detail(request, "p1", "camhs")


def _override(index, audit):
    set_restriction(audit, ADMIN, "p1", "adoption")
    return _family(index, audit, override="Court order")


def _summary(index, audit):
    view = _family(index, audit)
    record_summary_export(audit, WORKER, Reason(*WHY), view)
    return view


def _csv(index, audit):
    _search(index, audit)
    return export_csv(audit, AUDITOR, events_frame(audit, AUDITOR))


#: Disclosure path, the event refused, the events that must not follow it.
PATHS = [
    (_search, "search", {"results_shown"}),
    (_search, "results_shown", set()),
    (_family, "family_opened", set()),
    (_detail, "service_opened", set()),
    (_override, "override", {"family_opened"}),
    (_summary, "export", set()),
    (_csv, "export", set()),
]


@pytest.mark.parametrize(("disclose", "kind", "never"), PATHS)
def test_facade_shows_nothing_when_the_event_is_refused(
    index, audit_engine, disclose, kind, never
) -> None:
    refuse(audit_engine, kind)
    with pytest.raises(AuditError, match=REFUSED):
        disclose(index, audit_engine)
    kinds = [e["kind"] for e in read_events(audit_engine)]
    assert kind not in kinds and not never & set(kinds)
    assert verify_chain(audit_engine).valid
    allow(audit_engine, kind)
    assert disclose(index, audit_engine) is not None  # the same call works again


@pytest.fixture
def cli_config(tmp_path: Path) -> Path:
    make_index(tmp_path / "index.db", filler=10)
    path = tmp_path / "config.toml"
    grant = f'[governance.cli_users]\n"{os_user()[0]}" = "front_door"\n'
    path.write_text('[storage]\nindex_url = "sqlite:///index.db"\n'
                    f'audit_url = "sqlite:///audit.db"\n{grant}')  # fmt: skip
    ensure_audit_schema(make_engine(f"sqlite:///{tmp_path}/audit.db"))
    return path


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["search", "--first", "Jane", "--last", "Smith"], "results_shown"),
        (["search", "--first", "Jane", "--last", "Smith", "--json"], "search"),
        (["family", "--person-id", "p1"], "family_opened"),
        (["family", "--person-id", "p1", "--json"], "family_opened"),
    ],
)
def test_cli_prints_nothing_when_the_event_is_refused(cli_config, capsys, args, kind):
    refuse(make_engine(f"sqlite:///{cli_config.parent}/audit.db"), kind)
    reason = ["--purpose", WHY[0], "--case-ref", WHY[1], "--today", "2026-11-15"]
    code = lookup_main([args[0], "--config", str(cli_config), *args[1:], *reason])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert REFUSED in err and "Jane" not in err and "Smith" not in err


def test_dashboard_shows_nothing_when_the_event_is_refused(tmp_path) -> None:
    config = _config(
        tmp_path, make_index(tmp_path / "index.db", filler=10).url.database
    )
    audit = make_engine(f"sqlite:///{tmp_path}/audit.db")
    at = _reason(_sign_in(_app(config), "demo.frontdoor"))
    refuse(audit, "results_shown")
    at = app_search(at, "Jane", "Smith", "03/07/2015")
    assert REFUSED in _texts(at.error)
    assert not at.subheader and "SMITH" not in _texts(at.markdown)
    allow(audit, "results_shown")
    at = app_search(at.run(), "Jane", "Smith", "03/07/2015")
    at = at.button(key="open_p1").click().run()
    refuse(audit, "family_opened")
    at = at.button(key="confirm_open").click().run()
    assert REFUSED in _texts(at.error)
    assert not at.header or "linked people" not in at.header[0].value
    assert "Pat Lee" not in _texts(at.markdown)
    allow(audit, "family_opened")
    at = app_search(at.run(), "Jane", "Smith", "03/07/2015")
    at = at.button(key="open_p1").click().run()
    at = at.button(key="confirm_open").click().run()
    assert at.header[0].value == "Jane SMITH and linked people"
    refuse(audit, "service_opened")
    at = at.button(key="reveal_p1_camhs").click().run()
    assert REFUSED in _texts(at.error)
    assert "Anxiety referral" not in _texts(at.markdown)


def test_audit_log_shows_nothing_when_the_look_is_refused(tmp_path) -> None:
    """Auditors are audited too: if their look at the log cannot be recorded,
    not even the list of users is shown."""
    config = _config(
        tmp_path, make_index(tmp_path / "index.db", filler=10).url.database
    )
    audit = make_engine(f"sqlite:///{tmp_path}/audit.db")
    ensure_audit_schema(audit)
    refuse(audit, "audit_search")
    at = _sign_in(_app(config), "demo.auditor")
    assert REFUSED in _texts(at.error)
    assert not at.dataframe and not at.selectbox
    allow(audit, "audit_search")
    at = at.run()
    assert at.dataframe and "audit_search" in set(at.dataframe[0].value["Kind"])
