"""The signing-key cache: fetched once, kept for jwks_cache_seconds, fetched again
for an unknown key id or a failed signature at most every
jwks_min_refresh_seconds, and an unreachable provider does not hold up every
request (the last good keys keep serving)."""

from __future__ import annotations

import httpx
import pytest
from joserfc.jwk import KeySet, RSAKey

from api.tokens import KeyCache, KeysUnavailable
from core.config import ApiConfig

API = ApiConfig(issuer="https://idp.test", audience=("x",),
                jwks_url="https://idp.test/keys", jwks_cache_seconds=600,
                jwks_min_refresh_seconds=30)  # fmt: skip


class Provider:
    """What the provider publishes, and how often it was asked."""

    def __init__(self) -> None:
        self.kids = ["k1"]
        self.calls = 0
        self.down = False

    def fetch(self, url: str) -> dict:
        assert url == "https://idp.test/keys"
        self.calls += 1
        if self.down:
            raise httpx.ConnectError("down")
        keys = [RSAKey.generate_key(2048, parameters={"kid": k}) for k in self.kids]
        return KeySet(keys).as_dict()


@pytest.fixture
def clock() -> list[float]:
    return [1000.0]


def test_keys_are_cached_and_fetched_again_when_needed(clock) -> None:
    idp = Provider()
    cache = KeyCache(API, idp.fetch, lambda: clock[0])
    assert cache.keys_for("k1").keys[0].kid == "k1" and idp.calls == 1
    clock[0] += 100
    cache.keys_for("k1")
    assert idp.calls == 1  # cached
    idp.kids = ["k2"]
    cache.keys_for("k2")
    assert idp.calls == 2  # unknown kid: fetched at once (last try 100 s ago)
    clock[0] += 10
    cache.keys_for("k9")
    assert idp.calls == 2  # a made-up kid 10 s later: not again yet
    clock[0] += 30
    cache.keys_for("k2", failed=True)
    assert idp.calls == 3  # a failed signature after the pause: fetched again
    clock[0] += 600
    cache.keys_for("k2")
    assert idp.calls == 4  # stale


def test_an_unreachable_provider_keeps_the_last_keys(clock) -> None:
    idp = Provider()
    cache = KeyCache(API, idp.fetch, lambda: clock[0])
    cache.keys_for("k1")
    idp.down = True
    clock[0] += 700
    assert cache.keys_for("k1").keys[0].kid == "k1" and idp.calls == 2
    clock[0] += 5
    cache.keys_for("k1")
    assert idp.calls == 2  # not asked again within the pause
    fresh = KeyCache(API, idp.fetch, lambda: clock[0])
    with pytest.raises(KeysUnavailable):
        fresh.keys_for("k1")
