"""Search and family structures built once when the index is loaded.

Everything is an array over the people frame's row order (people sorted by
``person_id``), so a search or a family view touches only the rows it needs:

* a sorted name vocabulary with postings (vocabulary code -> name-variant rows,
  by family name and by given name) and each name's nickname canonical codes;
* dates of birth as day numbers, other recorded dates as sorted keys;
* identifiers as sorted arrays; records and family rows sorted by person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

#: Day number used for an unknown date of birth.
NO_DAY = np.iinfo(np.int32).min
_EPOCH = date(1970, 1, 1)
_KEY = 1 << 20  # other-dob key: person row * _KEY + day + _KEY // 2
_ID_KINDS = pl.Enum(["nhs_number", "upn", "case_number"])


@dataclass(frozen=True, eq=False)
class NameIndex:
    """Name variants as vocabulary codes, with postings by family and given name."""

    vocab: pl.Series  # sorted distinct standardised names
    vocab_list: list[str]  # the same, as rapidfuzz takes it
    row_person: np.ndarray  # variant row -> people row
    row_first: np.ndarray  # variant row -> vocab code of the given name
    row_last: np.ndarray  # variant row -> vocab code of the family name (or part)
    row_part: np.ndarray  # variant row is one part of a two-part family name
    row_other: np.ndarray  # variant row is another name of the person's, not the
    # display one (a previous family name, another spelling seen)
    row_previous: np.ndarray  # variant row is a name a record states was the
    # person's (``previous_names``: a previous family name)
    by_last: np.ndarray  # variant rows ordered by family-name code
    last_offsets: np.ndarray  # code -> by_last[start:end]
    by_first: np.ndarray
    first_offsets: np.ndarray
    canon_owner: np.ndarray  # flat (vocab code, canonical code) pairs
    canon_code: np.ndarray
    canon_self: np.ndarray  # the owner is the group's own name (Charles in Charles)
    canon_codes: dict[str, int]  # canonical name -> code
    nick_canons: dict[str, tuple[str, ...]]  # typed name -> canonical names
    person_offsets: np.ndarray  # people row -> variant rows [start:end]
    surname_groups: dict[str, np.ndarray]  # family name -> codes of its spellings
    #: Vocabulary codes seen as a given name / as a family name (or part), and
    #: those names, so a query is compared only with names in the same role.
    first_codes: np.ndarray
    first_list: list[str]
    last_codes: np.ndarray
    last_list: list[str]


@dataclass(frozen=True, eq=False)
class PersonIndex:
    """Per people row: date of birth parts, flags, ranks; identifier lookups."""

    dob_day: np.ndarray
    dob_order: np.ndarray  # people rows ordered by dob_day
    dob_sorted: np.ndarray  # dob_day[dob_order]
    other_days: np.ndarray  # other recorded dates of birth, sorted
    other_rows: np.ndarray  # the people row of each
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    other_dob_keys: np.ndarray  # sorted person row * _KEY + day
    n_sources: np.ndarray
    name_rank: np.ndarray  # order by (last name, first name, person_id)
    flagged: np.ndarray  # in the possible-match review band
    postcode_codes: dict[str, int]  # postcode (upper case, no spaces) -> code
    postcode_keys: np.ndarray  # sorted people row * _KEY + code, every one seen
    postcode_people: np.ndarray  # people rows ordered by postcode code
    postcode_offsets: np.ndarray  # code -> postcode_people[start:end]
    district_codes: dict[str, int]  # postcode district ('SK1') -> code
    district_keys: np.ndarray
    ids: pl.DataFrame  # (key, kind, row) sorted by key: NHS number, UPN, case no.


def day_number(value: date) -> int:
    """Days since 1970-01-01 (polars' Date physical value)."""
    return (value - _EPOCH).days


def postings(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows ordered by code, offsets): rows with code c are order[off[c]:off[c+1]]."""
    order = np.argsort(codes, kind="stable").astype(np.int32)
    offsets = np.searchsorted(codes[order], np.arange(size + 1)).astype(np.int64)
    return order, offsets


def gather_ranges(
    order: np.ndarray, offsets: np.ndarray, codes: np.ndarray
) -> np.ndarray:
    """All of ``order[offsets[c]:offsets[c+1]]`` for every code c, concatenated."""
    return order[ranges(offsets[codes], offsets[codes + 1])]


def _surname_groups(
    codes: pl.DataFrame, surnames: pl.DataFrame | None
) -> dict[str, np.ndarray]:
    """Each family name in the spelling table -> vocabulary codes of every
    spelling in its group ('lee' -> codes of 'lee' and 'li')."""
    if surnames is None or surnames.is_empty():
        return {}
    present = surnames.join(codes, left_on="name", right_on="v")
    spellings = present.group_by("canonical").agg(pl.col("c"))
    members = surnames.join(spellings, on="canonical")
    return {
        name: np.asarray(found, dtype=np.int32)
        for name, found in members.select("name", "c").iter_rows()
    }


def build_name_index(
    people_ids: pl.Series,
    names: pl.DataFrame,
    nick_canons: dict[str, tuple[str, ...]],
    surnames: pl.DataFrame | None = None,
) -> NameIndex:
    """Codes and postings for ``names`` (``lookup.names.name_variants`` output)."""
    vocab = pl.concat([names["first"], names["last"]]).unique().sort()
    codes = pl.DataFrame({"v": vocab, "c": np.arange(vocab.len(), dtype=np.int32)})

    def code(col: str) -> np.ndarray:
        joined = names.select(col).join(codes, left_on=col, right_on="v", how="left")
        return joined["c"].to_numpy().astype(np.int32)

    row_person = people_ids.search_sorted(names["person_id"]).to_numpy()
    row_first, row_last = code("first"), code("last")
    vocab_list = vocab.to_list()
    first_codes, last_codes = np.unique(row_first), np.unique(row_last)
    by_last, last_offsets = postings(row_last, vocab.len())
    by_first, first_offsets = postings(row_first, vocab.len())
    canons = (
        names.select("first", "canons")
        .unique("first")
        .explode("canons")
        .drop_nulls()
        .join(codes, left_on="first", right_on="v")
    )
    distinct = canons["canons"].unique().sort()
    canon_table = pl.DataFrame(
        {"canons": distinct, "k": np.arange(distinct.len(), dtype=np.int32)}
    )
    # owner and canon code side by side from one frame: a join need not keep
    # row order, and two separately ordered columns paired wrong names
    canons = canons.join(canon_table, on="canons")
    return NameIndex(
        vocab=vocab,
        vocab_list=vocab_list,
        row_person=row_person.astype(np.int32),
        row_first=row_first,
        row_last=row_last,
        row_part=names["part"].to_numpy(),
        row_other=(
            names["other"].to_numpy()
            if "other" in names.columns
            else np.zeros(names.height, dtype=bool)
        ),
        row_previous=(
            names["previous"].to_numpy()
            if "previous" in names.columns
            else np.zeros(names.height, dtype=bool)
        ),
        by_last=by_last,
        last_offsets=last_offsets,
        by_first=by_first,
        first_offsets=first_offsets,
        canon_owner=canons["c"].to_numpy().astype(np.int32),
        canon_code=canons["k"].to_numpy(),
        canon_self=(canons["first"] == canons["canons"]).to_numpy(),
        canon_codes=dict(canon_table.iter_rows()),
        nick_canons=nick_canons,
        person_offsets=np.searchsorted(
            row_person, np.arange(people_ids.len() + 1)
        ).astype(np.int64),
        surname_groups=_surname_groups(codes, surnames),
        first_codes=first_codes,
        first_list=[vocab_list[c] for c in first_codes],
        last_codes=last_codes,
        last_list=[vocab_list[c] for c in last_codes],
    )


def compact_expr(expr: pl.Expr) -> pl.Expr:
    """An identifier as ``lookup.query.compact_id`` leaves it."""
    return expr.str.replace_all(r"[\s\-/.:_*%?]", "").str.to_uppercase()


def _ids(people: pl.DataFrame) -> pl.DataFrame:
    row = pl.int_range(pl.len(), dtype=pl.Int32).alias("row")
    base = people.select("nhs_number", "upn", "case_numbers", row)
    single = [
        base.select(pl.col(kind).alias("key"), pl.lit(kind).alias("kind"), "row")
        for kind in ("nhs_number", "upn")
    ]
    cases = base.select("case_numbers", "row").explode("case_numbers")
    cases = cases.select(
        compact_expr(pl.col("case_numbers").str.replace(r"^[^:]*:", "")).alias("key"),
        pl.lit("case_number").alias("kind"),
        "row",
    )
    both = pl.concat([*single, cases]).drop_nulls("key").unique()
    return both.with_columns(pl.col("kind").cast(_ID_KINDS)).sort("key", "kind", "row")


def _coded(pairs: pl.DataFrame, col: str) -> tuple[dict[str, int], np.ndarray]:
    """(value -> code, sorted row * _KEY + code keys) for (row, value) pairs."""
    distinct = pairs[col].unique().sort()
    codes = dict(zip(distinct.to_list(), range(distinct.len()), strict=True))
    coded = pairs.join(
        pl.DataFrame({col: distinct, "code": np.arange(distinct.len())}), on=col
    )
    keys = coded["row"].to_numpy().astype(np.int64) * _KEY + coded["code"].to_numpy()
    return codes, np.unique(keys)


def keyed_postcodes(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame``'s postcodes as search keys them (upper case, no spaces), those
    too short to be one dropped: the keys ``_postcodes`` builds and
    ``lookup.seen_place`` compares with."""
    return frame.with_columns(
        pl.col("postcode").cast(pl.Utf8).str.replace_all(" ", "").str.to_uppercase()
    ).filter(pl.col("postcode").str.len_chars() >= 5)


def _postcodes(people: pl.DataFrame, records: pl.DataFrame) -> dict:
    """Every postcode each person was recorded at (current and previous)."""
    rows = pl.DataFrame(
        {"person_id": people["person_id"], "row": np.arange(people.height)}
    )
    seen = pl.concat(
        [
            people.select("person_id", "postcode"),
            records.select("person_id", pl.col("postcode").cast(pl.Utf8)),
        ]
    )
    pairs = (
        keyed_postcodes(seen)
        .join(rows, on="person_id")
        .select("row", "postcode", pl.col("postcode").str.head(-3).alias("district"))
        .unique()
    )
    postcode_codes, postcode_keys = _coded(pairs.select("row", "postcode"), "postcode")
    district_codes, district_keys = _coded(pairs.select("row", "district"), "district")
    order, offsets = postings(postcode_keys % _KEY, len(postcode_codes))
    return {
        "postcode_codes": postcode_codes, "postcode_keys": postcode_keys,
        "postcode_people": (postcode_keys // _KEY)[order],
        "postcode_offsets": offsets,
        "district_codes": district_codes, "district_keys": district_keys,
    }  # fmt: skip


def postcode_rows(persons: PersonIndex, postcode: str) -> np.ndarray:
    """People rows recorded at ``postcode`` (upper case, no spaces), now or before."""
    code = persons.postcode_codes.get(postcode)
    if code is None:
        return np.zeros(0, dtype=np.int64)
    start, end = persons.postcode_offsets[code], persons.postcode_offsets[code + 1]
    return persons.postcode_people[start:end]


def pair_keys(rows: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The people row * code keys ``has_key`` looks for, of (row, code) pairs."""
    return rows.astype(np.int64) * _KEY + codes


def has_key(keys: np.ndarray, rows: np.ndarray, code: int | None) -> np.ndarray:
    """For each people row: is (row, code) among the sorted ``keys``?"""
    if code is None or len(keys) == 0:
        return np.zeros(len(rows), dtype=bool)
    wanted = rows.astype(np.int64) * _KEY + code
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return keys[pos] == wanted


def build_person_index(
    people: pl.DataFrame, flagged_ids: pl.Series, records: pl.DataFrame
) -> PersonIndex:
    """Arrays over ``people`` (sorted by person_id) for scoring and identifiers."""
    dob = people["dob"]
    day = dob.cast(pl.Int32).fill_null(NO_DAY).to_numpy()
    other = (
        people.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), "other_dobs")
        .explode("other_dobs")
        .drop_nulls()
        .select(
            pl.col("row") * _KEY
            + pl.col("other_dobs").str.to_date(strict=False).cast(pl.Int64)
            + _KEY // 2
        )
        .drop_nulls()
    )
    rank = people.select(
        pl.struct("last_name", "first_name", "person_id").rank("ordinal")
    ).to_series()
    order = np.argsort(day, kind="stable").astype(np.int32)
    keyed = other.to_series().to_numpy()
    by_day = np.argsort(keyed % _KEY, kind="stable")
    return PersonIndex(
        dob_day=day,
        dob_order=order,
        dob_sorted=day[order],
        other_days=(keyed % _KEY - _KEY // 2)[by_day],
        other_rows=(keyed // _KEY)[by_day],
        year=dob.dt.year().fill_null(0).to_numpy(),
        month=dob.dt.month().fill_null(0).to_numpy(),
        day=dob.dt.day().fill_null(0).to_numpy(),
        other_dob_keys=np.sort(keyed),
        n_sources=people["n_sources"].fill_null(0).cast(pl.Int16).to_numpy(),
        name_rank=rank.to_numpy(),
        flagged=people["person_id"].is_in(flagged_ids.implode()).to_numpy(),
        **_postcodes(people, records),
        ids=_ids(people),
    )


def other_dob_hits(persons: PersonIndex, rows: np.ndarray, day: int) -> np.ndarray:
    """For each people row in ``rows``: is ``day`` one of its other recorded dates?"""
    keys = rows.astype(np.int64) * _KEY + day + _KEY // 2
    pos = np.searchsorted(persons.other_dob_keys, keys)
    pos = np.minimum(pos, max(len(persons.other_dob_keys) - 1, 0))
    if len(persons.other_dob_keys) == 0:
        return np.zeros(len(rows), dtype=bool)
    return persons.other_dob_keys[pos] == keys


def other_dob_between(
    persons: PersonIndex, rows: np.ndarray, first: int, last: int
) -> np.ndarray:
    """For each people row in ``rows``: is one of its other recorded dates of
    birth between days ``first`` and ``last`` (both included)?"""
    keyed = rows.astype(np.int64) * _KEY + _KEY // 2
    keys = persons.other_dob_keys
    lo = np.searchsorted(keys, keyed + first, "left")
    return np.searchsorted(keys, keyed + last, "right") > lo


def slice_rows(sorted_ids: pl.Series, wanted: pl.Series) -> np.ndarray:
    """Row numbers of ``sorted_ids`` equal to any of ``wanted`` (binary search)."""
    starts = sorted_ids.search_sorted(wanted, side="left").to_numpy()
    ends = sorted_ids.search_sorted(wanted, side="right").to_numpy()
    return ranges(starts.astype(np.int64), ends.astype(np.int64))


def ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``arange(s, e)`` for every (s, e) pair, concatenated, without a loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return np.arange(total) + np.repeat(starts - np.cumsum(lengths) + lengths, lengths)


def dob_rows(persons: PersonIndex, days: list[int]) -> np.ndarray:
    """People rows born on any of ``days`` or with one of them as another dob."""

    def on(sorted_days: np.ndarray) -> np.ndarray:
        # the days in the sorted array's own type: numpy would otherwise copy the
        # whole array to a common type on every call
        arr = np.asarray(days, dtype=sorted_days.dtype)
        lo = np.searchsorted(sorted_days, arr).astype(np.int64)
        return ranges(lo, np.searchsorted(sorted_days, arr, "right"))

    found = persons.dob_order[on(persons.dob_sorted)]
    others = persons.other_rows[on(persons.other_days)]
    return np.unique(np.concatenate([found, others]))


def age_cut_people(
    people: pl.DataFrame, held: pl.DataFrame, rules: pl.DataFrame, today: date
) -> pl.DataFrame:
    """People some of whose records an age rule hides on ``today`` (a child's
    police or housing records), with the sources left to them (``full``:
    sorted, ``;``-joined): whom a viewer who sees every source in full sees
    made again from fewer records (``lookup.identity``).

    ``people``: person_id, dob; ``held``: person_id, source (distinct);
    ``rules``: source, age_min, age_max (null: no limit).
    """
    born = pl.col("dob")
    before = (born.dt.month() > today.month) | (
        (born.dt.month() == today.month) & (born.dt.day() > today.day)
    )
    age = (today.year - born.dt.year() - before.cast(pl.Int32)).alias("age")
    aged = people.select(pl.col("person_id").cast(pl.Utf8), age).drop_nulls("age")
    rows = held.select(pl.col("person_id", "source").cast(pl.Utf8)).join(
        aged, on="person_id"
    )
    rows = rows.join(rules, on="source", how="left").with_columns(
        hidden=(pl.col("age") < pl.col("age_min")).fill_null(False)
        | (pl.col("age") > pl.col("age_max")).fill_null(False)
    )
    return (
        rows.group_by("person_id")
        .agg(
            pl.col("hidden").any().alias("cut"),
            pl.col("source").filter(~pl.col("hidden")).sort().str.join(";"),
        )
        .filter(pl.col("cut"))
        .select("person_id", pl.col("source").alias("full"))
        .sort("person_id")
    )
