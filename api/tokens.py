"""Bearer tokens checked against the council's identity provider, through joserfc.

The signature is checked with the provider's published keys (JWKS), kept for
``api.jwks_cache_seconds`` and fetched again at once when a token names a key
id not yet known (a key rotation), at most every ``jwks_min_refresh_seconds``.
Then issuer, audience, expiry, not-before and issued-at are checked with
``leeway_seconds`` of clock difference. Nothing here parses a JWT by hand.

A token found good is remembered (by its SHA-256, never the token itself) until
its own expiry or until the keys are fetched again, so a case system calling
with the same token again costs a dictionary look-up, not a signature check;
after a fetch (a rotation, or the cache going stale) every token is checked
against the keys now published.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    DecodeError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from core.config import ApiConfig
from core.logs import log

#: Most good tokens remembered (the oldest forgotten first).
REMEMBERED = 10_000
#: What each refusal is recorded as (``sign_in_failed`` why) and told to the caller.
REFUSED: Mapping[str, str] = {
    "no_token": "Send the user's access token as 'Authorization: Bearer TOKEN'.",
    "malformed": "The access token is not a signed JWT.",
    "unsigned": "The access token is not signed with an accepted algorithm.",
    "bad_signature": "The access token's signature does not match the identity "
    "provider's keys.",
    "unknown_key": "The access token is signed with a key the identity provider "
    "does not publish.",
    "expired": "The access token has expired. Get a new one and try again.",
    "not_yet_valid": "The access token is not valid yet. Check the clocks.",
    "wrong_issuer": "The access token was not issued by the council's identity "
    "provider.",
    "wrong_audience": "The access token was not issued for this API.",
    "missing_claim": "The access token lacks a required claim (exp, iss, aud, sub).",
    "not_configured": "The API has no identity provider configured (api.issuer), "
    "so it accepts no token.",
}


class TokenRefused(Exception):
    """The token is not good; ``why`` is a key of ``REFUSED``."""

    def __init__(self, why: str) -> None:
        super().__init__(REFUSED[why])
        self.why = why


class KeysUnavailable(Exception):
    """The identity provider's keys could not be fetched (and none are cached)."""


Fetch = Callable[[str], Mapping[str, Any]]


def http_fetch(url: str) -> Mapping[str, Any]:
    """GET a JSON document (the discovery document or the JWKS)."""
    response = httpx.get(url, timeout=5.0, follow_redirects=False)
    response.raise_for_status()
    return response.json()


@dataclass
class _Cached:
    keys: KeySet | None = None
    fetched_at: float = float("-inf")


class KeyCache:
    """The provider's signing keys, fetched when stale or when a kid is unknown."""

    def __init__(
        self,
        api: ApiConfig,
        fetch: Fetch = http_fetch,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api, self._fetch, self._now = api, fetch, monotonic
        self._cached = _Cached()
        self._lock = threading.Lock()
        self._jwks_url = api.jwks_url
        self._tried = float("-inf")

    def _url(self) -> str:
        if not self._jwks_url:
            issuer = self._api.issuer.rstrip("/")
            meta = self._fetch(f"{issuer}/.well-known/openid-configuration")
            if str(meta.get("issuer", "")).rstrip("/") != issuer:
                raise KeysUnavailable("the discovery document names another issuer")
            self._jwks_url = str(meta["jwks_uri"])
        return self._jwks_url

    def _refresh(self) -> None:
        try:
            keys = KeySet.import_key_set(dict(self._fetch(self._url())))  # type: ignore[arg-type]
        except (httpx.HTTPError, KeyError, ValueError, JoseError) as exc:
            log("jwks_fetch_failed", error=type(exc).__name__)
            if self._cached.keys is None:
                raise KeysUnavailable(type(exc).__name__) from exc
            return
        self._cached = _Cached(keys, self._now())
        log("jwks_fetched", keys=len(keys.keys))

    def generation(self) -> object:
        """The key set now held (a new object after every fetch that worked):
        what a token was checked against."""
        return self._cached

    def keys_for(self, kid: str | None, *, failed: bool = False) -> KeySet:
        """The key set, fetched again if stale, if it lacks ``kid``, or if it
        ``failed`` a signature (a rotated key whose tokens name no kid); never
        tried again within ``jwks_min_refresh_seconds`` of the last try, so an
        unreachable provider does not hold up every request."""
        api = self._api
        with self._lock:
            now, cached = self._now(), self._cached
            stale = now - cached.fetched_at >= api.jwks_cache_seconds
            unknown = failed or cached.keys is None or not _has(cached.keys, kid)
            may_try = now - self._tried >= api.jwks_min_refresh_seconds
            if cached.keys is None or (may_try and (stale or unknown)):
                self._tried = now
                self._refresh()
            assert self._cached.keys is not None
            return self._cached.keys


def _has(keys: KeySet, kid: str | None) -> bool:
    try:
        keys.get_by_kid(kid)
    except InvalidKeyIdError:
        return False
    return True


def _header(token: str) -> Mapping[str, Any]:
    """The token's protected header (read to find its key id), not yet trusted."""
    try:
        return jws.extract_compact(token.encode("ascii")).protected
    except (JoseError, ValueError, UnicodeError) as exc:
        raise TokenRefused("malformed") from exc


def _claim_error(exc: ClaimError) -> TokenRefused:
    if isinstance(exc, ExpiredTokenError):
        return TokenRefused("expired")
    if isinstance(exc, MissingClaimError):
        return TokenRefused("missing_claim")
    claim = getattr(exc, "claim", "")
    if claim in ("nbf", "iat") and isinstance(exc, InvalidClaimError):
        return TokenRefused("not_yet_valid")
    return TokenRefused(
        {"iss": "wrong_issuer", "aud": "wrong_audience"}.get(claim, "malformed")
    )


class TokenValidator:
    """Checks a bearer token and returns its claims, or raises TokenRefused."""

    def __init__(
        self,
        api: ApiConfig,
        keys: KeyCache | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._api, self._now = api, now
        self._keys = keys or KeyCache(api)
        self._good: OrderedDict[str, tuple[float, object, dict[str, Any]]] = (
            OrderedDict()
        )
        self._good_lock = threading.Lock()

    def _decode(self, token: str, keys: KeySet) -> jwt.Token:
        try:
            return jwt.decode(token, keys, algorithms=list(self._api.algorithms))
        except InvalidKeyIdError as exc:
            raise TokenRefused("unknown_key") from exc
        except BadSignatureError as exc:
            raise TokenRefused("bad_signature") from exc
        except (DecodeError, JoseError, ValueError) as exc:
            raise TokenRefused("malformed") from exc

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of a good token (remembered until it expires)."""
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        with self._good_lock:
            known = self._good.get(digest)
        keys = self._keys.generation()
        if known is not None and self._now() < known[0] and known[1] is keys:
            return dict(known[2])
        found = self._checked(token)
        with self._good_lock:
            self._good[digest] = (float(found["exp"]), self._keys.generation(), found)
            self._good.move_to_end(digest)
            while len(self._good) > REMEMBERED:
                self._good.popitem(last=False)
        return dict(found)

    def _checked(self, token: str) -> dict[str, Any]:
        """The claims of a good token, every check made."""
        api = self._api
        if not api.issuer or not api.audience:
            raise TokenRefused("not_configured")
        header = _header(token)
        alg = header.get("alg")
        if alg not in api.algorithms:
            raise TokenRefused("unsigned")
        kid = header.get("kid")
        kid = kid if isinstance(kid, str) else None
        try:
            decoded = self._decode(token, self._keys.keys_for(kid))
        except TokenRefused as exc:
            if exc.why not in ("bad_signature", "unknown_key"):
                raise
            decoded = self._decode(token, self._keys.keys_for(kid, failed=True))
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self._now()),
            leeway=api.leeway_seconds,
            iss={"essential": True, "value": api.issuer},
            aud={"essential": True, "values": list(api.audience)},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except ClaimError as exc:
            raise _claim_error(exc) from exc
        return dict(decoded.claims)
