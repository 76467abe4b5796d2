"""Placeholder dates of birth found per source, and how clustering weighs the
dates a would-be person holds (the cluster rule), on small tables."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from support.population import records_frame

from linkage.cluster import DobConflict, cluster
from linkage.dobs import DIFFERENT, GENERATION, ONE_DIGIT, WEEKS, YEAR
from linkage.names import load_name_tables
from linkage.standardise import standardise


def _word(i: int) -> str:
    """A distinct made-up name per number (names lose their digits)."""
    letters = "bcdfghjklmnpqrstvwz"
    out = ""
    while True:
        out += letters[i % len(letters)] + "a"
        i //= len(letters)
        if not i:
            return out.capitalize()


def _spread(source: str, n: int, start: date, step: int = 37) -> list[dict]:
    """``n`` people of ``source`` on dates spread over the years."""
    return [
        {"source": source, "record_id": f"{source}-{i}", "first_name": _word(i),
         "last_name": _word(i + 7), "dob": start + timedelta(days=step * i)}
        for i in range(n)
    ]  # fmt: skip


def _quality(rows: list[dict]) -> pl.DataFrame:
    std = standardise(records_frame(rows), load_name_tables())
    return std.select("source", "record_id", "dob", "dob_y", "dob_yo")


def test_a_day_and_month_far_above_its_share_is_a_placeholder_in_that_source():
    police = _spread("police", 400, date(1950, 3, 2))
    police += [
        {"source": "police", "record_id": f"j{i}", "first_name": _word(i + 900),
         "last_name": _word(i + 500), "dob": date(1950 + i, 1, 1)}
        for i in range(30)
    ]  # fmt: skip
    school = _spread("school", 400, date(2005, 3, 2), step=5)
    school += [
        {"source": "school", "record_id": "s-jan", "first_name": "Ann",
         "last_name": "Day", "dob": date(2010, 1, 1)}
    ]  # fmt: skip
    q = _quality(police + school)
    jan1 = q.filter(pl.col("record_id").str.starts_with("j"))
    assert jan1["dob_yo"].all() and jan1["dob"].is_null().all()
    assert jan1["dob_y"].to_list() == [1950 + i for i in range(30)]
    assert not q.filter(pl.col("record_id") == "s-jan")["dob_yo"].item()
    # every 1 January of that source is read as a year (true ones too), no
    # other day
    on_jan1 = sum(r["dob"].strftime("%m%d") == "0101" for r in police)
    assert q.filter(pl.col("source") == "police")["dob_yo"].sum() == on_jan1 > 30


def test_one_persons_many_records_never_make_a_placeholder() -> None:
    rows = _spread("health", 300, date(1960, 5, 5))
    rows += [
        {"source": "health", "record_id": f"d{i}", "first_name": f"Eve{i % 7}",
         "last_name": "Stone", "dob": date(1984, 3, 24)}
        for i in range(20)
    ]  # fmt: skip
    assert not _quality(rows)["dob_yo"].any()


def test_one_date_used_for_unknown_is_no_date() -> None:
    rows = _spread("housing", 300, date(1950, 3, 2), step=53)
    rows += [
        {"source": "housing", "record_id": f"u{i}", "first_name": _word(i + 900),
         "last_name": _word(i + 500), "dob": date(1900, 1, 1)}
        for i in range(25)
    ]  # fmt: skip
    q = _quality(rows).filter(pl.col("record_id").str.starts_with("u"))
    assert q["dob"].is_null().all() and q["dob_y"].is_null().all()


def test_a_source_may_declare_years_only() -> None:
    rows = [{"source": "a", "record_id": "1", "first_name": "Jo", "last_name": "Li",
             "dob": date(1984, 1, 1), "dob_year_only": True}]  # fmt: skip
    q = _quality(rows)
    assert q["dob_yo"].item() and q["dob_y"].item() == 1984 and q["dob"].item() is None


def test_conflict_rule_weighs_the_strongest_conflict_against_the_pair() -> None:
    weights = {0: 12.0, 1: 8.0, 2: 3.0, 3: 1.0, 4: -2.0, 5: -5.0, 6: 2.0,
               7: -9.0, 8: -9.5}  # fmt: skip
    rule = DobConflict(weights, threshold=6.6)
    # a slip never vetoes; a generation always does
    assert not rule.refuses(ONE_DIGIT, weight=7.0, own=12.0)
    assert rule.refuses(GENERATION, weight=60.0, own=12.0)
    # weeks apart: 30 - 12 - 2 = 16 >= 6.6, kept; 12 - 12 - 2 < 6.6, refused
    assert not rule.refuses(WEEKS, weight=30.0, own=12.0)
    assert rule.refuses(WEEKS, weight=12.0, own=12.0)
    assert rule.refuses(DIFFERENT, weight=20.0, own=12.0)
    assert not rule.refuses(YEAR, weight=24.0, own=12.0)
    # without a model, anything beyond a few days refuses
    assert DobConflict().refuses(WEEKS, 100.0, 0.0)


def _std(dobs: list[date]) -> pl.DataFrame:
    rows = [{"first_name": "Jane", "last_name": "Smith", "dob": d} for d in dobs]
    return standardise(records_frame(rows), load_name_tables())


def _pairs(rows: list[tuple[int, int, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(a, b, w, w_dob, 1.0, True, False) for a, b, w, w_dob in rows],
        schema={"l": pl.UInt32, "r": pl.UInt32, "weight": pl.Float64,
                "w_dob": pl.Float32, "probability": pl.Float64,
                "eligible": pl.Boolean, "review_only": pl.Boolean},
        orient="row",
    )  # fmt: skip


def test_one_typo_cannot_veto_a_strong_pair_and_chains_cannot_join_strangers():
    weights = {0: 12.0, 1: 8.0, 2: 3.0, 3: 1.0, 4: -2.0, 5: -5.0, 6: 2.0,
               7: -9.0, 8: -9.5}  # fmt: skip
    rule = DobConflict(weights, threshold=6.6)
    # 0-1 exact, 1-2 seven weeks apart but strong: one person of three
    std = _std([date(1973, 10, 17), date(1973, 10, 17), date(1973, 12, 5)])
    people = cluster(std, _pairs([(0, 1, 30, 12), (1, 2, 25, -2)]), 0.99,
                     conflict=rule)  # fmt: skip
    assert people.person_ids.n_unique() == 1
    # 0-1 and 1-2 each a few days apart, but 0 and 2 four years apart: the
    # second link is judged with the 0-2 conflict (-9) and refused
    std = _std([date(1973, 10, 17), date(1973, 10, 20), date(1977, 10, 22)])
    people = cluster(std, _pairs([(0, 1, 20, 1), (1, 2, 15, 1)]), 0.99,
                     conflict=rule)  # fmt: skip
    ids = people.person_ids.to_list()
    assert ids[0] == ids[1] != ids[2]


def test_an_identifiers_clashing_date_does_not_bar_the_persons_other_records():
    """Three records born 1924 and one, the same case number, born 1983 (a
    recording error the identifier overrides): a fifth record born 1924 joins
    the person, weighed against the nearest of its dates; a record born 1950
    is as far from every date the person holds and is still refused."""
    weights = {0: 12.0, 1: 8.0, 2: 3.0, 3: 1.0, 4: -2.0, 5: -5.0, 6: 2.0,
               7: -9.0, 8: -9.5}  # fmt: skip
    rule = DobConflict(weights, threshold=6.6)
    born = [date(1924, 12, 3)] * 3 + [date(1983, 9, 5), date(1924, 12, 3),
                                      date(1950, 4, 1)]  # fmt: skip
    std = _std(born)
    pairs = _pairs([(0, 1, 40, 12), (1, 2, 39, 12), (0, 3, 30, -9.5),
                    (2, 4, 25, 12), (1, 5, 24, -9)])  # fmt: skip
    pairs = pairs.with_columns(case_number=pl.Series([0, 0, 0, 2, 2], dtype=pl.Int8))
    ids = cluster(std, pairs, 0.99, conflict=rule).person_ids.to_list()
    assert len(set(ids[:5])) == 1
    assert ids[5] != ids[0]


def test_two_case_numbers_of_one_source_weigh_against_a_weak_link():
    """A child's health record links to the child's housing record; a parent
    of a like name without a date of birth, with another housing number, links
    weakly to the health record: judged as if the case numbers differed, the
    weak link is refused and a strong one (a source that registered one person
    twice) is not. A number one typing slip away is no conflict."""
    rule = DobConflict({0: 12.0, 8: -9.5}, threshold=6.6, case_different=-5.0)
    rows = [
        {"source": "health", "case_number": None, "dob": date(2021, 8, 24)},
        {"source": "housing", "case_number": "HP227277", "dob": date(2021, 8, 24)},
        {"source": "housing", "case_number": "HP242217", "dob": None},
        {"source": "housing", "case_number": "HP227377", "dob": None},
    ]
    std = standardise(
        records_frame([{"first_name": "Ayesha", "last_name": "Khan", **r}
                       for r in rows]),
        load_name_tables(),
    )  # fmt: skip
    for weight, apart in ((9.4, True), (20.0, False)):
        pairs = _pairs([(0, 1, 30, 12), (0, 2, weight, 0)])
        ids = cluster(std, pairs, 0.99, conflict=rule).person_ids.to_list()
        assert (ids[0] != ids[2]) is apart
    slip = cluster(std, _pairs([(0, 1, 30, 12), (0, 3, 9.4, 0)]), 0.99,
                   conflict=rule).person_ids.to_list()  # fmt: skip
    assert slip[0] == slip[3]
