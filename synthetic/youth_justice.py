"""Youth justice extract: CSV (utf-8), ISO dates, children aged 10 to 17."""

from __future__ import annotations

from datetime import date

import polars as pl

from synthetic.common import choice, per_person_ids, with_last_contact
from synthetic.episodes import Involvement, person_episodes
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import LAWFUL_BASIS, OFFENCE_BASIS, SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import World
from synthetic.writer import Extract

SPEC = SourceSpec(
    name="youth_justice",
    service="Youth justice",
    format="csv",
    path="youth_justice.csv",
    extract_date=date(2025, 3, 24),
    coverage_from=date(2019, 4, 1),
    sensitivity="police",
    lawful_basis=LAWFUL_BASIS + OFFENCE_BASIS,
    columns={
        "record_id": "Case Ref",
        "case_number": "Child ID",
        "first_name": "Given Name",
        "last_name": "Family Name",
        "dob": "Date of Birth",
        "sex": "Gender",
        "upn": "UPN",
        "address": "Address",
        "postcode": "Postcode",
        "involvement_start": "Start Date",
        "involvement_end": "End Date",
        "last_contact": "Last Contact",
        "detail": "Intervention",
        "lead_name": "Case Manager",
        "lead_role": "Role",
        "lead_team": "Team",
        "lead_phone": "Telephone",
        "lead_email": "Email",
    },
)
NOISE = Noise(
    typo=0.015,
    nickname=0.06,
    variant=0.12,
    dob_swap=0.01,
    dob_missing=0.005,
    upn_present=0.5,
)
STAFF = StaffSpec(
    (("YJ Case Manager", 0.8), ("YJ Team Manager", 0.2)),
    ("Youth Justice Service",),
    "council.example.gov.uk",
    block=9,
)
SERVICE = Service(SPEC, NOISE, STAFF, "YJ-C", per=15, dates="text")
INVOLVEMENT = Involvement(
    (0.005, 0.04, 0.12),
    age_from=10,
    age_to=17,
    max_episodes=2,
    p_current=0.35,
    min_days=90,
    max_days=540,
)
INTERVENTION_P = (0.35, 0.2, 0.25, 0.15, 0.05)
INTERVENTIONS = (
    "Referral Order",
    "Youth Rehabilitation Order",
    "Out of court disposal",
    "Prevention",
    "Detention and Training Order",
)


def build(world: World) -> Extract:
    """The youth justice extract."""
    service = SERVICE.at(world.ref)
    who = world.rng("youth_justice:who")
    eps = person_episodes(who, world.people, INVOLVEMENT, service.spec)
    rows, rng = service.recorded(world, eps)
    rows = with_last_contact(world, rows, service.spec)
    rows = rows.with_columns(
        case_number=per_person_ids(rng, rows, "YJ"),
        intervention=choice(rng, INTERVENTIONS, rows.height, p=INTERVENTION_P),
    )
    own = {"Intervention": pl.col("intervention")}
    return service.written(rng, rows, own, after={"Intervention": "Postcode"})
