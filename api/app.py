"""The FastAPI application: routes, error handling, protection, per-process state.

``create_app`` does the work (engines, the ``config`` event) when called, never
at import; ``python -m api`` and tests call it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api import problems
from api.guard import ASGIApp, Guard, Message, RateLimits, Receive, Scope, Send
from api.models import NOT_BLANK
from api.routes import health, router
from api.state import open_state
from api.tokens import TokenValidator
from core import logs
from core.config import AppConfig, GovernanceConfig, load_config

DESCRIPTION = (
    "Read API for case systems: search a person, their services, family and "
    "who to call, audited exactly like the dashboard. Every request that reads "
    "about people carries its purpose and case reference in its body. Errors "
    "are RFC 9457 problem details. See docs/api.md."
)


def _openapi(app: FastAPI, app_cfg: AppConfig, gov: GovernanceConfig) -> dict:
    """The generated document, with this council's purposes listed and the
    explanation an emergency purpose needs."""
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)
        emergency = [
            p
            for p in app_cfg.purposes
            if p.strip().lower() in {e.strip().lower() for e in gov.emergency_purposes}
        ]
        for body in schema["components"]["schemas"].values():
            purpose = body.get("properties", {}).get("purpose")
            if purpose is None:
                continue
            purpose["enum"] = list(app_cfg.purposes)
            if emergency:
                body["if"] = {
                    "properties": {"purpose": {"enum": emergency}},
                    "required": ["purpose"],
                }
                body["then"] = {
                    "required": ["explanation"],
                    "properties": {
                        "explanation": {"type": "string", "pattern": NOT_BLANK}
                    },
                }
    return app.openapi_schema


class RequestLog:
    """ASGI middleware: each request under a request id of its own, and one
    ``api_request`` line (route, status, milliseconds) once it is answered. Plain
    ASGI: Starlette's ``BaseHTTPMiddleware`` runs every request in a task and
    streams of its own, which costs more than the endpoint's own framework."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.monotonic(), ["500"]

        async def sent(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = str(message["status"])
            await send(message)

        with logs.request():
            await self.app(scope, receive, sent)
            route = scope.get("route")
            logs.log("api_request", page=getattr(route, "path", "unknown"),
                     status=status[0],
                     ms=round((time.monotonic() - started) * 1000, 1))  # fmt: skip


def create_app(
    config_path: str,
    *,
    validator: TokenValidator | None = None,
    today: Callable[[], date] | None = None,
) -> FastAPI:
    """The API for the config at ``config_path`` (tests pass a ``validator``
    with a moved clock and a fixed ``today``)."""
    logs.configure()
    config = load_config(config_path)
    api = config.api
    app = FastAPI(
        title="Family context lookup API",
        version="1",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.server = open_state(config_path, config, validator, today)
    app.state.limits = RateLimits(api.rate_limit)
    problems.install(app)
    app.include_router(router)
    app.include_router(health)
    app.openapi = lambda: _openapi(app, config.app, config.governance)

    app.add_middleware(RequestLog)
    if api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(api.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(Guard, max_body=api.max_body_bytes)
    return app
