"""Drug and alcohol service extract: Excel sheet "Clients" with dates as text.

The service keeps only a postcode (no address) and is sensitive. Adults mostly;
its young people's service sees a few 13 to 17 year olds.
"""

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
from sources.generate.spec import HEALTH_BASIS, LAWFUL_BASIS, SourceSpec
from sources.generate.staff import StaffSpec
from sources.generate.text import date_text
from sources.generate.world import World
from sources.generate.writer import Extract

SPEC = SourceSpec(
    name="substance_misuse",
    service="Drug and alcohol service",
    format="excel",
    path="substance_misuse.xlsx",
    sheet="Clients",
    extract_date=date(2025, 2, 28),
    coverage_from=date(2020, 4, 1),
    date_format="%d/%m/%Y",
    sensitivity="sensitive",
    current_values=("in treatment",),
    lawful_basis=LAWFUL_BASIS + HEALTH_BASIS,
    columns={
        "record_id": "Episode Ref",
        "case_number": "Client ID",
        "first_name": "First Name",
        "last_name": "Surname",
        "dob": "DOB",
        "sex": "Sex",
        "postcode": "Postcode",
        "involvement_start": "Treatment Start",
        "involvement_end": "Treatment End",
        "status": "Status",
        "lead_name": "Keyworker",
        "lead_role": "Keyworker Role",
        "lead_team": "Service",
        "lead_phone": "Keyworker Phone",
        "lead_email": "Keyworker Email",
    },
)
NOISE = Noise(
    typo=0.02,
    nickname=0.12,
    variant=0.15,
    dob_swap=0.01,
    dob_missing=0.03,
    postcode_missing=0.08,
)
STAFF = StaffSpec(
    (("Recovery Worker", 0.8), ("Senior Practitioner", 0.2)),
    ("Stockport Recovery Service",),
    "recovery.example.gov.uk",
    block=8,
    mobile_share=0.8,
)
ADULTS = Involvement(
    SPEC.coverage_from,
    SPEC.extract_date,
    (0.006, 0.05, 0.14),
    age_from=18,
    age_to=75,
    max_episodes=2,
    p_current=0.4,
)
YOUNG = Involvement(
    SPEC.coverage_from,
    SPEC.extract_date,
    (0.001, 0.01, 0.03),
    age_from=13,
    age_to=17,
    p_current=0.4,
)
YOUNG_SERVICE = "Stockport Recovery Service (Young People)"
CLOSED = ("Discharged", "Dropped out", "Transferred")


def _episodes(world: World) -> pl.DataFrame:
    rng = world.rng("substance_misuse:who")
    adults = person_episodes(rng, world.people, ADULTS)
    others = world.people.filter(~pl.col("pid").is_in(adults["pid"].implode()))
    return pl.concat([adults, person_episodes(rng, others, YOUNG)])


def build(world: World) -> Extract:
    """The drug and alcohol service extract."""
    rows = noisy(world, _episodes(world), "start", NOISE, SPEC.name)
    rows = with_staff(world, rows, SPEC.name, STAFF, per=25)
    rng = world.rng("substance_misuse:rows")
    young = (pl.col("start") - pl.col("true_dob")).dt.total_days() < 18 * 365
    status = pl.when(pl.col("end").is_null()).then(pl.lit("In treatment"))
    status = status.otherwise(pl.lit(choice(rng, CLOSED, rows.height)))
    fmt = SPEC.date_format
    rows = rows.select(
        **{
            "Episode Ref": pl.lit(""),
            "Client ID": per_person_ids(rng, rows, "SR"),
            "First Name": "first_name",
            "Surname": "last_name",
            "DOB": date_text(pl.col("dob"), fmt),
            "Sex": sex_text("letter"),
            "Postcode": "postcode",
            "Treatment Start": date_text(pl.col("start"), fmt),
            "Treatment End": date_text(pl.col("end"), fmt),
            "Status": status,
            "Keyworker": "lead_name",
            "Keyworker Role": "lead_role",
            "Service": pl.when(young)
            .then(pl.lit(YOUNG_SERVICE))
            .otherwise("lead_team"),
            "Keyworker Phone": "lead_phone",
            "Keyworker Email": "lead_email",
        },
        __pid="pid",
        __sort="start",
    )
    return finish(SPEC, rng, rows, "SM", "Episode Ref")
