"""The synthetic population: people in households, with names, addresses and ids.

``build_world`` is deterministic for a seed: every component draws from its own
generator derived from (seed, component name), so adding a source or a column to
one extract never changes the people or the other extracts.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from synthetic.bank import NameBank, load_bank
from synthetic.households import build_households
from synthetic.ids import nhs_numbers
from synthetic.naming import name_people
from synthetic.people import build_people
from synthetic.places import place_households
from synthetic.schools import assign_schools, build_schools

#: "Today" in the synthetic world unless ``generate`` is given another
#: (``as_of``); every extract is taken shortly before it.
REF_DATE = date(2025, 3, 31)


def component_rng(seed: int, name: str) -> np.random.Generator:
    """A generator for one named component of one seeded run."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


@dataclass(frozen=True)
class World:
    """Everyone in the borough and their homes, as truth for every extract."""

    seed: int
    ref: date
    bank: NameBank
    people: pl.DataFrame  # one row per person (pid), see ``build_world``
    homes: pl.DataFrame  # one row per household (hid) with address parts
    schools: pl.DataFrame
    noise: str = "normal"  # noise profile of the extracts (``noise.PROFILES``)

    def rng(self, name: str) -> np.random.Generator:
        """The generator of component ``name``."""
        return component_rng(self.seed, name)


def build_world(n_people: int, seed: int, ref: date = REF_DATE) -> World:
    """Build ``n_people`` people in households with everything extracts need."""
    bank = load_bank()
    homes = build_households(component_rng(seed, "households"), bank, n_people)
    people = build_people(component_rng(seed, "people"), homes, n_people, ref)
    homes = homes.filter(pl.col("hid").is_in(people["hid"].unique().implode()))
    homes = place_households(component_rng(seed, "places"), bank, homes, ref)
    people = name_people(component_rng(seed, "names"), bank, people, ref)
    rng = component_rng(seed, "ids")
    has_nhs = rng.random(people.height) < 0.97
    people = people.with_columns(nhs=nhs_numbers(rng, has_nhs))
    cohort = max(1, int(people.height * 0.012))
    schools = build_schools(component_rng(seed, "schools"), bank.stems, cohort)
    people = assign_schools(component_rng(seed, "pupils"), people, schools, ref)
    return World(seed, ref, bank, people, homes, schools)
