"""Protected addresses: withheld for everyone who shares them, not only the person.

A person has a protected address when an administrator restricts them with the
``protected_address`` category, or a source marks one of their records with one
of ``governance.protected_address_codes``. Their current address is then withheld
wherever it appears: on the result cards and family-view cards of the children
and anyone else recorded there, and so in every summary and export made from
them. The worker reads "Address withheld — contact …" instead (whom to contact:
``governance.protected_address_contact``). Addresses are compared by their
words (case, spacing and punctuation aside) and by postcode and house numbers,
so "Flat 3, 12 High St" and "12 High Street, flat 3" are one address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import polars as pl
from sqlalchemy import Engine

from governance.restrictions import active_restrictions_now
from governance.visibility import Policy
from lookup.addresses import address_keys
from lookup.family import Member
from lookup.index import LinkedIndex
from lookup.per_index import per_index
from lookup.search import Candidate

CATEGORY = "protected_address"


def withheld_text(contact: str) -> str:
    """What a card shows instead of a protected address."""
    return f"Address withheld — contact {contact}"


@dataclass(frozen=True)
class Withheld:
    """The protected addresses in force for one request."""

    keys: frozenset[str]
    text: str

    def hides(self, address: str | None, postcode: str | None = None) -> bool:
        """Is this address one of them?"""
        return bool(address) and bool(
            address_keys([(address, postcode)])[0] & self.keys
        )


def _coded_people(index: LinkedIndex, codes: Iterable[str]) -> frozenset[str]:
    """People with a record its source marks with a protected-address code."""
    records = index.records
    if "restricted" not in records.columns:
        return frozenset()
    wanted = [c.strip().lower() for c in codes]
    coded = records.filter(
        pl.col("restricted").cast(pl.Utf8).str.strip_chars().str.to_lowercase()
        .is_in(wanted)
    )["person_id"]  # fmt: skip
    return frozenset(coded.cast(pl.Utf8).to_list())


def _protected_people(
    active: Mapping[str, str], index: LinkedIndex, codes: Iterable[str]
) -> set[str]:
    """Restricted by an administrator now (``active``, read for the request: any
    replica may set one), or coded by a source in this build (worked out once
    per build)."""
    admin = {pid for pid, category in active.items() if category == CATEGORY}
    codes = tuple(codes)
    coded = per_index(index, ("coded", codes), lambda: _coded_people(index, codes))
    return admin | coded


def _address_keys_of(index: LinkedIndex, people: frozenset[str]) -> frozenset[str]:
    rows = index.people.filter(pl.col("person_id").cast(pl.Utf8).is_in(list(people)))
    pairs = [
        (r["address"], r["postcode"])
        for r in rows.select("address", "postcode").iter_rows(named=True)
        if r["address"]
    ]
    return frozenset().union(*address_keys(pairs))


def withheld(
    audit: Engine,
    index: LinkedIndex,
    policy: Policy,
    active: Mapping[str, str] | None = None,
) -> Withheld:
    """The current addresses of everyone with a protected address in this build
    (their keys worked out once per build and set of people). ``active``: the
    request's read of the restrictions in force (read here if not given)."""
    if active is None:
        active = active_restrictions_now(audit)
    people = frozenset(_protected_people(active, index, policy.protected_codes))
    keys = per_index(index, ("keys", people),
                      lambda: _address_keys_of(index, people))  # fmt: skip
    return Withheld(keys, withheld_text(policy.protected_contact))


def withhold_candidate(c: Candidate, w: Withheld) -> Candidate:
    """A result card without the protected address (a postcode given is said to
    have matched only on records not at it: ``lookup.unplaced``)."""
    if not w.keys:
        return c
    earlier = tuple(a for a in c.previous_addresses if not w.hides(a))
    if not w.hides(c.address, c.postcode):
        return replace(c, previous_addresses=earlier)
    return replace(c, address=w.text, postcode=None, previous_addresses=earlier)


def withhold_member(m: Member, w: Withheld) -> Member:
    """A family-view card without the protected address."""
    if not w.keys or not w.hides(m.address, m.postcode):
        return m
    return replace(m, address=w.text, postcode=None)
