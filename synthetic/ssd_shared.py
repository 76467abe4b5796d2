"""What every SSD flavour writer starts from: the people in the extract with
their ids, their address history, families, mothers and cases; and helpers for
the columns the three scripts write alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from synthetic.common import serials
from synthetic.ssd_cases import Cases

DAY = "%Y-%m-%d"
#: SQL Server DATETIME as the scripts' CSV exports write it.
DATETIME = "%Y-%m-%d 00:00:00.000"


@dataclass(frozen=True)
class Inputs:
    """One borough's children's social care, ready for a flavour's shape."""

    persons: pl.DataFrame  # pid, person_id, names, dob, sex, nhs, upn, fid, …
    addresses: pl.DataFrame  # addr_id, person_id, kind, start, end, parts, postcode
    mothers: pl.DataFrame  # mother, child (person ids)
    cases: Cases
    today: date


def day(col: str, fmt: str = DAY) -> pl.Expr:
    """A date column as text the way the scripts export it."""
    return pl.col(col).dt.strftime(fmt)


def address_rows(
    persons: pl.DataFrame, homes: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """Each person's current home, the one before if the family moved, and for
    some a correspondence address opened since (not their home)."""
    parts = ("flat", "house_no", "street", "locality", "postcode")
    homes = homes.select("hid", "moved_on", *parts, *(f"prev_{p}" for p in parts))
    people = persons.select("person_id", "hid", dob="true_dob").join(
        homes, on="hid", maintain_order="left"
    )
    now = people.select(
        "person_id",
        *parts,
        kind=pl.lit("home"),
        start=pl.max_horizontal("moved_on", "dob"),
        end=pl.lit(None, pl.Date),
    )
    moved = pl.col("moved_on").is_not_null() & (pl.col("dob") < pl.col("moved_on"))
    before = people.filter(moved).select(
        "person_id",
        *(pl.col(f"prev_{p}").alias(p) for p in parts),
        kind=pl.lit("home"),
        start="dob",
        end=pl.col("moved_on") - pl.duration(days=1),
    )
    pick = pl.Series(rng.random(now.height) < 0.08)
    corr = now.filter(pick).with_columns(
        kind=pl.lit("correspondence"),
        house_no=pl.lit("PO Box"),
        street=pl.lit("Civic Centre"),
        flat=pl.lit(None, pl.String),
        locality=pl.lit(None, pl.String),
        start=pl.col("start") + pl.duration(days=30),
    )
    rows = pl.concat([now, before, corr]).sort("person_id", "start", "kind")
    n = rows.height
    named = rng.random(n)
    # some homes are in a named building, a few with quotes in the name
    building = np.where(
        named < 0.02, 'The "Willows"', np.where(named < 0.06, "Willow Court", "")
    )
    return rows.with_columns(
        building=pl.Series(building).replace("", None),
        addr_id=serials("", 2_000_001),
        flat_no=pl.col("flat").str.replace("Flat ", "", literal=True),
        uprn=pl.Series(np.char.mod("1000%08d", rng.integers(0, 10**8, n))),
        town=pl.lit("Stockport"),
    )


def home_line(addresses: pl.DataFrame, with_locality: bool) -> pl.DataFrame:
    """The true current home line per person, as the flavour's form holds it."""
    home = addresses.filter((pl.col("kind") == "home") & pl.col("end").is_null())
    parts = [
        pl.col("flat"),
        pl.col("building"),
        pl.col("house_no") + " " + pl.col("street"),
    ]
    if with_locality:
        parts.append(pl.col("locality"))
    line = pl.concat_str([*parts, pl.col("town")], separator=", ", ignore_nulls=True)
    return home.select("person_id", address=line, postcode="postcode")


def contacts_table(cases: Cases, source_desc: bool = True) -> pl.DataFrame:
    """ssd_contacts: one row per contact (outcome JSON as the scripts build it)."""
    c = cases.contacts
    outcome = '{"NEW_REFERRAL_FLAG": "Y", "NFA_FLAG": "", "NUMBER_OF_OUTCOMES": 1}'
    return c.select(
        cont_contact_id="id",
        cont_person_id="person_id",
        cont_contact_date=day("date", DATETIME),
        cont_contact_source_code=pl.lit("SCH")
        if source_desc
        else pl.lit(None, pl.String),
        cont_contact_source_desc=pl.lit("School"),
        cont_contact_outcome_json=pl.lit(outcome),
    )


def mother_table(inputs: Inputs, table_id: pl.Expr) -> pl.DataFrame:
    """ssd_mother: mother, child and the child's date of birth."""
    dob = inputs.persons.select(child="person_id", dob="dob")
    return inputs.mothers.join(dob, on="child", how="left").select(
        moth_table_id=table_id,
        moth_person_id="mother",
        moth_childs_person_id="child",
        moth_childs_dob=day("dob", DATETIME),
    )


def cp_plans_table(cases: Cases) -> pl.DataFrame:
    """ssd_cp_plans (no worker or team columns in any script)."""
    return cases.cp_plans.select(
        cppl_cp_plan_id="id",
        cppl_referral_id="ref_id",
        cppl_icpc_id="icpc_id",
        cppl_person_id="person_id",
        cppl_cp_plan_start_date=day("start", DATETIME),
        cppl_cp_plan_end_date=day("end", DATETIME),
        cppl_cp_plan_ola=pl.lit("N"),
        cppl_cp_plan_initial_category=pl.lit("Neglect"),
        cppl_cp_plan_latest_category=pl.lit("Neglect"),
    )


def at_date(
    cases: Cases, rows: pl.DataFrame, when: pl.Expr, key: str = "ref_id"
) -> pl.DataFrame:
    """``rows`` with ``staff_id``: the allocated worker of their referral in post
    on ``when`` (the day the episode ends, or the extract date while open)."""
    cw = cases.allocations.filter(pl.col("role") == "worker").select(
        key, staff_id="staff_id", a_start="start", a_end="end"
    )
    rows = rows.with_columns(__on=when).join(cw, on=key, how="left")
    covers = (pl.col("a_start") <= pl.col("__on")) & (
        pl.col("a_end").is_null() | (pl.col("a_end") >= pl.col("__on"))
    )
    keep = rows.columns[: rows.columns.index("__on")]
    return rows.filter(covers).select(*keep, "staff_id")


def reference_day(today: date) -> pl.Expr:
    """The day an episode's lead is read on: its end, or today while open."""
    return pl.min_horizontal(pl.coalesce("end", pl.lit(today)), pl.lit(today))


def early_help_table(
    eh: pl.DataFrame,
    fmt: str = DAY,
    organisation: pl.Expr | str = "team_id",
    worker: pl.Expr | str = "worker_id",
) -> pl.DataFrame:
    """ssd_early_help_episodes: dates in ``fmt``; the organisation and worker
    columns as the flavour's script fills them."""
    return eh.select(
        earl_episode_id="id",
        earl_person_id="person_id",
        earl_episode_start_date=day("start", fmt),
        earl_episode_end_date=day("end", fmt),
        earl_episode_reason=pl.lit("Parenting support"),
        earl_episode_end_reason=pl.lit(None, pl.String),
        earl_episode_organisation=organisation,
        earl_episode_worker_id=worker,
    )
