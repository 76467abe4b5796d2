"""The comparisons a build scores: names, date of birth, address, identifiers.

Each class lists its levels strongest first, each label beside its condition
(``linkage.compare.Level``); the labels say what a level means in plain words for
record explanations and the model report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from core.config import LinkageConfig
from linkage import dobs
from linkage.compare import (
    Comparison,
    Level,
    distinct_scores,
    distinct_table,
    either_null,
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


def within_slip(left: list[str], right: list[str]) -> np.ndarray:
    """Per pair of names: 1 when within a slip (Jaro-Winkler ``SWAP_SIMILAR``,
    or else one edit), else 0; the edits only counted where the first test fails."""
    jw = process.cpdist(
        left, right, scorer=JaroWinkler.normalized_similarity, workers=-1
    )
    near = jw.astype(np.float32) >= SWAP_SIMILAR  # as the Float32 scores compare
    far = np.flatnonzero(~near)
    if far.size:
        edits = process.cpdist(
            [left[i] for i in far], [right[i] for i in far],
            scorer=OSA.distance, workers=-1,
        )  # fmt: skip
        near[far] = edits <= 1
    return near.astype(np.float32)


def swapped_similar(p: pl.DataFrame, where: pl.Series) -> pl.Series:
    """First and last names exchanged, each within a slip (one edit, or
    Jaro-Winkler ``SWAP_SIMILAR``) of the other record's ("Hannah Mihal" /
    "Mihal Hannsh"); scored only on ``where`` rows."""

    def cross(a: str, b: str, where: pl.Series) -> pl.Series:
        """Rows of ``where`` whose crossed names are within a slip (others False)."""
        left, right = p[f"{a}_join_l"], p[f"{b}_join_r"]
        near = distinct_scores(left, right, within_slip, where)
        return where & (near > 0)

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
    # Equal dates are no slip apart; only the (fewer) differing ones are tested.
    out = left == right
    differ = np.flatnonzero(~out)
    left, right = left[differ], right[differ]
    # Such numbers differ by c * 10^k, with c up to 9 (one digit) or 9 times up
    # to 9 (a swap): a cheap test that leaves few pairs for the digit check.
    gap = np.abs(left - right)
    for _ in range(7):
        gap = np.where(gap % 10 == 0, gap // 10, gap)
    maybe = (gap <= 9) | ((gap % 9 == 0) & (gap <= 81))
    a = (left[maybe, None] // 10 ** np.arange(8)) % 10
    b = (right[maybe, None] // 10 ** np.arange(8)) % 10
    differs = a != b
    count = differs.sum(axis=1)
    swapped = differs[:, :-1] & differs[:, 1:] & (a[:, :-1] == b[:, 1:])
    swapped &= a[:, 1:] == b[:, :-1]
    out[differ[maybe]] = (count <= 1) | ((count == 2) & swapped.any(axis=1))
    return pl.Series(out)


def first_name_edits(p: pl.DataFrame, word: pl.Series | None = None) -> pl.Series:
    """Typing slips between the first names: of the first word, or of the whole
    name without spaces when that is closer ("Lachlq Njohn" / "Lachlan John").
    ``word``: the first words' edit distances, when already worked out."""
    if word is None:
        word = similarity(p["fn1_l"], p["fn1_r"], OSA.distance)
    spaced = p.select(
        (pl.col("fn_join_l") != pl.col("fn1_l"))
        | (pl.col("fn_join_r") != pl.col("fn1_r"))
    ).to_series()
    retry = (spaced.fill_null(False) & (word > 1)).to_numpy()
    retried = pl.Series(retry)
    whole = similarity(p["fn_join_l"], p["fn_join_r"], OSA.distance, retried)
    return pl.Series(np.where(retry, whole.to_numpy(), word.to_numpy()))


def _similar_and_edits(left: list[str], right: list[str]) -> dict[str, np.ndarray]:
    """Jaro-Winkler similarity and edit distance of each pair of names."""
    return {
        "jw": process.cpdist(
            left, right, scorer=JaroWinkler.normalized_similarity, workers=-1
        ),
        "edits": process.cpdist(left, right, scorer=OSA.distance, workers=-1),
    }


@dataclass(frozen=True)
class FirstName(Comparison):
    """Exact, nickname/variant, one typing slip, Jaro-Winkler bands, sound."""

    name: str = "first_name"
    exact_column: str = "fn_join"
    term_frequency: bool = True
    similar: float = 0.92  # Jaro-Winkler of "similar"
    loosely: float = 0.85  # Jaro-Winkler of "loosely similar"

    def missing(self) -> pl.Expr:
        return either_null("fn")

    def prepared(self, p: pl.DataFrame) -> pl.DataFrame:
        words = distinct_table(p["fn1_l"], p["fn1_r"], _similar_and_edits)
        jw = words["jw"]
        scored = p.with_columns(_jw=jw, _edits=first_name_edits(p, words["edits"]))
        return scored.with_columns(_swap=swapped_similar(p, jw < self.loosely))

    def level_list(self) -> tuple[Level, ...]:
        return (
            Level("exact", same("fn_join") | names_swapped()),
            Level("nickname or other spelling", overlap("fn_canons")),
            Level("one typing slip", (pl.col("_edits") <= 1) | pl.col("_swap")),
            Level("similar", pl.col("_jw") >= self.similar),
            Level("loosely similar", (pl.col("_jw") >= self.loosely) | same("fn_phon")),
            Level("different"),
        )


@dataclass(frozen=True)
class Surname(Comparison):
    """Exact, variant or shared part, Jaro-Winkler bands, sound."""

    name: str = "last_name"
    exact_column: str = "ln_join"
    term_frequency: bool = True
    similar: float = 0.92
    loosely: float = 0.85

    def missing(self) -> pl.Expr:
        return either_null("ln")

    def prepared(self, p: pl.DataFrame) -> pl.DataFrame:
        jw = similarity(
            p["ln_join_l"], p["ln_join_r"], JaroWinkler.normalized_similarity
        )
        return p.with_columns(_jw=jw, _swap=swapped_similar(p, jw < self.loosely))

    def level_list(self) -> tuple[Level, ...]:
        loose = (pl.col("_jw") >= self.loosely) | same("ln_phon")
        return (
            Level("exact", same("ln_join") | names_swapped()),
            Level("other spelling or one part of the name", overlap("ln_canons")),
            Level("similar", (pl.col("_jw") >= self.similar) | pl.col("_swap")),
            Level("loosely similar", loose | overlap("ln_part_phons")),
            Level("different"),
        )


@dataclass(frozen=True)
class DateOfBirth(Comparison):
    """Graded, not a gate: exact, day/month swapped, one digit, a few days or a
    year out, within weeks, within a year, the same year where one side knows
    only the year, different, and a generation apart (a parent and a child of
    one name). The levels are ``linkage.dobs``'s."""

    name: str = "dob"
    exact_column: str = "dob"
    few_days: int = dobs.FEW_DAYS_APART
    weeks: int = dobs.WEEKS_APART
    year: int = dobs.YEAR_APART

    def missing(self) -> pl.Expr:
        return either_null("dob_y")

    def prepared(self, p: pl.DataFrame) -> pl.DataFrame:
        return p.with_columns(_digit=one_digit_apart(p))

    def level_list(self) -> tuple[Level, ...]:
        both = pl.col("dob_l").is_not_null() & pl.col("dob_r").is_not_null()
        days = (pl.col("dob_l") - pl.col("dob_r")).dt.total_days().abs()
        years = (pl.col("dob_y_l") - pl.col("dob_y_r")).abs()
        same_day = (pl.col("dob_l").dt.month() == pl.col("dob_r").dt.month()) & (
            pl.col("dob_l").dt.day() == pl.col("dob_r").dt.day()
        )
        return (
            Level("exact", same("dob")),
            Level("day and month swapped", pl.col("dob_swap_l") == pl.col("dob_r")),
            Level(
                "one digit different",
                both & pl.col("_digit") & (years < dobs.GENERATION_YEARS),
            ),
            Level(
                "a few days or a year out",
                (days <= self.few_days) | (same_day & (years == 1)),
            ),
            Level("within weeks", days <= self.weeks),
            Level("within a year", days <= self.year),
            Level("same year (only the year known)", ~both & (years == 0)),
            Level("different", years < dobs.GENERATION_YEARS),
            Level("a generation apart"),
        )


@dataclass(frozen=True)
class Address(Comparison):
    """Address, postcode and town as one joint comparison, so one move is
    counted once.

    "Same address" needs the same house and flat numbers and a fuzzy match of the
    rest (token-set ratio >= ``same``), with no conflicting postcode. When a
    postcode is missing, the text alone tells a "similar address" (a close match
    still sharing a number: a slip in another) from the "same street or area"
    (a looser one). The town is the widest level above "different".
    """

    name: str = "address"
    same: int = ADDRESS_SAME
    similar: int = ADDRESS_SIMILAR
    area: int = ADDRESS_AREA

    def missing(self) -> pl.Expr:
        return either_null("addr") & either_null("pc") & either_null("town_c")

    def prepared(self, p: pl.DataFrame) -> pl.DataFrame:
        fits = same("pc") | either_null("pc")
        text_only = either_null("pc") & ~either_null("addr")
        candidate = p.select(
            ((fits & same("addr_nums")) | text_only).fill_null(False)
        ).to_series()
        sim = similarity(p["addr_l"], p["addr_r"], fuzz.token_set_ratio, candidate)
        # Whether a house or flat number is shared matters only for addresses
        # close enough to be similar: the list work is done for those alone.
        close = (sim >= self.similar).to_numpy()
        shared = np.zeros(p.height, dtype=bool)
        if close.any():
            numbers = [text(f"addr_nums_{s}").str.split(" ") for s in "lr"]
            common = numbers[0].list.set_intersection(numbers[1]).list.len() > 0
            found = p.filter(pl.Series(close)).select(common.fill_null(False))
            shared[close] = found.to_series().to_numpy()
        return p.with_columns(_sim=sim, _shared=pl.Series(shared))

    def level_list(self) -> tuple[Level, ...]:
        sim = pl.col("_sim")
        return (
            Level("same address", same("addr_nums") & (sim >= self.same)),
            Level("same postcode", same("pc")),
            Level("similar address", pl.col("_shared") & (sim >= self.similar)),
            Level("same street or area", sim >= self.area),
            Level("same postcode sector", same("pc_sector")),
            Level("same postcode district", same("pc_district")),
            Level("same town", same("town_c")),
            Level("different"),
        )


@dataclass(frozen=True)
class Exact(Comparison):
    """Equal or not, on one standardised column."""

    def level_list(self) -> tuple[Level, ...]:
        return (Level("same", same(self.exact_column)), Level("different"))


@dataclass(frozen=True)
class Identifiers(Comparison):
    """Other identifiers of one kind (``ids`` or ``contacts``: "kind:value"):
    one the same, or the same kind held with no value in common; a pair that
    shares no kind says nothing."""

    column: str = "ids"

    def missing(self) -> pl.Expr:
        kinds = self.column[:-1] + "_kinds"
        return ~overlap(kinds).fill_null(False)

    def level_list(self) -> tuple[Level, ...]:
        return (Level("same", overlap(self.column)), Level("different"))


@dataclass(frozen=True)
class Contacts(Identifiers):
    """Email or phone: the same, one close to the other (a typing slip: Jaro-
    Winkler ``similar``), or different."""

    column: str = "contacts"
    similar: float = 0.9

    def prepared(self, p: pl.DataFrame) -> pl.DataFrame:
        where = p.select(overlap("contact_kinds").fill_null(False)).to_series()
        jw = similarity(
            p["contact_text_l"], p["contact_text_r"],
            JaroWinkler.normalized_similarity, where,
        )  # fmt: skip
        return p.with_columns(_jw=jw)

    def level_list(self) -> tuple[Level, ...]:
        return (
            Level("same", overlap(self.column)),
            Level("similar", pl.col("_jw") >= self.similar),
            Level("different"),
        )


@dataclass(frozen=True)
class CaseNumber(Comparison):
    """The same local case number within one source, or one typing slip apart;
    other sources say nothing.

    A slip counts only on long numbers, and not when the numbers differ in the
    last character alone: numbers handed out in turn (twins referred together)
    differ just there, so that is a neighbouring number, not a typing slip.
    """

    name: str = "case_number"
    exact_column: str = "case_key"

    def missing(self) -> pl.Expr:
        return either_null("case_number") | ~same("source")

    def prepared(self, p: pl.DataFrame) -> pl.DataFrame:
        # Only numbers of one source that differ can be a slip, and only those
        # one edit apart need the text tests (most pairs' numbers are far apart).
        differ = p.select((~self.missing() & ~same("case_number")).fill_null(False))
        differ = differ.to_series()
        rows = np.flatnonzero(differ.to_numpy())
        slip = np.zeros(p.height, dtype=bool)
        if rows.size:
            sub = p.select("case_number_l", "case_number_r").filter(differ)
            edits = similarity(sub["case_number_l"], sub["case_number_r"], OSA.distance)
            one = (edits == 1).to_numpy()
            a, b = text("case_number_l"), text("case_number_r")
            long = a.str.len_chars() >= SLIP_MIN_CHARS
            neighbours = a.str.slice(0, a.str.len_chars() - 1) == b.str.slice(
                0, b.str.len_chars() - 1
            )
            near = sub.filter(pl.Series(one)).select(
                (long & ~neighbours).fill_null(False)
            )
            slip[rows[one]] = near.to_series().to_numpy()
        return p.with_columns(_slip=pl.Series(slip))

    def level_list(self) -> tuple[Level, ...]:
        return (
            Level("same", same("case_number")),
            Level("one typing slip", pl.col("_slip")),
            Level("different"),
        )


def comparisons_from(settings: LinkageConfig) -> tuple[Comparison, ...]:
    """The comparisons ``settings`` asks for, with its level thresholds, in
    explanation order."""
    s = settings
    every = (
        FirstName(similar=s.name_similar, loosely=s.name_loosely_similar),
        Surname(similar=s.name_similar, loosely=s.name_loosely_similar),
        DateOfBirth(few_days=s.dob_few_days, weeks=s.dob_weeks, year=s.dob_year),
        Address(same=s.address_same, similar=s.address_similar, area=s.address_area),
        Exact("sex", "sx"),
        Exact("nhs_number", "nhs"),
        Exact("upn", "upn_c"),
        CaseNumber(),
        Identifiers("identifiers"),
        Contacts("contacts", similar=s.contact_similar),
    )
    return tuple(c for c in every if c.name in s.comparisons)


def default_comparisons() -> tuple[Comparison, ...]:
    """The comparisons a build scores by default, in explanation order."""
    return comparisons_from(LinkageConfig())
