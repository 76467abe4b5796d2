"""The comparisons a build scores: names, date of birth, address, identifiers.

Each class builds its level expression; its labels say what each level means in
plain words for record explanations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from linkage.compare import (
    Comparison,
    either_null,
    levels,
    overlap,
    same,
    similarity,
    text,
)

#: Token-set ratios of address text: the same address, a similar one (sharing a
#: house or flat number), and the same street or area.
ADDRESS_SAME, ADDRESS_SIMILAR, ADDRESS_AREA = 90, 80, 70
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
    """First and last names exchanged, each within a slip (one edit, or
    Jaro-Winkler ``SWAP_SIMILAR``) of the other record's ("Hannah Mihal" /
    "Mihal Hannsh"); scored only on ``where`` rows."""

    def cross(a: str, b: str, where: pl.Series) -> pl.Series:
        """Rows of ``where`` whose crossed names are within a slip (others False)."""
        left, right = p[f"{a}_join_l"], p[f"{b}_join_r"]
        jw = similarity(left, right, JaroWinkler.normalized_similarity, where)
        far = where & (jw < SWAP_SIMILAR)
        slip = similarity(left, right, OSA.distance, far) <= 1
        return where & ((jw >= SWAP_SIMILAR) | (far & slip))

    differ = p.select(pl.col("fn_join_l") != pl.col("ln_join_l")).to_series()
    first = cross("fn", "ln", (where & differ).fill_null(False))
    # The second crossing only where the first holds: few rows, most of the cost.
    return cross("ln", "fn", first)


def one_digit_apart(p: pl.DataFrame) -> pl.Series:
    """Dates of birth written YYYYMMDD one typing slip apart: one digit different
    or two neighbouring digits swapped (an edit distance of at most one), worked
    out on the digits as numbers rather than on text."""
    left = p["dob_n_l"].fill_null(0).to_numpy().astype(np.int64)
    right = p["dob_n_r"].fill_null(0).to_numpy().astype(np.int64)
    # Such numbers differ by c * 10^k, with c up to 9 (one digit) or 9 times up
    # to 9 (a swap): a cheap test that leaves few pairs for the digit check.
    gap = np.abs(left - right)
    for _ in range(7):
        gap = np.where((gap % 10 == 0) & (gap > 0), gap // 10, gap)
    maybe = (gap <= 9) | ((gap % 9 == 0) & (gap <= 81))
    a = (left[maybe, None] // 10 ** np.arange(8)) % 10
    b = (right[maybe, None] // 10 ** np.arange(8)) % 10
    differs = a != b
    count = differs.sum(axis=1)
    swapped = differs[:, :-1] & differs[:, 1:] & (a[:, :-1] == b[:, 1:])
    swapped &= a[:, 1:] == b[:, :-1]
    out = np.zeros(len(left), dtype=bool)
    out[maybe] = (count <= 1) | ((count == 2) & swapped.any(axis=1))
    return pl.Series(out)


def dob_near(days: int = 7) -> pl.Expr:
    """Dates of birth a few days apart, or the same day and month a year apart."""
    gap = (pl.col("dob_l") - pl.col("dob_r")).dt.total_days().abs()
    same_day = (pl.col("dob_l").dt.month() == pl.col("dob_r").dt.month()) & (
        pl.col("dob_l").dt.day() == pl.col("dob_r").dt.day()
    )
    year_gap = (pl.col("dob_y_l") - pl.col("dob_y_r")).abs()
    return (gap <= days) | (same_day & (year_gap == 1))


def first_name_edits(p: pl.DataFrame) -> pl.Series:
    """Typing slips between the first names: of the first word, or of the whole
    name without spaces when that is closer ("Lachlq Njohn" / "Lachlan John")."""
    word = similarity(p["fn1_l"], p["fn1_r"], OSA.distance)
    spaced = p.select(
        (pl.col("fn_join_l") != pl.col("fn1_l"))
        | (pl.col("fn_join_r") != pl.col("fn1_r"))
    ).to_series()
    retry = (spaced.fill_null(False) & (word > 1)).to_numpy()
    retried = pl.Series(retry)
    whole = similarity(p["fn_join_l"], p["fn_join_r"], OSA.distance, retried)
    return pl.Series(np.where(retry, whole.to_numpy(), word.to_numpy()))


class FirstName(Comparison):
    """Exact, nickname/variant, one typing slip, Jaro-Winkler bands, sound."""

    def levels(self, p: pl.DataFrame) -> pl.Series:
        a, b = p["fn1_l"], p["fn1_r"]
        jw = similarity(a, b, JaroWinkler.normalized_similarity)
        scored = p.with_columns(_jw=jw, _edits=first_name_edits(p))
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
        conditions = [
            same("dob"),
            pl.col("dob_swap_l") == pl.col("dob_r"),
            pl.lit(one_digit_apart(p)),
            dob_near(),
            same("dob_y"),
        ]
        return p.select(levels(either_null("dob"), conditions)).to_series()


class Address(Comparison):
    """Address and postcode as one joint comparison, so one move is counted once.

    "Same address" needs the same house and flat numbers and a fuzzy match of the
    rest (token-set ratio >= 90), with no conflicting postcode. When a postcode is
    missing, the text alone tells a "similar address" (a close match still sharing
    a number: a slip in another) from the "same street or area" (a looser one).
    """

    def levels(self, p: pl.DataFrame) -> pl.Series:
        fits = same("pc") | either_null("pc")
        text_only = either_null("pc") & ~either_null("addr")
        candidate = p.select(
            ((fits & same("addr_nums")) | text_only).fill_null(False)
        ).to_series()
        sim = pl.lit(
            similarity(p["addr_l"], p["addr_r"], fuzz.token_set_ratio, candidate)
        )
        numbers = [text(f"addr_nums_{s}").str.split(" ") for s in "lr"]
        shared = numbers[0].list.set_intersection(numbers[1]).list.len() > 0
        conditions = [
            same("addr_nums") & (sim >= ADDRESS_SAME),
            same("pc"),
            shared & (sim >= ADDRESS_SIMILAR),
            sim >= ADDRESS_AREA,
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
        # Only numbers of one source that differ can be a slip: text work there.
        differ = p.select((~missing & ~same("case_number")).fill_null(False))
        differ = differ.to_series()
        a, b = text("case_number_l"), text("case_number_r")
        long = a.str.len_chars() >= SLIP_MIN_CHARS
        neighbours = a.str.slice(0, a.str.len_chars() - 1) == b.str.slice(
            0, b.str.len_chars() - 1
        )
        sub = p.select("case_number_l", "case_number_r").filter(differ)
        candidate = sub.select((long & ~neighbours).fill_null(False)).to_series()
        edits = similarity(
            sub["case_number_l"], sub["case_number_r"], OSA.distance, candidate
        )
        slip = np.zeros(p.height, dtype=bool)
        slip[differ.to_numpy()] = (candidate & (edits == 1)).to_numpy()
        conditions = [same("case_number"), pl.lit(pl.Series(slip))]
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
        Address("address", ("same address", "same postcode", "similar address",
                            "same street or area", "same postcode sector",
                            "same postcode district", "different")),
        Exact("sex", ("same", "different"), "sx"),
        Exact("nhs_number", ("same", "different"), "nhs"),
        Exact("upn", ("same", "different"), "upn_c"),
        CaseNumber("case_number", ("same", "one typing slip", "different"),
                   "case_key"),
    )  # fmt: skip
