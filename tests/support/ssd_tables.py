"""SystemC-shaped SSD tables with the spec's exact column names and nulls (data-to-
insight ssd-data-model v1.4.5), written as CSV files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

KEYS = (
    "ROOM",
    "FLOOR",
    "FLAT",
    "BUILDING",
    "HOUSE",
    "STREET",
    "TOWN",
    "UPRN",
    "EASTING",
    "NORTHING",
)


def systemc_json(**parts: str) -> str:
    """SystemC's pre-2016 branch: strings joined, every key, nothing escaped."""
    body = ", ".join(f'"{k}": "{parts.get(k, "")}"' for k in KEYS)
    return "{" + body + "}"


def write(folder: Path, tables: dict[str, dict]) -> None:
    folder.mkdir(exist_ok=True)
    for name, columns in tables.items():
        pl.DataFrame(columns, schema={c: pl.String for c in columns}).write_csv(
            folder / f"{name}.csv"
        )


PERSON = {
    "pers_legacy_id": ["L1", "L2", "L3", "L4"],
    "pers_person_id": ["101", "102", "201", "301"],
    "pers_upn": [None, None, None, None],
    "pers_forename": ["Amy", "Bo", "Cara", "Dan"],
    "pers_surname": ["Lee", "Lee", "Lee", "Kay"],
    "pers_sex": ["F", "M", "F", "M"],
    "pers_gender": ["F", "M", "F", "M"],
    "pers_dob": [
        "2015-03-04 00:00:00.000",
        None,
        "1990-01-02 00:00:00.000",
        "2010-06-07 00:00:00.000",
    ],
    "pers_single_unique_id": [None, None, None, None],
    "pers_expected_dob": [None, "2017-05-15 00:00:00.000", None, None],
    "pers_death_date": [None, None, None, "2024-05-01 00:00:00.000"],
    "pers_is_mother": [None, None, "Y", None],
}


SYSTEMC = {
    "ssd_person": PERSON,
    "ssd_address": {
        "addr_table_id": ["A1", "A2", "A3", "A4", "A5"],
        "addr_person_id": ["101", "101", "101", "102", "201"],
        "addr_address_type": ["HOME", "HOME", "CORR", "HOME", "HOME"],
        "addr_address_start_date": [
            "2015-03-04",
            "2020-01-02",
            "2024-01-01",
            "2020-01-02",
            "2020-01-02",
        ],
        "addr_address_end_date": [None, None, None, None, None],
        "addr_address_postcode": ["SK1 1AA", "sk4 2xy", "SK1 3CC", "", "SK4 2XY"],
        "addr_address_json": [
            systemc_json(HOUSE="1", STREET="Old Lane", TOWN="Stockport"),
            systemc_json(
                FLAT="2",
                BUILDING='The "Willows"',
                HOUSE="9",
                STREET="Oak Road",
                TOWN="Stockport",
            ),
            systemc_json(BUILDING="Civic Centre", TOWN="Stockport"),
            systemc_json(),
            systemc_json(
                FLAT="2",
                BUILDING='The "Willows"',
                HOUSE="9",
                STREET="Oak Road",
                TOWN="Stockport",
            ),
        ],
    },
    "ssd_family": {  # one row per contact; the family of residence may be null
        "fami_table_id": ["E1", "E2", "E3", "E4"],
        "fami_family_id": ["F7", None, "F7", None],
        "fami_person_id": ["101", "101", "102", "201"],
    },
    "ssd_mother": {
        "moth_table_id": ["R1", "R2"],
        "moth_person_id": ["201", "201"],
        "moth_childs_person_id": ["101", "102"],
        "moth_childs_dob": ["2015-03-04 00:00:00.000", None],
    },
    "ssd_linked_identifiers": {
        "link_table_id": ["K1", "K2", "K3", "K4"],
        "link_person_id": ["101", "101", "101", "101"],
        "link_identifier_type": [
            "Unique Pupil Number",
            "Unique Pupil Number",
            "NHS Number",
            "NHS Number",
        ],
        "link_identifier_value": [None, "B801200005001", "4010232137", "9434765919"],
        "link_valid_from_date": [None, "2019-09-01", "2015-03-04", "2020-01-06"],
        "link_valid_to_date": [None, None, "2020-01-05", None],
    },
    "ssd_involvements": {
        "invo_involvements_id": ["I1", "I2", "I3", "I4"],
        "invo_professional_id": ["40001", "40002", "40003", "40001"],
        "invo_professional_role_id": ["CW", "TM", "CW", "CW"],
        "invo_professional_team": ["5001", "5001", "5002", "5001"],
        "invo_person_id": ["101", "101", "101", "102"],
        "invo_involvement_start_date": [
            "2024-01-01",
            "2024-01-01",
            "2024-09-01",
            "2019-01-01",
        ],
        "invo_involvement_end_date": ["2024-08-31", None, None, "2019-06-30"],
        "invo_worker_change_reason": [None, None, "LEFTRL", None],
        "invo_referral_id": ["C1", "C1", "C1", None],
    },
    "ssd_professionals": {
        "prof_professional_id": ["40001", "40002", "40003"],
        "prof_staff_id": ["S1", "S2", "S3"],
        "prof_professional_name": ["Jo Bloggs", "Mo Manager", "Pat Lee"],
        "prof_professional_job_title": [
            "Social Worker",
            "Team Manager",
            "Senior Social Worker",
        ],
        "prof_professional_department": ["MASH", "MASH", "Locality North"],
    },
    "ssd_department": {
        "dept_team_id": ["5001", "5002"],
        "dept_team_name": ["MASH", "Locality Team North"],
        "dept_team_parent_id": [None, None],
        "dept_team_parent_name": [None, None],
    },
    "ssd_contacts": {
        "cont_contact_id": ["T1", "T2", "T3"],
        "cont_person_id": ["101", "101", "101"],
        "cont_contact_date": [
            "2023-12-20 00:00:00.000",
            "2025-02-01 00:00:00.000",
            "2025-06-01 00:00:00.000",
        ],
        "cont_contact_source_code": ["1A", "1A", "1A"],
    },
    "ssd_cin_episodes": {
        "cine_referral_id": ["C1"],
        "cine_person_id": ["101"],
        "cine_referral_date": ["2024-01-01 00:00:00.000"],
        "cine_close_date": [None],
        "cine_referral_team": ["5002"],
        "cine_referral_worker_id": ["Pat Lee"],  # DIM_WORKER_ID_DESC: a name
    },
    "ssd_s47_enquiry": {
        "s47e_s47_enquiry_id": ["S9"],
        "s47e_referral_id": ["C1"],
        "s47e_person_id": ["101"],
        "s47e_s47_start_date": ["2024-02-01"],
        "s47e_s47_end_date": ["2024-02-20"],
        "s47e_s47_completed_by_team": ["5001"],
        "s47e_s47_completed_by_worker_id": ["S1"],  # a staff id
    },
    "ssd_initial_cp_conference": {
        "icpc_icpc_id": ["P1"],
        "icpc_person_id": ["101"],
        "icpc_icpc_target_date": ["2025-04-10"],
        "icpc_icpc_date": [None],  # not held yet
        "icpc_icpc_team": [None],
        "icpc_icpc_worker_id": [None],
    },
    "ssd_cp_plans": {  # started after the worker was allocated, no worker column
        "cppl_cp_plan_id": ["CP1"],
        "cppl_person_id": ["101"],
        "cppl_cp_plan_start_date": ["2024-03-01"],
        "cppl_cp_plan_end_date": [None],
    },
    "ssd_cla_episodes": {
        "clae_cla_episode_id": ["E1", "E2", "E3"],
        "clae_person_id": ["101", "101", "101"],
        "clae_cla_episode_start_date": ["2024-04-01", "2024-06-01", "2024-11-01"],
        "clae_cla_episode_ceased_date": ["2024-06-01", "2024-07-01", None],
        "clae_cla_episode_ceased_reason": [
            "Episode ceases, and new episode begins on same day, for any reason",
            "Returned home to live with parents",
            None,
        ],
        "clae_cla_id": [None, None, None],
    },
    "ssd_legal_status": {
        "lega_legal_status_id": ["G1"],
        "lega_person_id": ["101"],
        "lega_legal_status": ["Interim care order"],
        "lega_legal_status_start_date": ["2024-11-01"],
        "lega_legal_status_end_date": [None],
    },
    "ssd_missing": {
        "miss_table_id": ["M1"],
        "miss_person_id": ["101"],
        "miss_missing_episode_start_date": ["2025-03-26"],
        "miss_missing_episode_type": ["Missing"],
        "miss_missing_episode_end_date": [None],
    },
    "ssd_early_help_episodes": {
        "earl_episode_id": ["H1"],
        "earl_person_id": ["102"],
        "earl_episode_start_date": ["2019-01-01"],
        "earl_episode_end_date": ["2019-06-30"],
        "earl_episode_organisation": ["LA01"],  # an originating organisation code
        "earl_episode_worker_id": ["SSD_PH"],  # the script's placeholder
    },
}


def ssd_folder(folder: Path, with_professionals: bool = True) -> None:
    """A folder of SystemC-shaped SSD tables (used by the dated-drops tests)."""
    tables = dict(SYSTEMC)
    if not with_professionals:
        tables.pop("ssd_professionals")
    write(folder, tables)
