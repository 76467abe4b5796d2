"""The chain's arithmetic: how one event's hash follows from the one before.

An event's hash is HMAC-SHA-256, under the key held outside the database
(``governance.keys``), over the previous event's hash and the event's canonical
JSON (sorted keys, UTC text times). Events written before the chain was keyed
keep their plain SHA-256 links; the ``keyed`` seal says where keying starts and
pins everything before it (the first keyed event's MAC covers the last legacy
hash). Seals and checkpoints carry a MAC of their own under the same key, each
with its own label, so one can never stand in for another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
#: The columns of an event that its hash covers, in this order.
ROW_KEYS = (
    "at_utc", "kind", "user_id", "user_name", "role", "session_id", "purpose",
    "case_ref", "data",
)  # fmt: skip


def utc_text(moment: datetime) -> str:
    """The one textual form of a UTC time used in the chain."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same value always gives one text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, row: Mapping[str, Any], key: bytes | None) -> str:
    """Hash of one event given the previous event's hash: keyed (HMAC) unless
    ``key`` is None (events from before the chain was keyed)."""
    body = {k: row[k] for k in ROW_KEYS}
    payload = (prev_hash + "\n" + canonical_json(body)).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def mac(key: bytes, label: str, fields: Mapping[str, Any]) -> str:
    """The MAC of a seal or a checkpoint (``label`` keeps the kinds apart)."""
    payload = (label + "\n" + canonical_json(dict(fields))).encode("utf-8")
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def mac_matches(key: bytes, label: str, fields: Mapping[str, Any], given: str) -> bool:
    """Whether ``given`` is the MAC of ``fields`` (constant-time comparison)."""
    return hmac.compare_digest(mac(key, label, fields), str(given))


def seal_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a seal's MAC covers."""
    return {k: row[k] for k in ("kind", "first_seq", "prev_hash", "note", "at_utc")}
