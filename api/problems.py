"""Errors as RFC 9457 problem details (``application/problem+json``).

Every problem carries a ``type`` naming its kind (documented in docs/api.md),
a ``title``, the HTTP ``status`` and a ``detail`` that is either the tool's own
safe text (``FamilyContextError`` messages never hold what was typed) or a fixed
sentence; a request's values are never echoed, not even in a validation error,
which names only the fields at fault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from core.errors import (
    AccessDenied,
    AuditError,
    FamilyContextError,
    IndexNotReadyError,
    LookupInputError,
    NotInIndexError,
)
from core.logs import log_error
from governance.restrictions import RestrictedRecord

MEDIA_TYPE = "application/problem+json"
BASE = "https://family-context.invalid/problems/"

#: kind -> (status, title)
KINDS: Mapping[str, tuple[int, str]] = {
    "unauthenticated": (401, "Sign-in needed"),
    "session-ended": (401, "Session ended"),
    "no-role": (403, "No role in this tool"),
    "forbidden": (403, "Not allowed for your role"),
    "restricted": (403, "Restricted record"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "not-acceptable": (406, "Not acceptable"),
    "too-large": (413, "Request too large"),
    "unsupported-media-type": (415, "Send JSON"),
    "invalid-request": (422, "The request cannot be answered as sent"),
    "rate-limited": (429, "Too many requests"),
    "internal": (500, "Something went wrong"),
    "not-recorded": (503, "Could not be recorded, so nothing is shown"),
    "not-ready": (503, "No index is being served"),
    "idp-unavailable": (503, "The identity provider cannot be reached"),
}


class Problem(Exception):
    """Raised inside the API to answer with a problem of ``kind``."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail
        self.headers = dict(headers or {})
        self.errors = list(errors)


def problem_body(kind: str, detail: str, **extra: Any) -> dict[str, Any]:
    status, title = KINDS[kind]
    return {
        "type": BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }


def respond(problem: Problem) -> JSONResponse:
    extra = {"errors": problem.errors} if problem.errors else {}
    body = problem_body(problem.kind, problem.detail, **extra)
    return JSONResponse(body, body["status"], problem.headers, media_type=MEDIA_TYPE)


def from_error(exc: FamilyContextError) -> Problem:
    """The problem a tool error becomes (its message is safe to show)."""
    if isinstance(exc, RestrictedRecord):
        return Problem("restricted", str(exc))
    if isinstance(exc, AccessDenied):
        return Problem("forbidden", str(exc))
    if isinstance(exc, AuditError):
        return Problem("not-recorded", str(exc))
    if isinstance(exc, IndexNotReadyError):
        return Problem("not-ready", str(exc))
    if isinstance(exc, NotInIndexError):
        return Problem("not-found", str(exc))
    if isinstance(exc, LookupInputError):
        return Problem("invalid-request", str(exc))
    return Problem("internal", "The request could not be completed.")


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where each validation error is and what kind, never the value sent."""
    return [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
            "code": str(e.get("type", "invalid")),
        }
        for e in exc.errors()
    ]


_HTTP_KINDS = {
    401: "unauthenticated",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
}


def install(app: Any) -> None:  # noqa: ANN401 (a FastAPI app)
    """Register the handlers that turn every error into a problem."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return respond(exc)

    @app.exception_handler(FamilyContextError)
    async def _tool(request: Request, exc: FamilyContextError) -> JSONResponse:
        if isinstance(exc, AuditError):
            log_error("api_error", exc)
        return respond(from_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "Some fields are missing or not of the expected form; see errors."
        return respond(Problem("invalid-request", detail, errors=_field_errors(exc)))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        kind = _HTTP_KINDS.get(exc.status_code, "invalid-request")
        if kind == "invalid-request" and exc.status_code >= 500:
            kind = "internal"
        detail = {
            "not-found": "There is nothing at this address.",
            "method-not-allowed": "This address does not take that method.",
            "too-large": "The request body is larger than this API accepts.",
        }.get(kind, KINDS[kind][1] + ".")
        return respond(Problem(kind, detail, headers=exc.headers))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log_error("api_error", exc)
        return respond(Problem("internal", "The request could not be completed."))
