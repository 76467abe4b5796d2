"""Drug and alcohol service extract: Excel sheet "Clients" with dates as text.

The service keeps only a postcode (no address) and is sensitive. Adults mostly;
its young people's service sees a few 13 to 17 year olds.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from synthetic.common import choice, per_person_ids, with_last_contact
from synthetic.episodes import Involvement, person_episodes
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import HEALTH_BASIS, LAWFUL_BASIS, SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import World
from synthetic.writer import Extract

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
        "last_contact": "Last Appointment",
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
SERVICE = Service(SPEC, NOISE, STAFF, "SM", per=25, dates="text", sex="letter")
ADULTS = Involvement(
    (0.006, 0.05, 0.14), age_from=18, age_to=75, max_episodes=2, p_current=0.4
)
YOUNG = Involvement((0.001, 0.01, 0.03), age_from=13, age_to=17, p_current=0.4)
YOUNG_SERVICE = "Stockport Recovery Service (Young People)"
CLOSED = ("Discharged", "Dropped out", "Transferred")


def _episodes(world: World, spec: SourceSpec) -> pl.DataFrame:
    rng = world.rng("substance_misuse:who")
    adults = person_episodes(rng, world.people, ADULTS, spec)
    others = world.people.filter(~pl.col("pid").is_in(adults["pid"].implode()))
    return pl.concat([adults, person_episodes(rng, others, YOUNG, spec)])


def build(world: World) -> Extract:
    """The drug and alcohol service extract."""
    service = SERVICE.at(world.ref)
    rows, rng = service.recorded(world, _episodes(world, service.spec))
    rows = with_last_contact(world, rows, service.spec)
    closed = choice(rng, CLOSED, rows.height)
    rows = rows.with_columns(case_number=per_person_ids(rng, rows, "SR"))
    young = (pl.col("start") - pl.col("true_dob")).dt.total_days() < 18 * 365
    status = pl.when(pl.col("end").is_null()).then(pl.lit("In treatment"))
    own = {
        "Status": status.otherwise(pl.lit(closed)),
        "Service": pl.when(young).then(pl.lit(YOUNG_SERVICE)).otherwise("lead_team"),
    }
    return service.written(rng, rows, own)
