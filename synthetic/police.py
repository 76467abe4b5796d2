"""Police safeguarding extract: CSV in Windows-1252, several rows per person.

Domestic incidents involve both adults of a household (or a lone parent and the
children's other parent) and note any children present; other incidents involve
one person aged 10 or over, and some a second party from another household (a
neighbour, a stranger). Everyone in one incident shares its ``Incident Ref``, so
that reference alone says nothing about family. A domestic incident also opens
a public protection investigation (PPI, as Greater Manchester Police records
domestic abuse) whose ``PPI Ref`` names the victim, the suspect and the children
present: people personally connected, so the config maps it as a family
reference. Unidentified people ("UNKNOWN") appear as in life.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl

from synthetic.common import (
    choice,
    family_home,
    fold_names,
    group_refs,
    per_person_ids,
)
from synthetic.episodes import Involvement, household_episodes, person_episodes
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import LAWFUL_BASIS, OFFENCE_BASIS, SourceSpec
from synthetic.staff import StaffSpec
from synthetic.text import date_text
from synthetic.world import World
from synthetic.writer import Extract, with_junk

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
    # a child's presence or victimisation shows at any age (Operation
    # Encompass), their own offending only from 18
    age_any_roles=("Child present", "Victim", "Missing person"),
    detail_limit=3,
    current_values=("open", "under investigation"),
    lawful_basis=LAWFUL_BASIS + OFFENCE_BASIS,
    columns={
        "record_id": "Incident Person Ref",
        "family_ref": "PPI Ref",
        "case_number": "Nominal ID",
        "last_name": "Surname",
        "previous_names": "Other Names",
        "first_name": "Forenames",
        "dob": "DOB",
        "sex": "Sex",
        "address": "Home Address",
        "postcode": "Post Code",
        "involvement_start": "Incident Date",
        "last_contact": "Incident Date",
        "status": "Investigation Status",
        "detail": "Incident Type",
        "role": "Role",
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
#: Incident types that often have a second party from outside the family, the
#: share of them that do, and the second party's role given the first's.
TWO_PARTY = (
    "Assault",
    "Criminal damage",
    "Harassment",
    "Public order",
    "Anti-social behaviour",
)
SECOND_PARTY = 0.35
OTHER_ROLE = {"Suspect": "Victim", "Victim": "Suspect", "Witness": "Victim"}
CLOSED = ("Filed", "Charged", "NFA", "Caution", "Community resolution")
#: How an unidentified suspect appears: no forename, date of birth or id.
UNKNOWN_PERSON = {
    "Surname": "UNKNOWN",
    "Other Names": None,
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
    members = people.select("pid", "role", "dob", "sex", hid=family_home())
    rows = inc.join(members, on="hid", how="inner")
    child = pl.col("role") == "C"
    under18 = pl.col("dob").dt.offset_by("18y") > pl.col("start")
    rows = rows.filter((pl.col("dob") < pl.col("start")) & (~child | under18))
    victim = (pl.col("sex") == "F") == pl.col("woman_harmed")
    role = pl.when(child).then(pl.lit("Child present"))
    role = role.when(victim).then(pl.lit("Victim")).otherwise(pl.lit("Suspect"))
    kind = pl.format("Domestic abuse ({} risk)", "risk")
    return rows.select("pid", "incident", "start", role=role, kind=kind, ppi="incident")


def _single(world: World, spec: SourceSpec) -> pl.DataFrame:
    rng = world.rng("police:single")
    people = world.people.filter(pl.col("role") != "GP")
    inc = person_episodes(rng, people, SINGLE, spec)
    h = inc.height
    kind = pl.Series(np.array(SINGLE_TYPES)[rng.integers(0, len(SINGLE_TYPES), h)])
    role = pl.Series(np.array(ROLES)[rng.choice(3, h, p=[0.5, 0.35, 0.15])])
    missing = pl.lit(kind) == "Missing person"
    inc = inc.select(
        "pid",
        "start",
        incident=pl.format("S{}-{}", "pid", "episode"),
        role=pl.when(missing).then(pl.lit("Missing person")).otherwise(pl.lit(role)),
        kind=pl.lit(kind),
    )
    return pl.concat([inc, _second_parties(rng, people, inc)])


def _second_parties(
    rng: np.random.Generator, people: pl.DataFrame, inc: pl.DataFrame
) -> pl.DataFrame:
    """For some incidents (``TWO_PARTY``), someone aged 10 or over from another
    household, drawn at random, in the other role."""
    drawn = pl.Series(rng.random(inc.height))
    inc = inc.filter(pl.col("kind").is_in(TWO_PARTY) & (drawn < SECOND_PARTY))
    pick = pl.Series(rng.integers(0, people.height, inc.height))
    other = people.select(pl.col("pid", "hid", "dob").gather(pick))
    first = people.select("pid", first_hid="hid")
    inc = inc.join(first, on="pid", how="left", maintain_order="left")
    both = pl.concat([inc.drop("pid"), other], how="horizontal")
    old_enough = pl.col("dob").dt.offset_by("10y") < pl.col("start")
    return both.filter((pl.col("hid") != pl.col("first_hid")) & old_enough).select(
        "pid",
        "start",
        "incident",
        role=pl.col("role").replace_strict(OTHER_ROLE),
        kind="kind",
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
        "PPI Ref": pl.col("ppi_ref"),
        "Surname": pl.col("last_name").str.to_uppercase(),
        "Other Names": pl.col("previous_name").str.to_uppercase(),
        "DOB": date_text(pl.col("dob"), spec.date_format, invalid),
        "Role": pl.col("role"),
        "Incident Type": pl.col("kind"),
        "Investigation Status": _status(rng, n, spec.extract_date),
    }


#: The police system's own column order: each goes right after the one named.
AFTER = {
    "Incident Ref": "Incident Person Ref",
    "PPI Ref": "Incident Ref",
    "Incident Type": "Incident Date",
    # a party's role in the incident (victim, suspect …) is not a family
    # relationship: it is mapped as the record's role, shown with the incident
    # to the roles that see police in full
    "Role": "Post Code",
}


def build(world: World) -> Extract:
    """The police safeguarding extract."""
    service = SERVICE.at(world.ref)
    spec = service.spec
    rows = pl.concat([_domestic(world, spec), _single(world, spec)], how="diagonal")
    rows, rng = service.recorded(world, rows)
    rows = rows.with_columns(
        ref=group_refs(rng, rows, "incident", f"GM/{spec.extract_date.year}/"),
        case_number=per_person_ids(rng, rows, "N"),
        ppi_ref=group_refs(rng, rows, "ppi", "PPI/", start=40_000),
    )
    rows = fold_names(
        rows, "cp1252", ("first_name", "last_name", "previous_name", "lead_name")
    )
    rows = service.laid_out(rows, _own(rng, rows.height, spec), AFTER)
    rows = with_junk(rng, rows, 0.01, UNKNOWN_PERSON)
    extract = service.numbered(rng, rows)
    return replace(extract, extra_truth={"incidents": _incident_truth(extract)})


def _incident_truth(extract: Extract) -> pl.DataFrame:
    """Per record of a known person: the incident's date, type and the person's
    role in it, as the generator drew them (``truth/incidents.csv``)."""
    spec = extract.spec
    table = extract.tables[spec.path].select(
        record_id=spec.columns["record_id"],
        on=pl.col(spec.columns["involvement_start"]).str.strptime(
            pl.Date, spec.date_format, strict=False
        ),
        kind=spec.columns["detail"],
        role="Role",
    )
    person = pl.lit("P") + pl.col("pid").cast(pl.String).str.zfill(7)
    known = extract.truth.select("record_id", person_id=person)
    return known.join(table, on="record_id")
