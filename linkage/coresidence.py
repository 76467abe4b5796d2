"""Co-residence: people who lived at one specific address at the same time.

Each record says where its person lived at some point between its involvement
start and when it was last true (``recency``). A person's stay at an address
runs from the earliest to the latest such date there,
widened by up to ``REACH`` on each side (records are occasional snapshots) but
never past a record placing them somewhere else; the stay at their last known
address runs on to now. People whose stays at one
address overlap lived there together: a household, never evidence that two of
its members are one person. Successive occupants of a home do not overlap once
either is seen elsewhere or their dates are far apart, so they stay apart.

An address is its postcode plus house and flat numbers ("Flat 3, 12 High St"
and "12 High Street, flat 3" agree); without numbers it is too vague to say who
lives there, but a different postcode still says the person was elsewhere. A
record missing one part is placed from others: postcode only, at the one home
in it of someone with the same surname; numbers and street without a postcode,
at the one home with those numbers on that street.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import polars as pl

from linkage.people import recency
from linkage.standardise import (
    ADDRESS_WORDS,
    address_expr,
    address_numbers,
    postcode_columns,
)

#: More people than this in one stay group is a hostel, a care home or an
#: address missing its flat number: not a household.
MAX_HOUSEHOLD = 10
#: How far a stay is assumed to extend beyond the records dated at the address.
REACH = timedelta(days=365)
#: Evidence text of a stay from a record with the address, or of one placed by
#: surname (postcode only) or by street (no postcode).
ADDRESS = "Same address at the same time"
SURNAME = "Same surname and postcode as the household"
STREET = "Same house number and street as the household"
#: A surname on more than this share of records (Smith, Jones), and on at least
#: ``COMMON_MIN`` of them, says too little to place a record by it.
COMMON_SURNAME = 0.005
COMMON_MIN = 50
#: A house number, an optional flat, then the street's first two words.
STREET_PATTERN = (
    r"\b\d+[a-z]?\b[\s,]+(?:flat\s+\d+[a-z]?[\s,]+)?([a-z][a-z'-]*)\s+([a-z]+)"
)
STREET_WORDS = dict(ADDRESS_WORDS)
#: Stand-in date for a record with no date at all (all such stays overlap).
UNDATED = date(1900, 1, 1)
#: End of a stay at a person's last known address: they are taken to live there
#: still (as any "last known address" is).
OPEN = date(9999, 12, 31)


def address_key(records: pl.DataFrame) -> pl.Expr:
    """Postcode plus house and flat numbers, or null when either is missing.
    Uses the standardised ``pc`` and ``addr_nums`` columns when present."""
    pc, numbers = _parts(records)
    return pl.when((numbers.str.len_chars() > 0) & pc.is_not_null()).then(
        pc + "|" + numbers
    )


def _parts(records: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    if {"pc", "addr_nums"} <= set(records.columns):
        return pl.col("pc"), pl.col("addr_nums")
    pc = postcode_columns(pl.col("postcode"))[0]
    return pc, address_numbers(address_expr(pl.col("address")))


def _places(records: pl.DataFrame, services: dict[str, str]) -> pl.DataFrame:
    """Per record with a postcode: person, postcode, address key, service, and
    the dates between which its address was true at some point (``lo``, ``hi``):
    from its involvement start to when it was last true, since some systems keep
    the address of the event and others update it later."""
    pc, _ = _parts(records)
    service = pl.col("source").replace_strict(
        services, default=pl.col("source"), return_dtype=pl.Utf8
    )
    hi = recency().fill_null(pl.lit(UNDATED))
    lo = pl.min_horizontal(pl.col("involvement_start"), hi)
    surname = pl.col("ln_join") if "ln_join" in records.columns else pl.lit(None)
    places = records.select(
        "person_id", pc.alias("pc"), address_key(records).alias("key"),
        lo.alias("lo"), hi.alias("hi"), service.alias("service"), "source",
        surname.cast(pl.Utf8).alias("surname"), street_key(records).alias("street"),
    )  # fmt: skip
    return _placed_by_surname(_placed_by_street(places).drop_nulls("pc"))


def street_key(records: pl.DataFrame) -> pl.Expr:
    """House and flat numbers and the street's first two words, abbreviations
    expanded ("12 3|high street" for "Flat 3, 12 High St" and "12 High Street,
    flat 3"), or null without both. One regex, not the full address clean-up."""
    _, numbers = _parts(records)
    words = pl.col("address").str.to_lowercase().str.extract_groups(STREET_PATTERN)
    kind = words.struct.field("2")
    kind = kind.replace_strict(STREET_WORDS, default=kind, return_dtype=pl.Utf8)
    street = words.struct.field("1") + " " + kind
    return pl.when(numbers.str.len_chars() > 0).then(numbers + "|" + street)


def _placed_by_street(places: pl.DataFrame) -> pl.DataFrame:
    """Records with numbers and street but no postcode given the postcode and key
    of the one address with that street key (``placed`` = "street")."""
    only = (
        places.drop_nulls("key").drop_nulls("street")
        .group_by("street").agg(pl.col("key").unique(), pl.col("pc").first())
        .filter(pl.col("key").list.len() == 1)
        .select("street", pl.col("key").list.first().alias("s_key"), s_pc="pc")
    )  # fmt: skip
    joined = places.join(only, on="street", how="left")
    placed = pl.col("pc").is_null() & pl.col("s_key").is_not_null()
    return joined.select(
        pl.exclude("pc", "key", "s_key", "s_pc", "street"),
        pl.when(placed).then("s_pc").otherwise("pc").alias("pc"),
        pl.when(placed).then("s_key").otherwise("key").alias("key"),
        pl.when(placed).then(pl.lit("street")).alias("placed"),
    )


def _placed_by_surname(places: pl.DataFrame) -> pl.DataFrame:
    """Records giving only a postcode placed at the one specific address in it
    where someone else of the same surname is recorded (``placed`` = "surname");
    with two such addresses, or none, the record says only which postcode."""
    count = pl.len().over("surname")
    common = (count > COMMON_SURNAME * pl.len()) & (count >= COMMON_MIN)
    places = places.with_columns(surname=pl.when(~common).then("surname"))
    keyed = places.drop_nulls("key").drop_nulls("surname")
    only = (
        keyed.group_by("pc", "surname")
        .agg(pl.col("key").unique())
        .filter(pl.col("key").list.len() == 1)
        .select("pc", "surname", pl.col("key").list.first().alias("only_key"))
    )
    joined = places.join(only, on=["pc", "surname"], how="left")
    inferred = pl.col("key").is_null() & pl.col("only_key").is_not_null()
    return joined.select(
        pl.exclude("key", "only_key", "surname", "placed"),
        pl.coalesce("key", "only_key").alias("key"),
        pl.when(inferred).then(pl.lit("surname")).otherwise("placed").alias("placed"),
    )


def stays(places: pl.DataFrame) -> pl.DataFrame:
    """One row per person and address key: the widened period they lived there
    (``start``, ``end``) and the service of the latest record there."""
    observed = (
        places.drop_nulls("key")
        .sort("hi", descending=True)
        .group_by("person_id", "key", maintain_order=True)
        .agg(
            pl.col("pc").first(),
            pl.col("lo").min().alias("first"),
            pl.col("hi").max().alias("last"),
            pl.col("service").first(),
            pl.col("source").unique().sort().alias("sources"),
            # null when any record there gave the address itself
            pl.col("placed").sort(nulls_last=False).first(),
        )
    )
    # A record elsewhere (another postcode, or another number in this one).
    other = places.select("person_id", "lo", "hi", pc_o="pc", key_o="key")
    elsewhere = (pl.col("pc_o") != pl.col("pc")) | (
        pl.col("key_o").is_not_null() & (pl.col("key_o") != pl.col("key"))
    )
    bounds = (
        observed.join(other, on="person_id")
        .filter(elsewhere)
        .group_by("person_id", "key")
        .agg(
            pl.col("hi").filter(pl.col("hi") < pl.col("first")).max().alias("before"),
            pl.col("lo").filter(pl.col("lo") > pl.col("last")).min().alias("after"),
        )
    )
    day = timedelta(days=1)
    return observed.join(bounds, on=["person_id", "key"], how="left").select(
        "person_id", "key", "service", "sources", "placed",
        pl.max_horizontal(pl.col("first") - REACH, pl.col("before") + day)
        .alias("start"),
        pl.when(pl.col("after").is_null())
        .then(pl.lit(OPEN))
        .otherwise(pl.min_horizontal(pl.col("last") + REACH, pl.col("after") - day))
        .alias("end"),
    )  # fmt: skip


def households(stays: pl.DataFrame) -> pl.DataFrame:
    """Stays grouped per address into runs of overlapping periods: one group per
    run of two to ``MAX_HOUSEHOLD`` people (``group`` = key and run start)."""
    ordered = stays.sort("key", "start", "person_id")
    # Days from the earliest start, each address's offset past the one before:
    # one running maximum over the whole frame then never carries an address's
    # reach into the next (a window per address is ten times slower).
    first = pl.col("start").cast(pl.Int64).min()
    width = pl.col("end").cast(pl.Int64).max() - first + 2
    base = pl.col("key").rle_id().cast(pl.Int64) * width
    start = base + pl.col("start").cast(pl.Int64) - first
    reach = (base + pl.col("end").cast(pl.Int64) - first).cum_max().shift(1)
    runs = ordered.with_columns(run=(reach.is_null() | (start > reach)).cum_sum())
    runs = runs.with_columns(
        group=pl.col("key") + "|" + pl.col("start").min().over("run").cast(pl.Utf8),
        size=pl.col("person_id").n_unique().over("run"),
    )
    return runs.filter((pl.col("size") > 1) & (pl.col("size") <= MAX_HOUSEHOLD))


def co_residents(records: pl.DataFrame, services: dict[str, str]) -> pl.DataFrame:
    """Groups of people who lived at one specific address at the same time: one
    row per group, person and source placing the person there (``sources``), so
    a viewer who may not see one source still sees the others' evidence."""
    homes = households(stays(_places(records, services)))
    groups = homes["group"].unique()
    hashed = [hashlib.sha256(g.encode("utf-8")).hexdigest()[:32] for g in groups]
    ids = pl.DataFrame(
        {"group": groups, "family_id": [f"address:#{h}" for h in hashed]},
        schema={"group": pl.Utf8, "family_id": pl.Utf8},
    )
    said = pl.col("placed").replace_strict(
        {"surname": SURNAME, "street": STREET}, default=pl.lit(ADDRESS)
    )
    service = pl.col("sources").replace_strict(
        services, default=pl.col("sources"), return_dtype=pl.Utf8
    )
    return (
        homes.join(ids, on="group")
        .explode("sources")
        .select(
            "family_id",
            "person_id",
            pl.lit(None, dtype=pl.Utf8).alias("relationship"),
            (said + " (" + service + " record)").alias("evidence"),
            "sources",
        )
    )
