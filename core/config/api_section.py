"""``[api]``: the read API for case systems (docs/api.md): the identity provider
it trusts, systems granted a role, and its protection."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.config.keys import setting
from core.errors import Problem
from core.frozen import FrozenDict
from core.vocab import ROLES


@dataclass(frozen=True)
class ApiConfig:
    """[api]: the read API for case systems (docs/api.md)."""

    issuer: str = setting(
        "",
        "Issuer (iss) the council's identity provider puts in its tokens, e.g. "
        "https://login.microsoftonline.com/TENANT/v2.0. Empty: the API refuses "
        "every token.",
    )
    audience: tuple[str, ...] = setting(
        (),
        "Audiences (aud) a token must name one of: the API's application id URI "
        "or client id.",
    )
    jwks_url: str = setting(
        "",
        "Where the provider publishes its signing keys; empty: the jwks_uri of "
        "ISSUER/.well-known/openid-configuration.",
    )
    algorithms: tuple[str, ...] = setting(
        ("RS256",), "Signature algorithms accepted (never none, never HS*)."
    )
    jwks_cache_seconds: int = setting(
        3600, "Seconds the signing keys are kept before they are fetched again."
    )
    jwks_min_refresh_seconds: int = setting(
        30,
        "Least seconds between two fetches of the keys for a token signed with a "
        "key not yet known (so made-up key ids cannot flood the provider).",
    )
    leeway_seconds: int = setting(
        60, "Clock difference allowed when checking exp, nbf and iat."
    )
    system_roles: Mapping[str, str] = field(
        default_factory=FrozenDict,
        metadata={
            "doc": "Table: client id of a system calling without a user (azp, "
            "appid or client_id of an app-only token) to the role it is granted; "
            "a system not listed gets nothing."
        },
    )
    rate_limit: str = setting(
        "120/minute",
        "Requests one user (or system) may make, per API process, as N/second, "
        "N/minute or N/hour; over it the answer is 429 with Retry-After.",
    )
    max_body_bytes: int = setting(
        16384, "Largest request body accepted; larger is refused with 413."
    )
    cors_origins: tuple[str, ...] = setting(
        (),
        "Browser origins allowed to call the API (CORS); empty: none (off). Case "
        "systems call it server to server and need none.",
    )
    host: str = setting("127.0.0.1", "Address the API listens on (behind nginx).")
    port: int = setting(8502, "Port the API listens on.")
    workers: int = setting(2, "API worker processes (python -m api).")


_RATE = re.compile(r"^\s*[1-9][0-9]*\s*/\s*(second|minute|hour)\s*$")


def check_api(api: ApiConfig, problems: list[Problem]) -> None:
    """Every problem of ``[api]``, appended to ``problems``."""
    if not _RATE.match(api.rate_limit):
        problems.append(
            Problem("api.rate_limit", "must be N/second, N/minute or N/hour")
        )
    for key in ("max_body_bytes", "port", "workers", "jwks_cache_seconds"):
        if getattr(api, key) <= 0:
            problems.append(Problem(f"api.{key}", "must be more than 0"))
    for key in ("jwks_min_refresh_seconds", "leeway_seconds"):
        if getattr(api, key) < 0:
            problems.append(Problem(f"api.{key}", "must be 0 or more"))
    weak = [a for a in api.algorithms if a.lower() == "none" or a.startswith("HS")]
    if weak or not api.algorithms:
        problems.append(
            Problem("api.algorithms", "give asymmetric algorithms only, e.g. RS256")
        )
    if api.issuer and not api.audience:
        problems.append(Problem("api.audience", "is required when issuer is set"))
    for client, role in api.system_roles.items():
        if role not in ROLES:
            problems.append(
                Problem(f"api.system_roles.{client}", f"must be one of {ROLES}")
            )
