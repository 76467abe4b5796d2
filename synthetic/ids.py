"""Synthetic NHS numbers, only from the range reserved for test data.

NHS numbers come only from 999 000 0000 – 999 999 9999, the range reserved for
test data and never issued to a patient (about 909,000 carry a valid check
digit); beyond that many people, the rest have none.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sources.identifiers import nhs_check_digits

_TEST_RANGE_START = 999_000_000
_TEST_RANGE_SIZE = 1_000_000


def nhs_numbers(rng: np.random.Generator, has_one: np.ndarray) -> pl.Series:
    """A distinct valid test-range NHS number for each True in ``has_one``."""
    bodies = np.arange(_TEST_RANGE_START, _TEST_RANGE_START + _TEST_RANGE_SIZE)
    checks = nhs_check_digits(bodies)
    pool = pl.Series(bodies[checks >= 0] * 10 + checks[checks >= 0]).cast(pl.String)
    wanted = np.flatnonzero(has_one)
    take = min(len(wanted), len(pool))
    slot = np.full(len(has_one), -1, dtype=np.int64)
    slot[wanted[:take]] = np.arange(take)
    chosen = pool.gather(pl.Series(rng.permutation(len(pool))[:take]))
    padded = chosen.extend_constant(None, 1)  # index -1 picks this null
    return padded.gather(pl.Series(np.where(slot < 0, take, slot)))
