"""Children's social care as Standard Safeguarding Dataset (SSD) tables in CSV,
in the shape one case system's published deployment script gives them
(``flavour``: systemc, eclipse or mosaic; see ``ssd_systemc`` …).

Children with involvement and some of their siblings are people; siblings
without involvement give person-only records. So are the parents the case names
(``PARENT_RECORDED``), a non-resident parent at their own address. The cases
themselves (``ssd_cases``) are flavour-neutral. Beside the tables,
``staff_contacts.csv`` is the council's own professionals' contact extract (the
SSD holds no email or phone), and the truth says what the preset must read:
``truth/csc_fields.csv`` per record, ``csc_care_periods.csv``, ``csc_mothers.csv``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from synthetic import ssd_eclipse, ssd_mosaic, ssd_systemc
from synthetic.common import family_home, group_refs, noisy, serials
from synthetic.episodes import person_episodes
from synthetic.noise import Noise
from synthetic.service import dated
from synthetic.spec import SourceSpec
from synthetic.ssd_cases import INVOLVEMENT, Cases, build_cases
from synthetic.ssd_shared import Inputs, address_rows
from synthetic.ssd_truth import ssd_truth
from synthetic.world import World
from synthetic.writer import Extract

#: The writer of each flavour's tables.
WRITERS = {"systemc": ssd_systemc, "eclipse": ssd_eclipse, "mosaic": ssd_mosaic}
#: The professionals' contact extract, beside the SSD tables.
CONTACTS = "staff_contacts.csv"

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
#: Chance a child's case names a parent as a related person: the parents at home
#: almost always, the other parent (living elsewhere) when known to the worker.
PARENT_RECORDED = {"A1": 0.95, "A2": 0.9, "NRP": 0.8}


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


def _persons(world: World, spec: SourceSpec) -> pl.DataFrame:
    refs = person_episodes(world.rng("csc:who"), world.people, INVOLVEMENT, spec)
    persons = _people(world, refs, spec)
    fams = persons.select(pl.col("fid").unique().drop_nulls().sort())
    fams = fams.with_columns(family_id=serials("FAM", 10_001))
    kids = persons.filter(pl.col("role") == "C")["pid"]
    return persons.join(fams, on="fid", how="left", maintain_order="left").with_columns(
        is_child=pl.col("pid").is_in(kids.implode())
    )


def _mothers(world: World, persons: pl.DataFrame) -> pl.DataFrame:
    """(mother, child) person ids where both are in the extract."""
    ids = persons.select("pid", "person_id")
    kids = persons.filter(pl.col("is_child")).select("pid", "person_id")
    parents = world.people.select("pid", "parent1", "parent2").join(kids, on="pid")
    links = pl.concat(
        [parents.select("person_id", parent=p) for p in ("parent1", "parent2")]
    )
    women = world.people.filter(pl.col("sex") == "F").select(parent="pid")
    links = links.join(women, on="parent").join(
        ids.rename({"pid": "parent", "person_id": "mother"}), on="parent"
    )
    return links.select("mother", child="person_id").unique().sort("mother", "child")


def _staff_contacts(cases: Cases, key: pl.Expr) -> pl.DataFrame:
    """The council's professionals' contact extract (its own HR export)."""
    return cases.staff.select(
        staff_id=key, name="lead_name", job_title="lead_role", team="lead_team",
        email="lead_email", phone="lead_phone",
    )  # fmt: skip


def build(world: World, flavour: str = "systemc") -> Extract:
    """The SSD tables as ``flavour``'s published script fills them, and their
    truth: a record per person and episode, and the fields the preset must read."""
    spec = replace(
        dated(SPEC, world.ref),
        ssd_flavour=flavour,
        ssd_staff_contacts=f"{SPEC.path}/{CONTACTS}",
    )
    persons = _persons(world, spec)
    rng = world.rng("csc:rows")
    cases = build_cases(
        world, spec, persons.select("pid", "person_id", "is_child", "dob")
    )
    inputs = Inputs(
        persons=persons,
        addresses=address_rows(persons, world.homes, world.rng("csc:addresses")),
        mothers=_mothers(world, persons),
        cases=cases,
        today=spec.extract_date,
    )
    writer = WRITERS[flavour]
    tables = {
        f"{SPEC.path}/{name}.csv": frame
        for name, frame in writer.tables(inputs, rng).items()
    }
    tables[f"{SPEC.path}/{CONTACTS}"] = _staff_contacts(
        cases, writer.staff_key(cases.staff)
    )
    truth = ssd_truth(inputs, flavour)
    ids = persons.select("pid", "person_id")
    records = truth.records.join(ids, on="person_id").select(
        source=pl.lit(spec.name), record_id="record_id", pid="pid"
    )
    junk = pl.DataFrame(schema={"source": pl.String, "row_number": pl.Int64})
    extra = {"csc_fields": truth.fields, "csc_care_periods": truth.periods,
             "csc_mothers": truth.mothers}  # fmt: skip
    return Extract(spec, tables, records, junk, extra)
