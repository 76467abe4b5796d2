"""What the SSD preset reads from each Standard Safeguarding Dataset table, and
how the three published deployment scripts (SystemC, Eclipse, Mosaic) differ.

Column names follow data-to-insight/ssd-data-model v1.4 (``data/objects`` and
``deployment_extracts/*/live``). A table the preset cannot use (a column it
needs is missing) is left out with a warning naming the column; only
``ssd_person`` is required.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from core.errors import Problem

PERSON = "ssd_person"
#: Columns ssd_person must have; without them the source is unusable.
PERSON_COLUMNS = ("pers_person_id", "pers_forename", "pers_surname")

#: Optional table -> columns it must have to be used at all.
NEEDED: dict[str, tuple[str, ...]] = {
    "ssd_address": ("addr_person_id", "addr_address_json"),
    "ssd_family": ("fami_family_id", "fami_person_id"),
    "ssd_mother": ("moth_person_id", "moth_childs_person_id"),
    "ssd_linked_identifiers": (
        "link_person_id", "link_identifier_type", "link_identifier_value",
    ),
    "ssd_involvements": ("invo_professional_id", "invo_involvement_start_date"),
    "ssd_professionals": (),  # prof_professional_id or prof_staff_id, see below
    "ssd_department": ("dept_team_id", "dept_team_name"),
    "ssd_contacts": ("cont_person_id", "cont_contact_date"),
    "ssd_early_help_episodes": (
        "earl_episode_id", "earl_person_id", "earl_episode_start_date",
    ),
    "ssd_cin_episodes": ("cine_referral_id", "cine_person_id", "cine_referral_date"),
    "ssd_cin_plans": (
        "cinp_cin_plan_id", "cinp_person_id", "cinp_cin_plan_start_date",
    ),
    "ssd_s47_enquiry": ("s47e_s47_enquiry_id", "s47e_person_id", "s47e_s47_start_date"),
    "ssd_initial_cp_conference": ("icpc_icpc_id", "icpc_person_id"),
    "ssd_cp_plans": ("cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date"),
    "ssd_cla_episodes": (
        "clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date",
    ),
    "ssd_legal_status": (
        "lega_legal_status_id", "lega_person_id", "lega_legal_status_start_date",
    ),
    "ssd_missing": (
        "miss_table_id", "miss_person_id", "miss_missing_episode_start_date",
    ),
}  # fmt: skip
OPTIONAL_TABLES = tuple(NEEDED)
ALL_TABLES = (PERSON, *OPTIONAL_TABLES)
#: The tables a dated drop of ``ssd_csv`` must hold to count as complete.
CORE_TABLES = (
    PERSON,
    "ssd_address",
    "ssd_family",
    "ssd_involvements",
    "ssd_professionals",
)

#: Standard column -> the name a published script uses instead (taken when the
#: standard one is absent): Mosaic's ssd_cin_plans and ssd_cla_episodes, and
#: the pre-1.3 ceased-date column.
ALIASES = {
    "cinp_cin_plan_id": "cin_plan_id",
    "clae_cla_primary_need_code": "clae_cla_primary_need",
    "clae_cla_episode_ceased_date": "clae_cla_episode_ceased",
}
#: Values the scripts write where they have no data ("SSD placeholder").
PLACEHOLDERS = ("SSD_PH",)


@dataclass(frozen=True)
class Flavour:
    """How one case system's script fills the tables, where the columns alone
    cannot say."""

    name: str
    #: earl_episode_organisation holds the team (an organisation id); SystemC's
    #: holds the originating organisation's code, which is not a team.
    eh_organisation_is_team: bool = True
    #: ssd_family rows are family group memberships (Eclipse, Mosaic), each a
    #: family of the person's; SystemC's are each contact's family of residence.
    family_groups: bool = True


FLAVOURS = {
    "systemc": Flavour("systemc", eh_organisation_is_team=False, family_groups=False),
    "eclipse": Flavour("eclipse"),
    "mosaic": Flavour("mosaic"),
}


def with_aliases(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each script-specific column renamed to the standard name."""
    renames = {
        alias: std
        for std, alias in ALIASES.items()
        if alias in frame.columns and std not in frame.columns
    }
    return frame.rename(renames) if renames else frame


def without_placeholders(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns with the scripts' placeholder values as nulls."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(~pl.col(c).is_in(PLACEHOLDERS)).then(pl.col(c)).alias(c) for c in text
    )


def detect(tables: Mapping[str, pl.DataFrame]) -> str:
    """The flavour the tables look like: Mosaic by its missing columns, Eclipse
    by its professionals (one row per relationship, staff id = person id, no job
    title) or its address JSON (UPRN null), else SystemC."""

    def has(table: str, column: str) -> bool:
        return table in tables and column in tables[table].columns

    if (
        has("ssd_involvements", "invo_referral_id")
        and not has("ssd_involvements", "invo_person_id")
    ) or (
        "ssd_professionals" in tables
        and not has("ssd_professionals", "prof_professional_name")
    ):
        return "mosaic"
    prof = tables.get("ssd_professionals")
    if prof is not None and prof.height and _eclipse_professionals(prof):
        return "eclipse"
    addr = tables.get("ssd_address")
    if addr is not None and "addr_address_json" in addr.columns and addr.height:
        nulls = addr["addr_address_json"].str.contains(r'"UPRN"\s*:\s*null').sum()
        if nulls and nulls >= addr.height // 2:
            return "eclipse"
    return "systemc"


def _eclipse_professionals(prof: pl.DataFrame) -> bool:
    cols = {"prof_professional_id", "prof_staff_id", "prof_professional_job_title"}
    if not cols <= set(prof.columns):
        return False
    same = (pl.col("prof_professional_id") == pl.col("prof_staff_id")).all()
    no_title = pl.col("prof_professional_job_title").is_null().all()
    return bool(prof.select(same & no_title).item())


def usable_tables(
    tables: Mapping[str, pl.DataFrame], where: Callable[[str], str]
) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """The optional tables the preset can use, and a warning for each it cannot
    (naming every column it missed)."""
    out = {PERSON: tables[PERSON]} if PERSON in tables else {}
    warnings = []
    for name in OPTIONAL_TABLES:
        if name not in tables:
            continue
        frame = tables[name]
        missing = [c for c in _needed(name, frame, tables) if c not in frame.columns]
        if missing:
            cols = ", ".join(missing)
            warnings.append(
                Problem(
                    f"{where(name)}, column {cols}",
                    "SSD column not found, so this table is not used; export it "
                    "with its standard SSD column names or set [[sources]] "
                    f"ssd_tables.{name} to a query that gives them",
                )
            )
            continue
        lost = unreached_rows(name, frame, tables)
        if lost:
            warnings.append(
                Problem(
                    f"{where(name)}, column miss_cla_episode_id",
                    f"{lost} row(s) name no person (no miss_person_id, and no care "
                    "episode in ssd_cla_episodes by this key), so they are not "
                    "shown; set [[sources]] ssd_tables.ssd_missing to a query that "
                    "gives miss_person_id",
                )
            )
        out[name] = frame
    return out, warnings


def _needed(
    name: str, frame: pl.DataFrame, tables: Mapping[str, pl.DataFrame]
) -> tuple[str, ...]:
    """The columns ``name`` needs, given what it and the other tables have."""
    if name == "ssd_professionals":
        has_key = {"prof_professional_id", "prof_staff_id"} & set(frame.columns)
        return () if has_key else ("prof_professional_id",)
    if name == "ssd_involvements" and "invo_person_id" not in frame.columns:
        # Mosaic's script has no invo_person_id: the person comes through the
        # referral the involvement belongs to
        via = "invo_referral_id" in frame.columns and "ssd_cin_episodes" in tables
        return NEEDED[name] + (() if via else ("invo_person_id",))
    if name == "ssd_missing" and "miss_person_id" not in frame.columns:
        # Mosaic's: the child comes through the care episode open at the time
        via = "miss_cla_episode_id" in frame.columns and _has_cla(tables)
        return tuple(c for c in NEEDED[name] if c != "miss_person_id" or not via)
    return NEEDED[name]


def _has_cla(tables: Mapping[str, pl.DataFrame]) -> bool:
    cla = tables.get("ssd_cla_episodes")
    return cla is not None and {"clae_cla_episode_id", "clae_person_id"} <= set(
        cla.columns
    )


def unreached_rows(
    name: str, frame: pl.DataFrame, tables: Mapping[str, pl.DataFrame]
) -> int:
    """Rows of a table that reach their person only through another table's key
    (Mosaic's missing episodes through their care episode) and whose key is
    empty or unknown there: those rows cannot be shown."""
    if name != "ssd_missing" or "miss_person_id" in frame.columns:
        return 0
    known = tables["ssd_cla_episodes"]["clae_cla_episode_id"].str.strip_chars()
    key = pl.col("miss_cla_episode_id").str.strip_chars()
    reached = key.is_in(known.drop_nulls().implode()).fill_null(False)
    return int(frame.select((~reached).sum()).item())


def missing_person_columns(person: pl.DataFrame, place: str) -> list[Problem]:
    """A problem per required ssd_person column the table lacks."""
    return [
        Problem(
            f"{place}, column {c}",
            "SSD column not found; export the table with its standard SSD column "
            "names or set [[sources]] ssd_tables.ssd_person to a query that gives them",
        )
        for c in PERSON_COLUMNS
        if c not in person.columns
    ]
