"""Guards against the household trap, on top of plain Fellegi–Sunter.

People in one household share surname, address and postcode, and twins share a
date of birth too, so those agreements are not independent evidence of one
person. Three rules keep households apart:

* address agreement only counts for a pair when first name and date of birth
  also agree at some level, or an identifier agrees; otherwise it can only
  count against. Without a date of birth, the first names must be the same, a
  known nickname, or one typing slip where one spelling is no common name (a
  father and son of one name are then caught by ``cluster.ambiguous_records``);
* a pair is only *eligible* to be linked or reviewed when first names agree at
  some level or an identifier agrees, so siblings never link on surname, date of
  birth and address alone;
* when two records share a surname and date of birth (they could be twins), the
  first names must not be clearly different: the same, a known nickname or
  transliteration (Guillaume and William), similar where one spelling is not
  itself a common name (Amelia and Amelie are two names; "Jesica" is a slip), or
  loosely similar where neither is ("Krley" and "Karrley"); and sex must not
  differ (Louis and Louise);
* dates of birth a generation apart (a parent and a child of one name, however
  few digits differ) are two people unless an identifier agrees, or the two
  records are alone (neither seen again, no family at the address), when the
  date is weighed as one written wrongly (``names_outvoted``).

First names are not a veto on their own, though. A pair that agrees on
surname, date of birth (within days) and address, with no differing sex, whose
first names are clearly different, is one person with a first name written
wrongly unless the data show a second sign of a household (``household_sign``):
each name is borne by more than one record of that surname and date of birth
(two people, each seen again), or the address holds someone a generation older
or younger with another first name (a family home, where twins are born). Such
a pair (``names_outvoted``) is weighed like any other, its address counting.

A pair vouched for by its names alone (no date of birth to compare, or only a
year on both sides; no identifier; addresses not placing the records together:
``names_alone``) is never linked, only offered for review.

A pair whose first names differ is eligible only through an identifier: the
same one, or a long case number one typing slip away (not merely the next
number) with the same surname, the same date of birth or first name, and no
differing sex (a twin has neither such a number nor, usually, the same sex). A
pair where a first name is missing, or garbled (different where one spelling is
no common name), may also link on surname, date of birth and address when the
data know no twin to confuse it with: no record sharing either record's surname
sound and date of birth has a common first name other than one
(``sole_first_name``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from linkage.compare import MISSING
from linkage.dobs import GENERATION_YEARS

#: First-name levels that count as "the names agree" (exact … loosely similar).
NAME_AGREES = 4
#: First-name levels that are the same name (exact, or nickname/first part).
SAME_NAME = 1
#: First-name level "one typing slip".
NAME_SLIP = 2
#: First-name level "similar" (Jaro-Winkler).
NAME_SIMILAR = 3
#: First-name level "different".
NAME_DIFFERENT = 5
#: Date-of-birth levels that count as agreeing (exact … same year).
DOB_AGREES = 6
#: Date-of-birth level "same year (only the year known)".
DOB_YEAR_ONLY = 6
#: Date-of-birth level "different" (years apart, short of a generation).
DOB_DIFFERENT = 7
#: Date-of-birth level "a generation apart".
DOB_GENERATION = 8
#: Date-of-birth levels at which two people could be twins (exact … a few days).
DOB_TWIN = 3
#: Date-of-birth level "within weeks".
DOB_WEEKS = 4
#: Surname levels at which two people could be twins (exact … loosely similar).
SURNAME_AGREES = 3
#: Surname level "different".
SURNAME_DIFFERENT = 4
#: Comparisons whose agreement says "one person" on its own (never a contact
#: such as an email or phone number, which a household may share).
IDENTIFIERS = ("nhs_number", "upn", "case_number", "identifiers")
LOCATION = "address"
#: Address levels that place two records together (same address … same street).
PLACED_TOGETHER = 3


def _between(levels: pl.DataFrame, name: str, low: int, high: int) -> np.ndarray:
    lv = levels[name].to_numpy()
    return (lv >= low) & (lv <= high)


def _sex_differs(levels: pl.DataFrame) -> np.ndarray:
    if "sex" not in levels.columns:
        return np.zeros(levels.height, dtype=bool)
    return _between(levels, "sex", 1, 1)


def identifier_agrees(levels: pl.DataFrame) -> np.ndarray:
    """NHS number, UPN or (within one source) case number the same."""
    agree = np.zeros(levels.height, dtype=bool)
    for name in IDENTIFIERS:
        if name in levels.columns:
            agree |= levels[name].to_numpy() == 0
    return agree


def sole_first_name(std: pl.DataFrame) -> pl.Series:
    """Per record: at most one common first name (a name in its own right, not
    a slip: ``names.common_first_names``) is known among the records sharing
    its surname sound and date of birth, so a record there without a first
    name, or with a garbled one, cannot be a twin's."""
    key = ["ln_phon", "dob_s"]
    names = pl.col("fn_join").filter(pl.col("fn_common")).n_unique().over(key)
    known = pl.col("ln_phon").is_not_null() & pl.col("dob_s").is_not_null()
    return std.select((known & (names <= 1)).alias("sole_first_name")).to_series()


def _unnamed_alone(
    levels: pl.DataFrame, alone: np.ndarray | None, both_common: np.ndarray | None
) -> np.ndarray:
    """A first name missing, or different where one spelling is no common name
    (garbled), surname agreeing and dates of birth within weeks, no differing
    sex, and no other common first name known for either record."""
    if alone is None:
        return np.zeros(levels.height, dtype=bool)
    sex = levels["sex"].to_numpy() if "sex" in levels.columns else None
    same_sex = np.ones(levels.height, dtype=bool) if sex is None else sex != 1
    fn = levels["first_name"].to_numpy()
    garbled = np.zeros(levels.height, dtype=bool)
    if both_common is not None:
        garbled = (fn == NAME_DIFFERENT) & ~both_common
    return (
        ((fn == MISSING) | garbled)
        & _between(levels, "dob", 0, DOB_WEEKS)
        & _between(levels, "last_name", 0, SURNAME_AGREES)
        & same_sex
        & alone
    )


def _slip_of_a_rare_name(
    levels: pl.DataFrame, both_common: np.ndarray | None
) -> np.ndarray:
    """First names one typing slip apart where one spelling is no common name
    ("Nicholas" and "Nichooas"): the same name mistyped, not a brother's."""
    if both_common is None:
        return np.zeros(levels.height, dtype=bool)
    return _between(levels, "first_name", NAME_SLIP, NAME_SLIP) & ~both_common


def twin_like(levels: pl.DataFrame) -> np.ndarray:
    """Surname and date of birth (within days) agree and the records are placed
    together, with no differing sex, while the first names (both given) clearly
    differ: twins, or one person with a first name written wrongly."""
    if not {"first_name", "last_name", "dob", LOCATION} <= set(levels.columns):
        return np.zeros(levels.height, dtype=bool)
    sex_differs = _sex_differs(levels)
    return (
        _between(levels, "first_name", NAME_SIMILAR, NAME_DIFFERENT)
        & _between(levels, "dob", 0, DOB_TWIN)
        & _between(levels, "last_name", 0, SURNAME_AGREES)
        & _between(levels, LOCATION, 0, PLACED_TOGETHER)
        & ~sex_differs
    )


def household_traits(std: pl.DataFrame) -> pl.DataFrame:
    """Per record (``std`` order), what ``household_sign`` reads: whether its
    person (surname sound, first-name sound, date of birth) is seen again on
    another record, where it lives (postcode and house numbers, else the
    address text), its year of birth and first-name sound, and its names as
    written (for ``names_crossed``). Worked out once per build, not per batch
    of pairs."""
    person = ["ln_phon", "fn_phon", "dob_s"]
    known = pl.all_horizontal(pl.col(c).is_not_null() for c in person)
    pc = pl.col("pc") + "|" + pl.col("addr_nums").fill_null("")
    return std.select(
        "rid",
        ((pl.len().over(person) > 1) & known).alias("seen_again"),
        pl.coalesce(pc, pl.col("addr")).alias("home"),
        "dob_y",
        "fn_phon",
        "fn_join",
        "ln_join",
    )


def household_sign(
    traits: pl.DataFrame,
    left: pl.Series,
    right: pl.Series,
    either_again: np.ndarray | None = None,
) -> np.ndarray:
    """Per pair of record rows: a second sign that the two are two people of one
    household. Both first names are borne by more than one record of their
    surname sound and date of birth (each person seen again; where
    ``either_again`` says so, one of them is enough), or either record's
    address holds someone with another first name born a generation apart
    from it (``GENERATION_YEARS``: a parent or child, so a family home).

    ``traits``: ``household_traits`` (or standardised records to make them from).
    """
    if left.len() == 0:
        return np.zeros(0, dtype=bool)
    if "seen_again" not in traits.columns:
        traits = household_traits(traits)
    left, right = left.cast(pl.UInt32), right.cast(pl.UInt32)
    rids = pl.concat([left, right]).unique().implode()
    homes = traits.drop_nulls(["home", "dob_y"])
    mine = homes.filter(pl.col("rid").is_in(rids))
    others = homes.join(mine.select("home").unique(), on="home", how="semi")
    family = (
        mine.join(others, on="home", suffix="_o")
        .filter(
            (pl.col("rid") != pl.col("rid_o"))
            & ((pl.col("dob_y") - pl.col("dob_y_o")).abs() >= GENERATION_YEARS)
            & (pl.col("fn_phon") != pl.col("fn_phon_o")).fill_null(True)
        )
        .select("rid", pl.lit(True).alias("family"))
        .unique()
    )
    by_rid = (
        pl.DataFrame({"rid": pl.concat([left, right])})
        .join(traits.select("rid", "seen_again"), on="rid", how="left",
              maintain_order="left")
        .join(family, on="rid", how="left", maintain_order="left")
    )  # fmt: skip
    n = left.len()
    again = by_rid["seen_again"].fill_null(False).to_numpy()
    home = by_rid["family"].fill_null(False).to_numpy()
    either = np.zeros(n, dtype=bool) if either_again is None else either_again
    seen = np.where(either, again[:n] | again[n:], again[:n] & again[n:])
    return seen | home[:n] | home[n:]


def born_apart(levels: pl.DataFrame) -> np.ndarray:
    """The same first name (or a variant) and surname, placed together, with no
    differing sex, but dates of birth years apart: one person with a date
    written wrongly, unless each is seen again (or, dates a generation apart
    as a parent's and a child's of one name are, either is: ``names_outvoted``).
    """
    if not {"first_name", "last_name", "dob", LOCATION} <= set(levels.columns):
        return np.zeros(levels.height, dtype=bool)
    sex_differs = _sex_differs(levels)
    return (
        _between(levels, "first_name", 0, SAME_NAME)
        & _between(levels, "dob", DOB_DIFFERENT, DOB_GENERATION)
        & _between(levels, "last_name", 0, SURNAME_AGREES)
        & _between(levels, LOCATION, 0, PLACED_TOGETHER)
        & ~sex_differs
    )


def names_crossed(levels: pl.DataFrame, traits: pl.DataFrame) -> np.ndarray:
    """Both names differ, but one record's first name is the other's surname
    ("James Coleman" / "Howie James": the names given the other way round and
    one of them then written wrongly), with the same date of birth, placed
    together, and no differing sex (``traits``: ``household_traits``)."""
    if not {"first_name", "last_name", "dob", LOCATION} <= set(levels.columns):
        return np.zeros(levels.height, dtype=bool)
    out = (
        _between(levels, "first_name", NAME_DIFFERENT, NAME_DIFFERENT)
        & _between(levels, "last_name", SURNAME_DIFFERENT, SURNAME_DIFFERENT)
        & _between(levels, "dob", 0, 0)
        & _between(levels, LOCATION, 0, PLACED_TOGETHER)
        & ~_sex_differs(levels)
    )
    if out.any():
        sub = levels.filter(pl.Series(out))
        first, last = traits["fn_join"], traits["ln_join"]
        fl, fr = first.gather(sub["l"]), first.gather(sub["r"])
        ll, lr = last.gather(sub["l"]), last.gather(sub["r"])
        out[out] = ((fl == lr) | (ll == fr)).fill_null(False).to_numpy()
    return out


def names_outvoted(
    levels: pl.DataFrame, traits: pl.DataFrame | None = None
) -> np.ndarray:
    """``twin_like``, ``born_apart`` and ``names_crossed`` pairs with no
    ``household_sign``: their
    one disagreeing field is weighed, not a veto (``traits``: as
    ``household_sign`` takes them; without, none).

    Dates a generation apart are a parent's and a child's of one name as often
    as one person's written wrongly, so there either record seen again (its date
    confirmed by another record) is a sign of two people: only a lone pair at
    an address holding no family is weighed.
    """
    out = np.zeros(levels.height, dtype=bool)
    if traits is None:
        return out
    if "seen_again" not in traits.columns:
        traits = household_traits(traits)
    like = twin_like(levels) | born_apart(levels) | names_crossed(levels, traits)
    if like.any():
        pick = pl.Series(like)
        sub = levels.filter(pick)
        generation = sub["dob"].to_numpy() == DOB_GENERATION
        out[like] = ~household_sign(traits, sub["l"], sub["r"], generation)
    return out


def address_counts(
    levels: pl.DataFrame,
    alone: np.ndarray | None = None,
    both_common: np.ndarray | None = None,
    outvoted: np.ndarray | None = None,
) -> np.ndarray:
    """Pairs for which address agreement may add weight.

    ``alone`` says, per pair, that both records have a ``sole_first_name``;
    ``both_common``, that both first-name spellings are common names;
    ``outvoted``, that the first names are ``names_outvoted``.
    """
    names_agree = _between(levels, "first_name", 0, NAME_AGREES)
    dated = names_agree & _between(levels, "dob", 0, DOB_AGREES)
    undated = _between(levels, "dob", -1, -1) & (
        _between(levels, "first_name", 0, SAME_NAME)
        | _slip_of_a_rare_name(levels, both_common)
    )
    return (
        dated
        | undated
        | identifier_agrees(levels)
        | identified_by_slip(levels)
        | _unnamed_alone(levels, alone, both_common)
        | (np.zeros(levels.height, dtype=bool) if outvoted is None else outvoted)
    )


def identified_by_slip(levels: pl.DataFrame) -> np.ndarray:
    """A case number one typing slip away (never just the next number), no
    differing sex, and an agreeing surname with one more agreement (the same
    date of birth, first names within a slip, or, a first name or date of
    birth missing, records placed together), or the same date of birth or a
    first name within a slip, with records placed together, whatever the
    surnames (one changed on marriage). The case number then vouches
    for the pair whatever the first names (or the dates of birth) say."""
    if not {"case_number", "dob", "last_name"} <= set(levels.columns):
        return np.zeros(levels.height, dtype=bool)
    sex_differs = _sex_differs(levels)
    no = np.zeros(levels.height, dtype=bool)
    has = set(levels.columns)
    first_close = (
        _between(levels, "first_name", 0, NAME_SLIP) if "first_name" in has else no
    )
    first_missing = (
        _between(levels, "first_name", MISSING, MISSING) if "first_name" in has else no
    )
    together = _between(levels, LOCATION, 0, PLACED_TOGETHER) if LOCATION in has else no
    unknown = first_missing | _between(levels, "dob", MISSING, MISSING)
    surname = _between(levels, "last_name", 0, SURNAME_AGREES)
    same_dob = _between(levels, "dob", 0, 0)
    return (
        _between(levels, "case_number", 1, 1)
        & ~sex_differs
        & (
            (surname & (same_dob | first_close | (unknown & together)))
            | ((same_dob | first_close) & together)
        )
    )


def names_alone(
    levels: pl.DataFrame, years_only: np.ndarray | None = None
) -> np.ndarray:
    """No date of birth on one side (or, where ``years_only`` says both
    records know only a year, as a placeholder such as 1 January or a source of
    years only leaves them, one year), no identifier agreeing, and addresses
    that do not place the records together (or none): only the names vouch for
    the pair. A tenant and a pupil of one name are two people as often as one, so
    such a pair may be reviewed but never merged unseen."""
    if not {"dob", LOCATION} <= set(levels.columns):
        return np.zeros(levels.height, dtype=bool)
    undated = _between(levels, "dob", MISSING, MISSING)
    if years_only is not None:
        undated |= years_only & _between(levels, "dob", DOB_YEAR_ONLY, DOB_YEAR_ONLY)
    return (
        undated
        & ~identifier_agrees(levels)
        & ~_between(levels, LOCATION, 0, PLACED_TOGETHER)
    )


def not_clearly_different(
    levels: pl.DataFrame, both_common: np.ndarray, either_common: np.ndarray
) -> np.ndarray:
    """First names that could be one person's even in a household of twins:
    the same or a known variant; similar when one spelling is not itself a
    common name; loosely similar when neither is."""
    fn = levels["first_name"].to_numpy()
    return (fn >= 0) & (
        (fn <= SAME_NAME)
        | ((fn <= NAME_SIMILAR) & ~both_common)
        | ((fn <= NAME_AGREES) & ~either_common)
    )


def eligible(
    levels: pl.DataFrame,
    both_common: np.ndarray,
    alone: np.ndarray | None = None,
    either_common: np.ndarray | None = None,
    outvoted: np.ndarray | None = None,
) -> np.ndarray:
    """Pairs allowed to link or be reviewed at all.

    ``both_common`` (``either_common``) says, per pair, that both (either)
    first-name spellings are common names (``names.common_first_names``);
    ``alone``, that both records have a ``sole_first_name``; ``outvoted``,
    that the first names are ``names_outvoted``.
    """
    either_common = both_common if either_common is None else either_common
    could_be_twins = _between(levels, "dob", 0, DOB_TWIN) & _between(
        levels, "last_name", 0, SURNAME_AGREES
    )
    close = not_clearly_different(levels, both_common, either_common)
    sex_differs = _between(levels, "sex", 1, 1) if "sex" in levels.columns else False
    tells_twins_apart = close & ~sex_differs
    names_agree = _between(levels, "first_name", 0, NAME_AGREES)
    generations = _between(levels, "dob", DOB_GENERATION, DOB_GENERATION)
    return (
        identifier_agrees(levels)
        | identified_by_slip(levels)
        | (names_agree & (~could_be_twins | tells_twins_apart) & ~generations)
        | _unnamed_alone(levels, alone, both_common)
        | (np.zeros(levels.height, dtype=bool) if outvoted is None else outvoted)
    )
