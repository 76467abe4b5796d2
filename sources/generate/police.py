"""Police safeguarding extract: CSV in Windows-1252, several rows per person.

Domestic incidents involve both adults of a household (or a lone parent and the
children's other parent) and note any children present; other incidents involve
one person aged 10 or over. Unidentified people ("UNKNOWN") appear as in life.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from sources.generate.common import (
    choice,
    finish,
    fold_names,
    group_refs,
    noisy,
    per_person_ids,
    sex_text,
    with_staff,
)
from sources.generate.episodes import Involvement, household_episodes, person_episodes
from sources.generate.noise import Noise
from sources.generate.spec import LAWFUL_BASIS, OFFENCE_BASIS, SourceSpec
from sources.generate.staff import StaffSpec
from sources.generate.text import date_text
from sources.generate.world import World
from sources.generate.writer import Extract, with_junk

SPEC = SourceSpec(
    name="police",
    service="Police (safeguarding incidents)",
    format="csv",
    path="police_safeguarding.csv",
    encoding="cp1252",
    extract_date=date(2025, 3, 30),
    coverage_from=date(2019, 1, 1),
    date_format="%d/%m/%Y",
    sensitivity="police",
    age_min=18,
    current_values=("open", "under investigation"),
    lawful_basis=LAWFUL_BASIS + OFFENCE_BASIS,
    columns={
        "record_id": "Incident Person Ref",
        "case_number": "Nominal ID",
        "last_name": "Surname",
        "first_name": "Forenames",
        "dob": "DOB",
        "sex": "Sex",
        "address": "Home Address",
        "postcode": "Post Code",
        "relationship": "Role",
        "involvement_start": "Incident Date",
        "last_contact": "Incident Date",
        "status": "Investigation Status",
        "detail": "Incident Type",
        "lead_name": "OIC",
        "lead_role": "OIC Rank",
        "lead_team": "Unit",
        "lead_phone": "OIC Phone",
        "lead_email": "OIC Email",
    },
)
NOISE = Noise(
    typo=0.03,
    nickname=0.08,
    variant=0.25,
    swap_names=0.01,
    dob_swap=0.02,
    dob_shift=0.01,
    dob_missing=0.04,
    address_missing=0.04,
    postcode_missing=0.06,
    sex_missing=0.01,
)
STAFF = StaffSpec(
    (("DC", 0.5), ("PC", 0.3), ("DS", 0.2)),
    (
        "Public Protection Investigation Unit",
        "Stockport Neighbourhood Policing",
        "Missing From Home Team",
        "Domestic Abuse Investigation Team",
    ),
    "police.example.gov.uk",
    block=3,
    mobile_share=0.2,
)
DOMESTIC = Involvement(
    SPEC.coverage_from,
    SPEC.extract_date,
    (0.004, 0.05, 0.25),
    max_episodes=4,
    p_current=0.05,
    min_days=0,
    max_days=1,
)
SINGLE = Involvement(
    SPEC.coverage_from,
    SPEC.extract_date,
    (0.012, 0.06, 0.18),
    age_from=10,
    max_episodes=3,
    p_current=0.05,
    min_days=0,
    max_days=1,
)
SINGLE_TYPES = (
    "Assault",
    "Theft",
    "Criminal damage",
    "Harassment",
    "Public order",
    "Drug possession",
    "Anti-social behaviour",
    "Missing person",
)
ROLES = ("Suspect", "Victim", "Witness")
CLOSED = ("Filed", "Charged", "NFA", "Caution", "Community resolution")
#: How an unidentified suspect appears: no forename, date of birth or id.
UNKNOWN_PERSON = {
    "Surname": "UNKNOWN",
    "Forenames": None,
    "DOB": None,
    "Nominal ID": None,
    "Home Address": None,
    "Post Code": None,
    "Role": "Suspect",
    "Sex": "U",
}


def _domestic(world: World) -> pl.DataFrame:
    """Each domestic incident: both partners (or mother and the other parent) and
    any children then living there."""
    homes = world.homes.filter(
        pl.col("kind").is_in(["couple", "couple_kids", "step", "lone"])
    )
    rng = world.rng("police:da")
    inc = household_episodes(rng, homes, DOMESTIC)
    inc = inc.with_columns(
        incident=pl.format("D{}-{}", "hid", "episode"),
        woman_harmed=pl.Series(rng.random(inc.height) < 0.85),
        risk=pl.Series(
            rng.choice(["standard", "medium", "high"], inc.height, p=[0.5, 0.3, 0.2])
        ),
    )
    people = world.people.filter(pl.col("role").is_in(["A1", "A2", "NRP", "C"]))
    hid = pl.when(pl.col("role") == "NRP").then("base_hid").otherwise("hid")
    members = people.select("pid", "role", "dob", "sex", hid=hid)
    rows = inc.join(members, on="hid", how="inner")
    child = pl.col("role") == "C"
    under18 = pl.col("dob").dt.offset_by("18y") > pl.col("start")
    rows = rows.filter((pl.col("dob") < pl.col("start")) & (~child | under18))
    victim = (pl.col("sex") == "F") == pl.col("woman_harmed")
    role = pl.when(child).then(pl.lit("Child present"))
    role = role.when(victim).then(pl.lit("Victim")).otherwise(pl.lit("Suspect"))
    kind = pl.format("Domestic abuse ({} risk)", "risk")
    return rows.select("pid", "incident", "start", role=role, kind=kind)


def _single(world: World) -> pl.DataFrame:
    rng = world.rng("police:single")
    inc = person_episodes(rng, world.people.filter(pl.col("role") != "GP"), SINGLE)
    h = inc.height
    kind = pl.Series(np.array(SINGLE_TYPES)[rng.integers(0, len(SINGLE_TYPES), h)])
    role = pl.Series(np.array(ROLES)[rng.choice(3, h, p=[0.5, 0.35, 0.15])])
    missing = pl.lit(kind) == "Missing person"
    return inc.select(
        "pid",
        "start",
        incident=pl.format("S{}-{}", "pid", "episode"),
        role=pl.when(missing).then(pl.lit("Missing person")).otherwise(pl.lit(role)),
        kind=pl.lit(kind),
    )


def _status(rng: np.random.Generator, n: int) -> pl.Expr:
    """Open or under investigation for most incidents of the last 90 days."""
    recent = (pl.lit(SPEC.extract_date) - pl.col("start")).dt.total_days() < 90
    open_ = pl.lit(choice(rng, ("Open", "Under investigation"), n))
    closed = pl.lit(choice(rng, CLOSED, n))
    is_open = recent & (pl.lit(pl.Series(rng.random(n))) < 0.7)
    return pl.when(is_open).then(open_).otherwise(closed)


def _layout(rng: np.random.Generator, n: int) -> dict[str, pl.Expr]:
    """The extract's columns, as the police system exports them."""
    fmt = SPEC.date_format
    invalid = pl.lit(pl.Series(rng.random(n))) < 0.003
    return {
        "Incident Person Ref": pl.lit(""),
        "Incident Ref": pl.col("ref"),
        "Nominal ID": pl.col("nominal"),
        "Surname": pl.col("last_name").str.to_uppercase(),
        "Forenames": pl.col("first_name"),
        "DOB": date_text(pl.col("dob"), fmt, invalid),
        "Sex": sex_text("letter"),
        "Home Address": pl.col("address"),
        "Post Code": pl.col("postcode"),
        "Role": pl.col("role"),
        "Incident Date": date_text(pl.col("start"), fmt),
        "Incident Type": pl.col("kind"),
        "Investigation Status": _status(rng, n),
        "OIC": pl.col("lead_name"),
        "OIC Rank": pl.col("lead_role"),
        "Unit": pl.col("lead_team"),
        "OIC Phone": pl.col("lead_phone"),
        "OIC Email": pl.col("lead_email"),
    }


def build(world: World) -> Extract:
    """The police safeguarding extract."""
    rows = pl.concat([_domestic(world), _single(world)], how="diagonal")
    rows = noisy(world, rows, "start", NOISE, SPEC.name, address="upper")
    rows = with_staff(world, rows, SPEC.name, STAFF, per=25, by="incident")
    rng = world.rng("police:rows")
    rows = rows.with_columns(
        ref=group_refs(rng, rows, "incident", f"GM/{SPEC.extract_date.year}/"),
        nominal=per_person_ids(rng, rows, "N"),
    )
    rows = fold_names(rows, "cp1252", ("first_name", "last_name", "lead_name"))
    rows = rows.select(**_layout(rng, rows.height), __pid="pid", __sort="start")
    rows = with_junk(rng, rows, 0.01, UNKNOWN_PERSON)
    return finish(SPEC, rng, rows, "IP", "Incident Person Ref")
