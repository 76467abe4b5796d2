"""A results list as one viewer sees it: made from the records they may see.

A person none of whose services the viewer may see is not listed; a person found
by an identifier only a record they may not see holds is not listed either.
Everyone else is shown as ``lookup.seen`` makes them: name, date of birth,
addresses and identifiers from records seen in full, "known to N services"
counting the services shown, case numbers only of services seen in full.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from lookup.disclosure import Disclosure
from lookup.family_index import person_row
from lookup.index import LinkedIndex
from lookup.query import SearchQuery, compact_id
from lookup.search import Candidate, case_label
from lookup.seen import Ages, records_of, seen_by
from lookup.text import age_on


def _holds(identity: dict, query: SearchQuery) -> bool:
    """Does the identity made from the records seen hold the identifier asked?"""
    wanted = query.identifier
    numbers = [n.partition(":")[2] for n in identity.get("case_numbers") or ()]
    held = [identity.get("nhs_number"), identity.get("upn"), *numbers]
    return any(h and compact_id(h) == wanted for h in held)


def _as_seen(c: Candidate, row: dict, services: dict[str, str], today: date):  # noqa: ANN202
    return replace(
        c,
        first_name=row["first_name"], last_name=row["last_name"], dob=row["dob"],
        age=age_on(row["dob"], today), address=row["address"],
        postcode=row["postcode"], nhs_number=row["nhs_number"], upn=row["upn"],
        case_numbers=tuple(case_label(n, services) for n in row["case_numbers"]),
        previous_addresses=tuple((row["addresses"] or [])[1:]),
    )  # fmt: skip


def seen_candidates(
    index: LinkedIndex,
    found: list[Candidate],
    query: SearchQuery,
    disclosure: Disclosure,
    today: date,
) -> list[Candidate]:
    """``found`` cut to what ``disclosure`` lets the viewer see (order kept)."""
    ids = index.people["person_id"]
    rows = np.array([person_row(ids, c.person_id) for c in found], dtype=np.int64)
    ages = Ages(index, today)
    seen = seen_by(index, records_of(index, rows), disclosure, ages.of_person)
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    kept = []
    for c in found:
        shown = seen.sources.get(c.person_id, frozenset())
        identity = seen.identity.get(c.person_id)
        if not shown or (
            identity is not None and query.by_identifier and not _holds(identity, query)
        ):
            continue
        if identity is not None:
            c = _as_seen(c, identity, services, today)
        kept.append(
            replace(c, n_services=len(shown), possible_match=seen.flagged(c.person_id))
        )
    return kept
