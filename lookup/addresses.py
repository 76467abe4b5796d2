"""Telling one address from another as the linkage does, for the lookup's checks.

Two addresses are one when their words agree (case, spacing and punctuation
aside), when their postcode and house and flat numbers agree ("Flat 3, 12
High St" and "12 High Street, flat 3"), the co-residence key of
``linkage.coresidence``, or, without a postcode, when their numbers and street
agree (its street key: "12 High St, Townley" is "12 High Street"). The last may
join two streets of one name in different towns: what it serves (withholding
a protected address) errs towards withholding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from linkage.coresidence import address_key, street_key


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
    keyed = frame.select(address_key(frame).alias("k"), street_key(frame).alias("s"))
    return [
        {k for k in (_words(a), key and f"pc:{key}", street and f"st:{street}") if k}
        for (a, _), key, street in zip(
            pairs, keyed["k"].to_list(), keyed["s"].to_list(), strict=True
        )
    ]
