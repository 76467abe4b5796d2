"""What the SSD preset must read back from the generated tables: the record
per person and episode (its id as the preset forms it), and for each the true
address, lead professional, team, NHS number, date of birth and last contact;
the periods of care; the mother–child pairs. ``bench/ssd_fidelity.py``
compares a load against these; the pipeline never reads them."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sources.fields import nhs_number
from synthetic.ssd_mosaic import care_episodes, covering_episode
from synthetic.ssd_shared import Inputs, at_date, home_line, reference_day

#: Record id part and lead-reading day of each episode kind tied to a referral.
_BY_REFERRAL = ("CINP", "S47", "CP", "LEGAL", "MISS")


@dataclass(frozen=True)
class Truth:
    records: pl.DataFrame  # record_id, person_id
    fields: pl.DataFrame  # record_id, address, postcode, lead_name, lead_team, …
    periods: pl.DataFrame  # case_number, start, end
    mothers: pl.DataFrame  # mother, child


def _episodes(inputs: Inputs, flavour: str) -> pl.DataFrame:
    """Every episode the preset makes a record of, with the staff_id of its lead."""
    c, today = inputs.cases, inputs.today
    on_day = reference_day(today)
    frames = {
        "CINP": c.cin_plans,
        "S47": c.s47,
        "CP": c.cp_plans,
        "LEGAL": c.legal,
        "MISS": c.missing,
    }
    if flavour == "mosaic":  # no person id: only episodes in care reach a child
        reached = covering_episode(c.missing, care_episodes(c))
        frames["MISS"] = reached.filter(pl.col("cla_ep_id").is_not_null())
    parts = [
        at_date(c, c.referrals.with_columns(id="ref_id"), on_day).select(
            "person_id", invo_id=pl.lit("CIN:") + pl.col("id"), staff_id="staff_id"
        )
    ]
    for prefix in _BY_REFERRAL:
        if prefix in frames:
            rows = at_date(c, frames[prefix], on_day)
            parts.append(
                rows.select(
                    "person_id",
                    invo_id=pl.lit(f"{prefix}:") + pl.col("id"),
                    staff_id="staff_id",
                )
            )
    icpc = at_date(c, c.icpc, pl.coalesce("date", pl.lit(today)))
    parts.append(
        icpc.select(
            "person_id", invo_id=pl.lit("ICPC:") + pl.col("id"), staff_id="staff_id"
        )
    )
    periods = _periods(inputs)
    cla = at_date(c, periods, on_day).select(
        "person_id", invo_id=pl.lit("CLA:") + pl.col("first"), staff_id="staff_id"
    )
    eh = c.early_help.select(
        "person_id", invo_id=pl.lit("EH:") + pl.col("id"), staff_id="staff_id"
    )
    return pl.concat([*parts, cla, eh])


def _periods(inputs: Inputs) -> pl.DataFrame:
    cla = inputs.cases.cla.sort("start", "ep_id")
    return (
        cla.group_by("period_id", maintain_order=True)
        .agg(
            person_id=pl.col("person_id").first(),
            ref_id=pl.col("ref_id").first(),
            first=pl.col("ep_id").first(),
            start=pl.col("start").min(),
            end=pl.when(pl.col("end").is_null().any())
            .then(None)
            .otherwise(pl.col("end").max()),
        )
        .with_columns(pl.col("end").cast(pl.Date))
    )


def _person_fields(inputs: Inputs, flavour: str) -> pl.DataFrame:
    p = inputs.persons
    home = home_line(inputs.addresses, with_locality=flavour == "mosaic")
    last = inputs.cases.contacts.group_by("person_id").agg(
        last_contact=pl.col("date").max()
    )
    out = (
        p.select("person_id", nhs_number=nhs_number(pl.col("nhs")), dob="dob")
        .join(home, on="person_id", how="left")
        .join(last, on="person_id", how="left")
    )
    return out


def ssd_truth(inputs: Inputs, flavour: str) -> Truth:
    """The truth of the tables ``flavour``'s writer made from ``inputs``."""
    eps = _episodes(inputs, flavour)
    staff = inputs.cases.staff.select(
        "staff_id", lead_name="lead_name", lead_team="lead_team"
    )
    eps = eps.join(staff, on="staff_id", how="left").with_columns(
        record_id=pl.col("person_id") + "/" + pl.col("invo_id")
    )
    persons = inputs.persons.select("person_id")
    alone = persons.join(eps.select("person_id").unique(), on="person_id", how="anti")
    records = pl.concat(
        [
            eps.select("record_id", "person_id", "lead_name", "lead_team"),
            alone.select(
                record_id="person_id",
                person_id="person_id",
                lead_name=pl.lit(None, pl.String),
                lead_team=pl.lit(None, pl.String),
            ),
        ]
    ).sort("record_id")
    fields = records.join(_person_fields(inputs, flavour), on="person_id", how="left")
    periods = (
        _periods(inputs)
        .select(case_number="person_id", start="start", end="end")
        .sort("case_number", "start")
    )
    return Truth(
        records=records.select("record_id", "person_id"),
        fields=fields.select(
            "record_id",
            "address",
            "postcode",
            "lead_name",
            "lead_team",
            "nhs_number",
            "dob",
            "last_contact",
        ),
        periods=periods,
        mothers=inputs.mothers,
    )
