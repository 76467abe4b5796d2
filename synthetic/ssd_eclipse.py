"""SSD tables as Eclipse's published scripts (``ssd_deployment_individual_files_tsql``)
fill them.

Its quirks, each exercised here: ``pers_single_unique_id`` is the NHS number;
the address JSON escaped, FLAT always ``""``, one value (the building name or
the house number) repeated in BUILDING and HOUSE, UPRN ``null``, postcode with
its spaces removed; ``ssd_family`` one row per group member; professionals one
row per relationship (the same person many times, staff id = person id, no job
title or department); teams as organisation ids named in ``ssd_department``;
``ssd_linked_identifiers`` created empty; looked-after episodes' ceased reason
as the code (X1). Its ``ssd_cin_episodes`` script inserts ``SELECT *`` from a
CTE of other columns and does not run; the table is written here with its
standard columns and no team or worker, as a council that fixed it would.
"""

from __future__ import annotations

import numpy as np
import polars as pl

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

KINDS = {"home": "Home", "correspondence": "Correspondence"}


def _ids(staff: pl.DataFrame) -> pl.DataFrame:
    """Each worker's Eclipse person id."""
    return staff.with_columns(worker_id=(pl.col("staff_id") + 700_001).cast(pl.String))


def _person(inputs: Inputs) -> pl.DataFrame:
    p = inputs.persons
    mothers = inputs.mothers["mother"].unique().implode()
    return p.select(
        pers_legacy_id=pl.format("CF{}", "person_id"),
        pers_person_id="person_id",
        pers_upn="upn",
        pers_forename="first_name",
        pers_surname="last_name",
        pers_sex=pl.col("sex").fill_null("U"),
        pers_gender=pl.col("sex").replace_strict({"F": "02", "M": "01"}, default="00"),
        pers_ethnicity=pl.lit("WBRI"),
        pers_dob=day("dob"),
        pers_single_unique_id="nhs",
        pers_upn_unknown=pl.when(pl.col("upn").is_null()).then(pl.lit("UN1")),
        pers_send_flag=pl.lit(None, pl.String),
        pers_expected_dob=pl.lit(None, pl.String),
        pers_death_date=pl.lit(None, pl.String),
        pers_is_mother=pl.when(pl.col("person_id").is_in(mothers))
        .then(pl.lit("Y"))
        .otherwise(pl.lit("N")),
        pers_nationality=pl.lit("GB"),
    )


def _esc(expr: pl.Expr) -> pl.Expr:
    return (
        expr.fill_null("")
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
    )


def _address(inputs: Inputs) -> pl.DataFrame:
    a = inputs.addresses
    # one field holds the building name or the number; the number then goes
    # with the street when there is a building name
    one = pl.coalesce("building", "house_no")
    street = (
        pl.when(pl.col("building").is_not_null())
        .then(pl.col("house_no") + " " + pl.col("street"))
        .otherwise("street")
    )
    room = _esc(pl.col("flat"))
    json = pl.concat_str(
        [
            pl.lit('{"ROOM":"'),
            room,
            pl.lit('","FLOOR":"","FLAT":"","BUILDING":"'),
            _esc(one),
            pl.lit('","HOUSE":"'),
            _esc(one),
            pl.lit('","STREET":"'),
            _esc(street),
            pl.lit('","TOWN":"'),
            _esc(pl.col("town")),
            pl.lit('","UPRN":null,"EASTING":"","NORTHING":""}'),
        ]
    )
    return a.select(
        addr_table_id="addr_id",
        addr_person_id="person_id",
        addr_address_type=pl.col("kind").replace_strict(KINDS),
        addr_address_start_date=day("start"),
        addr_address_end_date=day("end"),
        addr_address_postcode=pl.col("postcode").str.replace_all(" ", ""),
        addr_address_json=json,
    )


def _family(inputs: Inputs) -> pl.DataFrame:
    p = inputs.persons.filter(pl.col("family_id").is_not_null())
    return p.select(
        fami_table_id=pl.col("family_id") + pl.col("person_id"),
        fami_family_id="family_id",
        fami_person_id="person_id",
    )


def _relationships(inputs: Inputs) -> pl.DataFrame:
    """Every professional relationship: allocated workers, team managers and
    early help key workers."""
    c = inputs.cases
    eh = c.early_help.select(
        "person_id",
        "staff_id",
        "start",
        "end",
        ref_id=pl.lit(None, pl.String),
        role=pl.lit("eh"),
        inv_id=pl.format("9{}", "id"),
    )
    return pl.concat([c.allocations, eh], how="diagonal_relaxed")


def _involvements(inputs: Inputs, staff: pl.DataFrame) -> pl.DataFrame:
    rows = _relationships(inputs).join(
        staff.select("staff_id", "worker_id", "team_id"), on="staff_id"
    )
    return rows.select(
        invo_involvements_id="inv_id",
        invo_professional_id="worker_id",
        invo_professional_role_id=pl.col("role").replace_strict(
            {"worker": "AW", "manager": "TM", "eh": "KW"}
        ),
        invo_professional_team="team_id",
        invo_person_id="person_id",
        invo_involvement_start_date=day("start"),
        invo_involvement_end_date=day("end"),
        invo_worker_change_reason=pl.lit("FCONTA"),
        invo_referral_id="ref_id",
    )


def _professionals(inputs: Inputs, staff: pl.DataFrame) -> pl.DataFrame:
    rows = _relationships(inputs).join(staff, on="staff_id")
    return rows.select(
        prof_professional_id="worker_id",
        prof_staff_id="worker_id",
        prof_professional_name="lead_name",
        prof_social_worker_registration_no=pl.format("SWE{}", "staff_id"),
        prof_agency_worker_flag=pl.lit(None, pl.String),
        prof_professional_job_title=pl.lit(None, pl.String),
        prof_professional_caseload=pl.lit(None, pl.Int64),
        prof_professional_department=pl.lit(None, pl.String),
        prof_full_time_equivalency=pl.lit(None, pl.Float64),
    )


def _department(staff: pl.DataFrame) -> pl.DataFrame:
    teams = staff.select("team_id", "lead_team").unique("team_id").sort("team_id")
    return teams.select(
        dept_team_id="team_id",
        dept_team_name="lead_team",
        dept_team_parent_id=pl.lit(None, pl.String),
        dept_team_parent_name=pl.lit(None, pl.String),
    )


def _episodes(inputs: Inputs, staff: pl.DataFrame) -> dict[str, pl.DataFrame]:
    c, today = inputs.cases, inputs.today
    who = staff.select("staff_id", "worker_id", "team_id")
    on_day = reference_day(today)
    plans = at_date(c, c.cin_plans, on_day).join(who, on="staff_id")
    s47 = at_date(c, c.s47, on_day).join(who, on="staff_id")
    icpc = at_date(c, c.icpc, pl.coalesce("date", pl.lit(today))).join(
        who, on="staff_id"
    )
    eh = c.early_help.join(who, on="staff_id")
    return {
        "ssd_cin_episodes": c.referrals.select(
            cine_referral_id="ref_id",
            cine_person_id="person_id",
            cine_referral_date=day("start"),
            cine_cin_primary_need_code=pl.lit("N1"),
            cine_referral_source_code=pl.lit("1A"),
            cine_referral_source_desc=pl.lit(None, pl.String),
            cine_referral_outcome_json=pl.lit(None, pl.String),
            cine_referral_nfa=pl.lit(None, pl.String),
            cine_close_reason=pl.lit(None, pl.String),
            cine_close_date=day("end"),
            cine_referral_team=pl.lit(None, pl.String),
            cine_referral_worker_id=pl.lit(None, pl.String),
        ),
        "ssd_cin_plans": plans.select(
            cinp_cin_plan_id="id",
            cinp_referral_id=pl.lit(None, pl.String),
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
            s47e_s47_outcome_json=pl.lit(None, pl.String),
            s47e_s47_completed_by_team="team_id",
            s47e_s47_completed_by_worker_id="worker_id",
        ),
        "ssd_initial_cp_conference": icpc.select(
            icpc_icpc_id="id",
            icpc_icpc_meeting_id="id",
            icpc_s47_enquiry_id=pl.lit(None, pl.String),
            icpc_person_id="person_id",
            icpc_cp_plan_id=pl.lit(None, pl.String),
            icpc_referral_id=pl.lit(None, pl.String),
            icpc_icpc_transfer_in=pl.lit("N"),
            icpc_icpc_target_date=day("target"),
            icpc_icpc_date=day("date"),
            icpc_icpc_outcome_cp_flag=pl.lit("Y"),
            icpc_icpc_outcome_json=pl.lit('{"OUTCOME_CP_FLAG":"Y"}'),
            icpc_icpc_team="team_id",
            icpc_icpc_worker_id="worker_id",
        ),
        "ssd_early_help_episodes": early_help_table(eh),
    }


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
    return {
        "ssd_cla_episodes": c.cla.select(
            clae_cla_episode_id="ep_id",
            clae_person_id="person_id",
            clae_cla_placement_id=pl.lit(None, pl.String),
            clae_cla_episode_start_date=day("start"),
            clae_cla_episode_start_reason=pl.lit("S"),
            clae_cla_primary_need_code=pl.lit("N1"),
            clae_cla_episode_ceased_date=day("end"),
            clae_cla_episode_ceased_reason=reason,
            clae_cla_id="period_id",
            clae_referral_id=pl.lit(None, pl.String),
            clae_cla_last_iro_contact_date=pl.lit(None, pl.String),
            clae_entered_care_date=day("start"),
        ),
        "ssd_legal_status": c.legal.select(
            lega_legal_status_id="id",
            lega_person_id="person_id",
            lega_legal_status=code,
            lega_legal_status_start_date=day("start"),
            lega_legal_status_end_date=day("end"),
        ),
        "ssd_missing": c.missing.select(
            miss_table_id="id",
            miss_person_id="person_id",
            miss_missing_episode_start_date=day("start"),
            miss_missing_episode_type=pl.lit("Missing"),
            miss_missing_episode_end_date=day("end"),
            miss_missing_rhi_offered=pl.lit("Yes"),
            miss_missing_rhi_accepted=pl.lit("No"),
        ),
    }


def tables(inputs: Inputs, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    """Every SSD table Eclipse's scripts fill, by name."""
    staff = _ids(inputs.cases.staff)
    empty_links = pl.DataFrame(
        schema={
            c: pl.String
            for c in (
                "link_table_id",
                "link_person_id",
                "link_identifier_type",
                "link_identifier_value",
                "link_valid_from_date",
                "link_valid_to_date",
            )
        }
    )
    return {
        "ssd_person": _person(inputs),
        "ssd_address": _address(inputs),
        "ssd_family": _family(inputs),
        "ssd_mother": mother_table(
            inputs, pl.format("PR{}", pl.int_range(1, pl.len() + 1))
        ),
        "ssd_linked_identifiers": empty_links,
        "ssd_involvements": _involvements(inputs, staff),
        "ssd_professionals": _professionals(inputs, staff),
        "ssd_department": _department(staff),
        "ssd_contacts": contacts_table(inputs.cases),
        **_episodes(inputs, staff),
        "ssd_cp_plans": cp_plans_table(inputs.cases),
        **_care(inputs),
    }


def staff_key(staff: pl.DataFrame) -> pl.Expr:
    """Eclipse's one id per professional."""
    return (pl.col("staff_id") + 700_001).cast(pl.String)
