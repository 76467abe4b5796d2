"""Find the people a worker means: ranked, scored, capped; never a population browse.

Names are scored with vectorised rapidfuzz calls over the standardised name
variants of every person (other names included), after a cheap cut on the
family name; identifiers are looked up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from lookup.index import LinkedIndex
from lookup.names import standardise_one
from lookup.query import ID_LABELS, SearchQuery
from lookup.scoring import dob_score, first_name_score
from lookup.text import age_expr

#: Family-name similarity a variant needs before it is scored at all.
LAST_CUTOFF = 0.78
#: Given-name similarity below which a variant is not a candidate.
FIRST_CUTOFF = 0.7
#: Factor on a family name matched on one part of a two-part name.
PART = 0.95
#: Factor on a name matched with given and family names the other way round.
SWAPPED = 0.93
#: Lowest score listed.
MIN_SCORE = 0.55
#: Without a date of birth no name alone is a strong match.
NO_DOB_FACTOR = 0.85


@dataclass(frozen=True)
class Candidate:
    """One person in a results list, with what a worker needs to tell them apart."""

    person_id: str
    score: float
    confidence: str
    first_name: str | None
    last_name: str | None
    dob: date | None
    age: int | None
    address: str | None
    postcode: str | None
    nhs_number: str | None
    upn: str | None
    case_numbers: tuple[str, ...]
    n_services: int
    possible_match: bool
    matched_on: str


def confidence_word(score: float) -> str:
    """The plain word shown next to a score."""
    if score >= 0.9:
        return "Strong match"
    if score >= 0.75:
        return "Likely match"
    return "Possible match"


def _similar(query: str, choices: pl.Series) -> pl.Series:
    """Jaro-Winkler similarity (0-1) of ``query`` to every choice, in one call."""
    if choices.len() == 0:
        return pl.Series(values=[], dtype=pl.Float64())
    scores = process.cdist([query], choices.to_list(), scorer=JaroWinkler.similarity)
    return pl.Series(scores[0], dtype=pl.Float64())


def _close(query: str, column: pl.Series) -> pl.DataFrame:
    """Distinct values of ``column`` close enough to ``query``, with similarity."""
    values = column.unique()
    frame = pl.DataFrame({"value": values, "sim": _similar(query, values)})
    return frame.filter(pl.col("sim") >= LAST_CUTOFF)


def _name_scores(index: LinkedIndex, first: str, last: str) -> pl.DataFrame:
    """Best name score per person: family name first, then given name."""
    q_first, q_last, q_canons = standardise_one(first, last, index.nicknames)
    names = index.names
    straight = (
        names.join(_close(q_last, names["last"]), left_on="last", right_on="value")
        .with_columns(pl.when("part").then(pl.col("sim") * PART).otherwise("sim"))
        .rename({"sim": "last_sim"})
    )
    swapped = (
        names.join(_close(q_last, names["first"]), left_on="first", right_on="value")
        .rename({"sim": "last_sim", "first": "last", "last": "first"})
        .with_columns(pl.col("last_sim") * SWAPPED)
        .select(straight.columns)
    )
    pairs = pl.concat([straight, swapped])
    first_sim = _similar(q_first, pairs["first"])
    scored = pairs.with_columns(first_sim.alias("jw")).with_columns(
        first_name_score(q_first, q_canons).alias("first_sim")
    )
    return (
        scored.filter(pl.col("first_sim") >= FIRST_CUTOFF)
        .with_columns(
            (0.55 * pl.col("last_sim") + 0.45 * pl.col("first_sim")).alias("name")
        )
        .group_by("person_id")
        .agg(pl.col("name").max())
    )


def _by_name(index: LinkedIndex, query: SearchQuery) -> pl.DataFrame:
    names = _name_scores(index, query.first, query.last)
    people = index.people.join(names, on="person_id")
    if query.dob is None:
        score = pl.col("name") * NO_DOB_FACTOR
        matched = pl.lit("name")
    else:
        dob = dob_score(query.dob)
        score = 0.6 * pl.col("name") + 0.4 * dob
        matched = (
            pl.when(dob >= 0.99)
            .then(pl.lit("name and date of birth"))
            .when(dob >= 0.7)
            .then(pl.lit("name; date of birth with day and month swapped"))
            .otherwise(pl.lit("name"))
        )
    return people.with_columns(
        score.clip(0, 1).alias("score"), matched.alias("matched_on")
    ).filter(pl.col("score") >= MIN_SCORE)


def _by_identifier(index: LinkedIndex, query: SearchQuery) -> pl.DataFrame:
    people = index.people
    if query.id_kind == "case_number":
        found = (
            pl.col("case_numbers")
            .list.eval(
                pl.element()
                .str.replace(r"^[^:]*:", "")
                .str.replace_all(r"[\s\-/.:_]", "")
                .str.to_uppercase()
            )
            .list.contains(query.identifier)
        )
    else:
        found = pl.col(query.id_kind or "nhs_number") == query.identifier
    return people.filter(found).with_columns(
        pl.lit(1.0).alias("score"),
        pl.lit(ID_LABELS[query.id_kind or "nhs_number"]).alias("matched_on"),
    )


def search(
    index: LinkedIndex, query: SearchQuery, today: date, limit: int
) -> list[Candidate]:
    """People matching ``query``, best first, at most ``limit`` of them."""
    found = (
        _by_identifier(index, query) if query.by_identifier else _by_name(index, query)
    )
    flagged = pl.concat(
        [index.possible_matches["person_a"], index.possible_matches["person_b"]]
    )
    top = (
        found.sort(
            ["score", "n_sources", "last_name", "first_name", "person_id"],
            descending=[True, True, False, False, False],
            nulls_last=True,
        )
        .head(limit)
        .with_columns(
            age_expr(pl.col("dob"), today).alias("age"),
            pl.col("person_id").is_in(flagged.implode()).alias("possible_match"),
        )
    )
    services = dict(index.source_loads.select("source", "service").iter_rows())
    return [_candidate(row, services) for row in top.iter_rows(named=True)]


def _case_label(case_number: str, services: dict[str, str]) -> str:
    """ "housing:HP200467" as users read it: "Housing case HP200467"."""
    source, _, number = case_number.partition(":")
    return f"{services.get(source, source)} case {number}"


def _candidate(row: dict, services: dict[str, str]) -> Candidate:
    score = round(float(row["score"]), 3)
    return Candidate(
        person_id=row["person_id"],
        score=score,
        confidence=confidence_word(score),
        first_name=row["first_name"],
        last_name=row["last_name"],
        dob=row["dob"],
        age=row["age"],
        address=row["address"],
        postcode=row["postcode"],
        nhs_number=row["nhs_number"],
        upn=row["upn"],
        case_numbers=tuple(_case_label(n, services) for n in row["case_numbers"] or ()),
        n_services=int(row["n_sources"] or 0),
        possible_match=bool(row["possible_match"]),
        matched_on=row["matched_on"],
    )
