"""Which sources give each person a date of birth: a bit per source, made once
with the build's prepared structures (``lookup.index.assemble_index``) and saved
with them, so no search pays for it (``lookup.seen_age.dobs_seen`` reads it on
every age range given; read from the database per process it was 5.6 s at a
million people)."""

from __future__ import annotations

import numpy as np
import polars as pl

#: Of a person's dates of birth, the sources of which a viewer sees in full
#: (``lookup.seen_age.dobs_seen``): all (or none recorded), some, none.
ALL_SEEN, SOME_SEEN, NONE_SEEN = 0, 1, 2
#: Sources a per-person bit set holds (beyond: none made, no one kept as before).
BITS = 64


def dob_sources(
    ids: pl.Series, records: pl.DataFrame, sources: pl.Series
) -> np.ndarray | None:
    """Per person of ``ids``, a bit per entry of ``sources`` (``source_loads``
    order) of which a record (person_id, source, dob) gives them a date of
    birth, in the narrowest unsigned type that holds them; None when the
    records have no dob column or there are more than ``BITS`` sources."""
    names = sources.cast(pl.Utf8).to_list()
    if "dob" not in records.columns or len(names) > BITS:
        return None
    bit = pl.DataFrame(
        {"source": names, "bit": [1 << b for b in range(len(names))]},
        schema={"source": pl.Utf8, "bit": pl.UInt64},
    )
    rows = pl.DataFrame({"person_id": ids.cast(pl.Utf8)}).with_row_index("row")
    held = (
        records.lazy()
        .filter(pl.col("dob").is_not_null())
        .select(pl.col("person_id", "source").cast(pl.Utf8))
        .join(bit.lazy(), on="source")
        .group_by("person_id")
        .agg(pl.col("bit").bitwise_or())
        .join(rows.lazy(), on="person_id")
        .collect()
    )
    out = np.zeros(len(ids), dtype=np.min_scalar_type((1 << max(len(names), 1)) - 1))
    out[held["row"].to_numpy()] = held["bit"].to_numpy()
    return out
