"""The /v1 endpoints with real tokens: every role against every endpoint and every
sensitivity class, each answer equal to what the dashboard's facade gives the same
user; restricted people; no reason, no data; problem details that echo nothing;
protection (body size, rate limit, headers, CORS off, nothing personal in URLs).
On SQLite and PostgreSQL audit stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TODAY, ask
from sqlalchemy import insert
from support.api_idp import Idp, user, write_config
from support.lookup_index import BUILD, make_index

pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock missing")

from fastapi.testclient import TestClient  # noqa: E402

from api import serialise  # noqa: E402
from api.app import create_app  # noqa: E402
from governance.access import (  # noqa: E402
    audited_address_search,
    audited_family,
    audited_search_result,
)
from governance.audit import Actor, read_events, verify_chain  # noqa: E402
from governance.restrictions import RESTRICTED_MESSAGE, set_restriction  # noqa: E402
from linkage.index_tables import record_evidence  # noqa: E402
from lookup.address_search import parse_address_query  # noqa: E402
from lookup.query import parse_query  # noqa: E402
from lookup.services import configured_sources  # noqa: E402

ROLES = ("front_door", "early_help", "social_worker", "auditor", "administrator")
WORKERS = ("front_door", "early_help", "social_worker")
REASON = {"purpose": "New referral (MASH)", "case_ref": "REF-7"}
JANE = {**REASON, "first_name": "Jane", "last_name": "Smith", "dob": "03/07/2015"}
P1 = {**REASON, "person_id": "p1"}
#: endpoint -> (body, roles answered 200; others 403)
ENDPOINTS = {
    "/v1/search": (JANE, WORKERS),
    "/v1/search/address": ({**REASON, "postcode": "DT1 1AA"}, WORKERS),
    "/v1/person": (P1, WORKERS),
    "/v1/person/services": (P1, WORKERS),
    "/v1/person/family": (P1, WORKERS),
    "/v1/person/who-to-call": (P1, WORKERS),
    "/v1/person/service-detail": ({**P1, "source": "csc"}, WORKERS),
    "/v1/sources": (None, (*WORKERS, "administrator")),
    "/health/detail": (None, ("administrator",)),
}
ADMIN = Actor("admin", "Admin", "administrator", "s-admin")


@pytest.fixture(params=["sqlite", "postgres"])
def client(request, tmp_path: Path, idp: Idp) -> Iterator[TestClient]:
    audit = ("sqlite:///audit.db" if request.param == "sqlite"
             else request.getfixturevalue("postgres_url"))  # fmt: skip
    make_index(tmp_path / "index.db", filler=20)
    extra = getattr(request, "param_extra", "")
    config = write_config(tmp_path, idp.url, audit_url=audit, api=extra)
    with TestClient(create_app(str(config), today=lambda: TODAY)) as c:
        yield c


def _token(idp: Idp, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {idp.token(*user(f'u-{role}', role))}"}


def _call(client: TestClient, headers: dict, path: str, body: dict | None):  # noqa: ANN202
    if body is None:
        return client.get(path, headers=headers)
    return client.post(path, json=body, headers=headers)


def _events(client: TestClient) -> list[dict]:
    return list(reversed(read_events(client.app.state.server.audit_engine)))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_against_every_endpoint(client, idp, role: str) -> None:
    headers = _token(idp, role)
    for path, (body, allowed) in ENDPOINTS.items():
        reply = _call(client, headers, path, body)
        if role in allowed:
            assert reply.status_code in (200, 503) if path.startswith("/health") \
                else reply.status_code == 200, (path, reply.text)  # fmt: skip
        else:
            assert reply.status_code == 403, (path, reply.text)
            assert reply.headers["content-type"] == "application/problem+json"
            refused = _events(client)[-1]
            assert (refused["kind"], refused["role"]) == ("access_denied", role)
    assert verify_chain(client.app.state.server.audit_engine).valid


def _facade_family(client: TestClient, role: str, person: str = "p1"):  # noqa: ANN202
    server = client.app.state.server
    actor = Actor(f"check-{role}", "Check", role, f"s-check-{role}")
    request = ask(server.index(), server.audit_engine, actor, REASON["purpose"],
                  REASON["case_ref"], policy=server.policy)  # fmt: skip
    view = audited_family(request, person)
    sources = configured_sources(server.index().source_loads)
    return serialise.family(view, sources).model_dump(mode="json"), request


@pytest.mark.parametrize("role", WORKERS)
def test_each_worker_gets_exactly_what_the_facade_gives_them(client, idp, role) -> None:
    headers = _token(idp, role)
    for person in ("p1", "p2", "p3"):
        reply = _call(client, headers, "/v1/person/family",
                      {**REASON, "person_id": person})  # fmt: skip
        expected, request = _facade_family(client, role, person)
        assert reply.json() == expected
    found = audited_search_result(request, parse_query("Jane", "Smith", "03/07/2015",
                                                today=TODAY), 20)  # fmt: skip
    expected = serialise.search_result(found, 20).model_dump(mode="json")
    assert _call(client, headers, "/v1/search", JANE).json() == expected
    home = audited_address_search(request, parse_address_query("DT1 1AA", "1"))
    expected = serialise.address_result(home).model_dump(mode="json")
    asked = {**REASON, "postcode": "dt11aa", "house": "1"}
    reply = _call(client, headers, "/v1/search/address", asked).json()
    assert reply == expected
    assert reply["households"][0]["address"] == "1 Demo Road, Demo Town"
    asked_event, shown = _events(client)[-2:]
    assert asked_event["data"]["criteria"] == {
        "kind": "address",
        "postcode": "DT11AA",
        "house": "1",
    }
    assert shown["data"]["count"] == reply["count"]


def test_an_address_search_without_a_postcode_is_refused(client, idp) -> None:
    body = {**REASON, "postcode": "", "house": "12"}
    for postcode in ("", "12 High St", "SK1"):
        body["postcode"] = postcode
        reply = _call(client, _token(idp, "front_door"), "/v1/search/address", body)
        assert reply.status_code == 422
        assert "postcode" in reply.text


def _service(family: dict, person: str, source: str) -> dict | None:
    member = next(m for m in family["members"] if m["person_id"] == person)
    return next((s for s in member["services"] if s["source"] == source), None)


#: (role, person, source) -> what the family view shows of that service: full
#: dates, contact only (no dates, "ask the lead"), or nothing.
SENSITIVITY = {
    ("front_door", "p1", "camhs"): "full", ("front_door", "p2", "police"): "full",
    ("front_door", "p1", "csc"): "full",
    ("early_help", "p1", "camhs"): "contact", ("early_help", "p2", "police"): "contact",
    ("early_help", "p1", "csc"): "full",
    ("social_worker", "p1", "camhs"): "full", ("social_worker", "p2", "police"): "full",
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SENSITIVITY))
def test_role_by_sensitivity(client, idp, case) -> None:
    role, person, source = case
    headers = _token(idp, role)
    family = _call(client, headers, "/v1/person/family", P1).json()
    shown = _service(family, person, source)
    assert shown is not None
    if SENSITIVITY[case] == "full":
        assert shown["last_start"] is not None
        assert "Ask the lead professional" not in shown["summary"]
    else:
        assert shown["last_start"] is None and shown["episodes"] == []
        assert shown["summary"].endswith("Ask the lead professional for detail")
        assert shown["detail"] is None and not shown["detail_withheld"]
    detail = _call(client, headers, "/v1/person/service-detail",
                   {**REASON, "person_id": person, "source": source})  # fmt: skip
    assert detail.status_code == (200 if SENSITIVITY[case] == "full" else 403)
    if SENSITIVITY[case] == "full":
        assert detail.json()["detail"]


def test_services_are_worded_as_the_dashboard_words_them(client, idp) -> None:
    reply = _call(client, _token(idp, "front_door"), "/v1/person/services", P1)
    body = reply.json()
    current = {s["source"]: s for s in body["current"]}
    assert current["csc"]["summary"] == "Current since 3 March 2026"
    assert current["csc"]["current_as_of_text"] == "1 November 2026"
    assert current["csc"]["lead"]["phone"] == "0161 000 1111"
    assert [s["summary"] for s in body["historic"]] == [
        "Historic: 1 February 2024 to 1 September 2024"
    ]
    assert body["hidden"] == [
        "Police: not shown for people under 18",
        "Adult social care: not shown for people under 15",
    ]
    karen = _call(client, _token(idp, "front_door"), "/v1/person/services",
                  {**REASON, "person_id": "p2"}).json()  # fmt: skip
    none = {s["source"]: s["none_found_text"] for s in karen["none_found"]}
    assert none["csc"] == (
        "No record in Children's social care data since April 2014 (Demo "
        "borough; data current as of 1 November 2026)")  # fmt: skip
    assert none["camhs"] == (
        "No record in CAMHS data since January 2020 (data current as of "
        "1 November 2026)")  # fmt: skip
    assert [s["source"] for s in karen["not_available"]] == ["asc"]
    calls = _call(client, _token(idp, "front_door"), "/v1/person/who-to-call", P1)
    assert [(c["person_id"], c["service"]) for c in calls.json()["contacts"]][:2] == [
        ("p1", "Children's social care"),
        ("p1", "School"),
    ]
    assert calls.json()["source_warnings"] == [
        "Adult social care data could not be loaded in the latest build: ask "
        "Adult social care directly"
    ]


def test_family_members_carry_why_they_were_linked(tmp_path, idp) -> None:
    engine = make_index(tmp_path / "index.db", filler=0)
    why = json.dumps([{"field": "dob", "level": "exact", "weight": 9.1}])
    rows = [("p1", "csc", "c-1", 0.999), ("p1", "police", "x-9", 0.98),
            ("p2", "housing", "h-1", None)]  # fmt: skip
    with engine.begin() as conn:
        values = [{"build_id": BUILD, "person_id": p, "source": s, "record_id": r,
                   "probability": prob, "explanation": why}
                  for p, s, r, prob in rows]  # fmt: skip
        conn.execute(insert(record_evidence), values)
    config = write_config(tmp_path, idp.url)
    with TestClient(create_app(str(config), today=lambda: TODAY)) as c:
        family = _call(c, _token(idp, "front_door"), "/v1/person/family", P1).json()
    members = {m["person_id"]: m for m in family["members"]}
    # police is not shown for Jane (under 18), so neither is its record's link
    assert [r["record_id"] for r in members["p1"]["records"]] == ["c-1"]
    assert members["p1"]["records"][0]["fields"] == [
        {"field": "Date of birth", "level": "exact", "weight": 9.1,
         "words": "counted strongly for"}]  # fmt: skip
    assert members["p1"]["link_confidence"] == "Very likely the same person"
    assert members["p2"]["link_confidence"] == "One record only: nothing was joined"
    assert members["p3"]["link_confidence"] == "No linkage details held"


def test_family_members_carry_what_their_relationship_rests_on(client, idp) -> None:
    family = _call(client, _token(idp, "social_worker"), "/v1/person/family",
                   P1).json()  # fmt: skip
    members = {m["person_id"]: m for m in family["members"]}
    mother = members["p2"]
    assert (mother["relationship"], mother["relationship_basis"]) == (
        "Mother",
        "stated",
    )
    assert mother["relationship_evidence"]
    assert all(isinstance(e, str) and e for e in mother["relationship_evidence"])
    assert (members["p1"]["relationship_basis"],
            members["p1"]["relationship_evidence"]) == ("", [])  # fmt: skip
    # the dashboard's words: the same view through the same facade
    expected, _ = _facade_family(client, "social_worker")
    assert [m["relationship_evidence"] for m in expected["members"]] == [
        m["relationship_evidence"] for m in family["members"]
    ]


def test_sources_hold_no_personal_data(client, idp) -> None:
    body = _call(client, _token(idp, "administrator"), "/v1/sources", None).json()
    assert [s["source"] for s in body["sources"]][:2] == ["csc", "housing"]
    asc = next(s for s in body["sources"] if s["source"] == "asc")
    assert (asc["status"], asc["current_as_of"]) == ("not_loaded", "2026-11-01")
    text = str(body)
    assert "Jane" not in text and "Smith" not in text
    assert not any(k.startswith("audit") for k in body)


def test_a_restricted_person_needs_an_override(client, idp) -> None:
    set_restriction(client.app.state.server.audit_engine, ADMIN, "p1", "adoption")
    headers = _token(idp, "front_door")
    found = _call(client, headers, "/v1/search", JANE).json()
    placeholder = next(c for c in found["results"] + found["possible_matches"]
                       if c["person_id"] == "p1")  # fmt: skip
    assert placeholder["restricted"] and placeholder["first_name"] is None
    assert placeholder["matched_on"] == RESTRICTED_MESSAGE
    refused = _call(client, headers, "/v1/person", P1)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/restricted")
    assert _events(client)[-1]["data"]["restricted"] is True
    opened = _call(
        client,
        headers,
        "/v1/person",
        {**P1, "override": "Child at immediate risk, duty manager agreed"},
    )
    assert opened.status_code == 200 and opened.json()["name"] == "Jane SMITH"
    kinds = [e["kind"] for e in _events(client)[-2:]]
    assert kinds == ["override", "family_opened"]
    family = _call(client, headers, "/v1/person/family",
                   {**REASON, "person_id": "p2"}).json()  # fmt: skip
    jane = next(m for m in family["members"] if m["person_id"] == "p1")
    assert jane["restricted"] and jane["name"] == "Restricted record"


@pytest.mark.parametrize("body", [
    {k: v for k, v in JANE.items() if k != "purpose"},
    {k: v for k, v in JANE.items() if k != "case_ref"},
    {**JANE, "purpose": "   "},
    {**JANE, "purpose": "Curiosity"},
    {**JANE, "purpose": "Emergency"},
])  # fmt: skip
def test_no_reason_no_data(client, idp, body) -> None:
    headers = _token(idp, "front_door")
    reply = _call(client, headers, "/v1/search", body)
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert "Jane" not in reply.text and "Smith" not in reply.text
    assert "results" not in reply.json()
    assert [e["kind"] for e in _events(client)] == ["config", "sign_in"]


def test_problems_never_echo_what_was_sent(client, idp) -> None:
    headers = _token(idp, "front_door")
    for body in ({**JANE, "dob": "31/02/2015"},
                 {**JANE, "first_name": "Jane" * 30},
                 {**JANE, "postcode": "SK1 3XYZZ"},
                 {**JANE, "age_min": "Smith"},
                 {**P1, "person_id": "Jane Smith 03/07/2015"}):  # fmt: skip
        path = "/v1/person" if "person_id" in body else "/v1/search"
        reply = _call(client, headers, path, body)
        assert reply.status_code == (404 if path == "/v1/person" else 422), reply.text
        for value in ("Jane", "Smith", "31/02", "3XYZZ"):
            assert value not in reply.text
        assert set(reply.json()) >= {"type", "title", "status", "detail"}


def test_protection(tmp_path, idp) -> None:
    make_index(tmp_path / "index.db", filler=0)
    config = write_config(tmp_path, idp.url, api='rate_limit = "3/minute"\n'
                          "max_body_bytes = 2000")  # fmt: skip
    with TestClient(create_app(str(config), today=lambda: TODAY)) as c:
        headers = _token(idp, "front_door")
        big = _call(c, headers, "/v1/search", {**JANE, "explanation": "x" * 1990})
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"
        statuses = [_call(c, headers, "/v1/search", JANE).status_code
                    for _ in range(4)]  # fmt: skip
        assert statuses == [200, 200, 200, 429]
        limited = _call(c, headers, "/v1/search", JANE)
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.headers["x-frame-options"] == "DENY"
        assert limited.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in limited.headers["content-security-policy"]
        other = _token(idp, "social_worker")
        assert _call(c, other, "/v1/search", JANE).status_code == 200
        pre = c.options(
            "/v1/search",
            headers={
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert "access-control-allow-origin" not in pre.headers


def test_openapi_has_no_personal_data_in_urls(client) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["info"]["title"] == "Family context lookup API"
    for path, methods in doc["paths"].items():
        assert "{" not in path
        for method, op in methods.items():
            assert not op.get("parameters"), (path, method)
            if path.startswith("/v1/") and path != "/v1/sources":
                assert method == "post"
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                name = schema["$ref"].rsplit("/", 1)[-1]
                required = doc["components"]["schemas"][name]["required"]
                assert {"purpose", "case_ref"} <= set(required)


def test_health_liveness_is_open_and_detail_is_for_administrators(client, idp) -> None:
    alive = client.get("/health")
    assert alive.status_code in (200, 503)
    assert set(alive.json()) == {"status", "checked_at"}
    assert _call(client, {}, "/health/detail", None).status_code == 401
    detail = _call(client, _token(idp, "administrator"), "/health/detail", None)
    assert detail.status_code == alive.status_code
    checks = {f["check"] for f in detail.json()["findings"]}
    assert {"config", "audit_chain"} <= checks
    assert detail.json()["status"] == alive.json()["status"]


def test_each_request_is_logged_once_under_its_own_request_id(
    client, idp, capsys
) -> None:
    headers = _token(idp, "front_door")
    _call(client, headers, "/v1/search", JANE)  # its first use: the sign-in
    capsys.readouterr()
    assert _call(client, headers, "/v1/search", JANE).status_code == 200
    assert _call(client, {}, "/v1/person", P1).status_code == 401
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines()
             if x.startswith("{")]  # fmt: skip
    asked = [x for x in lines if x["event"] == "api_request"]
    assert [(x["page"], x["status"]) for x in asked] == [
        ("/v1/search", "200"), ("/v1/person", "401")]  # fmt: skip
    assert all(x["ms"] >= 0 for x in asked)
    ids = [x["request_id"] for x in asked]
    assert len(set(ids)) == 2 and "-" not in ids
    audited = [x["request_id"] for x in lines if x["event"] == "audit_event"]
    assert audited == [ids[0], ids[0]]  # search and results_shown, one request
