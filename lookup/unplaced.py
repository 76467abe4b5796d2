"""Postcodes a search treats as not recorded: those only a withheld address gives.

A protected address is withheld from every card (``governance.protected``), but
a search that still lifted a person recorded there at its postcode (or its
district) would say so through the score, the order, the label and the count.
For a viewer the address is withheld from, each person is placed, blocked and
counted on the postcodes their other records give, as a build without that
address would: the (person, postcode) and (person, district) pairs that only
records at a withheld address give are taken out. Made once per build and set
of addresses, from the records of the people recorded at a withheld address's
postcode or whose current address has its words (a record at the address under
another postcode, reworded, of someone not living there now, is not looked for).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from lookup.addresses import address_keys, words_key
from lookup.identity import stored_records
from lookup.index import LinkedIndex
from lookup.per_index import per_index
from lookup.prepared import (
    PersonIndex,
    has_key,
    keyed_postcodes,
    pair_keys,
    postcode_rows,
)

_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Unplaced:
    """The addresses withheld (their ``lookup.addresses`` keys) and the sorted
    people row * code keys of the postcodes and districts only they give."""

    keys: frozenset[str] = frozenset()
    postcodes: np.ndarray = field(default_factory=lambda: _NONE)
    districts: np.ndarray = field(default_factory=lambda: _NONE)


#: Nothing withheld: every postcode recorded places a person.
NOTHING = Unplaced()


def placed_at(
    persons: PersonIndex, rows: np.ndarray, postcode: str, gone: Unplaced = NOTHING
) -> tuple[np.ndarray, np.ndarray]:
    """For each people row: recorded at ``postcode`` (upper case, no spaces),
    and in its district, on the records not at a withheld address."""
    code = persons.postcode_codes.get(postcode)
    full = has_key(persons.postcode_keys, rows, code)
    full &= ~has_key(gone.postcodes, rows, code)
    code = persons.district_codes.get(postcode[:-3])
    near = has_key(persons.district_keys, rows, code)
    near &= ~has_key(gone.districts, rows, code)
    return full, near


def people_at(
    persons: PersonIndex, postcode: str, gone: Unplaced = NOTHING
) -> np.ndarray:
    """``lookup.prepared.postcode_rows`` without those recorded at the postcode
    only at a withheld address."""
    rows = postcode_rows(persons, postcode)
    if not len(gone.postcodes):
        return rows
    code = persons.postcode_codes.get(postcode)
    return rows[~has_key(gone.postcodes, rows, code)]


def seen_elsewhere(frame: pl.DataFrame, gone: Unplaced) -> pl.DataFrame:
    """The rows of ``frame`` (address, postcode) not at a withheld address."""
    if not gone.keys or frame.is_empty():
        return frame
    pairs = zip(frame["address"].to_list(), frame["postcode"].to_list(), strict=True)
    kept = [not (keys & gone.keys) for keys in address_keys(pairs)]
    return frame.filter(pl.Series(kept, dtype=pl.Boolean))


def unplaced(index: LinkedIndex, keys: Collection[str]) -> Unplaced:
    """The ``Unplaced`` of these withheld address keys (once per build and keys)."""
    keys = frozenset(keys)
    if not keys:
        return NOTHING
    return per_index(index, ("unplaced", keys), lambda: _unplaced(index, keys))


def _unplaced(index: LinkedIndex, keys: frozenset[str]) -> Unplaced:
    persons = index.prepared_people
    codes = {k[3:].partition("|")[0] for k in keys if k.startswith("pc:")}
    rows = np.unique(np.concatenate(
        [_NONE, *(postcode_rows(persons, c) for c in codes), _worded(index, keys)]
    ).astype(np.int64))  # fmt: skip
    if not len(rows):
        return Unplaced(keys)
    people = index.people[rows].select(
        "person_id", pl.col("address").cast(pl.Utf8), pl.col("postcode").cast(pl.Utf8)
    )
    at = dict(zip(people["person_id"].to_list(), rows.tolist(), strict=True))
    held = pl.concat([
        people,
        stored_records(index, sorted(at)).select(
            "person_id", pl.col("address", "postcode").cast(pl.Utf8)
        ),
    ])  # fmt: skip
    held = keyed_postcodes(held)
    hidden = [bool(k & keys) for k in address_keys(
        zip(held["address"].to_list(), held["postcode"].to_list(), strict=True)
    )]  # fmt: skip
    held = held.with_columns(
        hidden=pl.Series(hidden, dtype=pl.Boolean),
        district=pl.col("postcode").str.head(-3),
    )
    return Unplaced(
        keys,
        _only_hidden(held, "postcode", persons.postcode_codes, at),
        _only_hidden(held, "district", persons.district_codes, at),
    )


def _worded(index: LinkedIndex, keys: frozenset[str]) -> np.ndarray:
    """People rows whose current address has the words of one withheld (under
    another postcode, say: ``lookup.addresses``' words key, column-wide)."""
    words = [k for k in keys if not k.startswith(("pc:", "st:"))]
    if not words:
        return _NONE
    found = index.people.select(
        words_key(pl.col("address").cast(pl.Utf8)).is_in(words)
    ).to_series()
    return np.flatnonzero(found.fill_null(False).to_numpy())


def _only_hidden(
    held: pl.DataFrame, col: str, codes: dict[str, int], rows: dict[str, int]
) -> np.ndarray:
    """Sorted row * code keys of the (person, ``col``) pairs every row of which
    is at a withheld address."""
    only = held.group_by("person_id", col).agg(pl.col("hidden").all())
    found = np.array([(rows[pid], codes[value])
                      for pid, value, hidden in only.iter_rows()
                      if hidden and value in codes], dtype=np.int64)  # fmt: skip
    if not len(found):
        return _NONE
    return np.unique(pair_keys(found[:, 0], found[:, 1]))
