"""Police safeguarding extract: CSV in Windows-1252, several rows per person.

Domestic incidents involve both adults of a household (or a lone parent and the
children's other parent) and note any children present; other incidents involve
one person aged 10 or over. Unidentified people ("UNKNOWN") appear as in life.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from sources.generate.common import choice, fold_names, group_refs, per_person_ids
from sources.generate.episodes import Involvement, household_episodes, person_episodes
from sources.generate.noise import Noise
from sources.generate.service import Service
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
#: One officer in charge per incident; addresses in capitals.
SERVICE = Service(
    SPEC,
    NOISE,
    STAFF,
    "IP",
    per=25,
    by="incident",
    address="upper",
    dates="text",
    sex="letter",
)
DOMESTIC = Involvement(
    (0.004, 0.05, 0.25), max_episodes=4, p_current=0.05, min_days=0, max_days=1
)
SINGLE = Involvement(
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


def _domestic(world: World, spec: SourceSpec) -> pl.DataFrame:
    """Each domestic incident: both partners (or mother and the other parent) and
    any children then living there."""
    homes = world.homes.filter(
        pl.col("kind").is_in(["couple", "couple_kids", "step", "lone"])
    )
    rng = world.rng("police:da")
    inc = household_episodes(rng, homes, DOMESTIC, spec)
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


def _single(world: World, spec: SourceSpec) -> pl.DataFrame:
    rng = world.rng("police:single")
    people = world.people.filter(pl.col("role") != "GP")
    inc = person_episodes(rng, people, SINGLE, spec)
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


def _status(rng: np.random.Generator, n: int, extract_date: date) -> pl.Expr:
    """Open or under investigation for most incidents of the last 90 days."""
    recent = (pl.lit(extract_date) - pl.col("start")).dt.total_days() < 90
    open_ = pl.lit(choice(rng, ("Open", "Under investigation"), n))
    closed = pl.lit(choice(rng, CLOSED, n))
    is_open = recent & (pl.lit(pl.Series(rng.random(n))) < 0.7)
    return pl.when(is_open).then(open_).otherwise(closed)


def _own(rng: np.random.Generator, n: int, spec: SourceSpec) -> dict[str, pl.Expr]:
    """Columns as only the police system writes them (the odd impossible DOB)."""
    invalid = pl.lit(pl.Series(rng.random(n))) < 0.003
    return {
        "Incident Ref": pl.col("ref"),
        "Surname": pl.col("last_name").str.to_uppercase(),
        "DOB": date_text(pl.col("dob"), spec.date_format, invalid),
        "Role": pl.col("role"),
        "Incident Type": pl.col("kind"),
        "Investigation Status": _status(rng, n, spec.extract_date),
    }


#: The police system's own column order: each goes right after the one named.
AFTER = {"Incident Ref": "Incident Person Ref", "Incident Type": "Incident Date"}


def build(world: World) -> Extract:
    """The police safeguarding extract."""
    service = SERVICE.at(world.ref)
    spec = service.spec
    rows = pl.concat([_domestic(world, spec), _single(world, spec)], how="diagonal")
    rows, rng = service.recorded(world, rows)
    rows = rows.with_columns(
        ref=group_refs(rng, rows, "incident", f"GM/{spec.extract_date.year}/"),
        case_number=per_person_ids(rng, rows, "N"),
    )
    rows = fold_names(rows, "cp1252", ("first_name", "last_name", "lead_name"))
    rows = service.laid_out(rows, _own(rng, rows.height, spec), AFTER)
    rows = with_junk(rng, rows, 0.01, UNKNOWN_PERSON)
    return service.numbered(rng, rows)
