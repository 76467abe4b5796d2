"""A postcode given scored only on the records a viewer sees in full.

Search lifts a person recorded at the postcode given (``lookup.search.POSTCODE``,
or ``DISTRICT`` for its district) over every postcode any of their records
holds. For a viewer who may not see one of those records, a postcode only it
holds would tell them it exists: the person is scored and labelled on the
postcodes of the records they see in full, as a build without that record
would (and a family name with a postcode alone no longer finds them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

import numpy as np
import polars as pl

from lookup.disclosure_links import Apart
from lookup.identity import stored_records
from lookup.index import LinkedIndex
from lookup.match_words import PlaceHow, with_place
from lookup.prepared import keyed_postcodes
from lookup.query import SearchQuery
from lookup.search import DISTRICT, MIN_SCORE, POSTCODE, Candidate, confidence_word
from lookup.unplaced import NOTHING, Unplaced, placed_at, seen_elsewhere

_LIFT: dict[PlaceHow, float] = {"": 0.0, "full": POSTCODE, "district": DISTRICT}


def postcodes_seen(
    index: LinkedIndex, full: Mapping[str, Collection[str]],
    apart: Mapping[str, Apart] | None = None, gone: Unplaced = NOTHING,
) -> dict[str, frozenset[str]]:  # fmt: skip
    """Person id → the postcodes (upper case, no spaces) of their records of the
    sources ``full`` gives for them (those the viewer sees in full; ``apart``:
    people records set aside for the viewer make, ``lookup.disclosure_links``),
    but those at an address withheld (``gone``)."""
    wanted = pl.DataFrame(
        [(p, s) for p, sources in full.items() for s in sources],
        schema={"person_id": pl.Utf8, "source": pl.Utf8}, orient="row",
    )  # fmt: skip
    held = keyed_postcodes(seen_elsewhere(
        stored_records(index, sorted(full), apart)
        .join(wanted, on=["person_id", "source"], how="semi")
        .select("person_id", "address", "postcode"), gone,
    ).select("person_id", "postcode"))  # fmt: skip
    out: dict[str, set[str]] = {p: set() for p in full}
    for pid, code in held.iter_rows():
        out[pid].add(code)
    return {p: frozenset(codes) for p, codes in out.items()}


def place_seen(codes: Collection[str], postcode: str) -> PlaceHow:
    """How the postcodes seen agree with the postcode given."""
    if postcode in codes:
        return "full"
    return "district" if postcode[:-3] in {c[:-3] for c in codes} else ""


def place_whole(
    index: LinkedIndex, row: int, postcode: str, gone: Unplaced = NOTHING
) -> PlaceHow:
    """How the postcode given agrees over every record (``lookup.search``), but
    those at an address withheld (``gone``)."""
    at = np.array([row], dtype=np.int64)
    full, near = placed_at(index.prepared_people, at, postcode, gone)
    return "full" if full[0] else "district" if near[0] else ""


def placed(
    c: Candidate, whole: PlaceHow, seen: PlaceHow, query: SearchQuery
) -> Candidate | None:
    """The candidate scored and labelled on the postcodes seen where the one
    given agreed better with a record the viewer may not see (``whole``: over
    every record); None when it then no longer makes a result, or a family name
    with a postcode alone is no longer recorded there."""
    if _LIFT[seen] >= _LIFT[whole]:
        return c
    score = c.score - (_LIFT[whole] - _LIFT[seen])
    if score < MIN_SCORE or (query.family_only and query.dob is None):
        return None
    score = round(score, 3)
    return replace(c, score=score, confidence=confidence_word(score),
                   matched_on=with_place(c.matched_on, seen))  # fmt: skip
