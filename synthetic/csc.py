"""Children's social care as Standard Safeguarding Dataset (SSD) tables in CSV.

Five tables in ``csc/``: person, address (current and previous), family,
involvements and professionals. Children with involvement and some of their
siblings are people; siblings without involvement give person-only records.
So are the parents the case names (``PARENT_RECORDED``), a non-resident parent
at their own address: the family table puts them in the children's family, as
case systems hold a child's parents as related people.
The professionals table carries two local extension columns (email, phone).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from synthetic.common import (
    family_home,
    group_refs,
    noisy,
    serials,
    staff_for,
)
from synthetic.episodes import Involvement, person_episodes
from synthetic.noise import Noise
from synthetic.service import dated
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec, assign_staff
from synthetic.world import World
from synthetic.writer import Extract

SPEC = SourceSpec(
    name="csc",
    service="Children's social care",
    format="ssd_csv",
    path="csc",
    extract_date=date(2025, 3, 28),
    coverage_from=date(2019, 4, 1),
)
NOISE = Noise(
    typo=0.008,
    nickname=0.01,
    variant=0.05,
    dob_missing=0.002,
    nhs_present=0.85,
    nhs_error=0.002,
    upn_present=0.7,
    address_missing=0.0,
    postcode_missing=0.01,
)
STAFF = StaffSpec(
    (
        ("Social Worker", 0.55),
        ("Senior Social Worker", 0.2),
        ("Advanced Practitioner", 0.15),
        ("Team Manager", 0.1),
    ),
    (
        "MASH",
        "Locality Team North",
        "Locality Team South",
        "Child Protection Team",
        "Children in Care Team",
        "Leaving Care Team",
    ),
    "council.example.gov.uk",
    block=0,
)
#: Chance a child's case names a parent as a related person: the parents at home
#: almost always, the other parent (living elsewhere) when known to the worker.
PARENT_RECORDED = {"A1": 0.95, "A2": 0.9, "NRP": 0.8}
INVOLVEMENT = Involvement(
    (0.01, 0.08, 0.35), age_from=0, age_to=17, max_episodes=3, p_current=0.4
)


def _parents(world: World, homes: pl.Series) -> pl.Series:
    """The parents the cases of the families based in ``homes`` name."""
    people = world.people.filter(
        family_home().is_in(homes.implode())
        & pl.col("role").is_in(list(PARENT_RECORDED))
    )
    named = pl.col("role").replace_strict(PARENT_RECORDED, return_dtype=pl.Float64)
    drawn = pl.Series(world.rng("csc:parents").random(people.height))
    return people.filter(drawn < named)["pid"]


def _people(world: World, eps: pl.DataFrame, spec: SourceSpec) -> pl.DataFrame:
    """Children with involvement, most of their under-18 siblings and the
    parents their cases name."""
    known = world.people.filter(pl.col("pid").is_in(eps["pid"].unique().implode()))
    kids = world.people.filter(
        (pl.col("role") == "C") & pl.col("hid").is_in(known["hid"].implode())
    )
    kids = kids.filter(pl.col("dob").dt.offset_by("18y") > pl.lit(spec.coverage_from))
    rng = world.rng("csc:siblings")
    extra = kids.filter(pl.Series(rng.random(kids.height) < 0.6))
    children = pl.concat([known["pid"], extra["pid"]])
    parents = _parents(world, known["hid"].unique())
    pids = pl.concat([children, parents]).unique().sort()
    persons = pl.DataFrame({"pid": pids}).with_columns(at=pl.lit(spec.extract_date))
    persons = noisy(world, persons, "at", NOISE, spec.name)
    return persons.with_columns(
        person_id=group_refs(rng, persons, "pid", ""),
        # a parent's case record holds no pupil number
        upn=pl.when(pl.col("pid").is_in(children.implode())).then("upn"),
    )


def _person_table(p: pl.DataFrame) -> pl.DataFrame:
    return p.select(
        pers_legacy_id=pl.format("CF{}", "person_id"),
        pers_person_id="person_id",
        pers_upn="upn",
        pers_forename="first_name",
        pers_surname="last_name",
        pers_sex=pl.col("sex").fill_null("U"),
        pers_gender=pl.col("sex").replace_strict({"F": "02", "M": "01"}, default="00"),
        pers_ethnicity=pl.lit(None, pl.String),
        pers_dob=pl.col("dob").dt.strftime("%Y-%m-%d 00:00:00.000"),
        pers_common_child_id="nhs",
        pers_upn_unknown=pl.when(pl.col("upn").is_null()).then(pl.lit("UN1")),
        pers_send_flag=pl.lit("N"),
        pers_expected_dob=pl.lit(None, pl.String),
        pers_death_date=pl.lit(None, pl.String),
        pers_is_mother=pl.lit("N"),
        pers_nationality=pl.lit(None, pl.String),
    )


def _address_json(prefix: str) -> pl.Expr:
    """The SSD's addr_address_json object from address parts."""
    none = pl.lit(None, pl.String)
    return pl.struct(
        ROOM=none,
        FLOOR=none,
        FLAT=pl.col(prefix + "flat"),
        BUILDING=none,
        HOUSE=pl.col(prefix + "house_no"),
        STREET=pl.col(prefix + "street"),
        TOWN=pl.lit("Stockport"),
        UPRN=none,
    ).struct.json_encode()


def _addresses(world: World, persons: pl.DataFrame) -> pl.DataFrame:
    """Each person's current address and, if the family moved, the one before."""
    parts = ("flat", "house_no", "street", "postcode")
    homes = world.homes.select(
        "hid", "moved_on", *parts, *(f"prev_{p}" for p in parts)
    ).drop("postcode")
    people = persons.select("person_id", "hid", "postcode", dob="true_dob")
    people = people.join(homes, on="hid", maintain_order="left")
    now = people.select(
        "person_id",
        "postcode",
        json=_address_json(""),
        start=pl.max_horizontal("moved_on", "dob"),
        end=pl.lit(None, pl.Date),
    )
    moved = pl.col("moved_on").is_not_null() & (pl.col("dob") < pl.col("moved_on"))
    before = people.filter(moved).select(
        "person_id",
        postcode="prev_postcode",
        json=_address_json("prev_"),
        start="dob",
        end=pl.col("moved_on") - pl.duration(days=1),
    )
    return pl.concat([now, before]).sort("person_id", "start")


def _address_table(world: World, persons: pl.DataFrame) -> pl.DataFrame:
    rows = _addresses(world, persons)
    return rows.select(
        addr_table_id=serials("A", 100_001),
        addr_person_id="person_id",
        addr_address_type=pl.lit("HOME"),
        addr_address_start_date=pl.col("start").dt.strftime("%Y-%m-%d"),
        addr_address_end_date=pl.col("end").dt.strftime("%Y-%m-%d"),
        addr_address_postcode="postcode",
        addr_address_json="json",
    )


def _involvements(world: World, eps: pl.DataFrame, p: pl.DataFrame):
    rng = world.rng("csc:rows")
    pool = staff_for(world, "csc", STAFF, eps.height, per=20)
    eps = eps.join(p.select("pid", "person_id"), on="pid", maintain_order="left")
    eps = eps.with_columns(key=pl.format("{}-{}", "pid", "episode"))
    eps = assign_staff(rng, eps, pool, by="key").sort(
        "start", "person_id", maintain_order=True
    )
    eps = eps.with_columns(invo_id=serials("I", 500_001))
    table = eps.select(
        invo_involvements_id="invo_id",
        invo_professional_id=pl.format("W{}", "staff_id"),
        invo_professional_role_id=pl.col("lead_role").replace_strict(
            {r: f"R{i + 1}" for i, (r, _) in enumerate(STAFF.roles)}
        ),
        invo_professional_team="lead_team",
        invo_involvement_start_date=pl.col("start").dt.strftime("%Y-%m-%d"),
        invo_involvement_end_date=pl.col("end").dt.strftime("%Y-%m-%d"),
        invo_worker_change_reason=pl.lit(None, pl.String),
        invo_person_id="person_id",
        invo_referral_id=serials("REF", 700_001),
    )
    return table, eps.select("pid", "person_id", "invo_id"), pool


def _professionals(pool: pl.DataFrame) -> pl.DataFrame:
    return pool.select(
        prof_professional_id=pl.format("W{}", "staff_id"),
        prof_staff_id=pl.format("S{}", pl.col("staff_id") + 3000),
        prof_professional_name="lead_name",
        prof_social_worker_registration_no=pl.format(
            "SW{}", pl.col("staff_id") + 90000
        ),
        prof_agency_worker_flag=pl.lit("N"),
        prof_professional_job_title="lead_role",
        prof_professional_caseload=pl.lit(None, pl.Int64),
        prof_professional_department=pl.lit("Children's Social Care"),
        prof_full_time_equivalency=pl.lit(1.0),
        prof_professional_email="lead_email",
        prof_professional_phone="lead_phone",
    )


def _family(persons: pl.DataFrame) -> pl.DataFrame:
    """One family per family of the children in the extract, with their parents
    (a non-resident parent included; young adults sharing a flat apart)."""
    fam = persons.select(pl.col("fid").unique().sort())
    fam = fam.with_columns(family_id=serials("FAM", 10_001))
    return persons.join(fam, on="fid", maintain_order="left").select(
        fami_table_id=serials("FT", 1),
        fami_family_id="family_id",
        fami_person_id="person_id",
    )


def build(world: World) -> Extract:
    """The SSD tables and their truth (a record per person and involvement)."""
    spec = dated(SPEC, world.ref)
    eps = person_episodes(world.rng("csc:who"), world.people, INVOLVEMENT, spec)
    persons = _people(world, eps, spec)
    invo, links, pool = _involvements(world, eps, persons)
    with_invo = links.select(
        pl.lit(spec.name).alias("source"),
        record_id=pl.format("{}/{}", "person_id", "invo_id"),
        pid="pid",
    )
    alone = persons.filter(~pl.col("pid").is_in(links["pid"].implode()))
    without = alone.select(
        pl.lit(spec.name).alias("source"), record_id="person_id", pid="pid"
    )
    tables = {
        "csc/ssd_person.csv": _person_table(persons),
        "csc/ssd_address.csv": _address_table(world, persons),
        "csc/ssd_family.csv": _family(persons),
        "csc/ssd_involvements.csv": invo,
        "csc/ssd_professionals.csv": _professionals(pool),
    }
    junk = pl.DataFrame(schema={"source": pl.String, "row_number": pl.Int64})
    return Extract(spec, tables, pl.concat([with_invo, without]), junk)
