"""Addresses and postcodes in one fictional borough (districts SK1 to SK8).

Street names are invented (stem + suffix); inward codes are invented per block of
house numbers, so neighbours share a postcode as in life. Every household gets a
distinct current address; households that moved also get a distinct previous one.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from synthetic.bank import NameBank, weighted_choice
from synthetic.people import days_before

TOWN = "Stockport"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in real inward codes
_BLOCK = 16  # house numbers sharing one postcode


def _streets(rng: np.random.Generator, bank: NameBank) -> pl.DataFrame:
    """Every stem × suffix street, shuffled, each in one weighted district."""
    streets = pl.DataFrame({"stem": bank.stems}).join(bank.suffixes, how="cross")
    streets = streets.sample(fraction=1.0, shuffle=True, seed=int(rng.integers(2**31)))
    district = weighted_choice(
        rng,
        pl.Series(np.arange(bank.districts.height)),
        bank.districts["weight"],
        streets.height,
    )
    d = bank.districts.with_row_index("d").with_columns(pl.col("d").cast(pl.Int64))
    return (
        streets.with_columns(d=pl.Series(district.astype(np.int64)))
        .join(d.select("d", "outward", "locality"), on="d", maintain_order="left")
        .select(
            street=pl.col("stem") + " " + pl.col("suffix"),
            street_abbrev=pl.col("stem") + " " + pl.col("abbreviation"),
            outward="outward",
            locality="locality",
        )
        .with_row_index("street_idx")
    )


def _slots(rng: np.random.Generator, streets: pl.DataFrame, need: int) -> pl.DataFrame:
    """``need`` distinct (street, house number) addresses with postcodes."""
    used = int(np.clip(need // 30, 20, streets.height))
    per_street = max(40, int(np.ceil(2 * need / used)))
    streets = streets.head(used)
    picked = rng.choice(streets.height * per_street, need, replace=False)
    code = (picked // per_street) * 7919 + (picked % per_street) // _BLOCK * 104729
    code = code % (10 * len(_INWARD_LETTERS) ** 2)
    letters = np.array(list(_INWARD_LETTERS))
    inward = np.char.add(
        np.char.add((code // 400).astype(str), letters[code // 20 % 20]),
        letters[code % 20],
    )
    flat = np.where(rng.random(need) < 0.08, rng.integers(1, 13, need), 0)
    slots = pl.DataFrame(
        {
            "street_idx": (picked // per_street).astype(np.uint32),
            "house_no": (picked % per_street + 1).astype(str),
            "flat": flat,
            "inward": inward,
        }
    )
    slots = slots.join(streets, on="street_idx", maintain_order="left")
    flat_txt = pl.when(pl.col("flat") > 0).then(pl.format("Flat {}", "flat"))
    locality = pl.when(pl.col("locality") != "").then(pl.col("locality"))
    line = pl.concat_str(
        [flat_txt, pl.col("house_no") + " " + pl.col("street"), locality, pl.lit(TOWN)],
        separator=", ",
        ignore_nulls=True,
    )
    return slots.select(
        flat=flat_txt,
        house_no="house_no",
        street="street",
        street_abbrev="street_abbrev",
        locality=locality,
        address=line,
        postcode=pl.col("outward") + " " + pl.col("inward"),
    )


#: Address columns a household has now and, if it moved, before.
ADDRESS_PARTS = (
    "flat",
    "house_no",
    "street",
    "street_abbrev",
    "locality",
    "address",
    "postcode",
)


def place_households(
    rng: np.random.Generator, bank: NameBank, homes: pl.DataFrame, ref: date
) -> pl.DataFrame:
    """Add current and previous address parts and the move date to households."""
    moved = homes["moved_days_ago"].to_numpy() >= 0
    slots = _slots(rng, _streets(rng, bank), homes.height + int(moved.sum()))
    now = slots.head(homes.height)
    before = slots.slice(homes.height)
    prev_idx = np.full(homes.height, -1)
    prev_idx[moved] = np.arange(moved.sum())
    prev = before.select(pl.all().name.prefix("prev_")).with_row_index("prev_idx")
    prev = prev.with_columns(pl.col("prev_idx").cast(pl.Int64))
    homes = pl.concat([homes, now], how="horizontal").with_columns(
        prev_idx=pl.Series(prev_idx)
    )
    homes = homes.join(prev, on="prev_idx", how="left", maintain_order="left")
    moved_on = pl.when(pl.col("moved_days_ago") >= 0).then(
        days_before(ref, pl.col("moved_days_ago"))
    )
    return homes.with_columns(moved_on=moved_on).drop("prev_idx", "moved_days_ago")
