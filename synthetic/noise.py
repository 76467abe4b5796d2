"""The errors real extracts carry, applied column-wide with per-row random draws.

One edit typos, nicknames (Bob for Robert), other spellings (Mohamed for
Mohammed), first and last name swapped, day and month of birth swapped, a date of
birth a year or a few days out, a digit slipped in an NHS number or UPN (the check
digit catches it), and missing values.

The harsh profile (``harsh``, ``python -m sources generate --noise harsh``) adds
what police and housing extracts are known for: a quarter of adults with no date
of birth, dates drifting by weeks or months, 1 January standing in for an unknown
day in some sources, first names written in another language's form (William as
Guillaume, Joseph as Yusuf), more typing slips, and people recorded at an
address they have since left or moved to (another number on their street).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import polars as pl

from synthetic.bank import NameBank

_LETTERS = dict(enumerate("abcdefghijklmnopqrstuvwxyz"))


@dataclass(frozen=True)
class Noise:
    """Chance of each error per record in one extract."""

    typo: float = 0.01
    nickname: float = 0.03
    variant: float = 0.15
    swap_names: float = 0.002
    dob_swap: float = 0.005
    dob_shift: float = 0.004
    dob_missing: float = 0.01
    first_missing: float = 0.0
    address_missing: float = 0.02
    postcode_missing: float = 0.02
    sex_missing: float = 0.01
    nhs_present: float = 0.0
    nhs_error: float = 0.003
    upn_present: float = 0.0
    upn_error: float = 0.002
    adult_dob_missing: float = 0.0  # adults (18 and over) only, on top of the rest
    dob_drift: float = 0.0  # moved by 1 to 17 weeks either way
    jan1: float = 0.0  # day and month replaced by 1 January (year kept)
    language: float = 0.0  # first name in another language's form
    moved: float = 0.0  # address and postcode of another home in the extract


#: Noise profiles ``python -m sources generate --noise`` offers.
PROFILES = ("normal", "harsh")
#: Sources that write 1 January for an unknown day in the harsh profile.
JAN1_SOURCES = ("police", "housing", "substance_misuse", "adult_social_care")


def profiled(noise: Noise, profile: str, source: str) -> Noise:
    """``noise`` as the ``profile`` makes it for ``source``."""
    if profile == "normal":
        return noise
    if profile != "harsh":
        raise ValueError(f"unknown noise profile {profile!r}; use one of {PROFILES}")
    return replace(
        noise,
        typo=max(noise.typo, 0.04),
        dob_shift=max(noise.dob_shift, 0.01),
        adult_dob_missing=0.25,
        dob_drift=0.08,
        jan1=0.3 if source in JAN1_SOURCES else 0.0,
        language=0.06,
        moved=0.06,
        postcode_missing=max(noise.postcode_missing, 0.05),
    )


def _typo(s: pl.Expr, op: pl.Expr, u_pos: pl.Expr, char: pl.Expr) -> pl.Expr:
    """One edit: delete, substitute, insert or transpose at a random position."""
    n = s.str.len_chars()
    pos = 1 + (u_pos * (n - 2)).floor().cast(pl.Int64)  # first letters are rarely wrong
    head = s.str.slice(0, pos)
    return (
        pl.when(op == 0)
        .then(head + s.str.slice(pos + 1))
        .when(op == 1)
        .then(head + char + s.str.slice(pos + 1))
        .when(op == 2)
        .then(head + char + s.str.slice(pos))
        .otherwise(
            head + s.str.slice(pos + 1, 1) + s.str.slice(pos, 1) + s.str.slice(pos + 2)
        )
    )


def _pick(s: pl.Expr, table: dict[str, list[str]], u: pl.Expr) -> pl.Expr:
    """A random alternative for ``s`` from ``table``; null where it has none."""
    options = s.replace_strict(table, default=None, return_dtype=pl.List(pl.String))
    index = (u * options.list.len()).floor().cast(pl.Int64)
    return options.list.get(index, null_on_oob=True)


def _slip(s: pl.Expr, first: int, u_pos: pl.Expr, u_k: pl.Expr) -> pl.Expr:
    """Change one digit of an identifier, between position ``first`` and the end."""
    span = s.str.len_chars() - first
    pos = first + (u_pos * span).floor().cast(pl.Int64)
    digit = s.str.slice(pos, 1).cast(pl.Int64, strict=False)
    new = ((digit + 1 + (u_k * 9).floor().cast(pl.Int64)) % 10).cast(pl.String)
    return s.str.slice(0, pos) + new + s.str.slice(pos + 1)


_DRAWS = (
    "typo",
    "which",
    "pos",
    "nick",
    "pick",
    "var",
    "var2",
    "swap",
    "dswap",
    "dshift",
    "dkind",
    "dmiss",
    "fmiss",
    "amiss",
    "pmiss",
    "smiss",
    "nhs",
    "nhs_err",
    "upn",
    "upn_err",
    "k",
)
#: Draws of the harsh profile's errors, taken after every other draw so the
#: normal profile's data stay byte for byte what they were.
_HARSH_DRAWS = ("adob", "drift", "dweeks", "jan1", "lang", "lpick", "moved")


def _u(name: str) -> pl.Expr:
    return pl.col(f"__u_{name}")


def _blank(column: str, draw: str, chance: float) -> pl.Expr:
    return pl.when(_u(draw) < chance).then(None).otherwise(pl.col(column))


def _names(noise: Noise, bank: NameBank) -> dict[str, pl.Expr]:
    """Nicknames, other spellings, another language's form, one typo, and
    swapped first and last names."""
    f, ln = pl.col("first_name"), pl.col("last_name")
    nick = pl.coalesce(_pick(f, bank.nicknames, _u("pick")), f)
    first = pl.when(_u("nick") < noise.nickname).then(nick).otherwise(f)
    if noise.language:
        foreign = _pick(first, bank.languages, _u("lpick"))
        first = pl.coalesce(pl.when(_u("lang") < noise.language).then(foreign), first)
    other = _pick(first, bank.variants, _u("pick"))
    first = pl.coalesce(pl.when(_u("var") < noise.variant).then(other), first)
    other = _pick(ln, bank.variants, _u("pick"))
    last = pl.coalesce(pl.when(_u("var2") < noise.variant).then(other), ln)
    typo = _u("typo") < noise.typo
    op, char = pl.col("__op"), pl.col("__char")
    in_first = typo & (_u("which") < 0.5) & (first.str.len_chars() > 2)
    in_last = typo & (_u("which") >= 0.5) & (last.str.len_chars() > 2)
    typo_first = _typo(first, op, _u("pos"), char)
    typo_last = _typo(last, op, _u("pos"), char)
    first = pl.when(in_first).then(typo_first).otherwise(first)
    last = pl.when(in_last).then(typo_last).otherwise(last)
    swap = _u("swap") < noise.swap_names
    return {
        "first_name": pl.when(swap).then(last).otherwise(first),
        "last_name": pl.when(swap).then(first).otherwise(last),
    }


def add_noise(
    rng: np.random.Generator,
    frame: pl.DataFrame,
    noise: Noise,
    bank: NameBank,
    latest: date,
) -> pl.DataFrame:
    """Perturb first_name, last_name, dob, sex, nhs, upn, address and postcode;
    no date of birth is moved past ``latest``."""
    n = frame.height
    draws = {f"__u_{k}": pl.Series(rng.random(n)) for k in _DRAWS}
    frame = frame.with_columns(
        __op=pl.Series(rng.integers(0, 4, n)),
        __char=pl.Series(rng.integers(0, 26, n)).replace_strict(_LETTERS),
        **draws,
    )
    harsh = {f"__u_{k}": pl.Series(rng.random(n)) for k in _HARSH_DRAWS}
    frame = frame.with_columns(**harsh)
    draws |= harsh
    frame = frame.with_columns(**_names(noise, bank))
    if noise.moved:
        frame = _moved(frame, noise.moved)
    frame = frame.with_columns(
        first_name=_blank("first_name", "fmiss", noise.first_missing),
        dob=_dob(pl.col("dob"), noise, latest),
        sex=_blank("sex", "smiss", noise.sex_missing),
        nhs=_identifier("nhs", 0, noise.nhs_present, noise.nhs_error),
        upn=_identifier("upn", 1, noise.upn_present, noise.upn_error),
        address=_blank("address", "amiss", noise.address_missing),
        postcode=_blank("postcode", "pmiss", noise.postcode_missing),
    )
    return frame.drop("__op", "__char", *draws)


def _moved(frame: pl.DataFrame, share: float) -> pl.DataFrame:
    """A ``share`` of rows at an address the person has since left or moved to:
    another house number on the same street and postcode (one no household of
    the extract shares, so it places the person with nobody)."""
    if "address" not in frame.columns:
        return frame
    address = pl.col("address")
    number = address.str.extract(r"(\d+)\D*$").cast(pl.Int64)  # the house number
    head = address.str.replace(r"\d+\D*$", "")
    moved = head + (number + 200).cast(pl.String) + address.str.extract(r"\d+(\D*)$")
    chosen = (_u("moved") < share) & number.is_not_null()
    return frame.with_columns(
        pl.when(chosen).then(moved).otherwise(pl.col("address")).alias("address")
    )


def _harsh_dob(dob: pl.Expr, noise: Noise, latest: date) -> pl.Expr:
    """Drifted by weeks or months, or written as 1 January; an adult's missing."""
    weeks = 1 + (_u("dweeks") * 17).floor().cast(pl.Int64)
    sign = pl.when(_u("k") < 0.5).then(-1).otherwise(1)
    drifted = dob + pl.duration(days=weeks * 7 * sign - sign * 3)
    out = pl.when(_u("drift") < noise.dob_drift).then(drifted).otherwise(dob)
    out = (
        pl.when(_u("jan1") < noise.jan1)
        .then(pl.date(dob.dt.year(), 1, 1))
        .otherwise(out)
    )
    adult = dob <= pl.lit(latest).dt.offset_by("-18y")
    missing = adult & (_u("adob") < noise.adult_dob_missing)
    out = pl.when(out > pl.lit(latest)).then(dob).otherwise(out)
    return pl.when(missing).then(None).otherwise(out)


def _dob(dob: pl.Expr, noise: Noise, latest: date) -> pl.Expr:
    """Day and month swapped, a year or a few days out, or missing (and the
    harsh profile's errors, when set)."""
    if noise.adult_dob_missing or noise.dob_drift or noise.jan1:
        dob = _harsh_dob(dob, noise, latest)
    day, month, year = dob.dt.day(), dob.dt.month(), dob.dt.year()
    swap = (_u("dswap") < noise.dob_swap) & (day <= 12) & (day != month)
    years = pl.when(_u("dkind") < 0.2).then(1).otherwise(-1)
    days = (_u("k") * 6).floor().cast(pl.Int64) - 3
    days = pl.when(days == 0).then(1).otherwise(days)
    year_out = dob.dt.offset_by(pl.format("{}y", years))
    shifted = pl.when(_u("dkind") < 0.4).then(year_out)
    shifted = shifted.otherwise(dob + pl.duration(days=days))
    out = pl.when(swap).then(pl.date(year, day, month))
    out = out.when(_u("dshift") < noise.dob_shift).then(shifted).otherwise(dob)
    out = pl.when(out > pl.lit(latest)).then(dob).otherwise(out)
    return pl.when(_u("dmiss") < noise.dob_missing).then(None).otherwise(out)


def _identifier(column: str, first: int, present: float, error: float) -> pl.Expr:
    """Kept for a share of records; a digit slipped in a few of those."""
    kept = pl.when(_u(column) < present).then(pl.col(column))
    slipped = _slip(kept, first, _u("pos"), _u("k"))
    return pl.when(_u(f"{column}_err") < error).then(slipped).otherwise(kept)
