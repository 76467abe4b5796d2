"""Helpers for the API tests: a real OpenID provider (oidc-provider-mock) on
loopback issuing real signed tokens, a config pointing the API at it, and
uvicorn servers started as separate processes.

Claims given to ``Idp.token`` are the user's claims at the provider, which the
provider puts into the signed token as they are, so an expired, not-yet-valid
or wrongly issued token is still signed by the provider's own key.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

ROOT = Path(__file__).resolve().parents[2]
AUDIENCE = "family-context-api"
REDIRECT = "http://localhost/callback"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, seconds: float = 60, proc: subprocess.Popen | None = None):  # noqa: ANN201
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server for {url} exited ({proc.returncode})")
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not start")


class Idp:
    """oidc-provider-mock on 127.0.0.1 (its issuer is the URL it is reached at)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder, self.port = folder, port or free_port()
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}
        cmd = [sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, cwd=self.folder, env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)  # fmt: skip
        wait_http(f"{self.url}/.well-known/openid-configuration", proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def restart(self) -> None:
        """A new provider process on the same port: a new signing key."""
        self.stop()
        self.start()

    def token(
        self,
        sub: str,
        claims: Mapping[str, Any] | None = None,
        client_id: str = AUDIENCE,
        base: str | None = None,
    ) -> str:
        """A signed token (the ID token of an authorisation-code sign-in)."""
        with httpx.Client(base_url=base or self.url, timeout=10) as client:
            client.put(f"/users/{sub}", json=dict(claims or {})).raise_for_status()
            asked = {"client_id": client_id, "redirect_uri": REDIRECT,
                     "response_type": "code", "scope": "openid profile",
                     "state": "s"}  # fmt: skip
            code_reply = client.post("/oauth2/authorize", params=asked,
                                     data={"sub": sub})  # fmt: skip
            location = code_reply.headers["location"]
            code = parse_qs(urlparse(location).query)["code"][0]
            reply = client.post("/oauth2/token", data={
                "grant_type": "authorization_code", "code": code,
                "redirect_uri": REDIRECT, "client_id": client_id,
                "client_secret": "test-secret",
            })  # fmt: skip
            reply.raise_for_status()
            return reply.json()["id_token"]


def user(sub: str, role: str, **claims: Any) -> tuple[str, dict[str, Any]]:
    """(sub, claims) of a user holding ``role`` in the default role_map."""
    return sub, {"name": f"Test {sub}", "roles": [role], **claims}


def write_config(
    folder: Path,
    idp_url: str,
    *,
    index_url: str = "sqlite:///index.db",
    audit_url: str = "sqlite:///audit.db",
    api: str = "",
    extra: str = "",
) -> Path:
    """A config for the API at ``folder`` trusting the provider at ``idp_url``."""
    path = folder / "config.toml"
    path.write_text(
        f'[storage]\nindex_url = "{index_url}"\naudit_url = "{audit_url}"\n\n'
        f'[api]\nissuer = "{idp_url}"\naudience = ["{AUDIENCE}"]\n'
        f"jwks_min_refresh_seconds = 0\n{api}\n{extra}",
        encoding="utf-8",
    )
    return path


def start_api(
    config: Path, port: int | None = None, workers: int = 1, env: dict | None = None
) -> tuple[subprocess.Popen, str]:
    """``python -m api`` as a separate process; (process, base URL)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "api", "--config", str(config), "--port", str(port),
           "--workers", str(workers)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    # a 100k-people index takes each worker a while to load on a busy machine
    wait_http(f"{url}/health", seconds=300, proc=proc)
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
