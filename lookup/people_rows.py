"""The people row of a person id, by binary search over the build's ids held
once per index as fixed-width UTF-8 bytes (which sort as polars sorts text):
a request looks up a few dozen ids one at a time, and a frame query for each
would cost a hundred times the search."""

from __future__ import annotations

import numpy as np
import polars as pl

from lookup.index import LinkedIndex
from lookup.per_index import per_index


def _sorted_ids(index: LinkedIndex) -> np.ndarray:
    """``index.people``'s person ids (sorted there) as one bytes array."""

    def make() -> np.ndarray:
        ids = index.people["person_id"].cast(pl.Utf8)
        width = max(int(ids.str.len_bytes().max() or 0), 1)
        return ids.cast(pl.Binary).to_numpy().astype(f"S{width}")

    return per_index(index, "people_rows.ids", make)


def people_row(index: LinkedIndex, person_id: str) -> int:
    """The people row of ``person_id``, or -1 when it is not in this build
    (``lookup.family_index.person_row``, without a frame query)."""
    ids = _sorted_ids(index)
    key = person_id.encode("utf-8")
    if len(key) > ids.dtype.itemsize or not key or key.endswith(b"\0"):
        return -1  # longer than every id held (a shorter array would cut it)
    row = int(np.searchsorted(ids, key))
    return row if row < len(ids) and ids[row] == key else -1


def people_rows(index: LinkedIndex, person_ids: list[str]) -> np.ndarray:
    """``people_row`` of each of ``person_ids``."""
    return np.array([people_row(index, p) for p in person_ids], dtype=np.int64)
