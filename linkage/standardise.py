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
from linkage.placeholders import dob_quality

__all__ = ["clean_name", "load_nicknames", "standardise"]

#: Street-type abbreviations expanded so "12 High St" equals "12 High Street".
ADDRESS_WORDS = (
    ("rd", "road"), ("st", "street"), ("ave", "avenue"), ("av", "avenue"),
    ("ln", "lane"), ("cl", "close"), ("dr", "drive"), ("ct", "court"),
    ("cres", "crescent"), ("gdns", "gardens"), ("pl", "place"), ("sq", "square"),
    ("ter", "terrace"), ("terr", "terrace"), ("wy", "way"), ("grn", "green"),
    ("pk", "park"), ("apt", "flat"), ("apartment", "flat"),
)  # fmt: skip


def dob_columns(dob: pl.Expr) -> list[pl.Expr]:
    """Year, "YYYYMMDD" as text and as a number, and the date with day and month
    swapped (when valid)."""
    swapped = pl.date(dob.dt.year(), dob.dt.day(), dob.dt.month())
    can_swap = (dob.dt.day() <= 12) & (dob.dt.day() != dob.dt.month())
    return [
        dob.dt.year().alias("dob_y"),
        dob.dt.strftime("%Y%m%d").alias("dob_s"),
        (
            dob.dt.year().cast(pl.Int32) * 10_000
            + dob.dt.month().cast(pl.Int32) * 100
            + dob.dt.day().cast(pl.Int32)
        ).alias("dob_n"),
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
    """Cleaned address text with common street-type abbreviations expanded
    (cleaned text is words of letters and digits between single spaces)."""
    words = clean_text(address).str.split(" ")
    return words.list.eval(pl.element().replace(dict(ADDRESS_WORDS))).list.join(" ")


def address_numbers(addr: pl.Expr) -> pl.Expr:
    """House and flat numbers of an address, sorted: "flat 3 12a" -> "12a 3".

    Two flats in one building share street and postcode; only numbers tell them
    apart, so "same address" needs the same numbers.
    """
    found = addr.str.extract_all(r"\b\d+[a-z]?\b").list.unique().list.sort()
    return found.list.join(" ").alias("addr_nums")


def address_forms(records: pl.DataFrame) -> pl.DataFrame:
    """Each distinct address with its cleaned text ``addr`` and ``addr_nums``:
    addresses repeat across records and sources, and cleaning text costs more
    than joining the result back."""
    distinct = records.select(pl.col("address").unique().drop_nulls())
    cleaned = distinct.with_columns(address_expr(pl.col("address")).alias("addr"))
    return cleaned.with_columns(address_numbers(pl.col("addr")))


def load_nicknames() -> pl.DataFrame:
    """The first-name nickname/variant table (name, canonical), cleaned.

    ``lookup`` uses it so that search tolerates the same variants as linkage.
    """
    return load_name_tables().first


#: Columns made from the first name alone, and from the family name alone.
FIRST_COLUMNS = ("fn", "fn1", "fn_join", "fn_init", "fn_phon", "fn_canons")
LAST_COLUMNS = ("ln", "ln_join", "ln_parts", "ln_phon", "ln_part_phons", "ln_canons")


def name_forms(records: pl.DataFrame, tables: NameTables) -> pl.DataFrame:
    """``records`` plus every cleaned, phonetic and canonical name column.

    Each column depends on one name only, so they are worked out once per
    distinct first name and distinct family name (a few thousand among a
    million records) and joined back.
    """
    firsts = records.select(pl.col("first_name").unique().drop_nulls())
    lasts = records.select(pl.col("last_name").unique().drop_nulls())
    names = pl.concat(
        [
            firsts.with_columns(pl.lit(None, pl.String).alias("last_name")),
            lasts.select(pl.lit(None, pl.String).alias("first_name"), "last_name"),
        ]
    ).with_row_index("rid")
    named = canonical_columns(phonetic_columns(name_columns(names)), tables)
    is_first = pl.col("rid") < firsts.height
    first = named.filter(is_first).select("first_name", *FIRST_COLUMNS)
    last = named.filter(~is_first).select("last_name", *LAST_COLUMNS)
    return records.join(first, on="first_name", how="left", maintain_order="left").join(
        last, on="last_name", how="left", maintain_order="left"
    )


#: Identifier kinds a household may share (a family email, a landline): they
#: are evidence like any field, but never vouch for a pair on their own.
CONTACT_KINDS = ("email", "phone", "mobile", "telephone", "tel")


def _nonempty(values: pl.Expr) -> pl.Expr:
    return pl.when(values.list.len() > 0).then(values)


def identifier_lists(identifiers: pl.Expr) -> list[pl.Expr]:
    """From "kind:value" words: ``ids`` (personal identifiers: National
    Insurance, Police National Computer, local ids …) and ``contacts`` (email,
    phone), each sorted without repeats, and the kinds each holds
    (``id_kinds``, ``contact_kinds``); null when none."""
    words = identifiers.str.to_lowercase().str.split(" ")
    kind = pl.element().str.extract(r"^([a-z_0-9]+):.")
    out = []
    for name, keep in (("ids", kind.is_in(CONTACT_KINDS).not_()),
                       ("contacts", kind.is_in(CONTACT_KINDS))):  # fmt: skip
        values = words.list.eval(pl.element().filter(kind.is_not_null() & keep))
        values = _nonempty(values.list.unique().list.sort())
        kinds = values.list.eval(kind).list.unique().list.sort()
        out += [values.alias(name), kinds.alias(name[:-1] + "_kinds")]
    return out


def known_dob(df: pl.DataFrame) -> pl.DataFrame:
    """``dob`` kept only when the whole date is known, ``dob_year`` whenever
    the year is, and ``dob_yo`` (only the year is known: see
    ``linkage.placeholders``)."""
    if "dob_year_only" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.Boolean).alias("dob_year_only"))
    quality = dob_quality(df)
    year_only, unknown = quality["dob_yo"], quality["dob_unknown"]
    return df.with_columns(
        pl.when(~year_only & ~unknown).then(pl.col("dob")).alias("dob"),
        pl.when(~unknown).then(pl.col("dob").dt.year()).alias("dob_year"),
        year_only.alias("dob_yo"),
    )


def standardise(records: pl.DataFrame, tables: NameTables) -> pl.DataFrame:
    """Add a row key ``rid`` and the standardised columns linkage compares on."""
    for name, dtype in (("town", pl.String), ("identifiers", pl.String)):
        if name not in records.columns:
            records = records.with_columns(pl.lit(None, dtype).alias(name))
    df = name_forms(records.with_row_index("rid"), tables)
    common = common_first_names(df["fn1"], tables.known_first_names())
    df = df.join(common, left_on="fn1", right_on="value", how="left").with_columns(
        pl.col("fn_common").fill_null(False)
    )
    df = df.join(address_forms(df), on="address", how="left", maintain_order="left")
    df = known_dob(df)
    year = pl.col("dob_year")
    return (
        df.with_columns(
            *dob_columns(pl.col("dob")),
        )
        .with_columns(
            year.alias("dob_y"),
            pl.coalesce("dob_s", year.cast(pl.String)).alias("dob_s"),
            clean_text(pl.col("town")).alias("town_c"),
            *identifier_lists(pl.col("identifiers")),
            *postcode_columns(pl.col("postcode")),
            pl.when(pl.col("sex").is_in(["F", "M"])).then(pl.col("sex")).alias("sx"),
            pl.col("nhs_number").alias("nhs"),
            pl.col("upn").str.to_uppercase().alias("upn_c"),
            pl.when(pl.col("case_number").is_not_null())
            .then(pl.col("source") + ":" + pl.col("case_number").str.strip_chars())
            .alias("case_key"),
        )
        .with_columns(
            pl.col("contacts").list.join(" ").alias("contact_text"),
        )
        .drop("dob_year")
        .sort("rid")
    )
