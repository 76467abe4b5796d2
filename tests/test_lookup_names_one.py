"""The plain-Python name rules a request uses on a handful of people give what
the frame rules give (linkage's ``clean_name``, lookup's ``name_variants``), on
names made to be awkward: accents, marks, apostrophes, digits, hyphens, odd
white space, missing parts."""

from __future__ import annotations

import random

import polars as pl

from linkage.names import clean_name, clean_name_one
from lookup.names import default_nicknames, name_variants, variant_names

#: Pieces names are made of here, the awkward ones often.
PIECES = [
    "ann", "Smith", "O'Neil", "JONES", "Zoë", "Łukasz", "Jürgen", "Ærø", "ß",
    "e\u0301", "\u0301", "-", "–", " ", "  ", "\t", "\n", "\xa0", "\u2003",
    "\x1c", "’", "`", "3", "42", "Mary-Jane", "van der", "İ", "ﬁ", "Σ", "σς",
    ".", "(", "de la", "Nguyễn", "李", "x",
]  # fmt: skip


def _name(rng: random.Random) -> str | None:
    if rng.random() < 0.08:
        return None
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5)))


def _names(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    return [_name(rng) for _ in range(n)]


def test_clean_name_one_is_clean_name() -> None:
    names = _names(4000, 1)
    frame = pl.DataFrame({"n": names}, schema={"n": pl.Utf8})
    expected = frame.select(clean_name(pl.col("n")))["n"].to_list()
    assert [clean_name_one(n) for n in names] == expected


def _people(n: int, seed: int) -> dict[str, dict]:
    rng = random.Random(seed)
    people = {}
    for i in range(n):
        others = [_name(rng) for _ in range(rng.randint(0, 3))]
        others += [f"{_name(rng) or ''}{rng.choice(PIECES)}{_name(rng) or ''}"]
        kept = others if rng.random() < 0.7 else None
        people[f"p{i}"] = {"first_name": _name(rng), "last_name": _name(rng),
                           "other_names": kept}  # fmt: skip
    return people


def test_variant_names_are_the_rows_name_variants_makes() -> None:
    people = _people(1500, 2)
    frame = pl.DataFrame(
        [(pid, p["first_name"], p["last_name"], list(p["other_names"] or []))
         for pid, p in people.items()],
        schema={"person_id": pl.Utf8, "first_name": pl.Utf8, "last_name": pl.Utf8,
                "other_names": pl.List(pl.Utf8)}, orient="row",
    )  # fmt: skip
    rows = name_variants(frame, default_nicknames())
    expected: dict[str, set] = {pid: set() for pid in people}
    own: dict[str, set] = {pid: set() for pid in people}
    for pid, first, last, other in rows.select(
        "person_id", "first", "last", "other"
    ).iter_rows():
        expected[pid].add((first, last))
        if not other:
            own[pid].add(last)
    made = {pid: variant_names(p["first_name"], p["last_name"], p["other_names"])
            for pid, p in people.items()}  # fmt: skip
    assert {pid: {(f, la) for f, la, _ in r} for pid, r in made.items()} == expected
    assert {pid: {la for _, la, o in r if not o} for pid, r in made.items()} == own
    assert sum(map(len, expected.values())) > 1500  # most people have names
