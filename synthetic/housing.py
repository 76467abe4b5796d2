"""Housing extract: social tenancies and their household members, pipe-delimited.

The tenancy reference is the household reference. A household that moved from
one tenancy to another has both; members born during a tenancy join it. The old
housing system stores plain ASCII only, and has no row id (so ``row-<n>``).
Unborn children are recorded without a name or id, as in life.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from synthetic.common import fold_names, group_refs, per_person_ids, with_last_contact
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import World
from synthetic.writer import Extract, single_table, with_junk

SPEC = SourceSpec(
    name="housing",
    service="Housing (council tenancies)",
    format="csv",
    path="housing_tenancies.txt",
    delimiter="|",
    extract_date=date(2025, 3, 25),
    coverage_from=date(2014, 4, 1),
    date_format="%d.%m.%Y",
    age_min=16,
    current_values=("current",),
    columns={
        "household_ref": "TENANCY_REF",
        "case_number": "PERSON_REF",
        "first_name": "FIRST_NAME",
        "last_name": "LAST_NAME",
        "previous_names": "PREVIOUS_NAMES",
        "dob": "DOB",
        "relationship": "REL_TO_LEAD",
        "address": "PROPERTY_ADDRESS",
        "postcode": "POSTCODE",
        "involvement_start": "TENANCY_START",
        "involvement_end": "TENANCY_END",
        "last_contact": "LAST_CONTACT_DATE",
        "status": "TENANCY_STATUS",
        "detail": "ISSUES",
        "lead_name": "HOUSING_OFFICER",
        "lead_role": "OFFICER_ROLE",
        "lead_team": "PATCH",
        "lead_phone": "OFFICER_PHONE",
        "lead_email": "OFFICER_EMAIL",
    },
)
NOISE = Noise(
    typo=0.02,
    nickname=0.06,
    variant=0.15,
    dob_swap=0.01,
    dob_missing=0.03,
    address_missing=0.0,
    postcode_missing=0.01,
    sex_missing=0.0,
)
STAFF = StaffSpec(
    (("Housing Officer", 0.8), ("Tenancy Sustainment Officer", 0.2)),
    ("Patch North", "Patch South", "Patch East", "Patch West", "Patch Central"),
    "housing.example.gov.uk",
    block=6,
    mobile_share=0.5,
)
#: One housing officer per tenancy; addresses abbreviated (St, Rd); no record id.
SERVICE = Service(
    SPEC, NOISE, STAFF, "", per=60, by="tenancy", address="abbrev", dates="text"
)


def _tenancies(world: World, spec: SourceSpec) -> pl.DataFrame:
    """Current tenancies of social households; an earlier one for half the movers."""
    rng = world.rng("housing:tenancies")
    lead = world.people.filter(pl.col("pid") == pl.col("pid").min().over("hid"))
    homes = world.homes.filter("social").select("hid", "moved_on", "need")
    homes = homes.join(lead.select("hid", "age"), on="hid", maintain_order="left")
    h = homes.height
    adult_days = ((pl.col("age") - 18).clip(0.5, 30) * 365).cast(pl.Int64)
    u = pl.Series(rng.random(h))
    long_ago = pl.lit(world.ref) - pl.duration(
        days=(u * adult_days).cast(pl.Int64) + 30
    )
    now = homes.select(
        "hid",
        "need",
        start=pl.coalesce("moved_on", long_ago),
        end=pl.lit(None, pl.Date),
        at=pl.lit(spec.extract_date),
    )
    prev = homes.filter(
        pl.col("moved_on").is_not_null() & pl.Series(rng.random(h) < 0.5)
    )
    earlier = pl.col("moved_on") - pl.duration(
        days=pl.Series(rng.integers(200, 4000, prev.height))
    )
    prev = prev.select(
        "hid",
        "need",
        start=earlier,
        end=pl.col("moved_on") - pl.duration(days=1),
        at=earlier,
    )
    both = pl.concat([now, prev]).filter(
        pl.coalesce("end", pl.lit(world.ref)) >= pl.lit(spec.coverage_from)
    )
    return both.with_columns(tenancy=pl.format("{}-{}", "hid", "start"))


def _relationship() -> pl.Expr:
    child = (
        pl.when(pl.col("sex") == "F").then(pl.lit("Daughter")).otherwise(pl.lit("Son"))
    )
    return (
        pl.when(
            pl.col("role").is_in(["A1", "NRP"])
            | ((pl.col("role") == "S") & (pl.col("first_sharer")))
        )
        .then(pl.lit("Lead tenant"))
        .when(pl.col("role") == "A2")
        .then(pl.lit("Partner"))
        .when(pl.col("role") == "C")
        .then(child)
        .when(pl.col("role") == "GP")
        .then(pl.lit("Parent"))
        .otherwise(pl.lit("Lodger"))
    )


def _issues(rng: np.random.Generator, rows: pl.DataFrame) -> pl.DataFrame:
    n = rows.height
    need = rows["need"].to_numpy()
    arrears = np.where(rng.random(n) < 0.1 + 0.25 * need, rng.integers(1, 20, n), 0)
    nosp = (arrears > 6) & (rng.random(n) < 0.5)
    asb = rng.random(n) < 0.03 + 0.08 * need
    rows = rows.with_columns(
        arrears=pl.Series(arrears), nosp=pl.Series(nosp), asb=pl.Series(asb)
    )
    rows = rows.with_columns(pl.col("arrears", "nosp", "asb").first().over("tenancy"))
    parts = [
        pl.when(pl.col("arrears") > 6).then(pl.lit("Rent arrears over 6 weeks")),
        pl.when("nosp").then(pl.lit("Notice seeking possession")),
        pl.when("asb").then(pl.lit("Anti-social behaviour case")),
    ]
    return rows.with_columns(
        issues=pl.concat_str(parts, separator="; ", ignore_nulls=True).replace("", None)
    )


def _members(world: World, spec: SourceSpec) -> pl.DataFrame:
    """One row per tenancy and household member living there during it."""
    lead = pl.col("pid") == pl.col("pid").min().over("hid")
    members = world.people.select("pid", "hid", "dob", first_sharer=lead)
    rows = _tenancies(world, spec).join(members, on="hid")
    rows = rows.filter(pl.col("dob") <= pl.coalesce("end", pl.lit(world.ref)))
    return rows.drop("dob", "hid", "need")


def _yes_no(flag: str) -> pl.Expr:
    return pl.when(flag).then(pl.lit("Y")).otherwise(pl.lit("N"))


def _own() -> dict[str, pl.Expr]:
    """Columns as only the housing system writes them."""
    male = pl.col("sex") == "M"
    child_title = pl.when(male).then(pl.lit("Master")).otherwise(pl.lit("Miss"))
    title = pl.when(pl.col("role") == "C").then(child_title)
    title = title.when(male).then(pl.lit("Mr")).otherwise(pl.lit("Ms"))
    ended = pl.col("end").is_not_null()
    return {
        "TENANCY_REF": pl.col("ref"),
        "TITLE": title,
        "FIRST_NAME": pl.col("first_name").str.to_uppercase(),
        "LAST_NAME": pl.col("last_name").str.to_uppercase(),
        "PREVIOUS_NAMES": pl.col("previous_name").str.to_uppercase(),
        "REL_TO_LEAD": _relationship(),
        "TENANCY_STATUS": pl.when(ended)
        .then(pl.lit("ENDED"))
        .otherwise(pl.lit("CURRENT")),
        "ARREARS_WEEKS": pl.col("arrears"),
        "NOSP": _yes_no("nosp"),
        "ASB_CASE": _yes_no("asb"),
        "ISSUES": pl.col("issues"),
    }


#: The housing system's own column order: each goes right after the one named.
AFTER = {
    "TITLE": "PERSON_REF",
    "ARREARS_WEEKS": "TENANCY_STATUS",
    "NOSP": "ARREARS_WEEKS",
    "ASB_CASE": "NOSP",
}

#: How an unborn child appears on a tenancy: no name, birth date or person ref.
UNBORN = {
    "FIRST_NAME": "UNBORN",
    "LAST_NAME": None,
    "PREVIOUS_NAMES": None,
    "DOB": None,
    "PERSON_REF": None,
    "TITLE": None,
    "REL_TO_LEAD": "Unborn child",
    "__rel_order": 4,
}
_REL_ORDER = {"A1": 0, "NRP": 0, "S": 1, "A2": 1, "GP": 2, "C": 3}


def build(world: World) -> Extract:
    """The housing tenancies extract (rows grouped by tenancy, lead tenant first)."""
    service = SERVICE.at(world.ref)
    rows, rng = service.recorded(world, _members(world, service.spec), when="at")
    rows = with_last_contact(world, rows, service.spec)
    rows = rows.with_columns(
        ref=group_refs(rng, rows, "tenancy", "TEN/"),
        case_number=per_person_ids(rng, rows, "HP"),
    )
    rows = fold_names(
        _issues(rng, rows),
        "none",
        ("first_name", "last_name", "previous_name", "lead_name"),
    )
    rows = rows.select(
        **service.columns(_own(), AFTER),
        __pid="pid",
        __sort="tenancy",
        __rel_order=pl.col("role").replace_strict(_REL_ORDER),
    )
    rows = with_junk(rng, rows, 0.004, UNBORN)
    order = ("__sort", "__rel_order", "PERSON_REF")
    rows = rows.sort(order, nulls_last=True, maintain_order=True)
    return single_table(service.spec, rows.drop("__sort", "__rel_order"))
