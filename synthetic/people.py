"""People in households: sexes, ages, dates of birth and kinship (parents, partner).

Continues ``households``: the member rows are expanded there, and here are given
sexes, adjusted for cousins and non-resident parents, numbered, and linked.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from synthetic.households import COUPLES, draw_ages, member_rows


def _sexes(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Sex by role: mothers lead most family households; partners mostly opposite."""
    h = people.height
    p_female = np.select(
        [
            (people["role"] == "A1").to_numpy()
            & people["kind"].is_in(COUPLES).to_numpy(),
            (people["role"] == "A1").to_numpy() & (people["kind"] == "lone").to_numpy(),
            (people["role"] == "GP").to_numpy(),
        ],
        [0.97, 0.88, 0.6],
        0.5,
    )
    own = np.where(rng.random(h) < p_female, "F", "M")
    people = people.with_columns(u_sex=pl.Series(own), u_same=pl.Series(rng.random(h)))
    a1_sex = pl.col("u_sex").filter(pl.col("role") == "A1").first().over("hid")
    opposite = pl.when(a1_sex == "F").then(pl.lit("M")).otherwise(pl.lit("F"))
    sex = (
        pl.when((pl.col("role") == "A2") & (pl.col("u_same") < 0.97))
        .then(opposite)
        .when(pl.col("role") == "A2")
        .then(a1_sex)
        .otherwise(pl.col("u_sex"))
    )
    return people.with_columns(sex=sex)


def _cousin_shift(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Cousin households get a first child of the same sex and a similar age."""
    eldest = people.filter((pl.col("role") == "C") & (pl.col("child_idx") == 0))
    other = eldest.select(
        cousin_of=pl.col("hid"), c_sex=pl.col("sex"), c_age=pl.col("age")
    )
    mine = eldest.join(other, on="cousin_of", how="inner").select(
        "hid", "c_sex", shift=pl.col("c_age") - pl.col("age")
    )
    mine = mine.with_columns(
        shift=pl.col("shift") + pl.Series(rng.uniform(-2, 2, mine.height))
    )
    people = people.join(mine, on="hid", how="left", maintain_order="left")
    is_child = (pl.col("role") == "C") & pl.col("shift").is_not_null()
    return people.with_columns(
        age=pl.when(is_child).then(pl.col("age") + pl.col("shift")).otherwise("age"),
        sex=pl.when(is_child & (pl.col("child_idx") == 0))
        .then(pl.col("c_sex"))
        .otherwise("sex"),
    ).drop("c_sex", "shift")


def _nrp_age(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """A non-resident parent is about as old as the parent the children live with."""
    a1 = people.filter(pl.col("role") == "A1").select(
        base_hid="hid", base_age="age", base_sex="sex"
    )
    people = people.join(a1, on="base_hid", how="left", maintain_order="left")
    nrp = pl.col("role") == "NRP"
    age = (pl.col("base_age") + pl.Series(rng.normal(2, 4, people.height))).clip(18, 80)
    sex = pl.when(pl.col("base_sex") == "F").then(pl.lit("M")).otherwise(pl.lit("F"))
    return people.with_columns(
        age=pl.when(nrp).then(age).otherwise("age"),
        sex=pl.when(nrp).then(sex).otherwise("sex"),
    ).drop("base_age", "base_sex")


def build_people(
    rng: np.random.Generator, homes: pl.DataFrame, n_people: int, ref: date
) -> pl.DataFrame:
    """Exactly ``n_people`` people with sex, date of birth, role and kinship ids."""
    people = _sexes(rng, draw_ages(rng, member_rows(homes)))
    people = _nrp_age(rng, _cousin_shift(rng, people))
    people = people.filter(pl.col("age") > 0.02).head(n_people)
    people = people.with_columns(pid=pl.int_range(pl.len(), dtype=pl.Int64))
    days = (people["age"] * 365.25).floor().cast(pl.Int64)
    dob = pl.lit(ref) - pl.duration(days=days)
    people = people.with_columns(dob=dob.cast(pl.Date))
    people = _kinship(people, homes.height)
    return people.drop("pos", "^u_.*$")


def _kinship(people: pl.DataFrame, n_homes: int) -> pl.DataFrame:
    """Parent, partner and family ids; families span the non-resident parent's home."""

    def pid_of(role: str, by: str = "hid") -> pl.Expr:
        return pl.col("pid").filter(pl.col("role") == role).first().over(by)

    people = people.with_columns(a1=pid_of("A1"), a2=pid_of("A2"), gp=pid_of("GP"))
    nrp = people.filter(pl.col("role") == "NRP").select(hid="base_hid", nrp="pid")
    people = people.join(nrp, on="hid", how="left", maintain_order="left")
    child = pl.col("role") == "C"
    prev = pl.col("child_idx") < pl.col("n_prev")
    by_nrp = (pl.col("kind") == "lone") | ((pl.col("kind") == "step") & prev)
    parent2 = (
        pl.when(child & by_nrp)
        .then("nrp")
        .when(child & pl.col("kind").is_in(COUPLES))
        .then("a2")
    )
    partner = (
        pl.when(pl.col("role") == "A1")
        .then("a2")
        .when(pl.col("role") == "A2")
        .then("a1")
    )
    family = (
        pl.when(pl.col("kind") == "nrp")
        .then(pl.col("base_hid"))
        .when((pl.col("kind") == "sharers") & (pl.col("pos") > 0))
        .then(n_homes + pl.col("pid"))
        .otherwise(pl.col("hid"))
    )
    return people.with_columns(
        parent1=pl.when(child).then("a1").when(pl.col("role") == "A1").then("gp"),
        parent2=parent2,
        partner=partner,
        fid=family,
    ).drop("a1", "a2", "gp", "nrp")


def days_before(ref: date, days: pl.Expr) -> pl.Expr:
    """``ref`` minus a number of days, as a date expression."""
    return (pl.lit(ref) - pl.duration(days=days)).cast(pl.Date)
