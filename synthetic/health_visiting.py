"""Health visiting extract: Parquet with native dates and NHS sex codes.

Health visitors see every child from about two weeks old until their fifth
birthday (a few are not registered); support level follows the family's need.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from synthetic.common import last_contact, per_person_ids
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import HEALTH_BASIS, LAWFUL_BASIS, SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import World
from synthetic.writer import Extract

SPEC = SourceSpec(
    name="health_visiting",
    service="Health visiting",
    format="parquet",
    path="health_visiting.parquet",
    extract_date=date(2025, 3, 21),
    coverage_from=date(2019, 4, 1),
    lawful_basis=LAWFUL_BASIS + HEALTH_BASIS,
    columns={
        "record_id": "referral_id",
        "case_number": "local_patient_id",
        "nhs_number": "nhs_number",
        "first_name": "given_name",
        "last_name": "family_name",
        "previous_names": "previous_family_name",
        "dob": "birth_date",
        "sex": "gender_code",
        "address": "address_line_1",
        "postcode": "postcode",
        "involvement_start": "caseload_start",
        "involvement_end": "caseload_end",
        "last_contact": "last_contact_date",
        "detail": "support_level",
        "lead_name": "health_visitor",
        "lead_role": "hv_role",
        "lead_team": "hv_team",
        "lead_phone": "hv_phone",
        "lead_email": "hv_email",
    },
)
NOISE = Noise(
    typo=0.005,
    nickname=0.0,
    variant=0.05,
    dob_missing=0.0,
    nhs_present=0.995,
    nhs_error=0.002,
    postcode_missing=0.005,
)
STAFF = StaffSpec(
    (("Health Visitor", 0.7), ("Community Staff Nurse", 0.2), ("Nursery Nurse", 0.1)),
    (
        "Health Visiting North",
        "Health Visiting South",
        "Health Visiting East",
        "Health Visiting West",
    ),
    "nhs.example.gov.uk",
    block=4,
)
SERVICE = Service(SPEC, NOISE, STAFF, "HV", per=40, address="street", sex="nhs")
LEVELS = ("Universal", "Universal Plus", "Universal Partnership Plus")


def _caseload(world: World, spec: SourceSpec) -> pl.DataFrame:
    """Children under five at some time since coverage began (95% registered)."""
    rng = world.rng("health_visiting:who")
    fifth = pl.col("dob").dt.offset_by("5y")
    since, until = pl.lit(spec.coverage_from), pl.lit(spec.extract_date)
    people = world.people.filter((fifth > since) & (pl.col("dob") < until))
    people = people.filter(pl.Series(rng.random(people.height)) < 0.95)
    first_visit = pl.col("dob") + pl.duration(days=12)
    return people.select(
        "pid",
        episode=pl.lit(1),
        start=pl.max_horizontal(first_visit, since),
        end=pl.when(fifth < until).then(fifth),
    )


def build(world: World) -> Extract:
    """The health visiting extract."""
    service = SERVICE.at(world.ref)
    rows, rng = service.recorded(world, _caseload(world, service.spec))
    rows = rows.with_columns(
        case_number=per_person_ids(rng, rows, "RM3"),
        contact=last_contact(rng, rows, service.spec.extract_date),
    )
    own = {
        "postcode": pl.col("postcode").str.replace(" ", ""),
        "service_line": pl.lit("Health Visiting"),
        "support_level": pl.col("need").replace_strict(dict(enumerate(LEVELS))),
    }
    return service.written(rng, rows, own, after={"service_line": "postcode"})
