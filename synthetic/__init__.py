"""Synthetic population and agency extracts for demos, tests and evaluation.

``generate`` builds a seeded population of households (``world``), has each
service's builder draw its extract from it, writes the files, the truth and a
working ``config.toml``. The same seed (and ``as_of``) always gives the same
bytes. ``as_of`` moves the population's reference date: every date moves with
it, so people are as old on ``as_of`` as they are on ``REF_DATE`` by default.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl

from synthetic import (
    adult_social_care,
    camhs,
    csc,
    early_help,
    health_visiting,
    housing,
    police,
    school,
    substance_misuse,
    youth_justice,
)
from synthetic.noise import PROFILES
from synthetic.spec import config_toml
from synthetic.truth import write_truth
from synthetic.world import REF_DATE, World, build_world
from synthetic.writer import Extract, write_extract

#: One builder per source, in the order the config lists them.
BUILDERS: tuple[Callable[[World], Extract], ...] = (
    csc.build,
    early_help.build,
    school.build,
    police.build,
    health_visiting.build,
    camhs.build,
    housing.build,
    adult_social_care.build,
    youth_justice.build,
    substance_misuse.build,
)


@dataclass(frozen=True)
class GeneratedFile:
    """One file written: where, in which format, how many data rows."""

    path: str
    format: str
    rows: int


@dataclass(frozen=True)
class GenerateSummary:
    """What a run produced (counts only, no personal data)."""

    people: int
    households: int
    records: int
    as_of: date  # the population's reference date
    files: tuple[GeneratedFile, ...]
    seconds: float


def _progress(items: tuple, enabled: bool) -> Iterable:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="extracts", unit="source", leave=False, disable=None)


def generate(
    people: int,
    seed: int,
    out: Path,
    progress: bool = False,
    as_of: date | None = None,
    ssd_flavour: str = "systemc",
    noise: str = "normal",
) -> GenerateSummary:
    """Write a synthetic population's extracts, truth and config.toml to ``out``,
    as at ``as_of`` (default ``REF_DATE``); children's social care as the SSD
    tables ``ssd_flavour``'s published script fills (systemc, eclipse, mosaic);
    with the errors of the ``noise`` profile ("normal", or "harsh":
    ``synthetic.noise.profiled``)."""
    if noise not in PROFILES:
        raise ValueError(f"unknown noise profile {noise!r}; use one of {PROFILES}")
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    world = replace(build_world(people, seed, as_of or REF_DATE), noise=noise)
    builders = tuple(
        partial(b, flavour=ssd_flavour) if b is csc.build else b for b in BUILDERS
    )
    files, truths, junks, specs, extra = [], [], [], [], {}
    for builder in _progress(builders, progress):
        extract = builder(world)
        for rel, rows in write_extract(extract, out, world.ref).items():
            files.append(GeneratedFile(rel, extract.spec.format, rows))
        truths.append(extract.truth)
        junks.append(extract.junk_rows)
        specs.append(extract.spec)
        extra |= extract.extra_truth
    records = pl.concat(truths)
    write_truth(world, records, pl.concat(junks), out)
    for name, frame in extra.items():
        frame.write_csv(out / "truth" / f"{name}.csv")
    config = config_toml(specs, people, seed, as_of)
    (out / "config.toml").write_text(config, encoding="utf-8")
    return GenerateSummary(
        people=world.people.height,
        households=world.homes.height,
        records=records.height,
        as_of=world.ref,
        files=tuple(files),
        seconds=time.perf_counter() - started,
    )
