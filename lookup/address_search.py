"""Who lives at an address: the households recorded at a postcode, and who is in each.

Before a first visit a worker asks who lives there. The postcode finds everyone
recorded there now or before (the postings built at load); each person is then
shown as the viewer may see them (``lookup.seen_results``), and listed only when
the records the viewer sees place them there now. People are grouped into
households by the address those records give (house and flat numbers with the
postcode, as linkage's co-residence does; else the address's words). A house
number or name narrows it to one address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.errors import UserInputError
from lookup.addresses import address_keys
from lookup.disclosure import Disclosure
from lookup.index import LinkedIndex
from lookup.prepared import postcode_rows
from lookup.query import SearchQuery, parse_postcode
from lookup.search import Candidate, make_candidate
from lookup.seen_results import seen_candidates

#: What the label of a person listed at an address says.
AT_ADDRESS = "recorded at this address"
#: Never more people listed at one postcode than this (a postcode is a few
#: dozen households; a block of flats may be more).
MAX_RESIDENTS = 300
_NEED_POSTCODE = (
    "Enter the postcode of the address, for example SK1 3AB; a house number or "
    "name narrows it to one address."
)


@dataclass(frozen=True)
class AddressQuery:
    """A checked address search: a full postcode, optionally a house number or name."""

    postcode: str  # upper case, no spaces
    house: str = ""

    def criteria(self) -> dict[str, str]:
        """What was asked, for the audit log (the only place search terms are kept)."""
        asked = {"kind": "address", "postcode": self.postcode}
        return asked | ({"house": self.house} if self.house else {})


def parse_address_query(postcode: str | None, house: str | None = "") -> AddressQuery:
    """Check an address search; raises UserInputError saying what is missing."""
    compact = parse_postcode(postcode)
    if not compact:
        raise UserInputError(_NEED_POSTCODE)
    house_c = " ".join((house or "").replace(",", " ").split())
    if len(house_c) > 60:
        raise UserInputError("Enter a house number or name of at most 60 characters.")
    return AddressQuery(compact, house_c)


@dataclass(frozen=True)
class Household:
    """One address at the postcode, and the people the viewer sees living there."""

    address: str
    residents: tuple[Candidate, ...]


@dataclass(frozen=True)
class AddressResult:
    """The households at the postcode asked, in house-number order."""

    postcode: str  # as written: "SK1 3AB"
    households: tuple[Household, ...]

    @property
    def people(self) -> list[Candidate]:
        """Everyone listed, household by household."""
        return [c for h in self.households for c in h.residents]


def _compact(postcode: str | None) -> str:
    return re.sub(r"\s+", "", postcode or "").upper()


def _on_house(address: str | None, house: str) -> bool:
    """Does the address carry the house number or name typed?"""
    if not house:
        return True
    words = re.sub(r"[^a-z0-9]+", " ", (address or "").lower()).split()
    wanted = re.sub(r"[^a-z0-9]+", " ", house.lower()).split()
    size = len(wanted)
    return any(words[i : i + size] == wanted for i in range(len(words) - size + 1))


def living_there(
    index: LinkedIndex, query: AddressQuery, today: date, disclosure: Disclosure
) -> list[Candidate]:
    """The people the viewer sees at the address now, as they see them."""
    rows = postcode_rows(index.prepared_people, query.postcode)[: MAX_RESIDENTS * 4]
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    persons = index.prepared_people
    found = [
        make_candidate(index.people.row(int(r), named=True), today, 1.0,
                       bool(persons.flagged[r]), AT_ADDRESS, services)
        for r in rows.tolist()
    ]  # fmt: skip
    seen = seen_candidates(index, found, SearchQuery(), disclosure, today)
    here = [
        c
        for c in seen
        if _compact(c.postcode) == query.postcode and _on_house(c.address, query.house)
    ]
    return here[:MAX_RESIDENTS]


_FLAT = re.compile(r"\b(?:flat|apartment|apt|unit|room)\s+(\d+)", re.IGNORECASE)


def _house_order(address: str) -> tuple:
    """House number first, then flat number, then the words."""
    house = [int(n) for n in re.findall(r"\d+", _FLAT.sub(" ", address))]
    flats = [int(n) for n in _FLAT.findall(address)]
    return (house[:1] or [10**9], flats, address.lower())


def households(postcode: str, people: list[Candidate]) -> AddressResult:
    """``people`` (each with the address they are seen at) grouped by address;
    the oldest first in each."""
    keys = address_keys([(c.address, c.postcode) for c in people])
    groups: dict[str, list[Candidate]] = {}
    for c, known in zip(people, keys, strict=True):
        key = min((k for k in known if k.startswith("pc:")), default=None)
        groups.setdefault(key or min(known, default=c.person_id), []).append(c)
    made = [
        Household(
            address=str(members[0].address),
            residents=tuple(
                sorted(
                    members,
                    key=lambda c: (c.dob is None, c.dob or date.max, c.person_id),
                )
            ),
        )  # fmt: skip
        for members in groups.values()
    ]
    made.sort(key=lambda h: _house_order(h.address))
    written = f"{postcode[:-3]} {postcode[-3:]}"
    return AddressResult(written, tuple(made))
