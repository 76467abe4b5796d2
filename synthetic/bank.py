"""The name, street and district lists the generator draws from (data files)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import polars as pl


@dataclass(frozen=True)
class NameBank:
    """Every list the synthetic population is drawn from, read once per run."""

    heritages: pl.DataFrame  # heritage, weight
    first_names: pl.DataFrame  # heritage, sex, name, weight
    surnames: pl.DataFrame  # heritage, name, weight
    nicknames: dict[str, list[str]]  # formal name -> nicknames
    variants: dict[str, list[str]]  # name -> its other spellings
    languages: dict[str, list[str]]  # first name -> its other languages' forms
    districts: pl.DataFrame  # outward, locality, weight
    stems: list[str]
    suffixes: pl.DataFrame  # suffix, abbreviation, weight


def _text(name: str) -> str:
    return (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")


def _csv(name: str) -> pl.DataFrame:
    return pl.read_csv(_text(name).encode("utf-8"), infer_schema=False).with_columns(
        pl.col("^weight$").cast(pl.Float64)
    )


def _lines(name: str) -> list[str]:
    return [
        line.strip()
        for line in _text(name).splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _groups(name: str) -> dict[str, list[str]]:
    """Each name of a groups file (one group a line, "|" between names) mapped
    to the others of its group (of its last group, when in several)."""
    out: dict[str, list[str]] = {}
    for line in _lines(name):
        group = line.split("|")
        for n in group:
            out[n] = [g for g in group if g != n]
    return out


def load_bank() -> NameBank:
    """Read the packaged data files."""
    nick = _csv("nicknames.csv")
    nicknames = {
        n: v.split(";") for n, v in zip(nick["name"], nick["nicknames"], strict=True)
    }
    return NameBank(
        heritages=_csv("heritages.csv"),
        first_names=_csv("first_names.csv"),
        surnames=_csv("surnames.csv"),
        nicknames=nicknames,
        variants=_groups("variants.txt"),
        languages=_groups("languages.txt"),
        districts=_csv("districts.csv").with_columns(pl.col("locality").fill_null("")),
        stems=_lines("street_stems.txt"),
        suffixes=_csv("street_suffixes.csv"),
    )


def weighted_choice(
    rng: np.random.Generator, values: pl.Series, weights: pl.Series, size: int
) -> np.ndarray:
    """``size`` draws from ``values`` in proportion to ``weights``."""
    p = weights.to_numpy().astype(float)
    return values.to_numpy()[rng.choice(len(p), size=size, p=p / p.sum())]


def draw_by_group(
    rng: np.random.Generator,
    table: pl.DataFrame,
    keys: dict[str, np.ndarray],
) -> np.ndarray:
    """A name per row, drawn from ``table`` rows that match the row's ``keys``.

    One vectorised draw per group (heritage × sex), never one per person.
    """
    n = len(next(iter(keys.values())))
    out = np.empty(n, dtype=object)
    groups = table.group_by(list(keys), maintain_order=True).agg("name", "weight")
    for row in groups.iter_rows(named=True):
        mask = np.ones(n, dtype=bool)
        for key, arr in keys.items():
            mask &= arr == row[key]
        if mask.any():
            names = pl.Series(row["name"])
            out[mask] = weighted_choice(
                rng, names, pl.Series(row["weight"]), mask.sum()
            )
    return out
