"""What was true about a person on a given date: surname and address then, and
the surname they had before when it had already changed."""

from __future__ import annotations

import polars as pl

from synthetic.places import ADDRESS_PARTS
from synthetic.world import World

_PERSON = (
    "hid",
    "fid",
    "role",
    "kind",
    "first_name",
    "dob",
    "sex",
    "nhs",
    "upn",
    "school",
    "need",
    "social",
    "age",
)


def as_at(world: World, frame: pl.DataFrame, when: str) -> pl.DataFrame:
    """Add each person's (``pid``) true details on the date in column ``when``
    (``known_before``: their previous surname once it has changed, else null)."""
    people = world.people.select(
        "pid", *_PERSON, "surname", "prev_surname", "surname_changed_on"
    )
    frame = frame.join(people, on="pid", how="left", maintain_order="left")
    homes = world.homes.select(
        "hid", "moved_on", *ADDRESS_PARTS, *(f"prev_{p}" for p in ADDRESS_PARTS)
    )
    frame = frame.join(homes, on="hid", how="left", maintain_order="left")
    before_move = pl.col("moved_on").is_not_null() & (pl.col(when) < pl.col("moved_on"))
    renamed = pl.col("surname_changed_on").is_not_null() & (
        pl.col(when) < pl.col("surname_changed_on")
    )
    return frame.with_columns(
        true_dob="dob",
        last_name=pl.when(renamed).then("prev_surname").otherwise("surname"),
        known_before=pl.when(
            pl.col("surname_changed_on").is_not_null() & ~renamed
        ).then("prev_surname"),
        **{
            p: pl.when(before_move).then(pl.col(f"prev_{p}")).otherwise(pl.col(p))
            for p in ADDRESS_PARTS
        },
    ).drop(
        "surname",
        "prev_surname",
        "surname_changed_on",
        "moved_on",
        *(f"prev_{p}" for p in ADDRESS_PARTS),
    )
