"""The one configuration file, loaded once into frozen, typed dataclasses.

Every key has a default and a line of documentation (the ``doc`` metadata of its
field); ``tests/test_config.py`` checks that the README documents every key.
Relative paths and SQLite URLs are resolved against the config file's folder, so a
config and its data can move together.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

from core.errors import ConfigError, Problem
from core.frozen import FrozenDict
from core.vocab import (
    LEVELS,
    ROLES,
    SENSITIVITIES,
    WORKER_ROLES,
    Level,
    Sensitivity,
    WorkerRole,
)

SourceFormat = Literal["csv", "excel", "parquet", "ssd_csv", "sql", "odbc", "ssd"]
#: How each case system's published SSD deployment script fills the tables.
SSD_FLAVOURS = ("systemc", "eclipse", "mosaic")
#: Tables the SSD preset reads (data-to-insight ssd-data-model, v1.4 and later).
SSD_TABLES = (
    "ssd_person", "ssd_address", "ssd_family", "ssd_mother", "ssd_linked_identifiers",
    "ssd_involvements", "ssd_professionals", "ssd_department", "ssd_contacts",
    "ssd_early_help_episodes", "ssd_cin_episodes", "ssd_cin_plans", "ssd_s47_enquiry",
    "ssd_initial_cp_conference", "ssd_cp_plans", "ssd_cla_episodes",
    "ssd_legal_status", "ssd_missing",
)  # fmt: skip

#: Fields of the standard record a source may map from its own columns.
MAPPABLE_FIELDS = (
    "record_id",
    "first_name",
    "last_name",
    "full_name",
    "dob",
    "sex",
    "nhs_number",
    "upn",
    "case_number",
    "address",
    "postcode",
    "town",
    "family_ref",
    "household_ref",
    "relationship",
    "related",
    "involvement_start",
    "involvement_end",
    "status",
    "last_contact",
    "detail",
    "lead_name",
    "lead_role",
    "lead_team",
    "lead_phone",
    "lead_email",
    "restricted",
)


#: Standardised columns a blocking rule may use as keys (``linkage.standardise``).
BLOCKING_KEYS = (
    "nhs", "upn_c", "case_key", "case_dels", "ids", "contacts", "dob", "dob_y",
    "dob_md", "dob_swap", "fn", "fn_join", "fn_canons", "fn_phon", "fn_init",
    "ln_join", "ln_canons", "ln_phon", "ln_part_phons", "ln_init", "pc",
    "pc_sector", "pc_district", "addr", "addr_nums", "town_c", "sx",
)  # fmt: skip
#: The shipped blocking rules, each catching a kind of error the others miss.
DEFAULT_BLOCKING_RULES = (
    "nhs_number: nhs",
    "upn: upn_c",
    "case_number: case_key",
    "identifier: ids",
    "contact: contacts",
    "dob_surname: dob + ln_part_phons",
    "dob_surname_variant: dob + ln_canons",
    "dob_first_name: dob + fn_canons",
    "names_year: fn_canons + ln_phon + dob_y",
    "names_sound_year: fn_phon + ln_phon + dob_y",
    "names_town: fn_canons + ln_phon + town_c",
    "names_district: fn_canons + ln_phon + pc_district",
    "first_name_town_year: fn_canons + town_c + dob_y",
    "surname_town_year: ln_phon + town_c + dob_y",
    "first_name_district_year: fn_canons + pc_district + dob_y",
    "surname_district_year: ln_phon + pc_district + dob_y",
    "initial_surname_address: fn_init + ln_phon + addr",
    "initial_surname_number_town: fn_init + ln_phon + addr_nums + town_c",
    "initial_surname_number_district: fn_init + ln_phon + addr_nums + pc_district",
    "dob_town: dob + town_c",
    "names_day_month: fn_phon + ln_phon + dob_md",
    "names_no_dob: fn_canons + ln_phon (one side without dob)",
    "surname_day_month_initial: ln_phon + dob_md + fn_init",
    "names_sound_no_dob: fn_phon + ln_phon (one side without dob)",
    "dob_initial: dob + fn_init",
    "dob_surname_initial_no_first: dob + ln_init (one side without fn)",
    "case_number_slip_dob: case_dels + dob",
    "case_number_slip_names: case_dels + fn_canons + ln_init",
    "case_number_slip_surname: case_dels + ln_phon",
    "postcode_initial: pc + fn_init",
    "swapped_dob_surname: dob_swap + ln_phon ~ dob + ln_phon",
    "swapped_dob_first: dob_swap + fn_canons ~ dob + fn_canons",
    "swapped_names: fn_join + ln_join ~ ln_join + fn_join",
    "crossed_name_dob: fn_join + dob ~ ln_join + dob",
    "swapped_names_sound: fn_phon + ln_phon + dob ~ ln_phon + fn_phon + dob",
)
#: Comparisons a build may score (``linkage.comparisons``), and those it needs.
ALL_COMPARISONS = (
    "first_name", "last_name", "dob", "address", "sex", "nhs_number", "upn",
    "case_number", "identifiers", "contacts",
)  # fmt: skip
REQUIRED_COMPARISONS = ("first_name", "last_name", "dob", "address")
_RULE = re.compile(
    r"^\s*(?P<name>[a-z][a-z0-9_]*)\s*:\s*(?P<keys>[^~(]+?)\s*"
    r"(?:~\s*(?P<right>[^(]+?)\s*)?(?:\(one side without (?P<missing>\w+)\))?\s*$"
)


@dataclass(frozen=True)
class RuleText:
    """A blocking rule as written in the config (see ``parse_blocking_rule``)."""

    name: str
    keys: tuple[str, ...]
    right_keys: tuple[str, ...] = ()
    left_missing: str = ""


def parse_blocking_rule(text: str) -> RuleText | str:
    """A rule 'name: a + b [~ c + d] [(one side without COLUMN)]', or what is
    wrong with it (a sentence)."""
    found = _RULE.match(text)
    if not found:
        return (
            "must read 'name: key + key', optionally '~ key + key' and "
            "'(one side without COLUMN)'"
        )

    def keys(part: str | None) -> tuple[str, ...]:
        return tuple(k.strip() for k in part.split("+")) if part else ()

    rule = RuleText(
        found["name"], keys(found["keys"]), keys(found["right"]),
        found["missing"] or "",
    )  # fmt: skip
    unknown = [
        k for k in (*rule.keys, *rule.right_keys, rule.left_missing)
        if k and k not in (*BLOCKING_KEYS, "fn")
    ]  # fmt: skip
    if unknown:
        return f"unknown key {', '.join(unknown)}; use {', '.join(BLOCKING_KEYS)}"
    if rule.right_keys and len(rule.right_keys) != len(rule.keys):
        return "needs as many keys after '~' as before it"
    return rule


def _check_linkage(linkage: LinkageConfig, problems: list[Problem]) -> None:
    names: list[str] = []
    for i, text in enumerate(linkage.blocking_rules):
        rule = parse_blocking_rule(text)
        if isinstance(rule, str):
            problems.append(Problem(f"linkage.blocking_rules[{i}]", rule))
        else:
            names.append(rule.name)
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(
            Problem("linkage.blocking_rules", f"rule name '{dup}' is used twice")
        )
    if not linkage.blocking_rules:
        problems.append(Problem("linkage.blocking_rules", "give at least one rule"))
    unknown = [c for c in linkage.comparisons if c not in ALL_COMPARISONS]
    if unknown:
        problems.append(
            Problem(
                "linkage.comparisons",
                f"unknown {', '.join(unknown)}; use {', '.join(ALL_COMPARISONS)}",
            )
        )
    lacking = [c for c in REQUIRED_COMPARISONS if c not in linkage.comparisons]
    if lacking:
        problems.append(
            Problem("linkage.comparisons", f"must include {', '.join(lacking)}")
        )
    if linkage.max_block_records < 2:
        problems.append(Problem("linkage.max_block_records", "must be 2 or more"))
    for key in ("name_similar", "name_loosely_similar", "contact_similar"):
        if not 0 < getattr(linkage, key) <= 1:
            problems.append(Problem(f"linkage.{key}", "must be above 0 and at most 1"))
    if linkage.name_loosely_similar > linkage.name_similar:
        problems.append(
            Problem("linkage.name_loosely_similar", "must not exceed name_similar")
        )
    if not 0 <= linkage.dob_few_days <= linkage.dob_weeks <= linkage.dob_year:
        problems.append(
            Problem(
                "linkage.dob_weeks", "need 0 <= dob_few_days <= dob_weeks <= dob_year"
            )
        )
    if (
        not 0
        < linkage.address_area
        <= linkage.address_similar
        <= linkage.address_same
        <= 100
    ):
        problems.append(
            Problem(
                "linkage.address_similar",
                "need 0 < address_area <= address_similar <= address_same <= 100",
            )
        )


def _key(default: Any, doc: str) -> Any:
    """A config key: its default and the line of documentation the README repeats."""
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class AppConfig:
    """[app]: how the dashboard behaves."""

    title: str = _key("Family context lookup", "Heading shown on every page.")
    demo_mode: bool = _key(
        False,
        "Allow the demo user picker instead of real sign-in. Only honoured when the "
        "dashboard is reached on localhost; never set it on a shared server.",
    )
    max_results: int = _key(
        20, "Most people a search lists (no browsing the population)."
    )
    purposes: tuple[str, ...] = _key(
        (
            "New referral (MASH)",
            "Early Help request",
            "Assessment before first visit",
            "Strategy discussion",
            "Emergency",
        ),
        "Purposes a worker chooses from before searching.",
    )
    local_authority: str = _key(
        "Demo council", "Council name shown in trust labels and page footers."
    )


@dataclass(frozen=True)
class StorageConfig:
    """[storage]: where the linked index and the audit log live."""

    index_url: str = _key(
        "sqlite:///data/index.db",
        "SQLAlchemy URL of the linked index (SQLite by default, PostgreSQL in "
        "production). Relative SQLite paths are resolved against the config folder.",
    )
    audit_url: str = _key(
        "sqlite:///data/audit.db",
        "SQLAlchemy URL of the append-only audit log; may be the same database as "
        "the index.",
    )


@dataclass(frozen=True)
class LinkageConfig:
    """[linkage]: how records are linked into people."""

    link_threshold: float = _key(
        0.99, "Match probability at or above which two records are linked."
    )
    review_threshold: float = _key(
        0.80,
        "Match probability at or above which a pair below link_threshold is kept "
        "as a possible match for review (never merged).",
    )
    em_iterations: int = _key(30, "Most expectation-maximisation rounds for m.")
    u_sample_pairs: int = _key(
        300_000, "Random record pairs sampled to estimate u probabilities."
    )
    seed: int = _key(20240601, "Seed for sampling, so builds are repeatable.")
    blocking_rules: tuple[str, ...] = _key(
        DEFAULT_BLOCKING_RULES,
        "Blocking rules: records become a candidate pair when they share every key "
        "of a rule. Each 'name: key + key', or 'name: keys ~ keys' to match one "
        "record's keys with the other's (names given the other way round), with "
        "'(one side without COLUMN)' to reach only pairs where one record lacks "
        "it. Keys: " + ", ".join(BLOCKING_KEYS) + ". Default: the shipped rules.",
    )
    max_block_records: int = _key(
        400,
        "A block of more records than this (a key too common to say anything) is "
        "skipped; the other rules still reach its records.",
    )
    comparisons: tuple[str, ...] = _key(
        ALL_COMPARISONS,
        "Comparisons scored, from "
        + ", ".join(ALL_COMPARISONS)
        + "; "
        + ", ".join(REQUIRED_COMPARISONS)
        + " are always needed.",
    )
    name_similar: float = _key(
        0.92, "Jaro-Winkler similarity of first names or surnames at level 'similar'."
    )
    name_loosely_similar: float = _key(
        0.85, "Jaro-Winkler similarity of names at level 'loosely similar'."
    )
    dob_few_days: int = _key(
        7, "Days apart two dates of birth may be at level 'a few days or a year out'."
    )
    dob_weeks: int = _key(62, "Days apart at date-of-birth level 'within weeks'.")
    dob_year: int = _key(366, "Days apart at date-of-birth level 'within a year'.")
    address_same: int = _key(
        90, "Token-set ratio (0-100) of address text at level 'same address'."
    )
    address_similar: int = _key(
        80, "Token-set ratio at address level 'similar address' (a number shared)."
    )
    address_area: int = _key(
        70, "Token-set ratio at address level 'same street or area'."
    )
    contact_similar: float = _key(
        0.9, "Jaro-Winkler similarity of emails or phone numbers at level 'similar'."
    )


@dataclass(frozen=True)
class SourceConfig:
    """[[sources]]: one agency extract and how its columns map to a standard record."""

    name: str = _key("", "Short unique key of the source, e.g. police.")
    service: str = _key("", "Plain service name users see, e.g. Police.")
    format: SourceFormat = _key(
        "csv",
        "csv, excel, parquet, ssd_csv (a folder of Standard Safeguarding "
        "Dataset tables as CSV), sql (a database via url), odbc (via odbc_connect) "
        "or ssd (the Standard Safeguarding Dataset tables in a database).",
    )
    path: str = _key(
        "",
        "File or folder of the extract, relative to the config. A folder of dated "
        "drops (e.g. 2026-11-01/) uses the newest complete drop.",
    )
    drop_files: tuple[str, ...] = _key(
        (),
        "Files every dated drop must contain to count as complete; empty means the "
        "one extract file (or the SSD tables for ssd_csv).",
    )
    url: str = _key(
        "",
        "SQLAlchemy URL of the source database for sql or ssd (sqlite, "
        "postgresql+psycopg, mssql+pyodbc); use a read-only login.",
    )
    odbc_connect: str = _key(
        "",
        "ODBC DSN name or connection string for odbc or ssd, read through pyodbc "
        "(e.g. Driver={ODBC Driver 18 for SQL Server};Server=…;Encrypt=yes).",
    )
    table: str = _key(
        "", "Table or view to read for sql or odbc (schema.table allowed)."
    )
    query: str = _key(
        "", "Read-only query for sql or odbc instead of table: one SELECT or WITH."
    )
    schema: str = _key(
        "", "Database schema holding the SSD tables (ssd) or table; empty: default."
    )
    batch_size: int = _key(
        100_000, "Rows fetched per round trip when reading from a database."
    )
    encoding: str = _key("utf-8", "Text encoding of a CSV (utf-8, cp1252 …).")
    delimiter: str = _key(",", "Field separator of a CSV.")
    sheet: str = _key("", "Excel sheet name; empty means the first sheet.")
    date_format: str = _key(
        "%Y-%m-%d", "strftime pattern of the dates in this extract."
    )
    extract_date: str = _key(
        "",
        "Date the extract was taken (YYYY-MM-DD); empty means the file's "
        "modification date.",
    )
    sensitivity: Sensitivity = _key(
        "standard", "standard, police or sensitive (health, substance misuse …)."
    )
    coverage_from: str = _key(
        "", "Earliest date the extract covers (YYYY-MM-DD), for 'none found' text."
    )
    coverage_area: str = _key("", "Area the extract covers, shown as a trust label.")
    age_min: int = _key(-1, "Youngest age shown for this service; -1 for no limit.")
    age_max: int = _key(-1, "Oldest age shown for this service; -1 for no limit.")
    current_values: tuple[str, ...] = _key(
        ("open", "current", "active"),
        "Values of the mapped status column meaning the involvement is current.",
    )
    lawful_basis: str = _key("", "Lawful basis text shown on the data page.")
    detail_limit: int = _key(
        1,
        "Most of this source's involvements whose detail a full-view role may open "
        "(newest first), as the source's data-sharing agreement says (police often "
        "3); 0: never any detail, only that it is involved and whom to contact.",
    )
    stale_max_days: int = _key(
        28,
        "Days a failing source is still served from its last good snapshot (shown "
        "stale, since when); after that its records are dropped and the service "
        "shows as not available until a good extract arrives. 0: never serve a "
        "snapshot.",
    )
    min_row_share: float = _key(
        0.5,
        "A load keeping fewer usable rows than this share of the source's last good "
        "load (0.5: half) is refused as a failed load: the last good snapshot is "
        "served, marked stale with the reason. An extract with no usable rows is "
        "always refused. 0 turns the share check off (set it for one build to "
        "accept a source that really shrank).",
    )
    unrestricted_values: tuple[str, ...] = _key(
        ("n", "no", "false", "0", "none", "not restricted"),
        "Values of the mapped restricted column meaning NOT restricted (any case; "
        "blank too). Any other value restricts the person everywhere (protected "
        "address, adoption, staff relative, high-profile), so an unknown code "
        "withholds rather than discloses.",
    )
    ssd_flavour: str = _key(
        "",
        "ssd/ssd_csv: whose published SSD script built the tables: systemc, eclipse "
        "or mosaic; empty: detected from the columns (mosaic) and values "
        "(eclipse), else systemc.",
    )
    ssd_tables: Mapping[str, str] = field(
        default_factory=dict,
        metadata={
            "doc": "ssd/ssd_csv: table of SSD table name (ssd_person, ssd_address "
            "…) to where this council's build keeps it: a table or view name "
            "(schema.name allowed) or one read-only SELECT/WITH query (ssd), or a "
            "CSV file name in the folder (ssd_csv)."
        },
    )
    ssd_staff_contacts: str = _key(
        "",
        "ssd/ssd_csv: CSV of professionals' contact details (columns staff_id and "
        "any of name, job_title, team, email, phone) joined to ssd_professionals "
        "by staff id; the SSD itself holds no email or phone.",
    )
    ssd_lead_roles: tuple[str, ...] = _key(
        (
            "CW", "AW", "KW", "SW", "LP", "PA", "16PLUS", "allocated",
            "social worker", "key worker", "lead professional", "personal advis",
            "family worker", "early help worker",
        ),
        "ssd/ssd_csv: involvement roles (invo_professional_role_id) that make a "
        "professional the lead to call for the episodes their dates cover; a code "
        "matches exactly, an entry with a space or of 7+ letters also inside a "
        "longer role (any case).",
    )  # fmt: skip
    ssd_manager_roles: tuple[str, ...] = _key(
        ("TM", "ATM", "SM", "PM", "manager", "supervisor", "head of", "team leader"),
        "ssd/ssd_csv: involvement roles that are never the lead (a team manager "
        "beside the allocated worker), matched like ssd_lead_roles.",
    )
    ssd_address_types: tuple[str, ...] = _key(
        ("home", "main", "primary", "permanent", "residential", "current", "hom"),
        "ssd/ssd_csv: addr_address_type values (any case) of a person's home, in "
        "order of preference; among addresses open on the extract date these come "
        "first, then other types, newest first.",
    )
    columns: Mapping[str, str] = field(
        default_factory=dict,
        metadata={
            "doc": "Table mapping standard fields to this extract's column names "
            "(record_id, first_name, last_name or full_name, dob, nhs_number, …, "
            "town)."
        },
    )
    address_parts: tuple[str, ...] = _key(
        (),
        "Columns joined in order (with commas, blanks skipped) into the one-line "
        'address, for an extract that splits it (e.g. ["Line 1", "Line 2", '
        '"Town"]); instead of columns.address.',
    )
    identifiers: Mapping[str, str] = field(
        default_factory=dict,
        metadata={
            "doc": "Table: identifier kind to column, any number (e.g. email = "
            '"Email", phone = "Mobile", ni = "NINO", pnc = "PNC_ID", '
            'housing_ref = "TenancyRef"). Compared exactly within a kind, each '
            "normalised by kind (email lower case; phone digits, +44 as 0; others "
            "letters and digits upper case); email and phone count as evidence but "
            "never vouch for a pair alone (a household may share them)."
        },
    )
    dob_year_only: bool = _key(
        False,
        "The extract knows only the year of birth (a bare year such as 1984 is "
        "accepted in the dob column): dates are compared by year alone.",
    )

    @property
    def coverage_start(self) -> date | None:
        return date.fromisoformat(self.coverage_from) if self.coverage_from else None


#: What each worker role sees of each source sensitivity unless configured.
DEFAULT_VISIBILITY: Mapping[WorkerRole, Mapping[Sensitivity, Level]] = FrozenDict(
    {
        "front_door": FrozenDict(dict.fromkeys(SENSITIVITIES, "full")),
        "early_help": FrozenDict(
            {"standard": "full", "police": "contact_only", "sensitive": "contact_only"}
        ),
        "social_worker": FrozenDict(dict.fromkeys(SENSITIVITIES, "full")),
    }
)
_VISIBILITY_HELP = (
    "set it as a table, e.g. [governance.visibility.early_help] with standard = "
    f'"full", police = "contact_only"; levels: {", ".join(LEVELS)}'
)


def _legacy_levels(role: str, text: str) -> dict[str, str]:
    """The old one-line form, 'standard=full police=contact_only', as a table
    (with a warning that shows the table to write instead)."""
    levels = dict(pair.partition("=")[::2] for pair in text.split())
    table = " ".join(f'{k} = "{v}"' for k, v in levels.items())
    warnings.warn(
        f"governance.visibility.{role}: the one-line form '{text}' is deprecated "
        f"and will stop working; write [governance.visibility.{role}] {table}",
        FutureWarning,
        stacklevel=4,
    )
    return levels


def read_visibility(
    raw: Any, problems: list[Problem]
) -> Mapping[WorkerRole, Mapping[Sensitivity, Level]] | None:
    """``[governance.visibility]`` as a frozen role → sensitivity → level table
    (None when absent); every bad role, sensitivity or level is a problem."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(Problem("governance.visibility", _VISIBILITY_HELP))
        return None
    table: dict[str, Mapping[str, str]] = {}
    for role, levels in raw.items():
        where = f"governance.visibility.{role}"
        if isinstance(levels, str):
            levels = _legacy_levels(role, levels)
        if role not in WORKER_ROLES:
            problems.append(
                Problem(where, f"must be a worker role: {', '.join(WORKER_ROLES)}")
            )
        elif not isinstance(levels, Mapping):
            problems.append(Problem(where, _VISIBILITY_HELP))
        else:
            for sensitivity, level in levels.items():
                if sensitivity not in SENSITIVITIES or level not in LEVELS:
                    problems.append(
                        Problem(
                            f"{where}.{sensitivity}",
                            f"must be one of {', '.join(SENSITIVITIES)} set to "
                            f"one of {', '.join(LEVELS)}",
                        )
                    )
            table[role] = FrozenDict(dict(levels))
    return FrozenDict(table)  # type: ignore[arg-type]


@dataclass(frozen=True)
class GovernanceConfig:
    """[governance]: who may see what, sessions, audit review and retention."""

    visibility: Mapping[WorkerRole, Mapping[Sensitivity, Level]] = field(
        default_factory=lambda: DEFAULT_VISIBILITY,
        metadata={
            "doc": "Table of tables: worker role to source sensitivity (standard, "
            "police, sensitive) to level: full, contact_only (service and whom to "
            "contact, no detail) or hidden; unlisted is hidden. Auditors and "
            "administrators never see family data. The old one-line form "
            "(early_help = 'standard=full police=contact_only') is still read, "
            "with a warning."
        },
    )
    emergency_purposes: tuple[str, ...] = _key(
        ("Emergency",),
        "Purposes that need a written explanation and are flagged for review.",
    )
    role_claim: str = _key(
        "roles", "ID-token claim holding the user's roles or groups (Entra: roles)."
    )
    role_map: Mapping[str, str] = field(
        default_factory=lambda: {r: r for r in ROLES},
        metadata={
            "doc": "Table: claim value (app role or group id) to role; a user with "
            "no mapped value sees only a message."
        },
    )
    idle_timeout_minutes: int = _key(10, "Minutes without use before sign-out.")
    absolute_timeout_minutes: int = _key(
        600, "Minutes after sign-in when the session ends regardless of use."
    )
    one_session_per_user: bool = _key(
        True, "Signing in again ends the user's other sessions."
    )
    working_hours: str = _key(
        "08:00-18:00", "Local working hours (HH:MM-HH:MM); use outside is flagged."
    )
    timezone: str = _key("Europe/London", "Time zone of working_hours.")
    unusual_volume: int = _key(
        40, "Searches by one user in one day above which the day is flagged."
    )
    dormant_days: int = _key(
        60, "An account unused this many days before a sign-in is flagged."
    )
    audit_retention_days: int = _key(
        2557,
        "Days audit events are kept (separately from linked data, which is "
        "dropped when its source stops sending it).",
    )


@dataclass(frozen=True)
class OperationsConfig:
    """[operations]: running the tool on a server (docs/deploy.md)."""

    notify_command: tuple[str, ...] = _key(
        (),
        "Command (a list: program and arguments, no shell) run when a build fails "
        "or serves stale sources, and by doctor --notify; the message (no personal "
        "data) is its standard input. Empty: no notifications.",
    )
    notify_on_stale: bool = _key(
        True,
        "Also notify when a build succeeds but some sources are stale or dropped.",
    )
    notify_timeout_seconds: int = _key(
        30, "Seconds the notify command may take before it is stopped."
    )
    max_build_age_hours: int = _key(
        36,
        "doctor warns when the build being served finished longer ago than this "
        "(a nightly build plus a margin), and fails at twice it.",
    )
    min_free_disk_gb: float = _key(
        5.0,
        "doctor warns when the disk holding the index, snapshots or audit "
        "checkpoints has less free space than this, and fails below half of it.",
    )


def _check_operations(ops: OperationsConfig, problems: list[Problem]) -> None:
    for key in ("notify_timeout_seconds", "max_build_age_hours"):
        if getattr(ops, key) <= 0:
            problems.append(Problem(f"operations.{key}", "must be more than 0"))
    if ops.min_free_disk_gb < 0:
        problems.append(Problem("operations.min_free_disk_gb", "must be 0 or more"))


def _check_governance(gov: GovernanceConfig, problems: list[Problem]) -> None:
    for claim, role in gov.role_map.items():
        if role not in ROLES:
            problems.append(
                Problem(f"governance.role_map.{claim}", f"must be one of {ROLES}")
            )


@dataclass(frozen=True)
class Config:
    """The whole configuration, as loaded from one TOML file."""

    base_dir: Path
    app: AppConfig
    storage: StorageConfig
    linkage: LinkageConfig
    sources: tuple[SourceConfig, ...]
    governance: GovernanceConfig = field(default_factory=GovernanceConfig)
    operations: OperationsConfig = field(default_factory=OperationsConfig)

    def source_path(self, source: SourceConfig) -> Path:
        """Absolute path of a source's extract."""
        p = Path(source.path)
        return p if p.is_absolute() else self.base_dir / p


SECTIONS: dict[str, type] = {
    "app": AppConfig,
    "storage": StorageConfig,
    "linkage": LinkageConfig,
    "governance": GovernanceConfig,
    "operations": OperationsConfig,
    "sources": SourceConfig,
}


def documented_keys() -> dict[str, str]:
    """Every config key as ``section.key`` with its documentation line."""
    return {
        f"{section}.{f.name}": f.metadata["doc"]
        for section, cls in SECTIONS.items()
        for f in fields(cls)
    }


def _coerce(
    cls: type, raw: Mapping[str, Any], where: str, problems: list[Problem]
) -> Any:  # an instance of cls
    """Build ``cls`` from a TOML table, collecting problems instead of raising."""
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append(
                Problem(
                    f"{where}.{key}",
                    "unknown key; remove it or check its spelling against the README",
                )
            )
            continue
        f = known[key]
        default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(
                isinstance(v, str) for v in value
            ):
                problems.append(Problem(f"{where}.{key}", "must be a list of strings"))
                continue
            value = tuple(value)
        elif isinstance(default, Mapping):
            if not isinstance(value, dict) or not all(
                isinstance(v, str) for v in value.values()
            ):
                problems.append(Problem(f"{where}.{key}", "must be a table of strings"))
                continue
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                problems.append(Problem(f"{where}.{key}", "must be true or false"))
                continue
        elif isinstance(default, (int, float)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(Problem(f"{where}.{key}", "must be a number"))
                continue
            value = type(default)(value)
        elif not isinstance(value, str):
            problems.append(Problem(f"{where}.{key}", "must be a string"))
            continue
        values[key] = value
    return cls(**values)


#: Keys that say where a source is, per format (files need a path).
_LOCATION_KEYS = {"sql": ("url",), "odbc": ("odbc_connect",), "ssd": ()}


def _check_source(src: SourceConfig, where: str, problems: list[Problem]) -> None:
    for key, allowed in (("format", SourceFormat), ("sensitivity", Sensitivity)):
        if getattr(src, key) not in get_args(allowed):
            problems.append(
                Problem(f"{where}.{key}", f"must be one of {get_args(allowed)}")
            )
    for key in ("name", "service", *_LOCATION_KEYS.get(src.format, ("path",))):
        if not getattr(src, key):
            problems.append(Problem(f"{where}.{key}", "is required"))
    for key in ("detail_limit", "stale_max_days"):
        if getattr(src, key) < 0:
            problems.append(Problem(f"{where}.{key}", "must be 0 or more"))
    if not 0 <= src.min_row_share <= 1:
        problems.append(
            Problem(f"{where}.min_row_share", "must be a share from 0 to 1, e.g. 0.5")
        )
    if src.format in ("sql", "odbc") and bool(src.table) == bool(src.query):
        problems.append(Problem(f"{where}.table", "give exactly one of table or query"))
    if src.format == "ssd" and bool(src.url) == bool(src.odbc_connect):
        problems.append(
            Problem(f"{where}.url", "give exactly one of url or odbc_connect for ssd")
        )
    for key in ("extract_date", "coverage_from"):
        value = getattr(src, key)
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                problems.append(
                    Problem(f"{where}.{key}", "must be a date as YYYY-MM-DD")
                )
    _check_ssd(src, where, problems)
    for std in src.columns:
        if std not in MAPPABLE_FIELDS:
            problems.append(
                Problem(
                    f"{where}.columns.{std}",
                    f"is not a standard field; use one of {', '.join(MAPPABLE_FIELDS)}",
                )
            )
    for kind in src.identifiers:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
            problems.append(
                Problem(
                    f"{where}.identifiers.{kind}",
                    "must be a kind in lower case letters, digits and _ (email, "
                    "phone, ni, pnc …)",
                )
            )
    if src.address_parts and "address" in src.columns:
        problems.append(
            Problem(
                f"{where}.address_parts",
                "give address_parts or columns.address, not both",
            )
        )
    has_name = {"first_name", "last_name"} <= set(
        src.columns
    ) or "full_name" in src.columns
    if src.format not in ("ssd_csv", "ssd") and not has_name:
        problems.append(
            Problem(f"{where}.columns", "map first_name and last_name, or full_name")
        )


def _check_ssd(src: SourceConfig, where: str, problems: list[Problem]) -> None:
    """The SSD keys: a known flavour, known table names, overrides of the form the
    format can read (a query needs a database)."""
    if src.ssd_flavour and src.ssd_flavour not in SSD_FLAVOURS:
        problems.append(
            Problem(
                f"{where}.ssd_flavour",
                f"must be one of {', '.join(SSD_FLAVOURS)} (or empty to detect it)",
            )
        )
    for table, target in src.ssd_tables.items():
        key = f"{where}.ssd_tables.{table}"
        if table not in SSD_TABLES:
            problems.append(
                Problem(key, f"is not an SSD table the preset reads: {SSD_TABLES}")
            )
        elif not target.strip():
            problems.append(Problem(key, "is empty; give a table name or a query"))
        elif src.format == "ssd_csv" and is_ssd_query(target):
            problems.append(
                Problem(key, 'a query needs format = "ssd"; give a CSV file name')
            )
        elif src.format == "ssd" and not is_ssd_query(target):
            if not re.fullmatch(r"[A-Za-z_][\w$#]*(\.[A-Za-z_][\w$#]*){0,2}", target):
                problems.append(
                    Problem(
                        key,
                        "must be a table name (schema.table allowed) or a query "
                        "starting with SELECT or WITH",
                    )
                )


def is_ssd_query(text: str) -> bool:
    """Whether an ssd_tables value is a query rather than a table or file name."""
    return bool(re.match(r"(?is)\s*(select|with)\s", text))


def _resolve_url(url: str, base_dir: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        rest = url[len(prefix) :]
        if rest and rest != ":memory:":
            return prefix + str((base_dir / rest).resolve())
    return url


def parse_config(
    raw: Mapping[str, Any], base_dir: Path, origin: str = "config"
) -> Config:
    """Turn a parsed TOML document into a Config, reporting every problem at once."""
    problems: list[Problem] = []
    for key in raw:
        if key not in SECTIONS:
            problems.append(
                Problem(
                    f"{origin}: [{key}]",
                    f"unknown section; expected one of {', '.join(SECTIONS)}",
                )
            )
    app = _coerce(AppConfig, raw.get("app", {}), "app", problems)
    storage = _coerce(StorageConfig, raw.get("storage", {}), "storage", problems)
    linkage = _coerce(LinkageConfig, raw.get("linkage", {}), "linkage", problems)
    raw_gov = dict(raw.get("governance", {}))
    visibility = read_visibility(raw_gov.pop("visibility", None), problems)
    gov = _coerce(GovernanceConfig, raw_gov, "governance", problems)
    if visibility is not None:
        gov = replace(gov, visibility=visibility)
    _check_governance(gov, problems)
    ops = _coerce(OperationsConfig, raw.get("operations", {}), "operations", problems)
    _check_operations(ops, problems)
    sources: list[SourceConfig] = []
    for i, table in enumerate(raw.get("sources", [])):
        where = f"sources[{i}]"
        src = _coerce(SourceConfig, table, where, problems)
        _check_source(src, where, problems)
        sources.append(src)
    names = [s.name for s in sources]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(
            Problem("sources.name", f"'{dup}' is used by more than one source")
        )
    _check_linkage(linkage, problems)
    if not 0 < linkage.review_threshold <= linkage.link_threshold < 1:
        problems.append(
            Problem(
                "linkage.review_threshold",
                "need 0 < review_threshold <= link_threshold < 1",
            )
        )
    if problems:
        raise ConfigError(f"{origin} has {len(problems)} problem(s):", problems)
    storage = StorageConfig(
        index_url=_resolve_url(storage.index_url, base_dir),
        audit_url=_resolve_url(storage.audit_url, base_dir),
    )
    sources = [_resolve_ssd_paths(s, base_dir) for s in sources]
    return Config(base_dir, app, storage, linkage, tuple(sources), gov, ops)


def _resolve_ssd_paths(src: SourceConfig, base_dir: Path) -> SourceConfig:
    """``ssd_staff_contacts`` relative to the config folder, like SQLite URLs."""
    contacts = src.ssd_staff_contacts
    if not contacts or Path(contacts).is_absolute():
        return src
    return replace(src, ssd_staff_contacts=str((base_dir / contacts).resolve()))


def load_config(path: str | Path) -> Config:
    """Read and check the TOML config at ``path``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"Cannot read config file {p}",
            [Problem(str(p), f"{exc.strerror}; pass --config PATH")],
        ) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{p} is not valid TOML", [Problem(str(p), str(exc))]
        ) from exc
    return parse_config(raw, p.resolve().parent, str(p))
