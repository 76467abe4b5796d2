"""Realistic noisy search queries drawn from the generator's truth, and the answers.

Each query starts from a true person known to at least one service and is
spoilt the way a front-door referral is. The mix (each draw independent):

===========================================  ======================================
what the worker has                          chance
===========================================  ======================================
date of birth                                0.5 (of those, 0.15 day/month swapped)
postcode (the person's current one)          0.4, with or without a date of birth
approximate age range (no date of birth)     0.4 of queries without a date of birth
first name misspelt (one keyboard slip)      0.2
family name misspelt (one keyboard slip)     0.2
short form of the first name ('Bob')         0.15, from the generator's nickname list
another spelling ('Mohamed', 'Thomson')      0.1 per name, from the generator's list
accents typed plain ('Padraig')              0.7 when the name has any
one part of a two-part family name           0.3 when there are two parts
"SMITH, John" typed in one box               0.25
family name typed in the first-name box      0.03
===========================================  ======================================

so about 18% of queries are a name alone. The short forms and spellings come
from the generator's own lists (``synthetic/data``), not from the
tables search uses, so a name search does not know them by construction. The
referral's postcode and name are the true person's current ones, which the
services may not have caught up with (a move, a marriage): those misses are
real.

A query is *ambiguous* when another true person known to a service could be
called by the name the referral gives (before the worker's keyboard slips) and
agrees with everything else the query gives (same date of birth; same current
or previous postcode; age inside the range): no search can tell them apart, so
the bench reports those queries separately, with how many fit (``fits``, the
person meant included). "Could be called" uses the same
generator lists as the spoiling: the person's own name, its short forms and
other spellings, and each part of a two-part family name. So a referral's
"Megan Wright" fits a Megan Wright as well as the Megan Wright-Hall meant, and
"Emeka Babatunde" fits a Chukwuemeka Babatunde known as Emeka.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl

from lookup.names import first_key, last_key
from lookup.text import age_on
from synthetic.bank import load_bank

P_DOB = 0.5
P_SWAPPED_DOB = 0.15
P_POSTCODE = 0.4
P_AGE_RANGE = 0.4
P_FIRST_TYPO = 0.2
P_LAST_TYPO = 0.2
P_NICKNAME = 0.15
P_VARIANT = 0.1
P_NO_ACCENTS = 0.7
P_ONE_PART = 0.3
P_SURNAME_FIRST = 0.25
P_BOXES_SWAPPED = 0.03

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
    ambiguous: bool = False  # another true person could be meant by all given
    fits: int = 1  # true people (the one meant included) who fit all given
    said: tuple[str, str] = ("", "")  # the referral's name, before keyboard slips


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


def plain(text: str) -> str:
    """Accents typed plain, as on an English keyboard ('Pádraig' -> 'Padraig')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _swap_day_month(dob: date) -> date | None:
    if dob.day > 12 or dob.day == dob.month:
        return None
    return dob.replace(month=dob.day, day=dob.month)


def _one_part(last: str, rng: random.Random) -> str:
    parts = last.replace("-", " ").split()
    return rng.choice(parts) if len(parts) > 1 else last


def _referral_name(
    first: str, last: str, tables: tuple[dict, dict], rng: random.Random
) -> tuple[str, str, list[str]]:
    """The name as the referral gives it: a short form, another spelling, one
    part of a two-part family name, accents dropped."""
    nicknames, variants = tables
    noise: list[str] = []
    if nicknames.get(first) and rng.random() < P_NICKNAME:
        first, noise = rng.choice(nicknames[first]), [*noise, "nickname"]
    elif variants.get(first) and rng.random() < P_VARIANT:
        first, noise = rng.choice(variants[first]), [*noise, "first spelling"]
    if variants.get(last) and rng.random() < P_VARIANT:
        last, noise = rng.choice(variants[last]), [*noise, "last spelling"]
    if len(last.replace("-", " ").split()) > 1 and rng.random() < P_ONE_PART:
        last, noise = _one_part(last, rng), [*noise, "one surname part"]
    if plain(first + last) != first + last and rng.random() < P_NO_ACCENTS:
        first, last = plain(first), plain(last)
    return first, last, noise


def _slips(first: str, last: str, rng: random.Random) -> tuple[str, str, list[str]]:
    """The worker's keyboard slips in each box."""
    noise: list[str] = []
    if rng.random() < P_FIRST_TYPO:
        first, noise = typo(first, rng), [*noise, "first typo"]
    if rng.random() < P_LAST_TYPO:
        last, noise = typo(last, rng), [*noise, "last typo"]
    return first, last, noise


def _details(person: dict, today: date, rng: random.Random) -> tuple[dict, list]:
    """Date of birth, postcode and age range the referral gives, if any."""
    dob: date | None = person["dob"]
    given: dict = {"dob": None}
    noise: list[str] = []
    if dob is not None and rng.random() < P_DOB:
        given["dob"] = dob
        if rng.random() < P_SWAPPED_DOB and _swap_day_month(dob):
            given["dob"], noise = _swap_day_month(dob), ["swapped dob"]
    else:
        noise = ["no dob"]
        if dob is not None and rng.random() < P_AGE_RANGE:
            age = age_on(dob, today) or 0
            low = max(0, age - rng.randint(0, 3))
            given |= {"age_min": low, "age_max": low + rng.randint(3, 6)}
            noise.append("with age range")
    if person["postcode"] and rng.random() < P_POSTCODE:
        typed = person["postcode"] if rng.random() < 0.5 else person["postcode"].lower()
        given["postcode"] = typed.replace(" ", "" if rng.random() < 0.3 else " ")
        noise.append("with postcode")
    return given, noise


def spoil(
    person: dict, tables: tuple[dict, dict], rng: random.Random, today: date
) -> NoisyQuery:
    """One noisy query for one true person."""
    said = _referral_name(person["first_name"], person["last_name"], tables, rng)
    first, last, slips = _slips(said[0], said[1], rng)
    noise = [*said[2], *slips]
    given, more = _details(person, today, rng)
    noise += more
    if rng.random() < P_SURNAME_FIRST:
        first, last = "", f"{last.upper()}, {first}"
        noise.append("surname first")
    elif rng.random() < P_BOXES_SWAPPED:
        first, last = last, first
        noise.append("boxes swapped")
    return NoisyQuery(
        person["person_id"],
        first,
        last,
        noise=tuple(noise),
        said=said[:2],
        **given,
    )


def name_tables() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(formal name -> short forms, name -> other spellings): the generator's."""
    bank = load_bank()
    return bank.nicknames, bank.variants


def _truth_people(truth_dir: Path) -> pl.DataFrame:
    known = pl.read_csv(truth_dir / "records.csv", columns=["person_id"]).unique()
    cols = ["person_id", "first_name", "last_name", "dob", "postcode",
            "previous_postcode"]  # fmt: skip
    return (
        pl.read_csv(
            truth_dir / "people.csv", columns=cols, schema_overrides={"dob": pl.Date}
        )
        .join(known, on="person_id")
        .sort("person_id")
    )


def _forms(col: str, *tables: dict[str, list[str]]) -> pl.Expr:
    """The name in ``col`` and every other form of it in ``tables``."""
    others = [
        pl.col(col)
        .replace_strict(table, default=None, return_dtype=pl.List(pl.Utf8))
        .fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))
        for table in tables
    ]
    return pl.concat_list(pl.col(col), *others)


def name_forms(people: pl.DataFrame, tables: tuple[dict, dict]) -> pl.DataFrame:
    """(person_id, fk, lk): each standardised name a person could be called by:
    short forms and other spellings of the given name, other spellings of the
    family name, and each part of a two-part family name."""
    nicknames, variants = tables
    forms = (
        people.select(
            "person_id",
            _forms("first_name", nicknames, variants).alias("f"),
            _forms("last_name", variants).alias("l"),
        )
        .explode("f")
        .explode("l")
        .with_columns(
            first_key(pl.col("f")).alias("fk"),
            pl.col("l").str.replace_all("-", " ").str.split(" ").alias("parts"),
            last_key(pl.col("l")).alias("lk"),
        )
    )
    parts = (
        forms.filter(pl.col("parts").list.len() > 1)
        .explode("parts")
        .select("person_id", "fk", last_key(pl.col("parts")).alias("lk"))
    )
    return pl.concat([forms.select("person_id", "fk", "lk"), parts]).unique()


def _compact(postcode: str | None) -> str:
    return (postcode or "").replace(" ", "").upper()


def _fits(other: dict, q: NoisyQuery, true_dob: date | None, today: date) -> bool:
    """Does ``other`` agree with everything the query gives besides the name?"""
    if q.dob is not None and other["dob"] != true_dob:
        return False
    if q.postcode and _compact(q.postcode) not in {
        _compact(other["postcode"]),
        _compact(other["previous_postcode"]),
    }:
        return False
    if q.age_min is not None:
        age = age_on(other["dob"], today)
        return age is None or q.age_min <= age <= (q.age_max or 200)
    return True


def draw_queries(truth_dir: Path, n: int, seed: int, today: date) -> list[NoisyQuery]:
    """``n`` noisy queries for people known to at least one service, each marked
    ambiguous when another true person could be called by the referral's name
    and fits the rest."""
    people = _truth_people(truth_dir)
    rng = random.Random(seed)
    picks = rng.sample(range(people.height), min(n, people.height))
    tables = name_tables()
    chosen = [people.row(i, named=True) for i in picks]
    queries = [spoil(p, tables, rng, today) for p in chosen]
    said = pl.DataFrame(
        {
            "q": range(len(queries)),
            "fk": [q.said[0] for q in queries],
            "lk": [q.said[1] for q in queries],
        }
    ).with_columns(first_key(pl.col("fk")), last_key(pl.col("lk")))
    forms = name_forms(people, tables).join(said.drop("q").unique(), on=["fk", "lk"])
    by_query = (
        said.join(forms, on=["fk", "lk"])
        .join(people, on="person_id")
        .partition_by("q", as_dict=True)
    )
    out = []
    for i, (person, q) in enumerate(zip(chosen, queries, strict=True)):
        group = by_query.get((i,))
        others = [] if group is None else group.unique("person_id").to_dicts()
        fits = sum(
            o["person_id"] != person["person_id"] and _fits(o, q, person["dob"], today)
            for o in others
        )
        out.append(replace(q, ambiguous=True, fits=fits + 1) if fits else q)
    return out


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
