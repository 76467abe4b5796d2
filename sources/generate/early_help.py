"""Early Help extract: an Excel workbook, sheet "Episodes", native Excel dates.

Early Help works with whole families: one row per family member per episode
(parents and the children under 18), with the family's lead practitioner.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sources.generate.common import (
    choice,
    finish,
    group_refs,
    noisy,
    per_person_ids,
    sex_text,
    spaced_nhs,
    with_staff,
)
from sources.generate.episodes import Involvement, household_episodes
from sources.generate.noise import Noise
from sources.generate.spec import SourceSpec
from sources.generate.staff import StaffSpec
from sources.generate.world import World
from sources.generate.writer import Extract

SPEC = SourceSpec(
    name="early_help",
    service="Early Help",
    format="excel",
    path="early_help.xlsx",
    sheet="Episodes",
    extract_date=date(2025, 3, 27),
    coverage_from=date(2018, 4, 1),
    date_format="%d/%m/%Y",
    current_values=("open",),
    columns={
        "record_id": "Episode Member ID",
        "family_ref": "EH Family ID",
        "case_number": "Person ID",
        "first_name": "Forename",
        "last_name": "Surname",
        "dob": "Date of Birth",
        "sex": "Gender",
        "relationship": "Role in Family",
        "address": "Address",
        "postcode": "Postcode",
        "nhs_number": "NHS Number",
        "involvement_start": "Episode Start",
        "involvement_end": "Episode End",
        "status": "Episode Status",
        "detail": "Primary Need",
        "lead_name": "Lead Practitioner",
        "lead_role": "Practitioner Role",
        "lead_team": "Team",
        "lead_phone": "Contact Number",
        "lead_email": "Email",
    },
)
NOISE = Noise(
    typo=0.015,
    nickname=0.05,
    variant=0.12,
    dob_swap=0.008,
    dob_missing=0.02,
    nhs_present=0.55,
    address_missing=0.01,
)
STAFF = StaffSpec(
    (
        ("Family Support Worker", 0.6),
        ("Early Help Practitioner", 0.3),
        ("Team Manager", 0.1),
    ),
    (
        "Early Help Locality North",
        "Early Help Locality South",
        "Early Help Locality East",
        "Early Help Locality West",
    ),
    "council.example.gov.uk",
    block=1,
)
INVOLVEMENT = Involvement(
    SPEC.coverage_from,
    SPEC.extract_date,
    (0.02, 0.15, 0.35),
    max_episodes=2,
    p_current=0.35,
    min_days=60,
    max_days=400,
)
NEEDS = (
    "Parenting support",
    "School attendance",
    "Domestic abuse",
    "Parental mental health",
    "Housing",
    "Financial hardship",
    "Child behaviour",
    "Substance misuse (parent)",
)
FAMILY_KINDS = ("couple_kids", "lone", "step", "multigen")


def _role() -> pl.Expr:
    """Role in the family as Early Help records it."""
    female = pl.col("sex") == "F"
    parent = pl.when(female).then(pl.lit("Mother")).otherwise(pl.lit("Father"))
    step = pl.when(female).then(pl.lit("Step-mother")).otherwise(pl.lit("Step-father"))
    return (
        pl.when(pl.col("role") == "C")
        .then(pl.lit("Child"))
        .when((pl.col("role") == "A2") & (pl.col("kind") == "step"))
        .then(step)
        .when(pl.col("role").is_in(["A1", "A2"]))
        .then(parent)
        .otherwise(pl.lit("Carer"))
    )


def _members(world: World) -> pl.DataFrame:
    """Each family episode's parents and the children under 18 at its start."""
    homes = world.homes.filter(pl.col("kind").is_in(FAMILY_KINDS))
    episodes = household_episodes(world.rng("early_help:who"), homes, INVOLVEMENT)
    members = world.people.select("pid", "hid", "role", "dob")
    rows = episodes.join(members, on="hid").filter(pl.col("dob") < pl.col("start"))
    under18 = pl.col("dob").dt.offset_by("18y") > pl.col("start")
    return rows.filter((pl.col("role") != "C") | under18).drop("dob", "hid")


def _layout() -> dict[str, pl.Expr]:
    """The extract's columns, as the Early Help system exports them."""
    closed = pl.col("end").is_not_null()
    return {
        "Episode Member ID": pl.lit(""),
        "EH Family ID": pl.col("family_id"),
        "Person ID": pl.col("person_id"),
        "Forename": pl.col("first_name"),
        "Surname": pl.col("last_name"),
        "Date of Birth": pl.col("dob"),
        "Gender": sex_text("word"),
        "Role in Family": _role(),
        "Address": pl.col("address"),
        "Postcode": pl.col("postcode"),
        "NHS Number": spaced_nhs(),
        "Episode Start": pl.col("start"),
        "Episode End": pl.col("end"),
        "Episode Status": pl.when(closed)
        .then(pl.lit("Closed"))
        .otherwise(pl.lit("Open")),
        "Primary Need": pl.col("primary_need").first().over("family_episode"),
        "Lead Practitioner": pl.col("lead_name"),
        "Practitioner Role": pl.col("lead_role"),
        "Team": pl.col("lead_team"),
        "Contact Number": pl.col("lead_phone"),
        "Email": pl.col("lead_email"),
    }


def build(world: World) -> Extract:
    """The Early Help extract: one row per family member per episode."""
    rows = noisy(world, _members(world), "start", NOISE, SPEC.name)
    rows = rows.with_columns(family_episode=pl.format("{}-{}", "hid", "episode"))
    rows = with_staff(world, rows, SPEC.name, STAFF, by="family_episode")
    rng = world.rng("early_help:rows")
    rows = rows.with_columns(
        family_id=group_refs(rng, rows, "hid", "EHF", start=10_000),
        person_id=per_person_ids(rng, rows, "EHP"),
        primary_need=choice(rng, NEEDS, rows.height),
    )
    rows = rows.select(**_layout(), __pid="pid", __sort="start")
    return finish(SPEC, rng, rows, "EHM", "Episode Member ID")
