"""Council sign-in (OpenID Connect): who the ID token says the user is, and their role.

The role comes from one claim (``[governance] role_claim``, e.g. Entra ``roles``
or ``groups``) mapped through ``role_map``. Entra leaves ``groups`` out when a
user is in too many groups ("groups overage": ``_claim_names``/``hasgroups``);
we do not call Microsoft Graph to resolve them, we treat the user as having no
role and say how to fix it (assign an app role, which Entra always sends).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.config import GovernanceConfig

NO_ROLE = (
    "You are signed in, but your account has no role in this tool, so there is "
    "nothing to show. Ask your manager to request access from IT."
)
OVERAGE = (
    "You are signed in, but your account is in too many groups for the sign-in to "
    "list them, so your role cannot be read. Ask IT to assign you an app role for "
    "this tool (app roles are always sent)."
)
SEVERAL = (
    "Your account has more than one role in this tool. Ask IT to leave only the "
    "one you need."
)

#: The ``why`` recorded with the refused sign-in, per message shown.
REFUSAL_CODES = {
    NO_ROLE: "no_role",
    OVERAGE: "groups_overage",
    SEVERAL: "several_roles",
}


@dataclass(frozen=True)
class Identity:
    """The user an ID token names, and their role (None with a message if none)."""

    user_id: str
    name: str
    role: str | None
    message: str
    token_expiry: datetime | None


def groups_overage(claims: Mapping[str, Any], claim: str) -> bool:
    """True when Entra left the groups out because there were too many."""
    names = claims.get("_claim_names")
    return bool(claims.get("hasgroups")) or (
        isinstance(names, Mapping) and claim in names
    )


def _values(claims: Mapping[str, Any], claim: str) -> list[str]:
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def role_of(claims: Mapping[str, Any], gov: GovernanceConfig) -> tuple[str | None, str]:
    """(role, '') or (None, the message to show instead of any page)."""
    found = {gov.role_map[v] for v in _values(claims, gov.role_claim)
             if v in gov.role_map}  # fmt: skip
    if not found and groups_overage(claims, gov.role_claim):
        return None, OVERAGE
    if not found:
        return None, NO_ROLE
    if len(found) > 1:
        return None, SEVERAL
    return found.pop(), ""


def identity(claims: Mapping[str, Any], gov: GovernanceConfig) -> Identity:
    """Identity from ID-token claims (Entra ``oid`` preferred as the stable id)."""
    role, message = role_of(claims, gov)
    user_id = str(claims.get("oid") or claims.get("sub") or "")
    name = str(
        claims.get("name") or claims.get("preferred_username")
        or claims.get("email") or user_id
    )  # fmt: skip
    exp = claims.get("exp")
    expiry = datetime.fromtimestamp(int(exp), UTC) if exp else None
    return Identity(user_id, name, role, message, expiry)
