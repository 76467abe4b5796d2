"""Telling one address from another as the linkage does, for the lookup's checks.

Two addresses are one when their words agree (case, spacing and punctuation
aside), when their postcode and house and flat numbers agree ("Flat 3, 12
High St" and "12 High Street, flat 3"), the co-residence key of
``linkage.coresidence``, or, without a postcode, when their numbers and street
agree (its street key: "12 High St, Townley" is "12 High Street"). The last may
join two streets of one name in different towns: what it serves (withholding
a protected address) errs towards withholding.

The keys of an address in printable ASCII (nearly all) are made in plain
Python, the same steps as linkage's polars expressions (a frame costs a few
milliseconds whatever its size, and every card of every request is checked);
any other address goes through those expressions themselves, so accents,
other scripts and control characters are handled exactly as the linkage does.
``tests/test_addresses.py`` checks the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from linkage.coresidence import STREET_PATTERN, STREET_WORDS, address_key, street_key
from linkage.standardise import ADDRESS_WORDS

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’`]")
_NOT_CLEAN = re.compile(r"[^a-z0-9 ]")
_VALID_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$")
_NOT_POSTCODE = re.compile(r"[^A-Z0-9]")
_NUMBER = re.compile(r"\b\d+[a-z]?\b")
_STREET_RE = re.compile(STREET_PATTERN)
_WORDS = dict(ADDRESS_WORDS)


def _words(address: str | None) -> str | None:
    if not address:
        return None
    return _NOT_WORD.sub("", address.lower()) or None


def words_key(address: pl.Expr) -> pl.Expr:
    """``_words`` column-wide (the words key of every address in a column; an
    empty one is "", which no key equals)."""
    return address.str.to_lowercase().str.replace_all(_NOT_WORD.pattern, "")


def _plain(text: str | None) -> bool:
    """Text the plain-Python path handles exactly as polars: printable ASCII."""
    return text is None or (text.isascii() and text.isprintable())


def _numbers(address: str) -> str:
    """``linkage.standardise.address_numbers`` of ``address_expr``: the house
    and flat numbers of the cleaned, abbreviation-expanded text, sorted."""
    clean = _NOT_CLEAN.sub(" ", _APOSTROPHES.sub("", address.lower()))
    words = " ".join(_WORDS.get(w, w) for w in clean.split())
    return " ".join(sorted(set(_NUMBER.findall(words))))


def _postcode(postcode: str | None) -> str | None:
    """``linkage.standardise.postcode_columns``' ``pc``: no spaces, or None."""
    if postcode is None:
        return None
    pc = _NOT_POSTCODE.sub("", postcode.upper())
    return pc if _VALID_POSTCODE.match(pc) else None


def _street(address: str, numbers: str) -> str | None:
    """``linkage.coresidence.street_key``."""
    found = _STREET_RE.search(address.lower())
    if not numbers or found is None:
        return None
    first, kind = found.groups()
    return f"{numbers}|{first} {STREET_WORDS.get(kind, kind)}"


def _keys(address: str | None, key: str | None, street: str | None) -> set[str]:
    return {k for k in (_words(address), key and f"pc:{key}",
                        street and f"st:{street}") if k}  # fmt: skip


def _plain_keys(address: str | None, postcode: str | None) -> set[str]:
    if not address:
        return _keys(address, None, None)
    numbers, pc = _numbers(address), _postcode(postcode)
    key = f"{pc}|{numbers}" if numbers and pc is not None else None
    return _keys(address, key, _street(address, numbers))


def _frame_keys(pairs: list[tuple[str | None, str | None]]) -> list[set[str]]:
    """The keys made by linkage's own polars expressions."""
    if not pairs:
        return []
    frame = pl.DataFrame(
        pairs, schema={"address": pl.Utf8, "postcode": pl.Utf8}, orient="row"
    )
    keyed = frame.select(address_key(frame).alias("k"), street_key(frame).alias("s"))
    return [
        _keys(a, key, street)
        for (a, _), key, street in zip(
            pairs, keyed["k"].to_list(), keyed["s"].to_list(), strict=True
        )
    ]


def address_keys(pairs: Iterable[tuple[str | None, str | None]]) -> list[set[str]]:
    """Per (address, postcode): the keys it is known by (none for a blank)."""
    pairs = list(pairs)
    other = [i for i, (a, p) in enumerate(pairs) if not (_plain(a) and _plain(p))]
    out = [_plain_keys(a, p) if _plain(a) and _plain(p) else set()
           for a, p in pairs]  # fmt: skip
    for i, keys in zip(other, _frame_keys([pairs[i] for i in other]), strict=True):
        out[i] = keys
    return out
