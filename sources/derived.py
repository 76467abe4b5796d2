"""Standard fields made from several extract columns: an address split over
lines, and any number of identifier columns of named kinds.

Both become one column of the extract (``__address``, ``__identifiers``) that
the mapping then reads like any other; each part column must exist, so a wrong
name is reported like any mapped column (``sources.load``).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from core.config import SourceConfig
from sources import fields
from sources.readers import RawExtract

ADDRESS, IDENTIFIERS = "__address", "__identifiers"


def part_columns(src: SourceConfig) -> dict[str, str]:
    """Each column the derived fields read, by the config key that names it."""
    parts = {f"address_parts[{i}]": c for i, c in enumerate(src.address_parts)}
    return parts | {f"identifiers.{k}": c for k, c in src.identifiers.items()}


def normalised(kind: str, value: pl.Expr) -> pl.Expr:
    """An identifier's value in the form records of that kind compare in: email
    lower case; phone digits only with +44 written as 0; any other kind its
    letters and digits upper case ("AB 12 34 56 C" as "AB123456C")."""
    if kind == "email":
        out = value.str.to_lowercase().str.replace_all(r"\s+", "")
    elif kind in ("phone", "mobile", "telephone", "tel"):
        digits = value.str.replace_all(r"\D", "")
        out = (
            pl.when(digits.str.starts_with("44"))
            .then("0" + digits.str.slice(2))
            .otherwise(digits)
        )
    else:
        out = value.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return pl.when(out.str.len_chars() > 0).then(pl.lit(f"{kind}:") + out)


def with_derived(raw: RawExtract, src: SourceConfig) -> RawExtract:
    """``raw`` with the joined address and identifiers as mapped columns."""
    frame, columns = raw.frame, dict(raw.columns)
    added = []
    if src.address_parts:
        parts = [fields.text(pl.col(c), frame.schema[c]) for c in src.address_parts]
        joined = pl.concat_str(parts, separator=", ", ignore_nulls=True)
        added.append(pl.when(joined != "").then(joined).alias(ADDRESS))
        columns["address"] = ADDRESS
    if src.identifiers:
        values = [
            normalised(kind, fields.text(pl.col(c), frame.schema[c]))
            for kind, c in src.identifiers.items()
        ]
        joined = pl.concat_str(values, separator=" ", ignore_nulls=True)
        added.append(pl.when(joined != "").then(joined).alias(IDENTIFIERS))
        columns["identifiers"] = IDENTIFIERS
    if not added:
        return raw
    return replace(raw, frame=frame.with_columns(added), columns=columns)
