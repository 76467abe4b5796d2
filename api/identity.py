"""Who a good token names: a signed-in user (role from the same claim and
``role_map`` as the dashboard) or a system calling without a user (only the role
``api.system_roles`` grants its client id; the token's own role claims are
ignored for it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.config import ApiConfig, GovernanceConfig
from governance.audit import Actor
from governance.oidc import REFUSAL_CODES, identity

#: Client-id claims, in the order Entra and other providers use them.
CLIENT_CLAIMS = ("azp", "appid", "client_id")
SYSTEM_NOT_GRANTED = (
    "This system calls without a user, and no role is granted to it in "
    "api.system_roles. Ask the administrator to grant one, or call on behalf of "
    "a signed-in user."
)


@dataclass(frozen=True)
class Caller:
    """The actor a token names, or why it has no role (``actor.role == 'none'``)."""

    actor: Actor
    system: bool
    client_id: str
    token_expiry: datetime | None
    refusal: str = ""  # the message shown instead of any data
    why: str = ""  # the code recorded with the refusal


def client_id(claims: Mapping[str, Any]) -> str:
    """The calling application's id (azp, appid or client_id)."""
    return next((str(claims[c]) for c in CLIENT_CLAIMS if claims.get(c)), "")


def is_system(claims: Mapping[str, Any]) -> bool:
    """An app-only token: Entra marks it ``idtyp: app``; elsewhere its subject is
    the client itself (client credentials grant)."""
    if claims.get("idtyp") == "app":
        return True
    client = client_id(claims)
    return bool(client) and str(claims.get("sub", "")) == client


def session_of(token: str) -> str:
    """The server-side session id of one token (its hash; the token is not kept)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:48]


def _expiry(claims: Mapping[str, Any]) -> datetime | None:
    exp = claims.get("exp")
    return datetime.fromtimestamp(int(exp), UTC) if exp else None


def caller(
    claims: Mapping[str, Any], token: str, gov: GovernanceConfig, api: ApiConfig
) -> Caller:
    """The caller a good token names, with its role or its refusal."""
    session, client = session_of(token), client_id(claims)
    if is_system(claims):
        role = api.system_roles.get(client)
        actor = Actor(f"system:{client}", f"System {client}", role or "none", session)
        if role is None:
            return Caller(
                actor,
                True,
                client,
                _expiry(claims),
                SYSTEM_NOT_GRANTED,
                "system_not_granted",
            )
        return Caller(actor, True, client, _expiry(claims))
    who = identity(claims, gov)
    actor = Actor(who.user_id, who.name, who.role or "none", session)
    if who.role is None:
        return Caller(
            actor,
            False,
            client,
            who.token_expiry,
            who.message,
            REFUSAL_CODES[who.message],
        )
    return Caller(actor, False, client, who.token_expiry)
