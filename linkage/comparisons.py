"""The comparisons a build scores: names, date of birth, address, identifiers.

Each class builds its level expression; its labels say what each level means in
plain words for record explanations.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from linkage.compare import Comparison, either_null, levels, overlap, same, similarity

#: Shortest case number for which one typing slip still suggests the same person.
SLIP_MIN_CHARS = 6


def names_swapped() -> pl.Expr:
    """First and last names exchanged between the two records ("SMITH, John"),
    spelt the same or sounding the same."""

    def alike(a: str, b: str) -> pl.Expr:
        spelt = pl.col(f"{a}_join_l") == pl.col(f"{b}_join_r")
        return spelt | (pl.col(f"{a}_phon_l") == pl.col(f"{b}_phon_r"))

    differ = pl.col("fn_join_l") != pl.col("ln_join_l")
    return (alike("fn", "ln") & alike("ln", "fn") & differ).fill_null(False)


#: Jaro-Winkler similarity of each crossed name for "swapped, with a slip".
SWAP_SIMILAR = 0.9


def swapped_similar(p: pl.DataFrame, where: pl.Series) -> pl.Series:
    """First and last names exchanged, each within a slip of the other record's
    ("Hannah Mihal" / "Mihal Hannsh"); scored only on ``where`` rows."""

    def cross(a: str, b: str) -> pl.Series:
        jw = JaroWinkler.normalized_similarity
        return similarity(p[f"{a}_join_l"], p[f"{b}_join_r"], jw, where)

    both = (cross("fn", "ln") >= SWAP_SIMILAR) & (cross("ln", "fn") >= SWAP_SIMILAR)
    differ = p.select(pl.col("fn_join_l") != pl.col("ln_join_l")).to_series()
    return (both & differ & where).fill_null(False)


def dob_near(days: int = 7) -> pl.Expr:
    """Dates of birth a few days apart, or the same day and month a year apart."""
    gap = (pl.col("dob_l") - pl.col("dob_r")).dt.total_days().abs()
    same_day = (pl.col("dob_l").dt.month() == pl.col("dob_r").dt.month()) & (
        pl.col("dob_l").dt.day() == pl.col("dob_r").dt.day()
    )
    year_gap = (pl.col("dob_y_l") - pl.col("dob_y_r")).abs()
    return (gap <= days) | (same_day & (year_gap == 1))


class FirstName(Comparison):
    """Exact, nickname/variant, one typing slip, Jaro-Winkler bands, sound."""

    def levels(self, p: pl.DataFrame) -> pl.Series:
        a, b = p["fn1_l"], p["fn1_r"]
        jw = similarity(a, b, JaroWinkler.normalized_similarity)
        scored = p.with_columns(_jw=jw, _edits=similarity(a, b, OSA.distance))
        scored = scored.with_columns(_swap=swapped_similar(p, jw < 0.85))
        conditions = [
            same("fn_join") | names_swapped(),
            overlap("fn_canons"),
            (pl.col("_edits") <= 1) | pl.col("_swap"),
            pl.col("_jw") >= 0.92,
            (pl.col("_jw") >= 0.85) | same("fn_phon"),
        ]
        return scored.select(levels(either_null("fn"), conditions)).to_series()


class Surname(Comparison):
    """Exact, variant or shared part, Jaro-Winkler bands, sound."""

    def levels(self, p: pl.DataFrame) -> pl.Series:
        a, b = p["ln_join_l"], p["ln_join_r"]
        jw = similarity(a, b, JaroWinkler.normalized_similarity)
        scored = p.with_columns(_jw=jw, _swap=swapped_similar(p, jw < 0.85))
        conditions = [
            same("ln_join") | names_swapped(),
            overlap("ln_canons"),
            (pl.col("_jw") >= 0.92) | pl.col("_swap"),
            (pl.col("_jw") >= 0.85) | same("ln_phon") | overlap("ln_part_phons"),
        ]
        return scored.select(levels(either_null("ln"), conditions)).to_series()


class DateOfBirth(Comparison):
    """Exact, day/month swapped, one digit, a few days or a year out, same year."""

    def levels(self, p: pl.DataFrame) -> pl.Series:
        scored = p.with_columns(
            _edits=similarity(p["dob_s_l"], p["dob_s_r"], OSA.distance)
        )
        conditions = [
            same("dob"),
            pl.col("dob_swap_l") == pl.col("dob_r"),
            pl.col("_edits") <= 1,
            dob_near(),
            same("dob_y"),
        ]
        return scored.select(levels(either_null("dob"), conditions)).to_series()


class Address(Comparison):
    """Address and postcode as one joint comparison, so one move is counted once.

    "Same address" needs the same house and flat numbers and a fuzzy match of the
    rest (token-set ratio >= 90), with no conflicting postcode.
    """

    def levels(self, p: pl.DataFrame) -> pl.Series:
        fits = ((same("pc") | either_null("pc")) & same("addr_nums")).fill_null(False)
        candidate = p.select(fits).to_series()
        sim = similarity(p["addr_l"], p["addr_r"], fuzz.token_set_ratio, candidate)
        conditions = [
            pl.lit(sim) >= 90,
            same("pc"),
            same("pc_sector"),
            same("pc_district"),
        ]
        missing = either_null("addr") & either_null("pc")
        return p.select(levels(missing, conditions)).to_series()


@dataclass(frozen=True)
class Exact(Comparison):
    """Equal or not, on one standardised column."""

    def levels(self, p: pl.DataFrame) -> pl.Series:
        col = self.exact_column
        return p.select(levels(either_null(col), [same(col)])).to_series()


class CaseNumber(Comparison):
    """The same local case number within one source, or one typing slip apart;
    other sources say nothing.

    A slip counts only on long numbers, and not when the numbers differ in the
    last character alone: numbers handed out in turn (twins referred together)
    differ just there, so that is a neighbouring number, not a typing slip.
    """

    def levels(self, p: pl.DataFrame) -> pl.Series:
        missing = either_null("case_number") | ~same("source")
        a, b = pl.col("case_number_l"), pl.col("case_number_r")
        long = a.str.len_chars() >= SLIP_MIN_CHARS
        neighbours = a.str.slice(0, a.str.len_chars() - 1) == b.str.slice(
            0, b.str.len_chars() - 1
        )
        candidate = p.select((long & ~neighbours & ~missing).fill_null(False))
        candidate = candidate.to_series()
        edits = similarity(
            p["case_number_l"], p["case_number_r"], OSA.distance, candidate
        )
        conditions = [same("case_number"), pl.lit(candidate) & (pl.lit(edits) == 1)]
        return p.select(levels(missing, conditions)).to_series()


def default_comparisons() -> tuple[Comparison, ...]:
    """The comparisons a build scores, in explanation order."""
    similar = ("similar", "loosely similar", "different")
    return (
        FirstName("first_name", ("exact", "nickname or other spelling",
                                 "one typing slip", *similar),
                  "fn_join", term_frequency=True),
        Surname("last_name", ("exact", "other spelling or one part of the name",
                              *similar),
                "ln_join", term_frequency=True),
        DateOfBirth("dob", ("exact", "day and month swapped", "one digit different",
                            "a few days or a year out", "same year", "different"),
                    "dob"),
        Address("address", ("same address", "same postcode", "same postcode sector",
                            "same postcode district", "different")),
        Exact("sex", ("same", "different"), "sx"),
        Exact("nhs_number", ("same", "different"), "nhs"),
        Exact("upn", ("same", "different"), "upn_c"),
        CaseNumber("case_number", ("same", "one typing slip", "different"),
                   "case_key"),
    )  # fmt: skip
