"""Roles and what each may do; the demo users for local demonstration only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["front_door", "social_worker", "auditor"]

ROLE_LABELS: dict[str, str] = {
    "front_door": "Front-door (MASH) worker",
    "social_worker": "Social worker",
    "auditor": "Information-governance auditor",
}

#: Roles that may search people and open family views.
SEARCH_ROLES = frozenset({"front_door", "social_worker"})
#: Roles that may read the audit log (and never family data).
AUDIT_ROLES = frozenset({"auditor"})

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass(frozen=True)
class User:
    """A signed-in person: stable id, display name, role."""

    user_id: str
    name: str
    role: Role


DEMO_USERS: tuple[User, ...] = (
    User("demo.frontdoor", "Alex Morgan (demo)", "front_door"),
    User("demo.socialworker", "Sam Okafor (demo)", "social_worker"),
    User("demo.auditor", "Jo Patel (demo)", "auditor"),
)


def may_search(role: str) -> bool:
    return role in SEARCH_ROLES


def may_audit(role: str) -> bool:
    return role in AUDIT_ROLES


def demo_sign_in_allowed(demo_mode: bool, host: str | None) -> bool:
    """The demo picker works only in demo mode AND when reached on this machine."""
    if not demo_mode or not host:
        return False
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name.startswith("[") and "]" in name:
        name = name[: name.index("]") + 1]
    return name.lower() in LOCAL_HOSTS
