"""CAMHS extract (child and adolescent mental health): Parquet, sensitive.

Dates are yyyymmdd text and NHS numbers are written with spaces, as this
system exports them.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sources.generate.common import (
    finish,
    last_contact,
    noisy,
    per_person_ids,
    sex_text,
    spaced_nhs,
    with_staff,
)
from sources.generate.episodes import Involvement, person_episodes
from sources.generate.noise import Noise
from sources.generate.spec import HEALTH_BASIS, LAWFUL_BASIS, SourceSpec
from sources.generate.staff import StaffSpec
from sources.generate.text import date_text
from sources.generate.world import World
from sources.generate.writer import Extract

SPEC = SourceSpec(
    name="camhs",
    service="Child and adolescent mental health (CAMHS)",
    format="parquet",
    path="camhs.parquet",
    extract_date=date(2025, 3, 21),
    coverage_from=date(2018, 4, 1),
    date_format="%Y%m%d",
    sensitivity="sensitive",
    lawful_basis=LAWFUL_BASIS + HEALTH_BASIS,
    columns={
        "record_id": "ReferralID",
        "case_number": "PatientID",
        "nhs_number": "NHSNumber",
        "first_name": "Forename",
        "last_name": "Surname",
        "dob": "DateOfBirth",
        "sex": "Sex",
        "address": "AddressLine",
        "postcode": "Postcode",
        "involvement_start": "ReferralDate",
        "involvement_end": "DischargeDate",
        "last_contact": "LastAppointment",
        "lead_name": "Clinician",
        "lead_role": "ClinicianRole",
        "lead_team": "Team",
        "lead_phone": "Phone",
        "lead_email": "Email",
    },
)
NOISE = Noise(
    typo=0.008,
    nickname=0.04,
    variant=0.08,
    dob_missing=0.002,
    nhs_present=0.97,
    nhs_error=0.003,
)
STAFF = StaffSpec(
    (
        ("CAMHS Practitioner", 0.6),
        ("Clinical Psychologist", 0.25),
        ("Consultant Psychiatrist", 0.15),
    ),
    ("CAMHS Stockport", "CAMHS Eating Disorders", "CAMHS Crisis"),
    "nhs.example.gov.uk",
    block=5,
)
INVOLVEMENT = Involvement(
    SPEC.coverage_from,
    SPEC.extract_date,
    (0.02, 0.07, 0.18),
    age_from=5,
    age_to=17,
    max_episodes=2,
    p_current=0.45,
)


def _layout() -> dict[str, pl.Expr]:
    """The extract's columns, as the CAMHS system exports them."""
    fmt = SPEC.date_format
    return {
        "ReferralID": pl.lit(""),
        "PatientID": pl.col("patient"),
        "NHSNumber": spaced_nhs(),
        "Forename": pl.col("first_name"),
        "Surname": pl.col("last_name"),
        "DateOfBirth": date_text(pl.col("dob"), fmt),
        "Sex": sex_text("word"),
        "AddressLine": pl.col("address"),
        "Postcode": pl.col("postcode"),
        "ReferralDate": date_text(pl.col("start"), fmt),
        "DischargeDate": date_text(pl.col("end"), fmt),
        "LastAppointment": date_text(pl.col("contact"), fmt),
        "Clinician": pl.col("lead_name"),
        "ClinicianRole": pl.col("lead_role"),
        "Team": pl.col("lead_team"),
        "Phone": pl.col("lead_phone"),
        "Email": pl.col("lead_email"),
    }


def build(world: World) -> Extract:
    """CAMHS referrals of children aged 5 to 17."""
    rows = person_episodes(world.rng("camhs:who"), world.people, INVOLVEMENT)
    rows = noisy(world, rows, "start", NOISE, SPEC.name)
    rows = with_staff(world, rows, SPEC.name, STAFF, per=40)
    rng = world.rng("camhs:rows")
    rows = rows.with_columns(
        patient=per_person_ids(rng, rows, "RM3"),
        contact=last_contact(rng, rows, SPEC.extract_date),
    )
    rows = rows.select(**_layout(), __pid="pid", __sort="start")
    return finish(SPEC, rng, rows, "CAMHS-", "ReferralID")
