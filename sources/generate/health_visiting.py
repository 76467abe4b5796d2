"""Health visiting extract: Parquet with native dates and NHS sex codes.

Health visitors see every child from about two weeks old until their fifth
birthday (a few are not registered); support level follows the family's need.
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
    with_staff,
)
from sources.generate.noise import Noise
from sources.generate.spec import HEALTH_BASIS, LAWFUL_BASIS, SourceSpec
from sources.generate.staff import StaffSpec
from sources.generate.world import World
from sources.generate.writer import Extract

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
LEVELS = ("Universal", "Universal Plus", "Universal Partnership Plus")


def _caseload(world: World) -> pl.DataFrame:
    """Children under five at some time since coverage began (95% registered)."""
    rng = world.rng("health_visiting:who")
    fifth = pl.col("dob").dt.offset_by("5y")
    people = world.people.filter(
        (fifth > pl.lit(SPEC.coverage_from))
        & (pl.col("dob") < pl.lit(SPEC.extract_date))
    )
    people = people.filter(pl.Series(rng.random(people.height)) < 0.95)
    first_visit = pl.col("dob") + pl.duration(days=12)
    return people.select(
        "pid",
        episode=pl.lit(1),
        start=pl.max_horizontal(first_visit, pl.lit(SPEC.coverage_from)),
        end=pl.when(fifth < pl.lit(SPEC.extract_date)).then(fifth),
    )


def _layout() -> dict[str, pl.Expr]:
    """The extract's columns, as the community health system exports them."""
    return {
        "referral_id": pl.lit(""),
        "local_patient_id": pl.col("patient"),
        "nhs_number": pl.col("nhs"),
        "given_name": pl.col("first_name"),
        "family_name": pl.col("last_name"),
        "birth_date": pl.col("dob"),
        "gender_code": sex_text("nhs"),
        "address_line_1": pl.col("address"),
        "postcode": pl.col("postcode").str.replace(" ", ""),
        "service_line": pl.lit("Health Visiting"),
        "caseload_start": pl.col("start"),
        "caseload_end": pl.col("end"),
        "last_contact_date": pl.col("contact"),
        "support_level": pl.col("need").replace_strict(dict(enumerate(LEVELS))),
        "health_visitor": pl.col("lead_name"),
        "hv_role": pl.col("lead_role"),
        "hv_team": pl.col("lead_team"),
        "hv_phone": pl.col("lead_phone"),
        "hv_email": pl.col("lead_email"),
    }


def build(world: World) -> Extract:
    """The health visiting extract."""
    rows = noisy(world, _caseload(world), "start", NOISE, SPEC.name, address="street")
    rows = with_staff(world, rows, SPEC.name, STAFF, per=40)
    rng = world.rng("health_visiting:rows")
    rows = rows.with_columns(
        patient=per_person_ids(rng, rows, "RM3"),
        contact=last_contact(rng, rows, SPEC.extract_date),
    )
    rows = rows.select(**_layout(), __pid="pid", __sort="start")
    return finish(SPEC, rng, rows, "HV", "referral_id")
