"""Telling one address from another as the linkage does, for the lookup's checks.

Two addresses are one when their words agree (case, spacing and punctuation
aside) or when their postcode and house and flat numbers agree ("Flat 3, 12
High St" and "12 High Street, flat 3"), the co-residence key of
``linkage.coresidence``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from linkage.coresidence import address_key


def _words(address: str | None) -> str | None:
    if not address:
        return None
    return re.sub(r"[^a-z0-9]+", "", address.lower()) or None


def address_keys(pairs: Iterable[tuple[str | None, str | None]]) -> list[set[str]]:
    """Per (address, postcode): the keys it is known by (none for a blank)."""
    pairs = list(pairs)
    if not pairs:
        return []
    frame = pl.DataFrame(
        pairs, schema={"address": pl.Utf8, "postcode": pl.Utf8}, orient="row"
    )
    keyed = frame.select(address_key(frame).alias("k"))["k"].to_list()
    return [
        {k for k in (_words(a), f"pc:{key}" if key else None) if k}
        for (a, _), key in zip(pairs, keyed, strict=True)
    ]
