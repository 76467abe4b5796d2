"""Placeholder dates of birth, found per source from the data itself.

A source that does not know a date of birth often writes a stand-in: 1 January
of the year it was told (or the first of a month), or one fixed date such as
01/01/1900 for "unknown". Taken at face value such dates make strangers look
alike (everyone born "1 January 1985") and a person's true date look wrong.

* A day and month held by far more people of a source than its share of the
  year (about 1 in 365) is a placeholder there: dates on it say only the year.
* One whole date held by far more people than any date should be is "unknown":
  its year says nothing either.

People are counted as distinct names on the date, so one person's duplicate
records (the same name, the same date) never make a date look common; and a
placeholder day and month must also hold dates of several different years, as
a stand-in does (one person's records, however many and however misspelt,
hold one date or a few close ones).
"""

from __future__ import annotations

import polars as pl

#: A day and month is a placeholder when it holds at least this many people …
DAY_MONTH_MIN_PEOPLE = 5
#: … and this many times its share of the year …
DAY_MONTH_RATIO = 4.0
#: … and more than this many standard deviations above it (Poisson) …
DAY_MONTH_SIGMAS = 5.0
#: … and hold at least this many distinct dates, and this many times the
#: distinct dates a day and month holds on average.
DAY_MONTH_MIN_DATES = 5
DAY_MONTH_DATES_RATIO = 1.5
#: A whole date is "unknown" when at least this many people hold it …
DATE_MIN_PEOPLE = 8
#: … and this many times as many as the source's dates hold on average.
DATE_RATIO = 20.0
#: Days of the year a day and month stands for (29 February: a quarter).
_YEAR_DAYS = 365.25


def _people(std: pl.DataFrame) -> pl.DataFrame:
    """Distinct (source, date, name) among dated records."""
    return (
        std.filter(pl.col("dob").is_not_null())
        .select(
            "source",
            "dob",
            pl.col("dob").dt.strftime("%m%d").alias("md"),
            pl.concat_str(
                [pl.col("fn_join").fill_null(""), pl.col("ln_join").fill_null("")],
                separator=" ",
            ).alias("name"),
        )
        .unique()
    )


def placeholder_day_months(std: pl.DataFrame) -> pl.DataFrame:
    """(source, md "MMDD") pairs that are placeholders in that source."""
    people = _people(std)
    per_source = people.group_by("source").agg(
        pl.len().alias("n"), pl.col("dob").n_unique().alias("dates")
    )
    counts = people.group_by("source", "md").agg(
        pl.len().alias("c"), pl.col("dob").n_unique().alias("c_dates")
    )
    counts = counts.join(per_source, on="source")
    share = pl.when(pl.col("md") == "0229").then(0.25).otherwise(1.0) / _YEAR_DAYS
    mu = pl.col("n") * share
    flagged = (
        (pl.col("c") >= DAY_MONTH_MIN_PEOPLE)
        & (pl.col("c") > DAY_MONTH_RATIO * mu)
        & (pl.col("c") > mu + DAY_MONTH_SIGMAS * mu.sqrt())
        & (pl.col("c_dates") >= DAY_MONTH_MIN_DATES)
        & (pl.col("c_dates") > DAY_MONTH_DATES_RATIO * pl.col("dates") * share)
    )
    return counts.filter(flagged).select("source", "md")


def unknown_dates(std: pl.DataFrame) -> pl.DataFrame:
    """(source, dob) pairs standing for "date of birth not known"."""
    people = _people(std)
    counts = people.group_by("source", "dob").len("c")
    mean = pl.col("c").mean().over("source")
    flagged = (pl.col("c") >= DATE_MIN_PEOPLE) & (pl.col("c") > DATE_RATIO * mean)
    return counts.filter(flagged).select("source", "dob")


def dob_quality(std: pl.DataFrame) -> pl.DataFrame:
    """Per record (in order): ``dob_yo`` (only the year is known: the source
    says so, or the day and month is a placeholder there) and ``dob_unknown``
    (the date is a placeholder for none)."""
    keyed = std.select(
        "source",
        "dob",
        pl.col("dob").dt.strftime("%m%d").alias("md"),
        pl.col("dob_year_only").fill_null(False).alias("declared"),
    )
    md = placeholder_day_months(std).with_columns(pl.lit(True).alias("p_md"))
    whole = unknown_dates(std).with_columns(pl.lit(True).alias("p_date"))
    flagged = keyed.join(md, on=["source", "md"], how="left", maintain_order="left")
    flagged = flagged.join(
        whole, on=["source", "dob"], how="left", maintain_order="left"
    )
    unknown = pl.col("p_date").fill_null(False) & pl.col("dob").is_not_null()
    year_only = (pl.col("declared") | pl.col("p_md").fill_null(False)) & ~unknown
    return flagged.select(
        (year_only & pl.col("dob").is_not_null()).alias("dob_yo"),
        unknown.alias("dob_unknown"),
    )
