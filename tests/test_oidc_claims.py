"""Roles from ID-token claims: mapped values, no role, several roles, and Entra's
groups overage (treated as no role, with a message saying how to fix it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config import GovernanceConfig
from governance.oidc import (
    NO_ROLE,
    OVERAGE,
    REFUSAL_CODES,
    SEVERAL,
    identity,
    role_of,
)

ENTRA = GovernanceConfig(
    role_claim="groups",
    role_map={"6f1c-mash": "front_door", "9a2b-ig": "auditor"},
)


@pytest.mark.parametrize(
    ("claims", "gov", "expected"),
    [
        ({"roles": ["front_door"]}, GovernanceConfig(), ("front_door", "")),
        ({"roles": "early_help"}, GovernanceConfig(), ("early_help", "")),
        ({"roles": ["other"]}, GovernanceConfig(), (None, NO_ROLE)),
        ({}, GovernanceConfig(), (None, NO_ROLE)),
        ({"groups": ["x", "6f1c-mash"]}, ENTRA, ("front_door", "")),
        ({"groups": ["6f1c-mash", "9a2b-ig"]}, ENTRA, (None, SEVERAL)),
        ({"_claim_names": {"groups": "src1"}, "_claim_sources": {}}, ENTRA,
         (None, OVERAGE)),
        ({"hasgroups": True}, ENTRA, (None, OVERAGE)),
        ({"hasgroups": True, "groups": ["6f1c-mash"]}, ENTRA, ("front_door", "")),
    ],
)  # fmt: skip
def test_role_of(claims, gov, expected) -> None:
    assert role_of(claims, gov) == expected


def test_identity_prefers_entra_object_id_and_reads_expiry() -> None:
    who = identity(
        {"oid": "o-1", "sub": "s-1", "name": "Pat Lee", "exp": 1_800_000_000,
         "roles": ["social_worker"]},
        GovernanceConfig(),
    )  # fmt: skip
    assert (who.user_id, who.name, who.role) == ("o-1", "Pat Lee", "social_worker")
    assert who.token_expiry == datetime.fromtimestamp(1_800_000_000, UTC)
    fallback = identity({"sub": "s-2", "email": "a@b"}, GovernanceConfig())
    assert (fallback.user_id, fallback.name, fallback.role) == ("s-2", "a@b", None)


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"groups": ["x"]}, "no_role"),
        ({"groups": ["6f1c-mash", "9a2b-ig"]}, "several_roles"),
        ({"_claim_names": {"groups": "src1"}}, "groups_overage"),
        ({"hasgroups": "true"}, "groups_overage"),
    ],
)
def test_each_refusal_is_recorded_with_its_own_reason(claims, why) -> None:
    """The sign_in_failed event says which: IG can tell overage from no access."""
    assert REFUSAL_CODES[role_of(claims, ENTRA)[1]] == why
