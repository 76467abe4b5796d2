"""The caller of a request: a good bearer token, a role, a live session.

Every refusal of a token that was presented is recorded as ``sign_in_failed``
(method ``api``) with the reason's code, as the dashboard records refused
sign-ins; the first use of a token is its ``sign_in``. Over the rate limit the
answer is 429 before anything is read or written.
"""

from __future__ import annotations

from fastapi import Request

from api.guard import RateLimits
from api.identity import Caller, caller, session_of
from api.problems import Problem
from api.sessions import check_session
from api.state import ServerState
from api.tokens import REFUSED, KeysUnavailable, TokenRefused
from governance.audit import Actor
from governance.sessions import ENDED_MESSAGES
from governance.signin import failed_sign_in

#: RFC 6750: what a client is told when its token is missing or not good.
CHALLENGE = 'Bearer realm="family-context"'


def _limited(limits: RateLimits, key: str) -> None:
    wait = limits.hit(key)
    if wait:
        raise Problem(
            "rate-limited",
            "Too many requests from this account. Wait and try again.",
            headers={"Retry-After": str(wait)},
        )


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            "unauthenticated",
            REFUSED["no_token"],
            headers={"WWW-Authenticate": CHALLENGE},
        )
    return token.strip()


def _refused(
    server: ServerState, limits: RateLimits, request: Request, token: str, why: str
) -> Problem:
    address = request.client.host if request.client else "unknown"
    _limited(limits, f"refused:{address}")
    unknown = Actor("unknown", "unknown", "none", session_of(token))
    failed_sign_in(server.audit_engine, unknown, "api", why)
    challenge = f'{CHALLENGE}, error="invalid_token"'
    return Problem(
        "unauthenticated", REFUSED[why], headers={"WWW-Authenticate": challenge}
    )


def authenticate(request: Request) -> Caller:
    """The caller, or a Problem (401, 403, 429, 503)."""
    server: ServerState = request.app.state.server
    limits: RateLimits = request.app.state.limits
    token = _bearer(request)
    try:
        claims = server.validator.claims(token)
    except TokenRefused as exc:
        raise _refused(server, limits, request, token, exc.why) from None
    except KeysUnavailable:
        raise Problem(
            "idp-unavailable",
            "The council's identity provider cannot "
            "be reached to check the token. Try again shortly.",
        ) from None
    cfg = server.config
    who = caller(claims, token, cfg.governance, cfg.api)
    _limited(limits, f"user:{who.actor.user_id}")
    if who.refusal:
        failed_sign_in(server.audit_engine, who.actor, "api", who.why)
        raise Problem("no-role", who.refusal)
    state = check_session(server.audit_engine, who, server.now(), server.rules)
    if state != "active":
        raise Problem(
            "session-ended",
            ENDED_MESSAGES[state],
            headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'},
        )
    return who
