"""Name cleaning, nickname and variant tables, and phonetic codes.

The tables ship as data (``linkage/data``): ``nicknames.csv`` maps first names
(nicknames, transliterations, other spellings) to canonical forms, and
``surname_variants.csv`` does the same for surnames. A name may map to several
canonical forms (Sam: Samuel and Samantha); a name not in a table is its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jellyfish
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

DATA = Path(__file__).parent / "data"
#: A spelling used in this many records may be a name in its own right …
COMMON_NAME_RECORDS = 5
#: … unless a spelling one slip away is this many times more common.
SLIP_RATIO = 20
#: Letters Unicode does not decompose into a base letter plus an accent.
_LETTERS = (("ł", "l"), ("Ł", "L"), ("ø", "o"), ("Ø", "O"), ("æ", "ae"),
            ("Æ", "AE"), ("ß", "ss"), ("đ", "d"), ("Đ", "D"), ("ı", "i"),
            ("œ", "oe"), ("Œ", "OE"), ("þ", "th"), ("ð", "d"))  # fmt: skip
_APOSTROPHES = re.compile(r"['’`]")
_NOT_NAME = re.compile(r"[^a-z0-9 ]")
_DIGITS = re.compile(r"[0-9]")
_SPACES = re.compile(r" +")  # the only white space left once _NOT_NAME has run


@dataclass(frozen=True)
class NameTables:
    """Canonical forms of first names and of surnames: columns name, canonical."""

    first: pl.DataFrame
    surname: pl.DataFrame

    def known_first_names(self) -> pl.Series:
        """Every first name the table knows: names in their own right."""
        return pl.concat([self.first["name"], self.first["canonical"]]).unique()


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Lower case, accents stripped, apostrophes dropped, other punctuation to spaces.

    Empty results become null so that "no value" is never compared as a value.
    """
    out = (
        expr.str.replace_many([a for a, _ in _LETTERS], [b for _, b in _LETTERS])
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"['’`]", "")
        .str.replace_all(r"[^a-z0-9 ]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return pl.when(out.str.len_chars() > 0).then(out)


def clean_name(expr: pl.Expr) -> pl.Expr:
    """A cleaned name with digits removed; hyphenated parts become words."""
    out = clean_text(expr).str.replace_all(r"[0-9]", "").str.strip_chars()
    return pl.when(out.str.len_chars() > 0).then(out)


def clean_name_one(text: str | None) -> str | None:
    """``clean_name`` of one value in plain Python, step for step (None where it
    gives null): a handful of names per request cost less so than as a frame.
    Unlike ``clean_one`` it leaves the spaces where digits were, as
    ``clean_name`` does."""
    if text is None:
        return None
    for letter, plain in _LETTERS:
        text = text.replace(letter, plain)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "M").lower()
    text = _NOT_NAME.sub(" ", _APOSTROPHES.sub("", text))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return None
    return _DIGITS.sub("", text).strip() or None


def clean_one(text: str) -> str:
    """``clean_name`` for one typed-in string ('' when nothing is left): plain
    Python, as a frame per search would cost more than the search itself."""
    for letter, plain in _LETTERS:
        text = text.replace(letter, plain)
    text = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(ch)
    ).lower()
    text = _NOT_NAME.sub(" ", _APOSTROPHES.sub("", text))
    return " ".join(_DIGITS.sub("", " ".join(text.split())).split())


def read_table(path: Path) -> pl.DataFrame:
    """A (name, canonical) table, cleaned like the names it is applied to.

    Multi-word names are matched without spaces ("abdul rahman" as "abdulrahman").
    """
    table = pl.read_csv(path, schema={"name": pl.Utf8, "canonical": pl.Utf8})
    return (
        table.select(
            clean_name(pl.col(c)).str.replace_all(" ", "").alias(c)
            for c in ("name", "canonical")
        )
        .drop_nulls()
        .unique()
        .sort("name", "canonical")
    )


def load_name_tables(data: Path = DATA) -> NameTables:
    """The shipped nickname/variant tables."""
    return NameTables(
        read_table(data / "nicknames.csv"), read_table(data / "surname_variants.csv")
    )


def canonical_forms(values: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Per ``rid``: sorted canonical forms of every value it has (``value`` rows)."""
    mapped = values.drop_nulls("value").join(
        table, left_on="value", right_on="name", how="left"
    )
    return mapped.group_by("rid").agg(
        pl.coalesce("canonical", "value").unique().sort().alias("canons")
    )


def phonetic_codes(values: pl.Series) -> pl.DataFrame:
    """Metaphone code of each distinct non-null value: columns ``value``, ``code``."""
    uniq = values.drop_nulls().unique().sort()
    codes = [jellyfish.metaphone(v) or v for v in uniq.to_list()]
    return pl.DataFrame(
        {"value": uniq, "code": pl.Series(codes, dtype=pl.Utf8)},
        schema={"value": pl.Utf8, "code": pl.Utf8},
    )


def name_columns(df: pl.DataFrame) -> pl.DataFrame:
    """Cleaned first name (whole, first word, without spaces) and surname parts."""
    return df.with_columns(
        clean_name(pl.col("first_name")).alias("fn"),
        clean_name(pl.col("last_name")).alias("ln"),
    ).with_columns(
        pl.col("fn").str.split(" ").list.first().alias("fn1"),
        pl.col("fn").str.replace_all(" ", "").alias("fn_join"),
        pl.col("fn").str.slice(0, 1).alias("fn_init"),
        pl.col("ln").str.replace_all(" ", "").alias("ln_join"),
        pl.col("ln").str.split(" ").alias("ln_parts"),
    )


def _lookup(df: pl.DataFrame, col: str, table: pl.DataFrame, out: str):  # noqa: ANN202
    return df.join(
        table.rename({"code": out}), left_on=col, right_on="value", how="left"
    )


def phonetic_columns(df: pl.DataFrame) -> pl.DataFrame:
    """Phonetic code of the first name and of the surname (whole and each part)."""
    parts = df.select("rid", "ln_parts").explode("ln_parts")
    codes = phonetic_codes(pl.concat([df["fn1"], df["ln_join"], parts["ln_parts"]]))
    df = _lookup(_lookup(df, "fn1", codes, "fn_phon"), "ln_join", codes, "ln_phon")
    part_codes = (
        parts.join(codes, left_on="ln_parts", right_on="value", how="inner")
        .group_by("rid")
        .agg(pl.col("code").unique().sort().alias("ln_part_phons"))
    )
    return df.join(part_codes, on="rid", how="left")


def canonical_columns(df: pl.DataFrame, tables: NameTables) -> pl.DataFrame:
    """``fn_canons`` (of the first word and the whole first name) and ``ln_canons``
    (of the whole surname and each part)."""
    first = pl.concat([df.select("rid", value=c) for c in ("fn1", "fn_join")])
    parts = df.select("rid", value="ln_parts").explode("value")
    last = pl.concat([df.select("rid", value="ln_join"), parts])
    return df.join(
        canonical_forms(first, tables.first).rename({"canons": "fn_canons"}),
        on="rid",
        how="left",
    ).join(
        canonical_forms(last, tables.surname).rename({"canons": "ln_canons"}),
        on="rid",
        how="left",
    )


def _slips(counts: pl.DataFrame) -> pl.Series:
    """Spellings one edit from a far more common spelling with the same initial."""
    keyed = counts.with_columns(pl.col("value").str.slice(0, 1).alias("initial"))
    pairs = keyed.join(keyed, on="initial", suffix="_b").filter(
        pl.col("count_b") >= SLIP_RATIO * pl.col("count")
    )
    if pairs.is_empty():
        return pl.Series("value", [], dtype=pl.Utf8)
    edits = process.cpdist(
        pairs["value"].to_list(), pairs["value_b"].to_list(), scorer=OSA.distance
    )
    return pairs.filter(pl.Series(edits) <= 1)["value"].unique()


def common_first_names(first: pl.Series, known: pl.Series) -> pl.DataFrame:
    """Which first names are names in their own right (``value``, ``fn_common``).

    A name in the nickname table, or a spelling many records use that is not a
    slip of a far more common one. Tells twins' look-alike names (Amelia and
    Amelie) from typing slips ("Amelai").
    """
    counts = first.drop_nulls().value_counts(name="count").rename({first.name: "value"})
    frequent = counts.filter(pl.col("count") >= COMMON_NAME_RECORDS)
    slips = _slips(frequent)
    return counts.select(
        "value",
        (
            pl.col("value").is_in(known.implode())
            | (
                (pl.col("count") >= COMMON_NAME_RECORDS)
                & ~pl.col("value").is_in(slips.implode())
            )
        ).alias("fn_common"),
    )
