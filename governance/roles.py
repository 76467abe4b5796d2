"""Roles and what each may do; the demo users for local demonstration only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from core.frozen import FrozenDict
from core.vocab import WORKER_ROLES, Role

ROLE_LABELS: Mapping[str, str] = FrozenDict(
    {
        "front_door": "Front-door (MASH) worker",
        "early_help": "Early Help worker",
        "social_worker": "Social worker",
        "auditor": "Information-governance auditor",
        "administrator": "Administrator",
    }
)

#: What a role may be allowed to do; ``permissions.require`` checks one.
Permission = Literal["search", "audit", "administer"]
#: Who holds each permission: workers search people and open family views,
#: auditors read the audit log, administrators manage sources, builds and
#: restrictions (neither of the last two ever sees family data).
HOLDERS: Mapping[Permission, frozenset[Role]] = FrozenDict(
    {
        "search": frozenset(WORKER_ROLES),
        "audit": frozenset({"auditor"}),
        "administer": frozenset({"administrator"}),
    }
)

#: Every dashboard page, and the pages each role may reach once signed in.
PAGES = ("sign_in", "reason", "search", "family", "audit", "admin")
_ROLE_PAGES = {
    **dict.fromkeys(HOLDERS["search"], frozenset({"reason", "search", "family"})),
    **dict.fromkeys(HOLDERS["audit"], frozenset({"audit"})),
    **dict.fromkeys(HOLDERS["administer"], frozenset({"admin"})),
}

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
#: Headers a reverse proxy adds; any one of them means the request was relayed.
PROXY_HEADERS = (
    "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP",
    "Forwarded", "Via",
)  # fmt: skip


@dataclass(frozen=True)
class User:
    """A signed-in person: stable id, display name, role."""

    user_id: str
    name: str
    role: Role


DEMO_USERS: tuple[User, ...] = (
    User("demo.frontdoor", "Alex Morgan (demo)", "front_door"),
    User("demo.earlyhelp", "Chris Evans (demo)", "early_help"),
    User("demo.socialworker", "Sam Okafor (demo)", "social_worker"),
    User("demo.auditor", "Jo Patel (demo)", "auditor"),
    User("demo.admin", "Ravi Shah (demo)", "administrator"),
)


def may(role: str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (unknown roles hold none)."""
    return role in HOLDERS[permission]


def pages_for(role: str) -> frozenset[str]:
    """The pages a signed-in role may reach (sign-in is for the signed-out)."""
    return _ROLE_PAGES.get(role, frozenset())


def _local_name(host: str | None) -> bool:
    if not host:
        return False
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name.startswith("[") and "]" in name:
        name = name[: name.index("]") + 1]
    return name.lower() in LOCAL_HOSTS


def relayed(headers: Mapping[str, str]) -> bool:
    """True when a proxy relayed the request (it added a forwarding header)."""
    return any(headers.get(name) for name in PROXY_HEADERS)


def _local_origin(origin: str | None) -> bool:
    if not origin:
        return True
    try:
        name = urlsplit(origin).hostname
    except ValueError:
        return False
    return name is not None and name.lower() in LOCAL_HOSTS


def demo_sign_in_allowed(
    demo_mode: bool,
    host: str | None,
    remote_ip: str | None = None,
    forwarded: bool = False,
    origin: str | None = None,
) -> bool:
    """The demo picker works only in demo mode AND when reached on this machine.

    All of: the Host header names this machine, the connection comes from it
    (``remote_ip`` None or loopback: a remote client can forge Host, not its
    address), no proxy relayed it (``forwarded``: any of ``PROXY_HEADERS``), and
    the browser's Origin, when sent, names this machine too: behind a proxy that
    adds no forwarding header and passes on its own Host, the browser still
    names the address it was given (docs/deploy.md, "The demo picker").
    """
    from_here = remote_ip is None or remote_ip in LOCAL_HOSTS
    return (
        demo_mode
        and _local_name(host)
        and from_here
        and not forwarded
        and _local_origin(origin)
    )
