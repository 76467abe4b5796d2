"""The app uvicorn's workers build: the config path comes from ``python -m api``
(uvicorn imports a factory by name in each worker process)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from api.app import create_app

#: Set by ``python -m api`` for its worker processes; read only here.
CONFIG_ENV = "FAMILY_CONTEXT_API_CONFIG"


def app() -> FastAPI:
    """The API for the config ``python -m api`` was started with."""
    return create_app(os.environ[CONFIG_ENV])
