"""CAMHS extract (child and adolescent mental health): Parquet, sensitive.

Dates are yyyymmdd text and NHS numbers are written with spaces, as this
system exports them.
"""

from __future__ import annotations

from datetime import date

from synthetic.common import last_contact, per_person_ids, spaced_nhs
from synthetic.episodes import Involvement, person_episodes
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import HEALTH_BASIS, LAWFUL_BASIS, SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import World
from synthetic.writer import Extract

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
        "previous_names": "PreviousSurname",
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
SERVICE = Service(SPEC, NOISE, STAFF, "CAMHS-", per=40, dates="text")
INVOLVEMENT = Involvement(
    (0.02, 0.07, 0.18), age_from=5, age_to=17, max_episodes=2, p_current=0.45
)


def build(world: World) -> Extract:
    """CAMHS referrals of children aged 5 to 17."""
    service = SERVICE.at(world.ref)
    who = world.rng("camhs:who")
    eps = person_episodes(who, world.people, INVOLVEMENT, service.spec)
    rows, rng = service.recorded(world, eps)
    rows = rows.with_columns(
        case_number=per_person_ids(rng, rows, "RM3"),
        contact=last_contact(rng, rows, service.spec.extract_date),
    )
    return service.written(rng, rows, {"NHSNumber": spaced_nhs()})
