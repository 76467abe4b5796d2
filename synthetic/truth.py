"""The truth files: who every record really is, and who everyone really is.

The pipeline never reads these; evaluation joins ``records.csv`` to the loaded
records on (source, record_id).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from synthetic.world import World

_ROLES = {
    "A1": "adult",
    "A2": "partner",
    "C": "child",
    "GP": "grandparent",
    "NRP": "non-resident parent",
    "S": "sharer",
}


def _ref(prefix: str, col: str) -> pl.Expr:
    return pl.when(pl.col(col).is_not_null()).then(
        prefix + pl.col(col).cast(pl.String).str.zfill(7)
    )


def _ids() -> dict[str, pl.Expr]:
    """Everyone's person, household and family ids as the truth files write them."""
    return {
        "person_id": _ref("P", "pid"),
        "household_id": _ref("H", "hid"),
        "family_id": _ref("F", "fid"),
    }


def write_truth(
    world: World, records: pl.DataFrame, junk: pl.DataFrame, out: Path
) -> None:
    """Write truth/records.csv, truth/people.csv and truth/quarantine.csv."""
    folder = out / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    ids = world.people.select("pid", **_ids())
    records.join(ids, on="pid", how="left", maintain_order="left").select(
        "source", "record_id", "person_id", "family_id", "household_id"
    ).write_csv(folder / "records.csv")
    junk.write_csv(folder / "quarantine.csv")
    _people(world).write_csv(folder / "people.csv")


def _people(world: World) -> pl.DataFrame:
    homes = world.homes.select(
        "hid", "address", "postcode", "prev_address", "prev_postcode", "moved_on"
    )
    people = world.people.join(homes, on="hid", how="left", maintain_order="left")
    return people.select(
        **_ids(),
        household_kind="kind",
        role=pl.col("role").replace_strict(_ROLES),
        first_name="first_name",
        last_name="surname",
        previous_last_name="prev_surname",
        last_name_changed_on="surname_changed_on",
        sex="sex",
        dob="dob",
        nhs_number="nhs",
        upn="upn",
        school="school",
        address="address",
        postcode="postcode",
        previous_address="prev_address",
        previous_postcode="prev_postcode",
        moved_on="moved_on",
        heritage="person_heritage",
        need=pl.col("need").replace_strict({0: "low", 1: "medium", 2: "high"}),
        parent1_id=_ref("P", "parent1"),
        parent2_id=_ref("P", "parent2"),
        partner_id=_ref("P", "partner"),
        cousin_household_id=pl.when(pl.col("cousin_of") >= 0).then(
            _ref("H", "cousin_of")
        ),
    )
