"""Subject access: one person's records by source and every access to them, for IG.

On SQLite and PostgreSQL audit stores: only the audit permission may prepare
it, the event comes first (no audit, no data), every access to the person is
listed with who, role, organisation, when and purpose, others' accesses are
not, and third parties are marked for redaction in every format.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import ask
from support.databases import allow, refuse
from support.disclosure_world import write_world

import governance.access as access
from core.errors import AccessDenied, AuditError, UserInputError
from governance.__main__ import main as governance_main
from governance.audit import Actor, read_events, verify_chain
from governance.cli_identity import os_user
from governance.subject_access import as_csv, as_html, as_json, subject_access
from lookup.query import parse_query

IG = Actor("ig.officer", "Ida Gee", "auditor", "s-ig")
WORKER = Actor("u.fd", "Alex Morgan", "front_door", "s-fd")
OTHER = Actor("u.sw", "Sam Worker", "social_worker", "s-sw")
ORG = "Demo borough"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("sar") / "world.db")


def _looks(index, audit) -> None:  # noqa: ANN001
    """The mother is searched for, listed, opened through her child, and her
    housing detail opened; someone else is searched for by another worker."""
    request = ask(index, audit, WORKER, "Strategy discussion", "REF-7")
    access.audited_search(request, parse_query("Beth", "Test", ""), 10)
    access.audited_family(request, "c1")
    access.audited_service_detail(request, "m1", "housing")
    other = ask(index, audit, OTHER, "New referral (MASH)", "REF-8")
    access.audited_search(other, parse_query("Sam", "Secret", ""), 10)


def test_the_report_lists_what_is_held_and_every_access(index, audit_engine):
    _looks(index, audit_engine)
    report = subject_access(audit_engine, IG, index, "m1", "SAR-1", ORG)
    assert {r["source"] for r in report.held} == {"csc", "housing", "police", "camhs"}
    housing = next(r for r in report.held if r["source"] == "housing")
    assert housing["record_id"] == "HOU-R1"
    assert housing["fields"]["address"] == "1 Test Road, Demo Town"
    kinds = [a["what"] for a in report.accesses]
    assert kinds[:4] == ["search", "results_shown", "family_opened", "service_opened"]
    assert kinds[-1] == "subject_access"  # this report is itself an access
    first = report.accesses[0]
    keys = ("user_id", "user_name", "role", "organisation", "purpose", "case_ref")
    assert [first[k] for k in keys] == [
        "u.fd",
        "Alex Morgan",
        "front_door",
        ORG,
        "Strategy discussion",
        "REF-7",
    ]
    assert first["detail"]["criteria"]["first"] == "Beth"
    assert all(a["user_id"] != "u.sw" for a in report.accesses)  # not her search
    links = {g["group"]: g for g in report.links}
    assert "c1 (Child)" in links["family:csc:F1"]["third_parties"]
    events = read_events(audit_engine)
    assert events[0]["kind"] == "subject_access"
    assert events[0]["case_ref"] == "SAR-1"
    assert events[0]["data"]["person_id"] == "m1"
    assert verify_chain(audit_engine).valid


def test_every_format_marks_third_parties(index, audit_engine) -> None:
    _looks(index, audit_engine)
    report = subject_access(audit_engine, IG, index, "m1", "SAR-2", ORG)
    rows = list(csv.DictReader(io.StringIO(as_csv(report))))
    third = [r for r in rows if r["third_party"] == "yes"]
    assert any(r["value"].startswith("c1 ") for r in third)
    assert any(r["section"] == "held" and r["value"] == "Domestic abuse (victim)"
               for r in rows)  # fmt: skip
    assert json.loads(as_json(report))["person_id"] == "m1"
    page = as_html(report)
    assert 'class="third"' in page and "<script" not in page


@pytest.mark.parametrize("who", [WORKER, Actor("a", "Admin", "administrator", "s")])
def test_only_the_audit_permission_may_prepare_it(index, audit_engine, who):
    with pytest.raises(AccessDenied):
        subject_access(audit_engine, who, index, "m1", "SAR-3", ORG)
    assert read_events(audit_engine)[0]["kind"] == "access_denied"


def test_no_audit_no_report(index, audit_engine) -> None:
    refuse(audit_engine, "subject_access")
    with pytest.raises(AuditError):
        subject_access(audit_engine, IG, index, "m1", "SAR-4", ORG)
    allow(audit_engine, "subject_access")
    with pytest.raises(UserInputError, match="not in the current index"):
        subject_access(audit_engine, IG, index, "nobody", "SAR-4", ORG)
    with pytest.raises(UserInputError, match="reference"):
        subject_access(audit_engine, IG, index, "m1", " ", ORG)


def test_the_command_writes_the_report(index, tmp_path, capsys) -> None:
    audit = tmp_path / "audit.db"
    config = tmp_path / "config.toml"
    user = os_user()[0]
    config.write_text(
        f'[storage]\nindex_url = "{index.engine.url}"\n'
        f'audit_url = "sqlite:///{audit}"\n'
        f'[governance.cli_users]\n"{user}" = "auditor"\n',
        encoding="utf-8",
    )
    out = tmp_path / "sar.csv"
    args = ["subject-access", "m1", "--ref", "SAR-5", "--config", str(config)]
    code = governance_main([*args, "--format", "csv", "--out", str(out)])
    assert code == 0
    assert "HOU-R1" in out.read_text(encoding="utf-8")
    assert "Beth" not in capsys.readouterr().out  # no personal data on the console
    assert governance_main(["subject-access", "zz", "--ref", "R", "--config",
                            str(config)]) == 2  # fmt: skip


def test_a_subject_access_report_is_raised_for_review(index, audit_engine) -> None:
    """A report takes one person's whole record out of the tool: a second person
    reviews that it was asked for (the auditor's queue, like an override)."""
    from governance.flags import FlagRules
    from governance.review import queue, sync_queue

    subject_access(audit_engine, IG, index, "m1", "SAR-9", ORG)
    sync_queue(audit_engine, FlagRules(start="00:00", end="23:59"))
    items = queue(audit_engine)
    (item,) = items.filter(items["flag"] == "subject_access").iter_rows(named=True)
    assert (item["user_id"], item["detail"]) == ("ig.officer", "m1, request SAR-9")
