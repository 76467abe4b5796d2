"""SSD tables as SystemC's (LiquidLogic) published script v1.4.5 fills them.

Its quirks, each exercised here: ``pers_single_unique_id`` left null (NHS
numbers only in the council's own 'NHS Number' rows of
``ssd_linked_identifiers``, beside the script's 'Unique Pupil Number' rows with
no value); estimated dates of birth in ``pers_expected_dob`` with ``pers_dob``
null; the address JSON built by joining strings without escaping, every part
present as ``""``, a postcode of X's cleared to ``""``; ``ssd_family`` one row
per contact with the family of residence often null; team columns holding
``ssd_department`` ids; ``cine_referral_worker_id`` holding the worker's name,
``s47e…_worker_id`` and ``icpc_icpc_worker_id`` the staff id; early help
workers as the placeholder 'SSD_PH'; looked-after episodes joined by X1 and
their ceased reason as a description.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synthetic.common import serials
from synthetic.ssd_shared import (
    DATETIME,
    Inputs,
    at_date,
    contacts_table,
    cp_plans_table,
    day,
    early_help_table,
    mother_table,
    reference_day,
)

X1 = "Episode ceases, and new episode begins on same day, for any reason"
KINDS = {"home": "HOME", "correspondence": "CORR"}


def _ids(staff: pl.DataFrame) -> pl.DataFrame:
    """DIM_WORKER_ID and STAFF_ID of each worker."""
    return staff.with_columns(
        worker_id=(pl.col("staff_id") + 40_001).cast(pl.String),
        staff_ref=pl.format("S{}", pl.col("staff_id") + 3_001),
    )


def _person(inputs: Inputs, rng: np.random.Generator) -> pl.DataFrame:
    p = inputs.persons
    estimated = pl.Series(rng.random(p.height) < 0.04)
    mothers = inputs.mothers["mother"].unique().implode()
    return p.with_columns(__est=estimated).select(
        pers_legacy_id=pl.format("LL{}", "person_id"),
        pers_person_id="person_id",
        pers_upn=pl.when(pl.Series(rng.random(p.height) < 0.8)).then("upn"),
        pers_forename="first_name",
        pers_surname="last_name",
        pers_sex=pl.col("sex").fill_null("U"),
        pers_gender=pl.col("sex").fill_null("U"),
        pers_ethnicity=pl.lit("WBRI"),
        pers_dob=pl.when(~pl.col("__est")).then(day("dob", DATETIME)),
        pers_single_unique_id=pl.lit(None, pl.String),
        pers_upn_unknown=pl.when(pl.col("upn").is_null()).then(pl.lit("UN1")),
        pers_send_flag=pl.lit("N"),
        pers_expected_dob=pl.when(pl.col("__est")).then(day("dob", DATETIME)),
        pers_death_date=pl.lit(None, pl.String),
        pers_is_mother=pl.when(pl.col("person_id").is_in(mothers)).then(pl.lit("Y")),
        pers_nationality=pl.lit(None, pl.String),
    )


def _json(a: pl.DataFrame) -> pl.Expr:
    """The address JSON joined as strings (no escaping), as the script does."""
    keys = {
        "ROOM": pl.lit(""),
        "FLOOR": pl.lit(""),
        "FLAT": pl.col("flat_no"),
        "BUILDING": pl.col("building"),
        "HOUSE": pl.col("house_no"),
        "STREET": pl.col("street"),
        "TOWN": pl.col("town"),
        "UPRN": pl.col("uprn"),
        "EASTING": pl.lit("389123"),
        "NORTHING": pl.lit("390456"),
    }
    pieces = [pl.lit("{")]
    for i, (k, v) in enumerate(keys.items()):
        sep = ", " if i else ""
        pieces += [pl.lit(f'{sep}"{k}": "'), v.fill_null(""), pl.lit('"')]
    return pl.concat_str([*pieces, pl.lit("}")])


def _address(inputs: Inputs) -> pl.DataFrame:
    a = inputs.addresses  # a building name with quotes gives JSON no parser reads
    blank = pl.col("postcode").is_null()
    return a.select(
        addr_table_id="addr_id",
        addr_person_id="person_id",
        addr_address_type=pl.col("kind").replace_strict(KINDS),
        addr_address_start_date=day("start", DATETIME),
        addr_address_end_date=day("end", DATETIME),
        addr_address_postcode=pl.when(blank).then(pl.lit("")).otherwise("postcode"),
        addr_address_json=_json(a),
    )


def _family(inputs: Inputs, rng: np.random.Generator) -> pl.DataFrame:
    """One row per contact: the contact's id and its family of residence."""
    c = inputs.cases.contacts.join(
        inputs.persons.select("person_id", "family_id"), on="person_id"
    )
    known = pl.Series(rng.random(c.height) < 0.8)
    return c.select(
        fami_table_id=pl.format("E{}", "id"),
        fami_family_id=pl.when(known).then("family_id"),
        fami_person_id="person_id",
    )


def _linked(inputs: Inputs, rng: np.random.Generator) -> pl.DataFrame:
    """The script's UPN rows (no value) and the council's own NHS rows, some
    after a superseded number."""
    p = inputs.persons
    upn = p.filter(pl.col("upn").is_not_null()).select(
        link_person_id="person_id",
        link_identifier_type=pl.lit("Unique Pupil Number"),
        link_identifier_value=pl.lit(None, pl.String),
        link_valid_from_date=pl.lit(None, pl.String),
        link_valid_to_date=pl.lit(None, pl.String),
    )
    real_upn = p.filter(pl.col("upn").is_not_null()).select(
        link_person_id="person_id",
        link_identifier_type=pl.lit("Unique Pupil Number"),
        link_identifier_value="upn",
        link_valid_from_date=pl.lit("2019-09-01"),
        link_valid_to_date=pl.lit(None, pl.String),
    )
    nhs = p.filter(pl.col("nhs").is_not_null())
    nhs_rows = nhs.select(
        link_person_id="person_id",
        link_identifier_type=pl.lit("NHS Number"),
        link_identifier_value="nhs",
        link_valid_from_date=pl.lit("2020-01-06"),
        link_valid_to_date=pl.lit(None, pl.String),
    )
    old = nhs.filter(pl.Series(rng.random(nhs.height) < 0.1)).select(
        link_person_id="person_id",
        link_identifier_type=pl.lit("NHS Number"),
        link_identifier_value=pl.lit("4010232137"),
        link_valid_from_date=pl.lit("2016-03-01"),
        link_valid_to_date=pl.lit("2020-01-05"),
    )
    rows = pl.concat([upn, real_upn, old, nhs_rows])
    return rows.with_columns(link_table_id=serials("L", 1)).select(
        "link_table_id", pl.exclude("link_table_id")
    )


def _professionals(staff: pl.DataFrame) -> pl.DataFrame:
    return staff.select(
        prof_professional_id="worker_id",
        prof_staff_id="staff_ref",
        prof_professional_name="lead_name",
        prof_social_worker_registration_no=pl.format(
            "SW{}", pl.col("staff_id") + 90_000
        ),
        prof_agency_worker_flag=pl.lit(None, pl.String),
        prof_professional_job_title="lead_role",
        prof_professional_caseload=pl.lit(12),
        prof_professional_department="lead_team",
        prof_full_time_equivalency=pl.lit(1.0),
    )


def _department(staff: pl.DataFrame) -> pl.DataFrame:
    teams = staff.select("team_id", "lead_team").unique("team_id").sort("team_id")
    return teams.select(
        dept_team_id="team_id",
        dept_team_name="lead_team",
        dept_team_parent_id=pl.lit("5000"),
        dept_team_parent_name=pl.lit("Children's Services"),
    )


def _involvements(inputs: Inputs, staff: pl.DataFrame) -> pl.DataFrame:
    c = inputs.cases
    eh = c.early_help.select(
        "person_id",
        "staff_id",
        "start",
        "end",
        ref_id=pl.lit(None, pl.String),
        role=pl.lit("eh"),
        inv_id=pl.format("KW{}", "id"),
    )
    rows = pl.concat([c.allocations, eh], how="diagonal_relaxed").join(
        staff.select("staff_id", "worker_id", "team_id"), on="staff_id"
    )
    return rows.select(
        invo_involvements_id="inv_id",
        invo_professional_id="worker_id",
        invo_professional_role_id=pl.col("role").replace_strict(
            {"worker": "CW", "manager": "TM", "eh": "KW"}
        ),
        invo_professional_team="team_id",
        invo_person_id="person_id",
        invo_involvement_start_date=day("start", DATETIME),
        invo_involvement_end_date=day("end", DATETIME),
        invo_worker_change_reason=pl.lit(None, pl.String),
        invo_referral_id="ref_id",
    )


def _episodes(inputs: Inputs, staff: pl.DataFrame) -> dict[str, pl.DataFrame]:
    c, today = inputs.cases, inputs.today
    who = staff.select("staff_id", "worker_id", "staff_ref", "lead_name", "team_id")
    on_day = reference_day(today)
    cin = at_date(c, c.referrals, on_day).join(who, on="staff_id")
    plans = at_date(c, c.cin_plans, on_day).join(who, on="staff_id")
    s47 = at_date(c, c.s47, on_day).join(who, on="staff_id")
    icpc = at_date(c, c.icpc, pl.coalesce("date", pl.lit(today))).join(
        who, on="staff_id"
    )
    return {
        "ssd_cin_episodes": cin.select(
            cine_referral_id="ref_id",
            cine_person_id="person_id",
            cine_referral_date=day("start", DATETIME),
            cine_cin_primary_need_code=pl.lit("N1"),
            cine_referral_source_code=pl.lit("1A"),
            cine_referral_source_desc=pl.lit("Individual"),
            cine_referral_outcome_json=pl.lit(
                '{"SINGLE_ASSESSMENT_FLAG": "Y", "NUMBER_OF_OUTCOMES": 1, '
                '"COMMENTS": ""}'
            ),
            cine_referral_nfa=pl.lit("N"),
            cine_close_reason=pl.when(pl.col("end").is_not_null()).then(pl.lit("RC8")),
            cine_close_date=day("end", DATETIME),
            cine_referral_team="team_id",
            cine_referral_worker_id="lead_name",
        ),
        "ssd_cin_plans": plans.select(
            cinp_cin_plan_id="id",
            cinp_referral_id="ref_id",
            cinp_person_id="person_id",
            cinp_cin_plan_start_date=day("start", DATETIME),
            cinp_cin_plan_end_date=day("end", DATETIME),
            cinp_cin_plan_team="team_id",
            cinp_cin_plan_worker_id="worker_id",
        ),
        "ssd_s47_enquiry": s47.select(
            s47e_s47_enquiry_id="id",
            s47e_referral_id="ref_id",
            s47e_person_id="person_id",
            s47e_s47_start_date=day("start", DATETIME),
            s47e_s47_end_date=day("end", DATETIME),
            s47e_s47_nfa=pl.lit("N"),
            s47e_s47_outcome_json=pl.lit(
                '{"NFA_FLAG": "N", "CP_CONFERENCE_FLAG": "Y"}'
            ),
            s47e_s47_completed_by_team="team_id",
            s47e_s47_completed_by_worker_id="staff_ref",
        ),
        "ssd_initial_cp_conference": icpc.select(
            icpc_icpc_id="id",
            icpc_icpc_meeting_id=pl.format("M{}", "id"),
            icpc_s47_enquiry_id="s47_id",
            icpc_person_id="person_id",
            icpc_cp_plan_id=pl.lit(None, pl.String),
            icpc_referral_id="ref_id",
            icpc_icpc_transfer_in=pl.lit("N"),
            icpc_icpc_target_date=day("target", DATETIME),
            icpc_icpc_date=day("date", DATETIME),
            icpc_icpc_outcome_cp_flag=pl.lit("Y"),
            icpc_icpc_outcome_json=pl.lit('{"CP_FLAG":"Y"}'),
            icpc_icpc_team="team_id",
            icpc_icpc_worker_id="staff_ref",
        ),
        # the originating organisation's code, and the script's placeholder worker
        "ssd_early_help_episodes": early_help_table(
            c.early_help, DATETIME, pl.lit("LA"), pl.lit("SSD_PH")
        ),
    }


def _care(inputs: Inputs) -> dict[str, pl.DataFrame]:
    c = inputs.cases
    ended = pl.col("end").is_not_null()
    reason = pl.when(pl.col("x1")).then(pl.lit(X1)).when(ended).then("reason")
    return {
        "ssd_cla_episodes": c.cla.select(
            clae_cla_episode_id="ep_id",
            clae_person_id="person_id",
            clae_cla_placement_id=pl.format("P{}", "ep_id"),
            clae_cla_episode_start_date=day("start", DATETIME),
            clae_cla_episode_start_reason=pl.lit("New period of care"),
            clae_cla_primary_need_code=pl.lit("N1"),
            clae_cla_episode_ceased_date=day("end", DATETIME),
            clae_cla_episode_ceased_reason=reason,
            clae_cla_id="period_id",
            clae_referral_id="ref_id",
            clae_cla_last_iro_contact_date=pl.lit(None, pl.String),
            clae_entered_care_date=day("start", DATETIME),
        ),
        "ssd_legal_status": c.legal.select(
            lega_legal_status_id="id",
            lega_person_id="person_id",
            lega_legal_status="status",
            lega_legal_status_start_date=day("start", DATETIME),
            lega_legal_status_end_date=day("end", DATETIME),
        ),
        "ssd_missing": c.missing.select(
            miss_table_id="id",
            miss_person_id="person_id",
            miss_missing_episode_start_date=day("start", DATETIME),
            miss_missing_episode_type=pl.lit("Missing"),
            miss_missing_episode_end_date=day("end", DATETIME),
            miss_missing_rhi_offered=pl.lit("Y"),
            miss_missing_rhi_accepted=pl.lit("N"),
        ),
    }


def tables(inputs: Inputs, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    """Every SSD table SystemC's script fills, by name."""
    staff = _ids(inputs.cases.staff)
    return {
        "ssd_person": _person(inputs, rng),
        "ssd_address": _address(inputs),
        "ssd_family": _family(inputs, rng),
        "ssd_mother": mother_table(inputs, serials("FPR", 1)),
        "ssd_linked_identifiers": _linked(inputs, rng),
        "ssd_involvements": _involvements(inputs, staff),
        "ssd_professionals": _professionals(staff),
        "ssd_department": _department(staff),
        "ssd_contacts": contacts_table(inputs.cases),
        **_episodes(inputs, staff),
        "ssd_cp_plans": cp_plans_table(inputs.cases),
        **_care(inputs),
    }


def staff_key(staff: pl.DataFrame) -> pl.Expr:
    """The id the council's staff contact extract uses: the staff id."""
    return pl.format("S{}", pl.col("staff_id") + 3_001)
