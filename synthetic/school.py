"""School census extract: CSV (utf-8), one "SURNAME, Forename" column, UPN.

Every pupil has a current enrolment; some also an earlier one at the school of
their previous phase. The lead professional is the school's designated
safeguarding lead.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from synthetic.common import noisy, per_person_ids
from synthetic.noise import Noise
from synthetic.schools import PHASES
from synthetic.service import Service
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec, assign_staff, staff_pool
from synthetic.text import date_text
from synthetic.world import World
from synthetic.writer import Extract

SPEC = SourceSpec(
    name="school",
    service="Schools (education)",
    format="csv",
    path="school_census.csv",
    extract_date=date(2025, 3, 14),
    coverage_from=date(2019, 9, 1),
    date_format="%d/%m/%Y",
    age_min=4,
    age_max=20,
    columns={
        "record_id": "Enrolment ID",
        "case_number": "Pupil ID",
        "upn": "UPN",
        "full_name": "Pupil Name",
        "previous_names": "Former Surname",
        "sex": "Gender",
        "dob": "DOB",
        "address": "Address",
        "postcode": "Postcode",
        "involvement_start": "Admission Date",
        "involvement_end": "Leaving Date",
        "detail": "Summary",
        "lead_name": "Safeguarding Lead",
        "lead_role": "Lead Role",
        "lead_team": "School",
        "lead_phone": "DSL Phone",
        "lead_email": "DSL Email",
    },
)
NOISE = Noise(
    typo=0.01,
    nickname=0.02,
    variant=0.05,
    dob_missing=0.003,
    upn_present=0.99,
    address_missing=0.01,
    postcode_missing=0.01,
)
STAFF = StaffSpec(
    (("Designated Safeguarding Lead", 1.0),),
    ("",),
    "schools.example.gov.uk",
    block=2,
    mobile_share=0.0,
)
#: Staffed its own way: each school has one designated safeguarding lead.
SERVICE = Service(
    SPEC, NOISE, STAFF, "ENR", address="street", dates="text", sex="letter"
)


def _enrolments(world: World, spec: SourceSpec) -> pl.DataFrame:
    """Current enrolments, plus earlier ones in the previous phase since coverage."""
    pupils = world.people.filter(pl.col("school").is_not_null()).select(
        "pid", "dob", "school"
    )
    pupils = pupils.join(
        world.schools.select("school", "phase", "age_from"), on="school"
    )
    sept = pl.date(
        pl.col("dob").dt.year()
        + pl.col("age_from")
        + (pl.col("dob").dt.month() >= 9).cast(pl.Int32),
        9,
        4,
    )
    rng = world.rng("school:enrol")
    mover = pl.Series(rng.random(pupils.height) < 0.08)
    moved_in = pl.lit(spec.extract_date) - pl.duration(
        days=pl.Series(rng.integers(20, 700, pupils.height))
    )
    now = pupils.with_columns(
        start=pl.when(mover).then(pl.max_horizontal(moved_in, sept)).otherwise(sept),
        end=pl.lit(None, pl.Date),
    )
    before = _previous(world, now, rng, spec)
    return pl.concat([now.select("pid", "school", "start", "end"), before])


def _previous(
    world: World, now: pl.DataFrame, rng: np.random.Generator, spec: SourceSpec
) -> pl.DataFrame:
    order = {name: i for i, (name, _, _) in enumerate(PHASES)}
    prior = (
        now.filter(pl.col("phase") != PHASES[0][0])
        .with_columns(
            prev_phase=pl.col("phase")
            .replace_strict(order)
            .sub(1)
            .replace_strict({i: n for n, i in order.items()}),
            end=pl.col("start") - pl.duration(days=44),
        )
        .filter(pl.col("end") >= pl.lit(spec.coverage_from))
    )
    counts = (
        world.schools.group_by("phase").agg(n=pl.len()).rename({"phase": "prev_phase"})
    )
    prior = prior.join(counts, on="prev_phase", maintain_order="left").with_columns(
        k=(pl.Series(rng.random(prior.height)) * pl.col("n")).cast(pl.Int64)
    )
    prior = prior.join(
        world.schools.select(prev_phase="phase", k="k", prev_school="school"),
        on=["prev_phase", "k"],
        maintain_order="left",
    )
    start = pl.col("end") - pl.duration(
        days=pl.Series(rng.integers(300, 2500, prior.height))
    )
    return prior.select("pid", school="prev_school", start=start, end="end")


def _year_group(on: date) -> pl.Expr:
    sept_year = on.year if on.month >= 9 else on.year - 1
    school_year = (
        sept_year - pl.col("dob").dt.year() - (pl.col("dob").dt.month() >= 9) - 4
    )
    return (
        pl.when(school_year == 0)
        .then(pl.lit("Reception"))
        .otherwise(pl.format("Year {}", school_year))
    )


def _details(rng: np.random.Generator, rows: pl.DataFrame, on: date) -> pl.DataFrame:
    """Attendance, suspensions, the name as the school writes it, and the odd
    mistyped date of birth or lower-case postcode."""
    h = rows.height
    need = rows["need"].to_numpy()
    attendance = (97 - 4 * need - rng.exponential(3, h)).clip(40, 100).round(1)
    comma = pl.lit(pl.Series(rng.random(h) < 0.97))
    surname_first = pl.col("last_name").str.to_uppercase() + ", " + pl.col("first_name")
    name = pl.when(comma).then(surname_first)
    name = name.otherwise(pl.col("first_name") + " " + pl.col("last_name"))
    lower = pl.lit(pl.Series(rng.random(h) < 0.05))
    return rows.with_columns(
        year=_year_group(on),
        case_number=per_person_ids(rng, rows, "PUP"),
        attendance=pl.Series(attendance),
        suspensions=pl.Series(rng.poisson(0.05 + 0.4 * need**2)),
        pupil_name=name,
        bad_dob=pl.Series(rng.random(h) < 0.002),
        postcode=pl.when(lower)
        .then(pl.col("postcode").str.to_lowercase())
        .otherwise("postcode"),
    )


def _own() -> dict[str, pl.Expr]:
    """Columns as only the school information system writes them."""
    summary = "Attendance {}%, {} suspension(s)"
    return {
        "Pupil Name": pl.col("pupil_name"),
        "DOB": date_text(pl.col("dob"), SPEC.date_format, pl.col("bad_dob")),
        "School": pl.col("school"),
        "Year Group": pl.when(pl.col("end").is_null()).then("year"),
        "Attendance %": pl.col("attendance"),
        "Suspensions (12m)": pl.col("suspensions"),
        "Summary": pl.format(summary, "attendance", "suspensions"),
    }


#: The school system's own column order: each goes right after the one named.
AFTER = {
    "School": "Postcode",
    "Year Group": "School",
    "Attendance %": "Leaving Date",
    "Suspensions (12m)": "Attendance %",
}


def build(world: World) -> Extract:
    """The school census extract."""
    service = SERVICE.at(world.ref)
    spec = service.spec
    rows = _enrolments(world, spec)
    rows = rows.with_columns(when=pl.coalesce("end", pl.lit(spec.extract_date)))
    rows = noisy(world, rows, "when", service.noise, spec.name, service.address)
    pool = staff_pool(
        world.rng("school:staff"), world.bank, STAFF, world.schools.height
    )
    rng = world.rng("school:rows")
    rows = assign_staff(rng, rows, pool, by="school", distinct=True)
    rows = _details(rng, rows, spec.extract_date)
    return service.written(rng, rows, _own(), AFTER)
