"""Person -> records and person -> family rows as offsets, built once at load time.

The family view then gathers only its own family's rows: no scan of the
records or family tables, whatever their size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from lookup.prepared import gather_ranges, postings, ranges


@dataclass(frozen=True, eq=False)
class FamilyIndex:
    """Offsets into ``records`` and ``family_members`` (both sorted by person)."""

    record_bounds: np.ndarray  # people row p -> records rows [b[p, 0], b[p, 1])
    member_bounds: np.ndarray  # people row p -> family_members rows
    member_person: np.ndarray  # family_members row -> people row (-1 unknown)
    member_family: np.ndarray  # family_members row -> family code
    by_family: np.ndarray  # family_members rows ordered by family code
    family_offsets: np.ndarray


def _bounds(people_ids: pl.Series, sorted_ids: pl.Series) -> np.ndarray:
    """(start, end) of each person's rows in ``sorted_ids``."""
    starts = sorted_ids.search_sorted(people_ids, side="left").to_numpy()
    ends = sorted_ids.search_sorted(people_ids, side="right").to_numpy()
    return np.stack([starts, ends], axis=1).astype(np.int32)


def build_family_index(
    people_ids: pl.Series, records: pl.DataFrame, family_members: pl.DataFrame
) -> FamilyIndex:
    """Offsets for ``records`` and ``family_members``, each sorted by person_id."""
    fm_ids = family_members["person_id"]
    row = people_ids.search_sorted(fm_ids).to_numpy()
    found = people_ids.gather(np.minimum(row, max(people_ids.len() - 1, 0)))
    known = (found == fm_ids).fill_null(False).to_numpy()
    codes = (family_members["family_id"].rank("dense") - 1).to_numpy()
    codes = codes.astype(np.int32)
    by_family, family_offsets = postings(codes, int(codes.max(initial=-1)) + 1)
    return FamilyIndex(
        record_bounds=_bounds(people_ids, records["person_id"]),
        member_bounds=_bounds(people_ids, fm_ids),
        member_person=np.where(known, row, -1).astype(np.int32),
        member_family=codes,
        by_family=by_family,
        family_offsets=family_offsets,
    )


def person_row(people_ids: pl.Series, person_id: str) -> int:
    """The people row of ``person_id``, or -1 when it is not in this build."""
    row = int(people_ids.search_sorted(person_id))
    return row if row < people_ids.len() and people_ids[row] == person_id else -1


def family_rows(index: FamilyIndex, row: int) -> np.ndarray:
    """family_members rows of every family the person at ``row`` belongs to."""
    mine = np.arange(*index.member_bounds[row])
    codes = np.unique(index.member_family[mine])
    return np.sort(gather_ranges(index.by_family, index.family_offsets, codes))


def record_rows(index: FamilyIndex, people_rows: np.ndarray) -> np.ndarray:
    """records rows of the people at ``people_rows``."""
    bounds = index.record_bounds[people_rows]
    return ranges(bounds[:, 0], bounds[:, 1])
