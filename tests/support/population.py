"""Seeded synthetic records for linkage tests. Families share a surname and an
address; children are often twins; records are spread over sources with the
errors real extracts have (nicknames, typos, day and month swapped, moves,
missing values). All names are synthetic."""

from __future__ import annotations

import math
import random
from datetime import date
from typing import Any

import polars as pl

from sources.records import STANDARD_SCHEMA

FEMALE = (
    "Amelia Olivia Isla Ava Emily Sophia Grace Lily Freya Ella Evie Chloe Poppy "
    "Jessica Sophie Ruby Charlotte Elizabeth Karen Sarah Rebecca Margaret Susan "
    "Catherine Victoria Samantha Aisha Fatima Zainab Mariam Priya Anjali Aaliyah "
    "Hannah Megan Lauren Holly Jasmine Leah Zoe Nicola Patricia Deborah Jennifer"
).split()
MALE = (
    "Oliver Jack Harry George Noah Charlie Jacob Thomas Oscar William James Robert "
    "Michael David Daniel Joseph Samuel Benjamin Alexander Mohammed Muhammad Ali "
    "Ibrahim Yusuf Omar Arjun Rohan Kieran Connor Callum Ryan Liam Dylan Ethan "
    "Nathan Christopher Anthony Richard Stephen Matthew Andrew Edward Peter Jonathan"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
    "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan "
    "Hussain Ahmed Ali Begum Singh Kaur Shah Lewis Harris Martin Cooper Hill Ward "
    "Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips "
    "Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter "
    "Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall "
    "Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills "
    "Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon "
    "O'Brien Nowak Kowalski Okafor Adeyemi Mensah Nguyen Fernandes Rossi Schmidt"
).split()
NICKNAMES = {
    "Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Karen": "Kaz",
    "Mohammed": "Mo", "Muhammad": "Mohammed", "Margaret": "Maggie",
    "Catherine": "Kate", "Samuel": "Sam", "Samantha": "Sam", "Michael": "Mike",
    "Daniel": "Danny", "Joseph": "Joe", "Benjamin": "Ben", "Alexander": "Alex",
    "Christopher": "Chris", "Anthony": "Tony", "Richard": "Rick", "Thomas": "Tom",
    "James": "Jim", "Rebecca": "Becky", "Jennifer": "Jenny", "Susan": "Sue",
    "Victoria": "Vicky", "Matthew": "Matt", "Andrew": "Andy", "Edward": "Ed",
    "Peter": "Pete", "Jonathan": "Jon", "Stephen": "Steve", "Nathan": "Nat",
    "Patricia": "Pat", "Deborah": "Debbie", "Nicola": "Nicky", "Charlotte": "Lottie",
}  # fmt: skip
TWIN_NAMES = (
    ("Oliver", "Olivia"), ("Daniel", "Danielle"), ("Louis", "Louise"),
    ("Ella", "Ellie"), ("Jack", "Jake"), ("Amelia", "Amelie"), ("Harry", "Harvey"),
)  # fmt: skip
TWIN_SEX = {"Oliver": "M", "Olivia": "F", "Daniel": "M", "Danielle": "F", "Louis": "M",
            "Louise": "F", "Ella": "F", "Ellie": "F", "Jack": "M", "Jake": "M",
            "Amelia": "F", "Amelie": "F", "Harry": "M", "Harvey": "M"}  # fmt: skip
STREETS = (
    "High Street Church Road Station Road Park Avenue Victoria Road Green Lane "
    "Manor Road Mill Lane Queens Road Kings Road New Street School Lane"
).split()
SOURCES = ("police", "health", "school", "housing", "csc")
EXTRACT = date(2026, 11, 1)


def records_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A STANDARD_SCHEMA frame from partial rows (missing fields are null)."""
    full = []
    for i, row in enumerate(rows):
        base = dict.fromkeys(STANDARD_SCHEMA)
        base.update(source="test", record_id=f"r{i}", row_number=i + 1)
        base.update(row)
        full.append(base)
    return pl.DataFrame(full, schema=STANDARD_SCHEMA, orient="row")


def _nhs(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _address(rng: random.Random) -> tuple[str, str]:
    street = " ".join(rng.sample(STREETS, 2))
    outward = f"SK{rng.randint(1, 16)}"
    inward = f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTUWXYZ')}"
    return f"{rng.randint(1, 120)} {street}, Demo Town", f"{outward} {inward}"


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randint(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _digit_slip(rng: random.Random, dob: date) -> date:
    """One digit of the year's last digit or of the day mistyped."""
    if rng.random() < 0.5:
        return dob.replace(year=dob.year - dob.year % 10 + (dob.year + 1) % 10)
    units = rng.choice([d for d in range(1, 9) if d != dob.day % 10])
    return dob.replace(day=dob.day - dob.day % 10 + units)


def _family(rng: random.Random, fid: int) -> list[dict[str, Any]]:
    surname = rng.choice(SURNAMES)
    address, postcode = _address(rng)
    adults = [("F", 1970 + rng.randint(0, 25))]
    if rng.random() < 0.6:
        adults.append(("M", 1968 + rng.randint(0, 25)))
    people = [
        {"sex": sex, "dob": _day(rng, year), "role": "Parent"} for sex, year in adults
    ]
    n_kids = rng.choice((0, 1, 2, 2, 3, 4))
    twins = n_kids >= 2 and rng.random() < 0.3
    for k in range(n_kids):
        dob = _day(rng, 2008 + rng.randint(0, 16))
        if twins and k == 1:
            dob = people[-1]["dob"]
        people.append({"sex": rng.choice("FM"), "dob": dob, "role": "Child"})
    _name(rng, people, twins)
    for i, p in enumerate(people):
        p.update(last=surname, address=address, postcode=postcode, nhs=_nhs(rng),
                 person_id=f"p{fid}-{i}", family_id=f"f{fid}")  # fmt: skip
    return people


def _name(rng: random.Random, people: list[dict], twins: bool) -> None:
    """Distinct first names; some twins get look-alike names, some sons the father's."""
    used: set[str] = set()
    for p in people:
        pool = [n for n in (FEMALE if p["sex"] == "F" else MALE) if n not in used]
        p["first"] = rng.choice(pool)
        used.add(p["first"])
    kids = [p for p in people if p["role"] == "Child"]
    if twins and rng.random() < 0.5:
        pair = rng.choice(TWIN_NAMES)
        for kid, name in zip(kids[:2], pair, strict=True):
            kid["first"], kid["sex"] = name, TWIN_SEX.get(name, kid["sex"])
    fathers = [p for p in people if p["role"] == "Parent" and p["sex"] == "M"]
    sons = [p for p in kids if p["sex"] == "M" and p["first"] not in TWIN_SEX]
    if fathers and sons and rng.random() < 0.3:
        sons[-1]["first"] = fathers[0]["first"]


def _day(rng: random.Random, year: int) -> date:
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _noisy(rng: random.Random, p: dict[str, Any], source: str, n: int) -> dict:
    first, last, dob = p["first"], p["last"], p["dob"]
    address, postcode = p["address"], p["postcode"]
    roll = rng.random()
    if roll < 0.12 and first in NICKNAMES:
        first = NICKNAMES[first]
    elif roll < 0.16:
        first = _typo(rng, first)
    if rng.random() < 0.04:
        last = _typo(rng, last)
    roll = rng.random()
    if roll < 0.05 and dob.day <= 12 and dob.day != dob.month:
        dob = date(dob.year, dob.day, dob.month)
    elif roll < 0.08:
        dob = _digit_slip(rng, dob)
    elif roll < 0.1:
        dob = None
    if rng.random() < 0.2:
        address, postcode = _address(rng)
    if rng.random() < 0.1:
        first, last = first.upper(), last.upper()
    return {
        "source": source, "record_id": f"{source}-{n}", "first_name": first,
        "last_name": last, "dob": dob, "sex": p["sex"] if rng.random() > 0.05 else None,
        "nhs_number": p["nhs"] if source == "health" else None,
        "case_number": f"{source[0].upper()}{p['person_id']}",
        "address": address, "postcode": postcode,
        "family_ref": f"csc:{p['family_id']}" if source == "csc" else None,
        "household_ref": f"housing:{p['family_id']}" if source == "housing" else None,
        "relationship": p["role"], "extract_date": EXTRACT,
    }  # fmt: skip


def make_population(
    n_families: int, seed: int = 1
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Standard records and truth: source, record_id, person_id, family_id and
    household_id (the same here), as the sources generator writes."""
    rng = random.Random(seed)
    rows, truth = [], []
    for fid in range(n_families):
        for p in _family(rng, fid):
            for source in rng.sample(SOURCES, rng.randint(1, 4)):
                for _ in range(rng.choice((1, 1, 1, 2))):
                    row = _noisy(rng, p, source, len(rows))
                    rows.append(row)
                    truth.append((row["source"], row["record_id"], p["person_id"],
                                  p["family_id"], p["family_id"]))  # fmt: skip
    records = records_frame(rows).with_columns(
        pl.int_range(1, pl.len() + 1).cast(pl.Int64).alias("row_number")
    )
    schema = ["source", "record_id", "person_id", "family_id", "household_id"]
    return records, pl.DataFrame(truth, schema=schema, orient="row")


def scored_pairs(pairs: list[tuple[int, int, float]]) -> pl.DataFrame:
    """Scored pairs (l, r, probability) as the clusterer takes them."""
    return pl.DataFrame(
        {
            "l": [a for a, _, _ in pairs],
            "r": [b for _, b, _ in pairs],
            "probability": [p for _, _, p in pairs],
            "weight": [math.log2(p / (1 - p)) for _, _, p in pairs],
            "eligible": [True] * len(pairs),
        },
        schema_overrides={"l": pl.UInt32, "r": pl.UInt32},
    )
