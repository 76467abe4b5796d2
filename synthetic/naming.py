"""First names and surnames, with the surname history that marriage brings.

Names come from the heritage of the household (a tenth of couples are mixed).
Children take the father's surname, the mother's, or both hyphenated; mothers
who marry may take the husband's or a double-barrelled name (so older records
carry the birth surname); Polish surnames take their feminine form for women;
twins and siblings never share a first name; cousins sometimes do.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from synthetic.bank import NameBank, draw_by_group, weighted_choice
from synthetic.people import days_before


def _heritage(
    rng: np.random.Generator, bank: NameBank, people: pl.DataFrame
) -> pl.DataFrame:
    """Each person's heritage: the household's, or their own for sharers and
    the second partner of a mixed couple (children of mixed couples take either)."""
    alt = weighted_choice(
        rng, bank.heritages["heritage"], bank.heritages["weight"], people.height
    )
    people = people.with_columns(
        u_alt=pl.Series(alt), u_child=pl.Series(rng.random(people.height))
    )
    own = (
        pl.when((pl.col("role") == "S") | ((pl.col("role") == "A2") & pl.col("mixed")))
        .then(pl.col("u_alt"))
        .otherwise(pl.col("heritage"))
    )
    people = people.with_columns(person_heritage=own)
    a2 = pl.col("person_heritage").filter(pl.col("role") == "A2").first().over("hid")
    a2 = pl.coalesce(a2, pl.col("heritage"))
    child_mixed = (pl.col("role") == "C") & pl.col("mixed") & (pl.col("u_child") < 0.5)
    return people.with_columns(
        person_heritage=pl.when(child_mixed).then(a2).otherwise("person_heritage")
    ).drop("u_alt", "u_child")


def _first_names(
    rng: np.random.Generator, bank: NameBank, people: pl.DataFrame
) -> pl.DataFrame:
    keys = {
        "heritage": people["person_heritage"].to_numpy(),
        "sex": people["sex"].to_numpy(),
    }
    people = people.with_columns(
        first_name=pl.Series(draw_by_group(rng, bank.first_names, keys))
    )
    for _ in range(6):  # redraw the few siblings or twins given a name already used
        dup = ~pl.struct("hid", "first_name").is_first_distinct()
        mask = people.select(dup).to_series().to_numpy()
        if not mask.any():
            break
        sub = {k: v[mask] for k, v in keys.items()}
        names = people["first_name"].to_numpy().copy()
        names[mask] = draw_by_group(rng, bank.first_names, sub)
        people = people.with_columns(first_name=pl.Series(names))
    eldest = people.filter((pl.col("role") == "C") & (pl.col("child_idx") == 0))
    theirs = eldest.select(cousin_of="hid", cousin_name="first_name")
    people = people.join(theirs, on="cousin_of", how="left", maintain_order="left")
    same = (pl.col("role") == "C") & (pl.col("child_idx") == 0)
    same = same & pl.col("cousin_name").is_not_null()
    return people.with_columns(
        first_name=pl.when(same).then("cousin_name").otherwise("first_name")
    ).drop("cousin_name")


def _birth_surnames(
    rng: np.random.Generator, bank: NameBank, people: pl.DataFrame
) -> pl.DataFrame:
    """A birth surname for every adult, plus an absent father's for lone parents;
    a grandparent shares the first adult's, brothers (cousins' fathers) share one."""
    her = {"heritage": people["person_heritage"].to_numpy()}
    people = people.with_columns(
        own=pl.Series(draw_by_group(rng, bank.surnames, her)),
        absent=pl.Series(draw_by_group(rng, bank.surnames, her)),
    )
    a1_own = pl.col("own").filter(pl.col("role") == "A1").first().over("hid")
    people = people.with_columns(
        own=pl.when(pl.col("role") == "GP").then(a1_own).otherwise("own")
    )
    fathers = people.filter(pl.col("role") == "A2").select(
        cousin_of="hid", brother="own"
    )
    people = people.join(fathers, on="cousin_of", how="left", maintain_order="left")
    is_brother = (pl.col("role") == "A2") & pl.col("brother").is_not_null()
    return people.with_columns(
        own=pl.when(is_brother).then("brother").otherwise("own")
    ).drop("brother")


def _of(role: str, col: str = "own") -> pl.Expr:
    """A column of the household member with ``role`` (e.g. the partner's)."""
    return pl.col(col).filter(pl.col("role") == role).first().over("hid")


def _opposite_sex_couple() -> pl.Expr:
    return _of("A1", "sex") != _of("A2", "sex")


def _first_adult_surname() -> pl.Expr:
    """A married mother takes her husband's surname, or joins both with a hyphen."""
    wed = pl.col("married") & _opposite_sex_couple() & (pl.col("role") == "A1")
    u = pl.col("u_wed")
    return (
        pl.when(wed & (u < 0.8))
        .then(_of("A2"))
        .when(wed & (u < 0.9))
        .then(pl.col("own") + "-" + _of("A2"))
        .otherwise("own")
    )


def _child_surname() -> pl.Expr:
    """The father's surname mostly, else the mother's or both hyphenated; a
    step-family's older children keep their own father's."""
    u = pl.col("u_kid")
    father = pl.coalesce("nrp_own", _of("A1", "absent"))
    prev = pl.col("child_idx") < pl.col("n_prev")
    couple_kid = (
        pl.when(~_opposite_sex_couple())
        .then(_of("A1", "surname"))
        .when(u < 0.85)
        .then(_of("A2"))
        .when(u < 0.93)
        .then(_of("A1") + "-" + _of("A2"))
        .otherwise(_of("A1"))
    )
    return (
        pl.when(pl.col("kind") == "lone")
        .then(pl.when(u < 0.55).then(father).otherwise(_of("A1")))
        .when((pl.col("kind") == "step") & prev)
        .then(pl.when(u < 0.75).then(father).otherwise(_of("A1")))
        .when(pl.col("kind") == "step")
        .then(_of("A2"))
        .otherwise(couple_kid)
    )


def _current_surnames(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Surnames now: marriage, children's surnames, step-children's deed polls."""
    h = people.height
    people = people.with_columns(
        u_wed=pl.Series(rng.random(h)), u_kid=pl.Series(rng.random(h))
    )
    nrp = people.filter(pl.col("role") == "NRP").select(hid="base_hid", nrp_own="own")
    people = people.join(nrp, on="hid", how="left", maintain_order="left")
    people = people.with_columns(surname=_first_adult_surname())
    child = pl.col("role") == "C"
    people = people.with_columns(
        surname=pl.when(child).then(_child_surname()).otherwise("surname")
    )
    prev = pl.col("child_idx") < pl.col("n_prev")
    deed_poll = child & (pl.col("kind") == "step") & prev & (pl.col("u_wed") < 0.15)
    return people.with_columns(
        own=pl.when(child).then("surname").otherwise("own"),
        surname=pl.when(deed_poll).then(_of("A2")).otherwise("surname"),
    ).drop("nrp_own", "u_wed", "u_kid")


def _feminine(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace(r"(sk|ck|dzk)i$", "${1}a")


def _history(rng: np.random.Generator, people: pl.DataFrame, ref: date) -> pl.DataFrame:
    """Previous surname and the date it changed, for everyone whose name changed."""
    female = pl.col("sex") == "F"
    people = people.with_columns(
        surname=pl.when(female).then(_feminine(pl.col("surname"))).otherwise("surname"),
        own=pl.when(female).then(_feminine(pl.col("own"))).otherwise("own"),
    )
    changed = pl.col("surname") != pl.col("own")
    most = ((pl.col("age") - 18).clip(1, 30) * 365).cast(pl.Int64)
    u = pl.Series(rng.random(people.height))
    days = (u * most).cast(pl.Int64) + 120
    child_days = (u * 4 * 365).cast(pl.Int64) + 60
    ago = pl.when(pl.col("role") == "C").then(child_days).otherwise(days)
    return people.with_columns(
        prev_surname=pl.when(changed).then("own"),
        surname_changed_on=pl.when(changed).then(days_before(ref, ago)),
    ).drop("own", "absent")


def name_people(
    rng: np.random.Generator, bank: NameBank, people: pl.DataFrame, ref: date
) -> pl.DataFrame:
    """Add heritage, first name, surname, previous surname and change date."""
    people = _heritage(rng, bank, people)
    people = _first_names(rng, bank, people)
    people = _birth_surnames(rng, bank, people)
    people = _current_surnames(rng, people)
    return _history(rng, people, ref)
