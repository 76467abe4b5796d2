"""SSD tables as Mosaic's published procedures (``populate_ssd_data_warehouse``
and the ``*_tag_dw`` scripts) fill them.

Its quirks, each exercised here: no ``invo_person_id`` (an involvement reaches
its person through ``invo_referral_id``; one outside any referral reaches no
one); ``ssd_professionals`` with no name column, ``prof_professional_id`` null,
the worker id in ``prof_staff_id`` and only workers with a current allocation;
``ssd_department`` created but never filled; the address column holding the
address as plain text; ``pers_sex`` and ``pers_gender`` as words;
``pers_single_unique_id`` null and NHS numbers in ``ssd_linked_identifiers``
under Mosaic's own reference type; ``ssd_family`` with no ``fami_table_id``;
``ssd_cin_plans`` keyed ``cin_plan_id`` and ``ssd_cla_episodes``
``clae_cla_primary_need``; consecutive looked-after episodes ending the day
before the next starts; ``ssd_missing`` with no ``miss_person_id`` (the script
notes it is needed), a missing episode reaching its child only through
``miss_cla_episode_id``, the care episode open when it began (null outside
care).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synthetic.ssd_cases import Cases
from synthetic.ssd_shared import (
    Inputs,
    at_date,
    contacts_table,
    cp_plans_table,
    day,
    early_help_table,
    mother_table,
    reference_day,
)


def _ids(staff: pl.DataFrame) -> pl.DataFrame:
    return staff.with_columns(worker_id=(pl.col("staff_id") + 9_001).cast(pl.String))


def _person(inputs: Inputs) -> pl.DataFrame:
    p = inputs.persons
    mothers = inputs.mothers["mother"].unique().implode()
    words = {"F": "Female", "M": "Male"}
    return p.select(
        pers_person_id="person_id",
        pers_legacy_id=pl.lit(None, pl.String),
        pers_forename="first_name",
        pers_surname="last_name",
        pers_sex=pl.col("sex").replace_strict(words, default="Unknown"),
        pers_gender=pl.col("sex").replace_strict(words, default=None),
        pers_ethnicity=pl.lit("WBRI"),
        pers_dob=day("dob"),
        pers_single_unique_id=pl.lit(None, pl.String),
        pers_upn="upn",
        pers_upn_unknown=pl.lit(None, pl.String),
        pers_send_flag=pl.lit(None, pl.String),
        pers_expected_dob=pl.lit(None, pl.String),
        pers_death_date=pl.lit(None, pl.String),
        pers_is_mother=pl.when(pl.col("person_id").is_in(mothers)).then(pl.lit("Y")),
        pers_nationality=pl.lit("United Kingdom"),
    )


def _address(inputs: Inputs) -> pl.DataFrame:
    a = inputs.addresses
    lines = [
        pl.col("flat"),
        pl.col("building"),
        pl.col("house_no") + " " + pl.col("street"),
        pl.col("locality"),
        pl.col("town"),
        pl.col("postcode"),
    ]
    text = pl.concat_str(lines, separator="\n", ignore_nulls=True)
    kinds = {"home": "HOME", "correspondence": "CORRES"}
    return a.select(
        addr_table_id="addr_id",
        addr_address_json=text,
        addr_person_id="person_id",
        addr_address_type=pl.col("kind").replace_strict(kinds),
        addr_address_start_date=day("start"),
        addr_address_end_date=day("end"),
        addr_address_postcode="postcode",
    )


def _family(inputs: Inputs) -> pl.DataFrame:
    p = inputs.persons.filter(pl.col("family_id").is_not_null())
    return p.select(fami_family_id="family_id", fami_person_id="person_id")


def _linked(inputs: Inputs) -> pl.DataFrame:
    p = inputs.persons
    nhs = p.filter(pl.col("nhs").is_not_null()).select(
        link_person_id="person_id",
        link_identifier_type=pl.lit("NHS"),
        link_identifier_value="nhs",
    )
    rows = nhs.with_columns(
        link_table_id=pl.format("R{}", pl.int_range(1, pl.len() + 1)),
        link_valid_from_date=pl.lit(None, pl.String),
        link_valid_to_date=pl.lit(None, pl.String),
    )
    return rows.select(
        "link_table_id",
        "link_person_id",
        "link_identifier_type",
        "link_identifier_value",
        "link_valid_from_date",
        "link_valid_to_date",
    )


def _involvements(inputs: Inputs, staff: pl.DataFrame) -> pl.DataFrame:
    c = inputs.cases
    eh = c.early_help.select(
        "staff_id",
        "start",
        "end",
        ref_id=pl.lit(None, pl.String),
        role=pl.lit("eh"),
        inv_id=pl.format("8{}", "id"),
    )
    rows = pl.concat([c.allocations, eh], how="diagonal_relaxed").join(
        staff.select("staff_id", "worker_id", "team_id"), on="staff_id"
    )
    return rows.select(
        invo_involvements_id="inv_id",
        invo_professional_id="worker_id",
        invo_professional_role_id=pl.col("role").replace_strict(
            {"worker": "REL.ALLOCATED", "manager": "REL.TEAMMANAGER", "eh": "REL.IEYSF"}
        ),
        invo_professional_team="team_id",
        invo_referral_id="ref_id",
        invo_involvement_start_date=day("start"),
        invo_involvement_end_date=day("end"),
        invo_worker_change_reason=pl.lit(None, pl.String),
    )


def _professionals(inputs: Inputs, staff: pl.DataFrame) -> pl.DataFrame:
    """Only workers allocated to someone today, as the procedure selects."""
    c = inputs.cases
    now = c.allocations.filter(pl.col("end").is_null())["staff_id"].unique().implode()
    current = staff.filter(pl.col("staff_id").is_in(now))
    return current.select(
        prof_professional_id=pl.lit(None, pl.String),
        prof_staff_id="worker_id",
        prof_social_worker_registration_no=pl.lit(None, pl.String),
        prof_agency_worker_flag=pl.lit(None, pl.String),
        prof_professional_job_title=pl.lit(None, pl.String),
        prof_professional_caseload=pl.lit(10),
        prof_professional_department="lead_team",
        prof_full_time_equivalency=pl.lit(None, pl.Float64),
    )


def _episodes(inputs: Inputs, staff: pl.DataFrame) -> dict[str, pl.DataFrame]:
    c, today = inputs.cases, inputs.today
    who = staff.select("staff_id", "worker_id", "team_id")
    on_day = reference_day(today)
    cin = at_date(c, c.referrals, on_day).join(who, on="staff_id")
    plans = at_date(c, c.cin_plans, on_day).join(who, on="staff_id")
    s47 = at_date(c, c.s47, on_day).join(who, on="staff_id")
    icpc = at_date(c, c.icpc, pl.coalesce("date", pl.lit(today))).join(
        who, on="staff_id"
    )
    eh = c.early_help.join(who, on="staff_id")
    return {
        "ssd_cin_episodes": cin.select(
            cine_referral_id="ref_id",
            cine_person_id="person_id",
            cine_referral_date=day("start"),
            cine_cin_primary_need_code=pl.lit("N1"),
            cine_referral_source_code=pl.lit("1A"),
            cine_referral_source_desc=pl.lit("Individual"),
            cine_referral_outcome_json=pl.lit("Assessment"),
            cine_referral_nfa=pl.lit("N"),
            cine_close_reason=pl.lit(None, pl.String),
            cine_close_date=day("end"),
            cine_referral_team="team_id",
            cine_referral_worker_id="worker_id",
        ),
        "ssd_cin_plans": plans.select(
            cin_plan_id="id",
            cinp_referral_id="ref_id",
            cinp_person_id="person_id",
            cinp_cin_plan_start_date=day("start"),
            cinp_cin_plan_end_date=day("end"),
            cinp_cin_plan_team="team_id",
            cinp_cin_plan_worker_id="worker_id",
        ),
        "ssd_s47_enquiry": s47.select(
            s47e_s47_enquiry_id="id",
            s47e_referral_id="ref_id",
            s47e_person_id="person_id",
            s47e_s47_start_date=day("start"),
            s47e_s47_end_date=day("end"),
            s47e_s47_nfa=pl.lit("N"),
            s47e_s47_outcome_json=pl.lit("Initial CP Conference"),
            s47e_s47_completed_by_worker_id="worker_id",
            s47e_s47_completed_by_team="team_id",
        ),
        "ssd_initial_cp_conference": icpc.select(
            icpc_icpc_id="id",
            icpc_icpc_meeting_id=pl.lit(None, pl.String),
            icpc_s47_enquiry_id="s47_id",
            icpc_person_id="person_id",
            icpc_cp_plan_id=pl.lit(None, pl.String),
            icpc_referral_id="ref_id",
            icpc_icpc_transfer_in=pl.lit(None, pl.String),
            icpc_icpc_target_date=day("target"),
            icpc_icpc_date=day("date"),
            icpc_icpc_outcome_cp_flag=pl.lit("Y"),
            icpc_icpc_outcome_json=pl.lit("Child protection plan"),
            icpc_icpc_team="team_id",
            icpc_icpc_worker_id="worker_id",
        ),
        "ssd_early_help_episodes": early_help_table(eh),
    }


def covering_episode(missing: pl.DataFrame, cla: pl.DataFrame) -> pl.DataFrame:
    """``missing`` with ``cla_ep_id``: the latest-starting care episode of the
    same child open on the day they went missing (null outside care), as the
    procedure's subquery finds it."""
    eps = cla.select("person_id", "ep_id", cla_start="start", cla_end="end")
    covering = (
        missing.select("id", "person_id", "start")
        .join(eps, on="person_id")
        .filter(
            (pl.col("cla_start") <= pl.col("start"))
            & (pl.col("cla_end").is_null() | (pl.col("start") <= pl.col("cla_end")))
        )
        .sort("cla_start")
        .group_by("id")
        .agg(cla_ep_id=pl.col("ep_id").last())
    )
    return missing.join(covering, on="id", how="left", maintain_order="left")


def care_episodes(cases: Cases) -> pl.DataFrame:
    """The looked-after episodes as the procedure dates them: an episode that
    continues the period ends the day before the next one starts."""
    end = pl.col("end") - pl.duration(days=1)
    return cases.cla.with_columns(end=pl.when(pl.col("x1")).then(end).otherwise("end"))


def _care(inputs: Inputs) -> dict[str, pl.DataFrame]:
    c = inputs.cases
    ended = pl.col("end").is_not_null()
    reason = pl.when(pl.col("x1")).then(pl.lit("X1")).when(ended).then(pl.lit("E13"))
    code = pl.col("status").replace_strict(
        {
            "Accommodated under section 20": "V2",
            "Interim care order": "C1",
            "Full care order": "C2",
        }
    )
    cla = care_episodes(c)
    return {
        "ssd_cla_episodes": cla.select(
            clae_cla_episode_id="ep_id",
            clae_person_id="person_id",
            clae_cla_episode_start_date=day("start"),
            clae_cla_episode_start_reason=pl.lit("S"),
            clae_cla_primary_need=pl.lit("N1"),
            clae_cla_id="period_id",
            clae_referral_id="ref_id",
            clae_cla_episode_ceased_date=day("end"),
            clae_cla_episode_ceased_reason=reason,
        ),
        "ssd_legal_status": c.legal.select(
            lega_legal_status_id="id",
            lega_person_id="person_id",
            lega_legal_status=code,
            lega_legal_status_start_date=day("start"),
            lega_legal_status_end_date=day("end"),
        ),
        "ssd_missing": covering_episode(c.missing, cla).select(
            miss_table_id="id",
            miss_cla_episode_id="cla_ep_id",
            miss_missing_episode_start_date=day("start"),
            miss_missing_episode_type=pl.lit("Missing"),
            miss_missing_episode_end_date=day("end"),
            miss_missing_rhi_offered=pl.lit("Y"),
            miss_missing_rhi_accepted=pl.lit("N"),
        ),
    }


def tables(inputs: Inputs, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    """Every SSD table Mosaic's procedures fill, by name."""
    staff = _ids(inputs.cases.staff)
    department = pl.DataFrame(
        schema={
            "dept_team_id": pl.String,
            "dept_team_name": pl.String,
            "dept_team_parent_id": pl.String,
            "dept_team_parent_name": pl.String,
        }
    )
    guid = pl.format("G{}", pl.int_range(1, pl.len() + 1))
    return {
        "ssd_person": _person(inputs),
        "ssd_address": _address(inputs),
        "ssd_family": _family(inputs),
        "ssd_mother": mother_table(inputs, guid),
        "ssd_linked_identifiers": _linked(inputs),
        "ssd_involvements": _involvements(inputs, staff),
        "ssd_professionals": _professionals(inputs, staff),
        "ssd_department": department,
        "ssd_contacts": contacts_table(inputs.cases, source_desc=False),
        **_episodes(inputs, staff),
        "ssd_cp_plans": cp_plans_table(inputs.cases),
        **_care(inputs),
    }


def staff_key(staff: pl.DataFrame) -> pl.Expr:
    """Mosaic's worker id, which its staff contact extract also uses."""
    return (pl.col("staff_id") + 9_001).cast(pl.String)
