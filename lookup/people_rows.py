"""The people row of a person id, by binary search over the build's ids held
once per index as fixed-width UTF-8 bytes (which sort as polars sorts text):
a request looks up a few dozen ids one at a time, and a frame query for each
would cost a hundred times the search."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from lookup.index import LinkedIndex
from lookup.per_index import per_index


def sorted_ids(index: LinkedIndex, name: str, ids: pl.Series) -> np.ndarray:
    """The sorted text ``ids`` (a column of ``index`` called ``name``) as one
    fixed-width bytes array, made once per index."""

    def make() -> np.ndarray:
        text = ids.cast(pl.Utf8)
        width = max(int(text.str.len_bytes().max() or 0), 1)
        return text.cast(pl.Binary).to_numpy().astype(f"S{width}")

    return per_index(index, ("people_rows", name), make)


def row_in(ids: np.ndarray, value: str) -> int:
    """The row of ``value`` in ``sorted_ids``'s array, or -1."""
    key = value.encode("utf-8")
    if len(key) > ids.dtype.itemsize or not key or key.endswith(b"\0"):
        return -1  # longer than every id held (a shorter array would cut it)
    row = int(np.searchsorted(ids, key))
    return row if row < len(ids) and ids[row] == key else -1


def _people_ids(index: LinkedIndex) -> np.ndarray:
    """``sorted_ids`` of the people table's ids (its rows are in id order)."""
    return per_index(
        index, ("people_rows", "people", "held"),
        lambda: sorted_ids(index, "people", index.people["person_id"]),
    )  # fmt: skip


def people_row(index: LinkedIndex, person_id: str) -> int:
    """The people row of ``person_id``, or -1 when it is not in this build
    (``lookup.family_index.person_row``, without a frame query)."""
    return row_in(_people_ids(index), person_id)


def person_ids_at(index: LinkedIndex, rows: Iterable[int]) -> list[str]:
    """The person ids at people ``rows`` (a handful), read from the bytes held
    for ``people_row``, not gathered from the frame."""
    ids = _people_ids(index)
    return [ids[r].decode("utf-8") for r in rows]


def codes_of(
    index: LinkedIndex, name: str, column: pl.Series
) -> tuple[np.ndarray, list]:
    """A text ``column`` of few distinct values (a record's source, say) as one
    small integer a row and the values they stand for (None last, for a null),
    made once per index: a request reads it at thousands of rows."""

    def make() -> tuple[np.ndarray, list]:
        text = column.cast(pl.Utf8)
        values = text.drop_nulls().unique().sort().to_list()
        codes = text.replace_strict(
            values, list(range(len(values))), default=len(values),
            return_dtype=pl.Int32,
        )  # fmt: skip
        return codes.fill_null(len(values)).to_numpy(), [*values, None]

    return per_index(index, ("codes", name), make)


def people_rows(index: LinkedIndex, person_ids: list[str]) -> np.ndarray:
    """``people_row`` of each of ``person_ids``."""
    return np.array([people_row(index, p) for p in person_ids], dtype=np.int64)
