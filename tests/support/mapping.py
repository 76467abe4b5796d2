"""Mapping a few raw values through a source's columns, as the loader does, to check
one standard field."""

from __future__ import annotations

from datetime import date

import polars as pl

from core.config import SourceConfig
from sources.mapping import map_records

EXTRACT = date(2025, 3, 31)


def mapped(values: dict, columns: dict, **src_keys) -> pl.DataFrame:
    """Map a one-column-per-field frame; return the standard records."""
    src = SourceConfig(
        name="t", service="Test", path="t.csv", columns=columns, **src_keys
    )
    frame = pl.DataFrame(values)
    return map_records(frame, src, columns, EXTRACT).records


def one_field(field: str, raw: list, **src_keys) -> list:
    out = mapped(
        {"c": raw, "n": ["A"] * len(raw)}, {field: "c", "last_name": "n"}, **src_keys
    )
    return out[field].to_list()
