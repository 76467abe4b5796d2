"""Adult social care extract: Parquet with timestamps (as a case system exports).

Older people are seen most, then working-age adults with care needs, then a few
15 to 17 year olds preparing for adulthood.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from synthetic.common import choice, per_person_ids, with_last_contact
from synthetic.episodes import Involvement, person_episodes
from synthetic.noise import Noise
from synthetic.service import Service
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec
from synthetic.world import World
from synthetic.writer import Extract

SPEC = SourceSpec(
    name="adult_social_care",
    service="Adult social care",
    format="parquet",
    path="adult_social_care.parquet",
    extract_date=date(2025, 3, 26),
    coverage_from=date(2017, 4, 1),
    age_min=15,
    columns={
        "record_id": "episode_id",
        "case_number": "mosaic_id",
        "first_name": "first_name",
        "last_name": "last_name",
        "previous_names": "previous_names",
        "dob": "date_of_birth",
        "sex": "gender",
        "nhs_number": "nhs_no",
        "address": "address",
        "postcode": "post_code",
        "involvement_start": "start_date",
        "involvement_end": "end_date",
        "last_contact": "last_contact_date",
        "detail": "service_type",
        "lead_name": "worker_name",
        "lead_role": "worker_role",
        "lead_team": "worker_team",
        "lead_phone": "worker_phone",
        "lead_email": "worker_email",
    },
)
NOISE = Noise(
    typo=0.01,
    nickname=0.04,
    variant=0.1,
    dob_missing=0.005,
    nhs_present=0.9,
    nhs_error=0.004,
)
STAFF = StaffSpec(
    (
        ("Social Worker", 0.5),
        ("Occupational Therapist", 0.2),
        ("Care Coordinator", 0.3),
    ),
    (
        "Adult Social Care Locality North",
        "Adult Social Care Locality South",
        "Adult Safeguarding Team",
        "Transitions Team",
    ),
    "council.example.gov.uk",
    block=7,
)
SERVICE = Service(SPEC, NOISE, STAFF, "ASC", dates="datetime")
#: Age group -> (involvement, kinds of service).
GROUPS = {
    "older": (
        Involvement((0.08, 0.15, 0.25), age_from=65, max_episodes=3, p_current=0.5),
        (
            "Home care",
            "Reablement",
            "Residential care",
            "Day services",
            "Safeguarding adults enquiry",
        ),
    ),
    "adult": (
        Involvement(
            (0.01, 0.04, 0.1), age_from=18, age_to=64, max_episodes=2, p_current=0.35
        ),
        (
            "Carer's assessment",
            "Safeguarding adults enquiry",
            "Mental health support",
            "Learning disability support",
        ),
    ),
    "young": (
        Involvement((0.002, 0.01, 0.03), age_from=15, age_to=17, p_current=0.5),
        ("Preparing for adulthood",),
    ),
}


def _episodes(world: World, spec: SourceSpec) -> pl.DataFrame:
    """Episodes per age group; a person falls in the first group that picks them."""
    rng = world.rng("adult_social_care:who")
    frames = []
    taken = pl.Series("pid", [], pl.Int64)
    for involvement, kinds in GROUPS.values():
        people = world.people.filter(~pl.col("pid").is_in(taken.implode()))
        eps = person_episodes(rng, people, involvement, spec)
        taken = pl.concat([taken, eps["pid"]])
        frames.append(eps.with_columns(service=choice(rng, kinds, eps.height)))
    return pl.concat(frames)


def build(world: World) -> Extract:
    """The adult social care extract."""
    service = SERVICE.at(world.ref)
    rows, rng = service.recorded(world, _episodes(world, service.spec))
    rows = with_last_contact(world, rows, service.spec)
    rows = rows.with_columns(case_number=per_person_ids(rng, rows, "M"))
    own = {"service_type": pl.col("service")}
    return service.written(rng, rows, own, after={"service_type": "post_code"})
