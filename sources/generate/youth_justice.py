"""Youth justice extract: CSV (utf-8), ISO dates, children aged 10 to 17."""

from __future__ import annotations

from datetime import date

import polars as pl

from sources.generate.common import (
    choice,
    finish,
    noisy,
    per_person_ids,
    sex_text,
    with_staff,
)
from sources.generate.episodes import Involvement, person_episodes
from sources.generate.noise import Noise
from sources.generate.spec import LAWFUL_BASIS, OFFENCE_BASIS, SourceSpec
from sources.generate.staff import StaffSpec
from sources.generate.text import date_text
from sources.generate.world import World
from sources.generate.writer import Extract

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
INVOLVEMENT = Involvement(
    SPEC.coverage_from,
    SPEC.extract_date,
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


def _layout() -> dict[str, pl.Expr]:
    """The extract's columns, as the youth justice system exports them."""
    fmt = SPEC.date_format
    return {
        "Case Ref": pl.lit(""),
        "Child ID": pl.col("child_id"),
        "Given Name": pl.col("first_name"),
        "Family Name": pl.col("last_name"),
        "Date of Birth": date_text(pl.col("dob"), fmt),
        "Gender": sex_text("word"),
        "UPN": pl.col("upn"),
        "Address": pl.col("address"),
        "Postcode": pl.col("postcode"),
        "Intervention": pl.col("intervention"),
        "Start Date": date_text(pl.col("start"), fmt),
        "End Date": date_text(pl.col("end"), fmt),
        "Case Manager": pl.col("lead_name"),
        "Role": pl.col("lead_role"),
        "Team": pl.col("lead_team"),
        "Telephone": pl.col("lead_phone"),
        "Email": pl.col("lead_email"),
    }


def build(world: World) -> Extract:
    """The youth justice extract."""
    eps = person_episodes(world.rng("youth_justice:who"), world.people, INVOLVEMENT)
    rows = noisy(world, eps, "start", NOISE, SPEC.name)
    rows = with_staff(world, rows, SPEC.name, STAFF, per=15)
    rng = world.rng("youth_justice:rows")
    rows = rows.with_columns(
        child_id=per_person_ids(rng, rows, "YJ"),
        intervention=choice(rng, INTERVENTIONS, rows.height, p=INTERVENTION_P),
    )
    rows = rows.select(**_layout(), __pid="pid", __sort="start")
    return finish(SPEC, rng, rows, "YJ-C", "Case Ref")
