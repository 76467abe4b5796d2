"""Realistic noisy search queries drawn from the generator's truth, and the answers.

Each query starts from a true person known to at least one service and is
spoilt the way front-door referrals are: typos, nicknames, no date of birth,
day and month swapped, "SMITH, John" typed surname-first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from lookup.names import default_nicknames
from lookup.text import age_on

#: Chance of each kind of noise in one query (independently).
P_FIRST_TYPO = 0.25
P_LAST_TYPO = 0.25
P_NICKNAME = 0.2
P_NO_DOB = 0.4
P_SWAPPED_DOB = 0.15
P_SURNAME_FIRST = 0.3
#: Without a date of birth, a referral usually still gives an address …
P_POSTCODE = 0.7
#: … or else roughly how old the person is.
P_AGE_RANGE = 0.5

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class NoisyQuery:
    """What a worker typed, and which true person they meant."""

    truth_id: str
    first: str
    last: str
    dob: date | None
    noise: tuple[str, ...]
    postcode: str = ""
    age_min: int | None = None
    age_max: int | None = None


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip after the first letter: swap, drop, change or add."""
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "change", "add"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "change":
        return word[:i] + rng.choice(_LETTERS) + word[i + 1 :]
    return word[:i] + rng.choice(_LETTERS) + word[i:]


def nickname_map() -> dict[str, list[str]]:
    """name -> other names in the same nickname group ('robert' -> 'bob', ...)."""
    table = default_nicknames()
    groups = table.group_by("canonical").agg(pl.col("name"))
    out: dict[str, list[str]] = {}
    for canon, names in groups.iter_rows():
        members = sorted({canon, *names})
        for name in members:
            out.setdefault(name, []).extend(m for m in members if m != name)
    return out


def _swap_day_month(dob: date) -> date | None:
    if dob.day > 12 or dob.day == dob.month:
        return None
    return dob.replace(month=dob.day, day=dob.month)


def _instead_of_dob(person: dict, today: date, rng: random.Random) -> dict:
    """What a referral without a date of birth gives instead: a postcode, an
    approximate age, or nothing."""
    if person["postcode"] and rng.random() < P_POSTCODE:
        typed = person["postcode"] if rng.random() < 0.5 else person["postcode"].lower()
        return {"postcode": typed.replace(" ", "" if rng.random() < 0.3 else " ")}
    if person["dob"] and rng.random() < P_AGE_RANGE:
        age = age_on(person["dob"], today) or 0
        low = max(0, age - rng.randint(0, 3))
        return {"age_min": low, "age_max": low + rng.randint(3, 6)}
    return {}


def spoil(
    person: dict, nicks: dict[str, list[str]], rng: random.Random, today: date
) -> NoisyQuery:
    """One noisy query for one true person."""
    first, last = person["first_name"], person["last_name"]
    dob: date | None = person["dob"]
    noise: list[str] = []
    options = nicks.get(first.lower(), [])
    if options and rng.random() < P_NICKNAME:
        first, noise = rng.choice(options).title(), [*noise, "nickname"]
    if rng.random() < P_FIRST_TYPO:
        first, noise = typo(first, rng), [*noise, "first typo"]
    if rng.random() < P_LAST_TYPO:
        last, noise = typo(last, rng), [*noise, "last typo"]
    extra: dict = {}
    if dob is None or rng.random() < P_NO_DOB:
        dob, extra = None, _instead_of_dob(person, today, rng)
        noise = [*noise, "no dob", *(f"with {k}" for k in extra if k != "age_max")]
    elif rng.random() < P_SWAPPED_DOB and _swap_day_month(dob):
        dob, noise = _swap_day_month(dob), [*noise, "swapped dob"]
    if rng.random() < P_SURNAME_FIRST:
        first, last = "", f"{last.upper()}, {first}"
        noise = [*noise, "surname first"]
    return NoisyQuery(person["person_id"], first, last, dob, tuple(noise), **extra)


def draw_queries(truth_dir: Path, n: int, seed: int, today: date) -> list[NoisyQuery]:
    """``n`` noisy queries for people known to at least one service."""
    known = pl.read_csv(truth_dir / "records.csv", columns=["person_id"]).unique()
    people = (
        pl.read_csv(
            truth_dir / "people.csv",
            columns=["person_id", "first_name", "last_name", "dob", "postcode"],
            schema_overrides={"dob": pl.Date},
        )
        .join(known, on="person_id")
        .sort("person_id")
    )
    rng = random.Random(seed)
    picks = rng.sample(range(people.height), min(n, people.height))
    nicks = nickname_map()
    return [spoil(people.row(i, named=True), nicks, rng, today) for i in picks]


def true_people(truth_dir: Path, records: pl.DataFrame) -> dict[str, set[str]]:
    """True person -> the index people holding any of their records."""
    truth = pl.read_csv(
        truth_dir / "records.csv",
        columns=["source", "record_id", "person_id"],
        schema_overrides={"record_id": pl.Utf8},
    ).rename({"person_id": "truth_id"})
    joined = truth.join(
        records.select("source", "record_id", "person_id").cast(pl.Utf8),
        on=["source", "record_id"],
    )
    grouped = joined.group_by("truth_id").agg(pl.col("person_id").unique())
    return {t: set(p) for t, p in grouped.iter_rows()}
