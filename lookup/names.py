"""Name standardisation for search, reusing linkage's cleaning and nickname table.

Search needs the same tolerance as linkage at query time, on both the query and
the people's name columns: accents and punctuation dropped, first given name
only, family-name parts, and nickname variants ('Bob' for 'Robert').
"""

from __future__ import annotations

import re

import polars as pl

from linkage.names import clean_name_one, clean_one, load_name_tables
from linkage.standardise import clean_name, load_nicknames

__all__ = ["clean_one"]  # typed-in names are cleaned by linkage's own rules


def first_key(expr: pl.Expr) -> pl.Expr:
    """The first given name only: middle names vary between agencies."""
    return clean_name(expr).str.split(" ").list.first()


def last_key(expr: pl.Expr) -> pl.Expr:
    """The family name with its parts joined: 'Smith-Jones' and 'Smith Jones' agree."""
    return clean_name(expr).str.replace_all(" ", "")


def canonical_names(firsts: pl.Series, nicknames: pl.DataFrame) -> pl.DataFrame:
    """Each distinct first key with its canonical forms, itself included."""
    uniq = pl.DataFrame({"first": firsts.drop_nulls().unique()})
    mapped = uniq.join(nicknames, left_on="first", right_on="name", how="inner")
    both = pl.concat([uniq.with_columns(pl.col("first").alias("canonical")), mapped])
    return both.group_by("first").agg(
        pl.col("canonical").unique().sort().alias("canons")
    )


def canon_map(nicknames: pl.DataFrame) -> dict[str, tuple[str, ...]]:
    """name -> its canonical forms (without itself), from the nickname table."""
    groups = nicknames.group_by("name").agg(pl.col("canonical").unique().sort())
    return {name: tuple(canons) for name, canons in groups.iter_rows()}


def last_parts(last: str) -> list[str]:
    """The parts of a typed two-part or hyphenated family name ([] for one part)."""
    parts = clean_one(last).split(" ")
    return parts if len(parts) > 1 else []


def standardise_one(
    first: str, last: str, nicknames: pl.DataFrame | dict[str, tuple[str, ...]]
) -> tuple[str, str, list[str]]:
    """(first key, last key, canonical first names) of one typed-in name.

    ``nicknames`` is the table or, faster, its ``canon_map``.
    """
    first_std = clean_one(first).split(" ")[0]
    last_std = clean_one(last).replace(" ", "")
    if isinstance(nicknames, pl.DataFrame):
        nicknames = canon_map(nicknames)
    canons = sorted({first_std, *nicknames.get(first_std, ())}) if first_std else []
    return first_std, last_std, canons


def _split_other_names(people: pl.DataFrame, column: str) -> pl.DataFrame:
    """Names in list ``column`` ("first last"): last word as family name, the
    rest given (none when the people frame has no such column)."""
    if column not in people.columns:
        return pl.DataFrame(schema={"person_id": pl.Utf8, "first_name": pl.Utf8,
                                    "last_name": pl.Utf8})  # fmt: skip
    return (
        people.select("person_id", column)
        .explode(column)
        .drop_nulls(column)
        .filter(pl.col(column).str.contains(r"\S\s+\S"))
        .select(
            pl.col("person_id").cast(pl.Utf8),
            pl.col(column).str.replace(r"\s+\S+$", "").alias("first_name"),
            pl.col(column).str.extract(r"(\S+)$").alias("last_name"),
        )
    )


def name_variants(people: pl.DataFrame, nicknames: pl.DataFrame) -> pl.DataFrame:
    """One row per (person, standardised name): display name, other names
    (``other`` true: a previous family name, another spelling; ``previous``
    true as well: one a record states was the person's), parts.

    Each hyphenated or two-part family name also yields a row per part (``part``
    true), so a search for 'Smith' finds 'Smith-Jones', a little lower.
    """
    both = pl.concat(
        [
            people.select(
                pl.col("person_id").cast(pl.Utf8), "first_name", "last_name"
            ).with_columns(other=pl.lit(False), previous=pl.lit(False)),
            _split_other_names(people, "other_names").with_columns(
                other=pl.lit(True), previous=pl.lit(False)
            ),
            _split_other_names(people, "previous_names").with_columns(
                other=pl.lit(True), previous=pl.lit(True)
            ),
        ]
    ).select(
        "person_id",
        first_key(pl.col("first_name")).alias("first"),
        clean_name(pl.col("last_name")).str.split(" ").alias("parts"),
        "other",
        "previous",
    )
    whole = both.select(
        "person_id",
        "first",
        pl.col("parts").list.join("").alias("last"),
        pl.lit(False).alias("part"),
        "other",
        "previous",
    )
    parts = (
        both.filter(pl.col("parts").list.len() > 1)
        .explode("parts")
        .select(
            "person_id", "first", pl.col("parts").alias("last"),
            pl.lit(True).alias("part"), "other", "previous",
        )
    )  # fmt: skip
    # a spelling of the display name also seen as another name is the display
    # name; another name a record states was the person's is a previous one
    rows = (
        pl.concat([whole, parts])
        .drop_nulls(["first", "last"])
        .sort(["other", "previous"], descending=[False, True])
        .unique(["person_id", "first", "last", "part"], keep="first")
    )
    canons = canonical_names(rows["first"], nicknames)
    # part too: a whole name and a part can share the rest (a deterministic order)
    joined = rows.join(canons, on="first", how="left")
    return joined.sort("person_id", "last", "first", "part")


#: White space as polars' regular expressions read ``\s`` (Unicode White_Space;
#: Python's ``\s`` takes the separators \x1c-\x1f as well).
_WS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TWO_WORDS = re.compile(f"[^{_WS}][{_WS}]+[^{_WS}]")
_LAST_WORD = re.compile(f"[{_WS}]+[^{_WS}]+\\Z")
_END_WORD = re.compile(f"([^{_WS}]+)\\Z")


def variant_names(
    first_name: str | None, last_name: str | None, other_names: list | None
) -> list[tuple[str, str, bool]]:
    """(first key, family name, other) of every row ``name_variants`` makes of
    one person's names and other names, parts included, in plain Python: a
    request cuts a handful of people, and a frame for them costs more than the
    work (``tests/test_lookup_names_one.py`` holds the two to the same rows)."""
    named = [(first_name, last_name, False)]
    for name in other_names or ():
        if name is not None and _TWO_WORDS.search(name):
            end = _END_WORD.search(name)
            named.append((_LAST_WORD.sub("", name, count=1),
                          end.group(1) if end else None, True))  # fmt: skip
    rows = []
    for given, family, other in named:
        first, last = clean_name_one(given), clean_name_one(family)
        if first is None or last is None:
            continue
        first, parts = first.split(" ")[0], last.split(" ")
        rows.append((first, "".join(parts), other))
        if len(parts) > 1:
            rows += [(first, part, other) for part in parts]
    return rows


def default_nicknames() -> pl.DataFrame:
    """linkage's nickname/variant table: (name, canonical)."""
    return load_nicknames()


def default_surname_variants() -> pl.DataFrame:
    """linkage's surname spelling table (name, canonical): 'Li' for 'Lee'."""
    return load_name_tables().surname
