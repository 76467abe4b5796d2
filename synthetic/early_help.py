"""Early Help extract: an Excel workbook, sheet "Episodes", native Excel dates.

Early Help works with whole families: one row per family member per episode
(parents and the children under 18), with the family's lead practitioner. A
non-resident parent who takes part in the family's plan is a member too, at
their own address ("Father (non-resident)").
"""

from __future__ import annotations

from datetime import date

import polars as pl

from synthetic.common import (
    choice,
    family_home,
    group_refs,
    per_person_ids,
    spaced_nhs,
    with_last_contact,
)
from synthetic.episodes import Involvement, household_episodes
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import World
from synthetic.writer import Extract

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
        "previous_names": "Previous Names",
        "dob": "Date of Birth",
        "sex": "Gender",
        "relationship": "Role in Family",
        "address": "Address",
        "postcode": "Postcode",
        "nhs_number": "NHS Number",
        "involvement_start": "Episode Start",
        "involvement_end": "Episode End",
        "last_contact": "Last Contact",
        "status": "Episode Status",
        "detail": "Primary Need",
        "lead_name": "Lead Practitioner",
        "lead_role": "Practitioner Role",
        "lead_team": "Team",
        "lead_phone": "Contact Number",
        "lead_email": "Email",
        "restricted": "Restriction",
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
#: One lead practitioner per family episode.
SERVICE = Service(SPEC, NOISE, STAFF, "EHM", by="family_episode")
INVOLVEMENT = Involvement(
    (0.02, 0.15, 0.35), max_episodes=2, p_current=0.35, min_days=60, max_days=400
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
#: A small share of people carry a restriction on every row of theirs, so the
#: demo shows "a restricted record exists" (blank for everyone else).
RESTRICTED_SHARE = 0.02
RESTRICTIONS = ("Adoption", "Protected address")
#: Chance the children's other parent, living elsewhere, is part of an episode.
NRP_INVOLVED = 0.6


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
        .when(pl.col("role") == "NRP")
        .then(parent + pl.lit(" (non-resident)"))
        .otherwise(pl.lit("Carer"))
    )


def _members(world: World, spec: SourceSpec) -> pl.DataFrame:
    """Each family episode's parents and the children under 18 at its start,
    and in some the children's other parent (``NRP_INVOLVED``)."""
    homes = world.homes.filter(pl.col("kind").is_in(FAMILY_KINDS))
    rng = world.rng("early_help:who")
    episodes = household_episodes(rng, homes, INVOLVEMENT, spec)
    members = world.people.select("pid", "role", "dob", hid=family_home())
    rows = episodes.join(members, on="hid").filter(pl.col("dob") < pl.col("start"))
    under18 = pl.col("dob").dt.offset_by("18y") > pl.col("start")
    rows = rows.filter((pl.col("role") != "C") | under18)
    involved = pl.Series(world.rng("early_help:nrp").random(rows.height))
    rows = rows.filter((pl.col("role") != "NRP") | (involved < NRP_INVOLVED))
    rows = rows.with_columns(family_episode=pl.format("{}-{}", "hid", "episode"))
    return rows.drop("dob").rename({"hid": "family_hid"})


def _own() -> dict[str, pl.Expr]:
    """Columns as only the Early Help system writes them."""
    closed = pl.col("end").is_not_null()
    return {
        "EH Family ID": pl.col("family_id"),
        "Role in Family": _role(),
        "NHS Number": spaced_nhs(),
        "Episode Status": pl.when(closed)
        .then(pl.lit("Closed"))
        .otherwise(pl.lit("Open")),
        "Primary Need": pl.col("primary_need").first().over("family_episode"),
        "Restriction": pl.col("restriction"),
    }


def _restricted(world: World, rows: pl.DataFrame) -> pl.DataFrame:
    """Each person's restriction (null for almost everyone), by true person."""
    pids = rows["pid"].unique().sort()
    rng = world.rng("early_help:restricted")
    picked = pl.Series(rng.random(pids.len()) < RESTRICTED_SHARE)
    kinds = pl.Series(rng.choice(RESTRICTIONS, pids.len()), dtype=pl.String)
    return pl.DataFrame({"pid": pids, "kind": kinds, "picked": picked}).select(
        "pid", restriction=pl.when("picked").then("kind")
    )


def build(world: World) -> Extract:
    """The Early Help extract: one row per family member per episode."""
    service = SERVICE.at(world.ref)
    rows, rng = service.recorded(world, _members(world, service.spec))
    rows = with_last_contact(world, rows, service.spec)
    rows = rows.with_columns(
        family_id=group_refs(rng, rows, "family_hid", "EHF", start=10_000),
        case_number=per_person_ids(rng, rows, "EHP"),
        primary_need=choice(rng, NEEDS, rows.height),
    )
    rows = rows.join(_restricted(world, rows), on="pid", how="left",
                     maintain_order="left")  # fmt: skip
    return service.written(rng, rows, _own())
