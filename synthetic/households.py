"""Households and the people in them: ages, sexes, roles and who is whose parent.

Everything is drawn per household or per person with numpy and joined with polars;
no loop runs over people. Household kinds follow the UK mix roughly: people living
alone, couples, couples with children, lone parents (often with the other parent
living elsewhere), step-families, three generations, and sharers.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synthetic.bank import NameBank, weighted_choice

KINDS = ("single", "couple", "couple_kids", "lone", "step", "multigen", "sharers")
KIND_P = (0.26, 0.22, 0.24, 0.12, 0.05, 0.04, 0.07)
#: Chance of low, medium and high need by household kind (drives involvement).
NEED_P = {
    "lone": (0.60, 0.28, 0.12),
    "step": (0.65, 0.25, 0.10),
    "couple_kids": (0.80, 0.15, 0.05),
}
DEFAULT_NEED_P = (0.88, 0.09, 0.03)
COUPLES = ("couple", "couple_kids", "step", "multigen")


def _kids(rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Children per household and, for step-families, how many are from before."""
    n = len(kind)
    kids = np.zeros(n, dtype=np.int64)
    prev = np.zeros(n, dtype=np.int64)
    for name, choices, p in (
        ("couple_kids", (1, 2, 3, 4), (0.38, 0.42, 0.15, 0.05)),
        ("lone", (1, 2, 3), (0.5, 0.35, 0.15)),
        ("multigen", (1, 2, 3), (0.4, 0.4, 0.2)),
    ):
        mask = kind == name
        kids[mask] = rng.choice(choices, mask.sum(), p=p)
    step = kind == "step"
    prev[step] = rng.choice((1, 2), step.sum(), p=(0.6, 0.4))
    kids[step] = prev[step] + rng.choice((0, 1, 2), step.sum(), p=(0.5, 0.4, 0.1))
    return kids, prev


def _need(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    need = rng.choice(3, len(kind), p=DEFAULT_NEED_P)
    for name, p in NEED_P.items():
        mask = kind == name
        need[mask] = rng.choice(3, mask.sum(), p=p)
    return need


def _base_households(rng: np.random.Generator, bank: NameBank, n: int) -> pl.DataFrame:
    kind = np.array(KINDS)[rng.choice(len(KINDS), n, p=KIND_P)]
    kids, prev = _kids(rng, kind)
    adults = np.select(
        [np.isin(kind, COUPLES), kind == "sharers"],
        [2 + (kind == "multigen"), rng.choice((2, 3), n)],
        1,
    )
    need = _need(rng, kind)
    nrp_p = np.select([kind == "lone", kind == "step"], [0.6, 0.5], 0.0)
    return pl.DataFrame(
        {
            "order": np.arange(n) * 2,
            "kind": kind,
            "n_adults": adults,
            "n_kids": kids,
            "n_prev": prev,
            "need": need,
            "heritage": weighted_choice(
                rng, bank.heritages["heritage"], bank.heritages["weight"], n
            ),
            "mixed": np.isin(kind, COUPLES) & (rng.random(n) < 0.10),
            "has_nrp": rng.random(n) < nrp_p,
            "married": np.isin(kind, COUPLES) & (rng.random(n) < 0.6),
        }
    )


def build_households(
    rng: np.random.Generator, bank: NameBank, n_people: int
) -> pl.DataFrame:
    """Enough households for ``n_people``; a non-resident parent's own household
    follows the household of the children (``base_hid``)."""
    base = _base_households(rng, bank, max(10, int(n_people / 1.9) + 10))
    nrp = base.filter("has_nrp").with_columns(
        order=pl.col("order") + 1,
        kind=pl.lit("nrp"),
        n_adults=pl.lit(1, pl.Int64),
        n_kids=pl.lit(0, pl.Int64),
        n_prev=pl.lit(0, pl.Int64),
        mixed=pl.lit(False),
        has_nrp=pl.lit(False),
        married=pl.lit(False),
    )
    homes = pl.concat([base, nrp]).sort("order").with_row_index("hid")
    homes = homes.with_columns(pl.col("hid").cast(pl.Int64))
    base_hid = pl.when(pl.col("kind") == "nrp").then(pl.col("hid") - 1)
    homes = homes.with_columns(base_hid=base_hid.otherwise(pl.col("hid")))
    social_p = np.array([0.12, 0.32, 0.5])[homes["need"].to_numpy()]
    moved = rng.random(homes.height) < 0.3
    days_ago = rng.integers(30, 8 * 365, homes.height)
    return homes.drop("order").with_columns(
        social=pl.Series(rng.random(homes.height) < social_p),
        moved_days_ago=pl.Series(np.where(moved, days_ago, -1)),
        cousin_of=_cousins(rng, homes),
    )


def _cousins(rng: np.random.Generator, homes: pl.DataFrame) -> pl.Series:
    """Pair a few families with children so their fathers are brothers (same
    surname) and one child in each shares a first name: cousins with one name."""
    cand = homes.filter(pl.col("kind") == "couple_kids")["hid"].to_numpy()
    out = np.full(homes.height, -1, dtype=np.int64)
    k = len(cand) // 60
    if k:
        picked = rng.choice(cand, 2 * k, replace=False)
        out[picked[k:]] = picked[:k]
    return pl.Series(out)


def member_rows(homes: pl.DataFrame) -> pl.DataFrame:
    """One row per household member with its role and child index."""
    size = (homes["n_adults"] + homes["n_kids"]).to_numpy()
    starts = np.repeat(np.cumsum(size) - size, size)
    pos = np.arange(size.sum()) - starts
    people = homes.select(
        pl.all().gather(pl.Series(np.repeat(np.arange(homes.height), size)))
    ).with_columns(pos=pl.Series(pos))
    adult = pl.col("pos") < pl.col("n_adults")
    role = (
        pl.when(pl.col("kind") == "nrp")
        .then(pl.lit("NRP"))
        .when(pl.col("kind") == "sharers")
        .then(pl.lit("S"))
        .when(adult & (pl.col("pos") == 0))
        .then(pl.lit("A1"))
        .when(adult & (pl.col("pos") == 1))
        .then(pl.lit("A2"))
        .when(adult)
        .then(pl.lit("GP"))
        .otherwise(pl.lit("C"))
    )
    child_idx = pl.when(adult).then(None).otherwise(pl.col("pos") - pl.col("n_adults"))
    return people.with_columns(role=role, child_idx=child_idx)


def draw_ages(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Ages in years: the first adult's by kind, partners near it, children spaced
    from the first adult's age at first birth (twins share a birth date)."""
    h = people.height
    kind = people["kind"].to_numpy()
    young = rng.uniform(18, 50, h)
    a1 = np.select(
        [kind == "single", kind == "couple", np.isin(kind, ("sharers",))],
        [
            np.where(rng.random(h) < 0.6, young, rng.uniform(50, 92, h)),
            rng.uniform(20, 88, h),
            rng.uniform(18, 38, h),
        ],
        rng.uniform(21, 52, h),
    )
    people = people.with_columns(
        u_a1=pl.Series(a1),
        u_first=pl.Series(rng.random(h)),
        u_gap=pl.Series(np.where(rng.random(h) < 0.03, 0.0, rng.uniform(1, 5, h))),
        u_partner=pl.Series(rng.normal(2, 4, h)),
        u_gp=pl.Series(rng.uniform(20, 32, h)),
    )
    first = pl.col("u_a1").first().over("hid")
    span = pl.min_horizontal(pl.lit(40.0), first - 1) - 17
    at_first = 17 + pl.col("u_first").first().over("hid") * span.clip(0, None)
    gap = pl.when(pl.col("child_idx") == 0).then(0.0).otherwise(pl.col("u_gap"))
    child = first - at_first - gap.cum_sum().over("hid", order_by="pos")
    age = (
        pl.when(pl.col("role").is_in(["A1", "S"]))
        .then(pl.col("u_a1"))
        .when(pl.col("role") == "A2")
        .then((first + pl.col("u_partner")).clip(18, 95))
        .when(pl.col("role") == "GP")
        .then((first + pl.col("u_gp")).clip(40, 99))
        .when(pl.col("role") == "C")
        .then(child)
    )
    return people.with_columns(age=age)
