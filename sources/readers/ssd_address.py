"""A person's current address from ``ssd_address``, whichever form the
deployment script wrote ``addr_address_json`` in:

- the ten-key JSON object (ROOM, FLOOR, FLAT, BUILDING, HOUSE, STREET, TOWN,
  UPRN, EASTING, NORTHING) with missing parts as ``""`` (SystemC) or ``null``;
- the same built by joining strings without escaping (SystemC's pre-2016
  branch): a part holding a double quote is not valid JSON, so each part is
  read up to the next key instead;
- Eclipse's, which repeats one value in BUILDING and HOUSE;
- plain address text (Mosaic copies its address line into the column).

The current address is the one open on the extract date whose
``addr_address_type`` comes first in ``ssd_address_types``, newest first.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sources import fields

KEYS = (
    "ROOM", "FLOOR", "FLAT", "BUILDING", "HOUSE", "STREET", "TOWN", "UPRN",
    "EASTING", "NORTHING",
)  # fmt: skip
_JSON = pl.col("addr_address_json")


def _value(key: str, follower: str | None) -> str:
    """Regex for one key's value, read up to the next key (or the closing brace)
    so an unescaped quote inside the value cannot end it early."""
    end = rf'\s*,\s*"{follower}"\s*:' if follower else r"\s*\}\s*$"
    return rf'(?s)"{key}"\s*:\s*(?:"(.*?)"|null|(-?[\d.]+))' + end


def _loose(key: str) -> pl.Expr:
    """The part ``key`` from JSON-like text that may not be valid JSON."""
    follower = KEYS[KEYS.index(key) + 1] if key != KEYS[-1] else None
    ordered = _JSON.str.extract(_value(key, follower), 1)
    number = _JSON.str.extract(_value(key, follower), 2)
    anywhere = _JSON.str.extract(rf'"{key}"\s*:\s*"([^"]*)"', 1)
    return pl.coalesce(ordered, number, anywhere)


def parts(address: pl.DataFrame) -> pl.DataFrame:
    """``address`` with a ``__<KEY>`` text column per part (null when empty) and
    ``__plain``: the text itself when it is not a JSON object."""
    is_object = _JSON.str.strip_chars().str.starts_with("{")
    strict = {f"__{k}": _JSON.str.json_path_match(f"$.{k}") for k in KEYS}
    rows = address.with_row_index("__row").with_columns(__object=is_object, **strict)
    valid = pl.any_horizontal(pl.col(k).is_not_null() for k in strict)
    rows = rows.with_columns(__loose=pl.col("__object") & ~valid)
    # the loose reading (ten regular expressions per row) only where strict JSON
    # failed: most deployments write valid JSON, and the loose pass costs seconds
    # per 10k rows
    loose = rows.filter("__loose").with_columns(**{f"__{k}": _loose(k) for k in KEYS})
    rows = pl.concat([rows.filter(~pl.col("__loose")), loose]).sort("__row")
    plain = fields.one_line(pl.when(~is_object).then(_JSON.str.strip_chars()))
    texts = {
        k: fields.text(pl.when(pl.col("__object")).then(pl.col(k)), pl.String)
        for k in strict
    }
    return rows.with_columns(**texts, __plain=plain).drop(
        "__row", "__object", "__loose"
    )


def _numbered(value: pl.Expr, word: str) -> pl.Expr:
    """ "Flat 2" from "2" or "2A"; a value with words is kept as written."""
    short = value.str.contains(r"^\d+[A-Za-z]?$")
    return pl.when(short).then(pl.lit(word + " ") + value).otherwise(value)


def line(frame: pl.DataFrame) -> pl.Expr:
    """One address line from the parts (or the plain text), the postcode left out."""
    p = {k: pl.col(f"__{k}") for k in KEYS}
    repeated = p["BUILDING"].str.to_lowercase() == p["HOUSE"].str.to_lowercase()
    numeric = p["HOUSE"].str.contains(r"^\d")
    # a value repeated in BUILDING and HOUSE is a house number or a building name
    building = pl.when(repeated & numeric).then(None).otherwise(p["BUILDING"])
    house = pl.when(repeated & ~numeric).then(None).otherwise(p["HOUSE"])
    street = pl.concat_str([house, p["STREET"]], separator=" ", ignore_nulls=True)
    joined = pl.concat_str(
        [
            _numbered(p["ROOM"], "Room"),
            _numbered(p["FLAT"], "Flat"),
            building,
            pl.when(street != "").then(street),
            p["TOWN"],
        ],
        separator=", ",
        ignore_nulls=True,
    )
    structured = pl.when(joined != "").then(joined)
    return pl.coalesce(structured, _without_postcode(pl.col("__plain")))


def _without_postcode(text: pl.Expr) -> pl.Expr:
    """Plain address text with a trailing postcode (which has its own column)
    removed."""
    trimmed = text.str.replace(
        r"(?i)[,\s]*[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\s*$", ""
    )
    return pl.when(trimmed != "").then(trimmed)


def current_addresses(
    address: pl.DataFrame, fmt: str, as_of: date, types: tuple[str, ...]
) -> pl.DataFrame:
    """One row per person: ``pers_person_id``, ``address``, ``postcode``."""
    has = set(address.columns)

    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in has else pl.lit(None, pl.String)

    start = fields.date_value(col("addr_address_start_date"), pl.String, fmt)
    end = fields.date_value(col("addr_address_end_date"), pl.String, fmt)
    wanted = [t.lower() for t in types]
    kind = col("addr_address_type").str.strip_chars().str.to_lowercase()
    rank = kind.replace_strict(
        wanted, list(range(len(wanted))), default=len(wanted), return_dtype=pl.Int64
    )
    open_now = (start.is_null() | (start <= pl.lit(as_of))) & (
        end.is_null() | (end > pl.lit(as_of))
    )
    rows = parts(address).with_columns(
        __start=start, __rank=rank.fill_null(len(wanted)), __open=open_now
    )
    rows = rows.filter(pl.col("__open") & pl.col("addr_person_id").is_not_null())
    rows = rows.with_columns(__line=line(rows))
    rows = rows.filter(
        pl.col("__line").is_not_null() | col("addr_address_postcode").is_not_null()
    )
    rows = rows.sort(
        [
            "addr_person_id",
            "__rank",
            "__start",
            *(["addr_table_id"] if "addr_table_id" in has else []),
        ],
        descending=[False, False, True, *([True] if "addr_table_id" in has else [])],
        nulls_last=True,
        maintain_order=True,
    )
    return (
        rows.group_by("addr_person_id", maintain_order=True)
        .first()
        .select(
            pers_person_id="addr_person_id",
            address="__line",
            postcode=col("addr_address_postcode"),
        )
    )
