"""One row per person: best display values and every variant seen, for ``lookup``.

"Best" is the value most of the person's records give, ties going to the most
recent record, so one mistyped record never changes how a person is shown.
"""

from __future__ import annotations

import polars as pl

#: Record fields the table is made from; the others are never sorted or copied.
FIELDS = (
    "person_id", "source", "first_name", "last_name", "dob", "sex", "nhs_number",
    "upn", "case_number", "address", "postcode", "involvement_current",
    "involvement_start", "involvement_end", "last_contact", "extract_date",
    "previous_names",
)  # fmt: skip


def json_list(expr: pl.Expr) -> pl.Expr:
    """A list column as JSON text (``[]`` when empty), encoded column-wide."""
    encoded = pl.struct(expr.fill_null(pl.lit([], dtype=pl.List(pl.Utf8))).alias("v"))
    text = encoded.struct.json_encode()
    return text.str.slice(5, text.str.len_chars() - 6)


def recency() -> pl.Expr:
    """When a record's details were last known true: now for current involvement."""
    return (
        pl.when(pl.col("involvement_current").fill_null(False))
        .then(pl.col("extract_date"))
        .otherwise(
            pl.coalesce(
                "last_contact", "involvement_end", "involvement_start", "extract_date"
            )
        )
    )


def _mode(records: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Per person, the most common non-null combination of ``cols``, newest on ties."""
    return (
        records.drop_nulls(cols)
        .group_by("person_id", *cols)
        .agg(pl.len().alias("_n"), pl.col("_recent").max())
        .sort(["_n", "_recent", *cols], descending=True, nulls_last=True)
        .group_by("person_id", maintain_order=True)
        .agg(pl.col(c).first() for c in cols)
    )


def display_case(expr: pl.Expr) -> pl.Expr:
    """A name every record gives in one case (SMITH, smith) shown as Smith;
    mixed-case spellings are kept as the agency wrote them (McDonald, de Souza)."""
    titled = expr.str.to_titlecase()
    mc = titled.str.starts_with("Mc") & (titled.str.len_chars() > 2)
    titled = (
        pl.when(mc)
        .then(
            pl.concat_str(
                pl.lit("Mc"),
                titled.str.slice(2, 1).str.to_uppercase(),
                titled.str.slice(3),
            )
        )
        .otherwise(titled)
    )
    one_case = (expr == expr.str.to_uppercase()) | (expr == expr.str.to_lowercase())
    return pl.when(one_case).then(titled).otherwise(expr)


def _best_name(records: pl.DataFrame) -> pl.DataFrame:
    """The name most records give (ignoring case), spelt in mixed case if any
    record does (agencies that shout in capitals lose to ones that do not)."""
    first, last = pl.col("first_name"), pl.col("last_name")
    shouting = (first == first.str.to_uppercase()) & (last == last.str.to_uppercase())
    key = pl.concat_str(
        [first.str.to_lowercase(), last.str.to_lowercase()],
        separator="\x1f",
        ignore_nulls=True,
    )
    return (
        records.filter(first.is_not_null() | last.is_not_null())
        .with_columns(_key=key, _shouting=shouting.fill_null(True))
        .with_columns(_n=pl.len().over("person_id", "_key"))
        .sort(["_n", "_shouting", "_recent"], descending=[True, False, True],
              nulls_last=True)
        .group_by("person_id", maintain_order=True)
        .agg(
            display_case(first.first()).alias("first_name"),
            display_case(last.first()).alias("last_name"),
        )
    )  # fmt: skip


def _addresses(records: pl.DataFrame) -> pl.DataFrame:
    """Every address seen, newest first (compared ignoring case and spacing)."""
    seen = (
        records.filter(pl.col("address").is_not_null())
        .with_columns(
            pl.col("address")
            .str.to_lowercase()
            .str.replace_all(r"[\s,]+", " ")
            .alias("_key")
        )
        .sort("_recent", descending=True, nulls_last=True)
        .unique(["person_id", "_key"], keep="first", maintain_order=True)
    )
    return seen.group_by("person_id", maintain_order=True).agg(
        pl.col("address").first().alias("address"),
        pl.col("postcode").first().alias("postcode"),
        pl.col("address").alias("addresses"),
    )


def stated_names(records: pl.DataFrame) -> pl.DataFrame:
    """(person_id, name): each previous or other name a record states
    (``previous_names``), as "first last"; a family name alone is given the
    record's first name."""
    items = (
        records.select(
            "person_id", "first_name", pl.col("previous_names").str.split(";")
        )
        .explode("previous_names")
        .with_columns(pl.col("previous_names").str.strip_chars(" ,\t"))
        .filter(pl.col("previous_names").str.contains(r"\w"))
    )
    alone = ~pl.col("previous_names").str.contains(r"\s")
    name = pl.when(alone & pl.col("first_name").is_not_null()).then(
        pl.concat_str(["first_name", "previous_names"], separator=" ")
    )
    return items.select("person_id", name.otherwise("previous_names").alias("name"))


def _variants(records: pl.DataFrame, best: pl.DataFrame) -> pl.DataFrame:
    """Names and dates of birth seen besides the display ones: another record's
    name, or one a record states was the person's (``previous_names``, kept apart
    too: search says it matched a previous name)."""
    names = pl.concat_str(["first_name", "last_name"], separator=" ", ignore_nulls=True)
    shown = pl.concat_str(
        ["first_name_best", "last_name_best"], separator=" ", ignore_nulls=True
    )
    joined = records.join(best, on="person_id", how="left", suffix="_best")
    stated = stated_names(records).join(best, on="person_id", how="left")
    shown_now = pl.concat_str(["first_name", "last_name"], separator=" ",
                              ignore_nulls=True)  # fmt: skip
    previous = stated.group_by("person_id").agg(
        pl.col("name")
        .filter(pl.col("name").str.to_lowercase() != shown_now.str.to_lowercase())
        .unique(maintain_order=True)
        .alias("previous_names")
    )
    seen = joined.group_by("person_id").agg(
        names.filter(names.str.to_lowercase() != shown.str.to_lowercase())
        .unique(maintain_order=True)
        .alias("other_names"),
        pl.col("dob")
        .filter(pl.col("dob").is_not_null() & (pl.col("dob") != pl.col("dob_best")))
        .unique()
        .sort()
        .dt.strftime("%Y-%m-%d")
        .alias("other_dobs"),
    )
    both = seen.join(previous, on="person_id", how="left").with_columns(
        pl.col("previous_names").fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))
    )
    return both.with_columns(
        pl.concat_list("other_names", "previous_names")
        .list.unique(maintain_order=True)
        .alias("other_names")
    )


def people_table(records: pl.DataFrame) -> pl.DataFrame:
    """The ``people`` table (without build_id) from records carrying ``person_id``."""
    records = records.select(
        pl.col(c) if c in records.columns else pl.lit(None, pl.Utf8).alias(c)
        for c in FIELDS
    ).with_columns(recency().alias("_recent"))
    best = _best_name(records).join(_mode(records, ["dob"]), on="person_id", how="left")
    counts = records.group_by("person_id").agg(
        pl.col("sex").filter(pl.col("sex").is_in(["F", "M"])).mode().sort().first(),
        pl.col("nhs_number").drop_nulls().mode().sort().first(),
        pl.col("upn").drop_nulls().mode().sort().first(),
        (pl.col("source") + ":" + pl.col("case_number"))
        .drop_nulls()
        .unique()
        .sort()
        .alias("case_numbers"),
        pl.len().alias("n_records"),
        pl.col("source").n_unique().alias("n_sources"),
    )
    people = (
        counts.join(best, on="person_id", how="left")
        .join(_addresses(records), on="person_id", how="left")
        .join(_variants(records, best), on="person_id", how="left")
    )
    return people.select(
        "person_id", "first_name", "last_name", "dob", "sex", "nhs_number", "upn",
        json_list(pl.col("case_numbers")).alias("case_numbers"),
        "address", "postcode",
        json_list(pl.col("other_names")).alias("other_names"),
        json_list(pl.col("other_dobs")).alias("other_dobs"),
        json_list(pl.col("addresses")).alias("addresses"),
        pl.col("n_records").cast(pl.Int64), pl.col("n_sources").cast(pl.Int64),
        json_list(pl.col("previous_names")).alias("previous_names"),
    ).sort("person_id")  # fmt: skip
