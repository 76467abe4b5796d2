"""Bearer tokens for real: oidc-provider-mock on loopback signs them, the API
checks them with the provider's published keys. Expired, not-yet-valid,
wrong-audience, wrong-issuer, unsigned, re-signed and garbled tokens are refused
(401, recorded as sign_in_failed, nothing searched), on SQLite and PostgreSQL
audit stores; a rotated key is fetched again; a system without a user gets only
what api.system_roles grants it."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TODAY
from support.api_idp import Idp, user, write_config
from support.lookup_index import make_index

pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock missing")

from fastapi.testclient import TestClient  # noqa: E402
from joserfc import jwt  # noqa: E402
from joserfc.jwk import RSAKey  # noqa: E402

from api.app import create_app  # noqa: E402
from api.tokens import REFUSED  # noqa: E402
from governance.audit import read_events, verify_chain  # noqa: E402
from governance.oidc import NO_ROLE  # noqa: E402

SEARCH = {"purpose": "New referral (MASH)", "case_ref": "REF-1",
          "first_name": "Jane", "last_name": "Smith", "dob": "03/07/2015"}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def audit_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return "sqlite:///audit.db"
    return request.getfixturevalue("postgres_url")


def _client(folder: Path, idp: Idp, audit_url: str, api: str = "") -> TestClient:
    make_index(folder / "index.db", filler=20)
    config = write_config(folder, idp.url, audit_url=audit_url, api=api)
    return TestClient(create_app(str(config), today=lambda: TODAY))


@pytest.fixture
def client(tmp_path: Path, idp: Idp, audit_url: str) -> Iterator[TestClient]:
    with _client(tmp_path, idp, audit_url) as c:
        yield c


def _events(client: TestClient) -> list[dict]:
    engine = client.app.state.server.audit_engine
    return list(reversed(read_events(engine)))


def _search(client: TestClient, token: str | None):  # noqa: ANN202
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/v1/search", json=SEARCH, headers=headers)


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_a_good_token_searches_and_opens_one_session(client, idp) -> None:
    token = idp.token(*user("alice", "front_door"))
    first, again = _search(client, token), _search(client, token)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["possible_matches"][0]["person_id"] == "p1"
    kinds = [(e["kind"], e["user_id"]) for e in _events(client)]
    assert kinds == [("config", kinds[0][1]), ("sign_in", "alice"),
                     ("search", "alice"), ("results_shown", "alice"),
                     ("search", "alice"), ("results_shown", "alice")]  # fmt: skip
    sign_in = _events(client)[1]
    assert (sign_in["role"], sign_in["data"]["method"]) == ("front_door", "api")
    assert verify_chain(client.app.state.server.audit_engine).valid


def _unsigned(token: str) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{token.split('.')[1]}."


def _resigned(token: str) -> str:
    """The same claims with a higher role, signed with a key the provider never
    published."""
    claims = {**_claims(token), "roles": ["social_worker"]}
    return jwt.encode({"alg": "RS256"}, claims, RSAKey.generate_key(2048))


def _other_kid(token: str) -> str:
    key = RSAKey.generate_key(2048, parameters={"kid": "not-the-providers"})
    return jwt.encode({"alg": "RS256", "kid": "not-the-providers"},
                      _claims(token), key)  # fmt: skip


CASES = {
    "expired": lambda idp: idp.token(*user("bob", "front_door",
                                           exp=int(time.time()) - 600)),
    "not_yet_valid": lambda idp: idp.token(*user("bob", "front_door",
                                                 nbf=int(time.time()) + 3600)),
    "issued_in_future": lambda idp: idp.token(*user("bob", "front_door",
                                                    iat=int(time.time()) + 3600)),
    "wrong_audience": lambda idp: idp.token(*user("bob", "front_door"),
                                            client_id="another-app"),
    "wrong_issuer": lambda idp: idp.token(*user("bob", "front_door"),
                                          base=idp.url.replace("127.0.0.1",
                                                               "localhost")),
    "unsigned": lambda idp: _unsigned(idp.token(*user("bob", "front_door"))),
    "re_signed": lambda idp: _resigned(idp.token(*user("bob", "front_door"))),
    "unknown_key": lambda idp: _other_kid(idp.token(*user("bob", "front_door"))),
    "garbled": lambda idp: idp.token(*user("bob", "front_door"))[:-12] + "A" * 12,
    "not_a_jwt": lambda idp: "opaque-token-value",
}  # fmt: skip
WHY = {"issued_in_future": "not_yet_valid", "re_signed": "bad_signature",
       "garbled": "bad_signature", "not_a_jwt": "malformed"}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_tokens_are_refused_recorded_and_search_nothing(
    client, idp, case: str
) -> None:
    token = CASES[case](idp)
    reply = _search(client, token)
    why = WHY.get(case, case)
    assert reply.status_code == 401, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["www-authenticate"].endswith('error="invalid_token"')
    body = reply.json()
    assert body["type"].endswith("/unauthenticated")
    assert (body["status"], body["detail"]) == (401, REFUSED[why])
    assert "Jane" not in reply.text and "Smith" not in reply.text
    events = _events(client)
    assert [e["kind"] for e in events][1:] == ["sign_in_failed"]
    assert (events[1]["user_id"], events[1]["data"]) == (
        "unknown",
        {"method": "api", "why": why},
    )


def test_no_token_is_refused_and_not_recorded(client) -> None:
    for headers in ({}, {"Authorization": "Basic YWxpY2U6eA=="}):
        reply = client.post("/v1/search", json=SEARCH, headers=headers)
        assert reply.status_code == 401
        assert reply.headers["www-authenticate"] == 'Bearer realm="family-context"'
    assert [e["kind"] for e in _events(client)] == ["config"]


def test_a_user_without_a_role_sees_only_the_message(client, idp) -> None:
    token = idp.token("carol", {"name": "Carol", "roles": ["someone_else"]})
    reply = _search(client, token)
    assert reply.status_code == 403
    assert reply.json()["detail"] == NO_ROLE
    failed = _events(client)[-1]
    assert (failed["kind"], failed["user_id"], failed["data"]["why"]) == (
        "sign_in_failed",
        "carol",
        "no_role",
    )


def test_a_rotated_key_is_fetched_again(client, idp) -> None:
    old = idp.token(*user("dora", "social_worker"))
    assert _search(client, old).status_code == 200
    idp.restart()
    new = idp.token(*user("dora", "social_worker"))
    assert _search(client, new).status_code == 200
    assert _search(client, old).json()["detail"] == REFUSED["bad_signature"]


SYSTEM = {"idtyp": "app", "azp": "mosaic-connector", "roles": ["front_door"]}


def test_a_system_without_a_user_gets_nothing_unless_granted(
    tmp_path, idp, audit_url
) -> None:
    token = idp.token("mosaic-sp", SYSTEM)
    (tmp_path / "a").mkdir()
    with _client(tmp_path / "a", idp, audit_url) as plain:
        reply = _search(plain, token)
        assert reply.status_code == 403
        assert "api.system_roles" in reply.json()["detail"]
        failed = _events(plain)[-1]
        assert (failed["user_id"], failed["data"]["why"]) == (
            "system:mosaic-connector",
            "system_not_granted",
        )
    (tmp_path / "b").mkdir()
    granted = 'system_roles = { "mosaic-connector" = "early_help" }'
    with _client(tmp_path / "b", idp, audit_url, api=granted) as allowed:
        reply = _search(allowed, token)
        assert reply.status_code == 200, reply.text
        shown = _events(allowed)[-1]
        assert (shown["kind"], shown["user_id"], shown["role"]) == (
            "results_shown",
            "system:mosaic-connector",
            "early_help",
        )


def test_the_audience_and_issuer_are_required(tmp_path, idp) -> None:
    make_index(tmp_path / "index.db", filler=0)
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\nindex_url = "sqlite:///index.db"\naudit_url = "sqlite:///a.db"\n'
    )
    with TestClient(create_app(str(path), today=lambda: TODAY)) as c:
        reply = _search(c, idp.token(*user("erin", "front_door")))
        assert reply.json()["detail"] == REFUSED["not_configured"]


def test_a_good_token_is_checked_once_until_it_expires(tmp_path, idp) -> None:
    """The signature is checked on first use; later uses of the same token are
    looked up (by its hash) until its own expiry, then refused as expired."""
    from api.tokens import TokenValidator
    from core.config import load_config

    config = load_config(write_config(tmp_path, idp.url, audit_url="sqlite:///a.db"))
    clock = [time.time()]
    validator = TokenValidator(config.api, now=lambda: clock[0])
    checks = []
    real = validator._checked
    validator._checked = lambda t: checks.append(1) or real(t)  # type: ignore[method-assign]
    token = idp.token(*user("amy", "front_door"))
    first = validator.claims(token)
    assert validator.claims(token) == first and len(checks) == 1
    other = idp.token(*user("bob", "front_door"))
    assert validator.claims(other)["sub"] == "bob" and len(checks) == 2
    clock[0] = first["exp"] + config.api.leeway_seconds + 1
    with pytest.raises(Exception) as refused:
        validator.claims(token)
    assert getattr(refused.value, "why", "") == "expired" and len(checks) == 3
