"""The doorway: one request object, one refusal helper, a closed set of events.

Besides behaviour, two rules are checked over the source: every event is made
with a registered kind written where it is recorded, and only
``governance/permissions.py`` records a refusal.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import family_views

from core.errors import AccessDenied, AuditError, LookupInputError
from governance.access import AccessRequest, Reason
from governance.audit import EVENT_KINDS, Actor, Event, read_events
from governance.permissions import require
from governance.visibility import Policy
from lookup.index import LinkedIndex

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = ("core", "governance", "linkage", "lookup", "sources", "ui", "synthetic")
WORKER = Actor("u1", "Alex Morgan", "front_door", "s1")
ADMIN = Actor("a1", "Ravi Shah", "administrator", "s2")
#: Calls that take an event kind, and at which position.
KIND_AT = {"Event": 0, "reason_event": 0, "_record": 1}


#: a fresh audit store per test
audit = family_views.audit


def _modules() -> list[tuple[Path, ast.Module]]:
    files = sorted(p for d in APPLICATION for p in (ROOT / d).rglob("*.py"))
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in files]


def _name(call: ast.Call) -> str:
    return getattr(call.func, "id", None) or getattr(call.func, "attr", "")


def test_an_unregistered_kind_cannot_even_be_made() -> None:
    with pytest.raises(AuditError, match="not registered"):
        Event("peek", WORKER)  # type: ignore[arg-type]
    with pytest.raises(AuditError, match="not a role"):
        Actor("u", "U", "superuser", "s")  # type: ignore[arg-type]


def test_every_event_in_the_code_names_a_registered_kind() -> None:
    found = []
    for path, tree in _modules():
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            at = KIND_AT.get(_name(call))
            if at is None or len(call.args) <= at:
                continue
            kind = call.args[at]
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if isinstance(kind, ast.Constant):
                found.append(kind.value)
                assert kind.value in EVENT_KINDS, f"{where}: unregistered {kind.value}"
            else:  # a variable must itself be typed EventKind where it comes from
                assert isinstance(kind, ast.Name), f"{where}: kind is not a name"
    assert set(found) == EVENT_KINDS  # and every registered kind is used


def test_only_the_permissions_module_records_a_refusal() -> None:
    allowed = {ROOT / "governance" / "permissions.py", ROOT / "governance" / "audit.py"}
    writers = {
        path.relative_to(ROOT).as_posix()
        for path, tree in _modules()
        if path not in allowed and path.parent.name != "ui"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "access_denied"
    }
    assert writers == set()


def test_a_request_checks_its_reason_once_when_made(tmp_path: Path) -> None:
    index = LinkedIndex.__new__(LinkedIndex)  # never read: the reason fails first
    with pytest.raises(LookupInputError, match="Explain the emergency"):
        AccessRequest(index, None, WORKER, Reason("Emergency", "R1"), Policy(), None)  # type: ignore[arg-type]
    made = AccessRequest(
        index,
        None,
        WORKER,
        Reason(" Emergency ", " R1 ", " why "),
        Policy(),
        None,  # type: ignore[arg-type]
    )
    assert made.reason == Reason("Emergency", "R1", "why")


def test_require_records_the_refusal_with_the_reason_then_raises(audit) -> None:
    why = Reason("Emergency", "REF-1", "Child missing")
    require(audit, WORKER, "search", "search", reason=why, policy=Policy())
    assert read_events(audit) == []
    with pytest.raises(AccessDenied, match="Only administrators"):
        require(audit, WORKER, "administer", "restriction_set", reason=why,
                policy=Policy())  # fmt: skip
    (denied,) = read_events(audit)
    assert (denied["kind"], denied["purpose"], denied["case_ref"]) == (
        "access_denied", "Emergency", "REF-1"
    )  # fmt: skip
    assert denied["data"] == {
        "action": "restriction_set",
        "explanation": "Child missing",
        "emergency": True,
    }
    require(audit, ADMIN, "administer", "restriction_set")
    assert len(read_events(audit)) == 1
