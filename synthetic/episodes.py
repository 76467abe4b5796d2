"""Service involvement over time: who a service saw, from when, until when.

Involvement is driven by the household's need (low, medium, high), so families
known to one service tend to be known to several. Episodes fall inside the
service's coverage window and the ages the service works with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synthetic.spec import SourceSpec


@dataclass(frozen=True)
class Involvement:
    """How a service's involvement is drawn; its window is the source's coverage
    (``coverage_from`` to ``extract_date``)."""

    p_need: tuple[float, float, float]  # chance of any involvement by need level
    age_from: float = 0.0  # youngest age at the start of an episode
    age_to: float = 120.0  # oldest age at the start of an episode
    max_episodes: int = 1
    p_current: float = 0.3  # chance the latest episode is still open
    min_days: int = 30
    max_days: int = 700


def _chance(how: Involvement) -> pl.Expr:
    """The chance of involvement of a row's need level."""
    p = how.p_need
    return pl.col("need").replace_strict({0: p[0], 1: p[1], 2: p[2]})


def _window(how: Involvement, source: SourceSpec) -> tuple[pl.Expr, pl.Expr]:
    """First and last possible start day (days since 1970) for each person."""
    lo = pl.max_horizontal(
        pl.lit(source.coverage_from).cast(pl.Int64),
        pl.col("dob").dt.offset_by(f"{int(how.age_from * 12)}mo").cast(pl.Int64),
    )
    hi = pl.min_horizontal(
        pl.lit(source.extract_date).cast(pl.Int64) - 1,
        pl.col("dob").dt.offset_by(f"{int(how.age_to * 12) + 12}mo").cast(pl.Int64),
    )
    return lo, hi


def person_episodes(
    rng: np.random.Generator,
    people: pl.DataFrame,
    how: Involvement,
    source: SourceSpec,
) -> pl.DataFrame:
    """Episodes (pid, episode, start, end) for people chosen by need and age.

    ``people`` needs pid, dob and need; end is null while an episode is open.
    """
    lo, hi = _window(how, source)
    chosen = people.select("pid", lo=lo, hi=hi, need="need").with_columns(
        u=pl.Series(rng.random(people.height))
    )
    chosen = chosen.filter((pl.col("hi") > pl.col("lo")) & (pl.col("u") < _chance(how)))
    return _episodes(rng, chosen.select("pid", "lo", "hi"), how, source, "pid")


def household_episodes(
    rng: np.random.Generator,
    homes: pl.DataFrame,
    how: Involvement,
    source: SourceSpec,
) -> pl.DataFrame:
    """Episodes (hid, episode, start, end) for households chosen by need."""
    lo = pl.lit(source.coverage_from).cast(pl.Int64)
    hi = pl.lit(source.extract_date).cast(pl.Int64) - 1
    chosen = homes.select("hid", "need", lo=lo, hi=hi).with_columns(
        u=pl.Series(rng.random(homes.height))
    )
    chosen = chosen.filter(pl.col("u") < _chance(how)).select("hid", "lo", "hi")
    return _episodes(rng, chosen, how, source, "hid")


def _episodes(
    rng: np.random.Generator,
    chosen: pl.DataFrame,
    how: Involvement,
    source: SourceSpec,
    key: str,
) -> pl.DataFrame:
    n = chosen.height
    count = 1 + rng.binomial(how.max_episodes - 1, 0.35, n) if n else np.zeros(0, int)
    rows = chosen.select(pl.all().gather(pl.Series(np.repeat(np.arange(n), count))))
    m = rows.height
    rows = rows.with_columns(
        u_start=pl.Series(rng.random(m)),
        u_len=pl.Series(rng.integers(how.min_days, how.max_days + 1, m)),
        u_open=pl.Series(rng.random(m)),
        u_recent=pl.Series(rng.integers(0, 700, m)),
    )
    start = pl.col("lo") + (pl.col("u_start") * (pl.col("hi") - pl.col("lo"))).cast(
        pl.Int64
    )
    rows = rows.with_columns(start=start).sort(key, "start")
    rows = rows.with_columns(
        episode=pl.int_range(1, pl.len() + 1).over(key),
        last=pl.col("start") == pl.col("start").max().over(key),
    )
    still_eligible = pl.col("hi") >= pl.lit(source.extract_date).cast(pl.Int64) - 1
    is_open = pl.col("last") & (pl.col("u_open") < how.p_current) & still_eligible
    recent = pl.max_horizontal("lo", pl.col("hi") - pl.col("u_recent"))
    start = pl.when(is_open).then(pl.max_horizontal("start", recent)).otherwise("start")
    rows = rows.with_columns(start=start)
    following = pl.col("start").shift(-1).over(key, order_by="start") - 1
    end = pl.min_horizontal(pl.col("start") + pl.col("u_len"), following)
    last_day = pl.lit(source.extract_date).cast(pl.Int64)
    end = pl.when(is_open | (end >= last_day)).then(None).otherwise(end)
    rows = rows.with_columns(end=end)
    return rows.select(
        key,
        "episode",
        start=pl.col("start").cast(pl.Date),
        end=pl.col("end").cast(pl.Date),
    )
