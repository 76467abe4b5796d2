"""Standardise names, dates of birth, postcodes and addresses for linkage.

Everything here is a column-wide polars expression or a join. The only
Python-level work (phonetic codes, in ``linkage.names``) runs over *unique*
values and is joined back, so its cost grows with distinct names, not records.
"""

from __future__ import annotations

import polars as pl

from linkage.names import (
    NameTables,
    canonical_columns,
    clean_name,
    clean_text,
    common_first_names,
    load_name_tables,
    name_columns,
    phonetic_columns,
)

__all__ = ["clean_name", "load_nicknames", "standardise"]

#: Street-type abbreviations expanded so "12 High St" equals "12 High Street".
_ADDRESS_WORDS = (
    ("rd", "road"), ("st", "street"), ("ave", "avenue"), ("av", "avenue"),
    ("ln", "lane"), ("cl", "close"), ("dr", "drive"), ("ct", "court"),
    ("cres", "crescent"), ("gdns", "gardens"), ("pl", "place"), ("sq", "square"),
    ("ter", "terrace"), ("terr", "terrace"), ("wy", "way"), ("grn", "green"),
    ("pk", "park"), ("apt", "flat"), ("apartment", "flat"),
)  # fmt: skip


def dob_columns(dob: pl.Expr) -> list[pl.Expr]:
    """Year, "YYYYMMDD" text, and the date with day and month swapped (when valid)."""
    swapped = pl.date(dob.dt.year(), dob.dt.day(), dob.dt.month())
    can_swap = (dob.dt.day() <= 12) & (dob.dt.day() != dob.dt.month())
    return [
        dob.dt.year().alias("dob_y"),
        dob.dt.strftime("%Y%m%d").alias("dob_s"),
        pl.when(can_swap).then(swapped).alias("dob_swap"),
    ]


def postcode_columns(postcode: pl.Expr) -> list[pl.Expr]:
    """Postcode without spaces, its sector ("SK1 3") and district ("SK1")."""
    pc = postcode.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    valid = pc.str.contains(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$")
    outward = pc.str.slice(0, pc.str.len_chars() - 3)
    return [
        pl.when(valid).then(pc).alias("pc"),
        pl.when(valid).then(outward + " " + pc.str.slice(-3, 1)).alias("pc_sector"),
        pl.when(valid).then(outward).alias("pc_district"),
    ]


def address_expr(address: pl.Expr) -> pl.Expr:
    """Cleaned address text with common street-type abbreviations expanded."""
    out = clean_text(address)
    for short, full in _ADDRESS_WORDS:
        out = out.str.replace_all(rf"\b{short}\b", full)
    return out


def address_numbers(addr: pl.Expr) -> pl.Expr:
    """House and flat numbers of an address, sorted: "flat 3 12a" -> "12a 3".

    Two flats in one building share street and postcode; only numbers tell them
    apart, so "same address" needs the same numbers.
    """
    found = addr.str.extract_all(r"\b\d+[a-z]?\b").list.unique().list.sort()
    return found.list.join(" ")


def load_nicknames() -> pl.DataFrame:
    """The first-name nickname/variant table (name, canonical), cleaned.

    ``lookup`` uses it so that search tolerates the same variants as linkage.
    """
    return load_name_tables().first


def standardise(records: pl.DataFrame, tables: NameTables) -> pl.DataFrame:
    """Add a row key ``rid`` and the standardised columns linkage compares on."""
    df = name_columns(records.with_row_index("rid"))
    df = canonical_columns(phonetic_columns(df), tables)
    common = common_first_names(df["fn1"], tables.known_first_names())
    df = df.join(common, left_on="fn1", right_on="value", how="left").with_columns(
        pl.col("fn_common").fill_null(False)
    )
    addr = address_expr(pl.col("address"))
    return df.with_columns(
        *dob_columns(pl.col("dob")),
        *postcode_columns(pl.col("postcode")),
        addr.alias("addr"),
        address_numbers(addr).alias("addr_nums"),
        pl.when(pl.col("sex").is_in(["F", "M"])).then(pl.col("sex")).alias("sx"),
        pl.col("nhs_number").alias("nhs"),
        pl.col("upn").str.to_uppercase().alias("upn_c"),
        pl.when(pl.col("case_number").is_not_null())
        .then(pl.col("source") + ":" + pl.col("case_number").str.strip_chars())
        .alias("case_key"),
    ).sort("rid")
