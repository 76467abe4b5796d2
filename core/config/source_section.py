"""``[[sources]]``: one agency extract, how its columns map, and its checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

from core.config.keys import setting
from core.errors import Problem
from core.frozen import FrozenDict
from core.vocab import (
    Sensitivity,
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

#: What a full-view role is told of incidents beyond a source's detail_limit.
BeyondLimit = Literal["count", "yes_no"]

#: Fields of the standard record a source may map from its own columns.
MAPPABLE_FIELDS = (
    "record_id",
    "first_name",
    "last_name",
    "full_name",
    "previous_names",
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
    "role",
    "lead_name",
    "lead_role",
    "lead_team",
    "lead_phone",
    "lead_email",
    "restricted",
)


@dataclass(frozen=True)
class SourceConfig:
    """[[sources]]: one agency extract and how its columns map to a standard record."""

    name: str = setting("", "Short unique key of the source, e.g. police.")
    service: str = setting("", "Plain service name users see, e.g. Police.")
    format: SourceFormat = setting(
        "csv",
        "csv, excel, parquet, ssd_csv (a folder of Standard Safeguarding "
        "Dataset tables as CSV), sql (a database via url), odbc (via odbc_connect) "
        "or ssd (the Standard Safeguarding Dataset tables in a database).",
    )
    path: str = setting(
        "",
        "File or folder of the extract, relative to the config. A folder of dated "
        "drops (e.g. 2026-11-01/) uses the newest complete drop.",
    )
    drop_files: tuple[str, ...] = setting(
        (),
        "Files every dated drop must contain to count as complete; empty means the "
        "one extract file (or the SSD tables for ssd_csv).",
    )
    url: str = setting(
        "",
        "SQLAlchemy URL of the source database for sql or ssd (sqlite, "
        "postgresql+psycopg, mssql+pyodbc); use a read-only login.",
    )
    odbc_connect: str = setting(
        "",
        "ODBC DSN name or connection string for odbc or ssd, read through pyodbc "
        "(e.g. Driver={ODBC Driver 18 for SQL Server};Server=…;Encrypt=yes).",
    )
    table: str = setting(
        "", "Table or view to read for sql or odbc (schema.table allowed)."
    )
    query: str = setting(
        "", "Read-only query for sql or odbc instead of table: one SELECT or WITH."
    )
    schema: str = setting(
        "", "Database schema holding the SSD tables (ssd) or table; empty: default."
    )
    batch_size: int = setting(
        100_000, "Rows fetched per round trip when reading from a database."
    )
    encoding: str = setting("utf-8", "Text encoding of a CSV (utf-8, cp1252 …).")
    delimiter: str = setting(",", "Field separator of a CSV.")
    sheet: str = setting("", "Excel sheet name; empty means the first sheet.")
    date_format: str = setting(
        "%Y-%m-%d", "strftime pattern of the dates in this extract."
    )
    extract_date: date | None = setting(
        None,
        "Date the extract was taken (YYYY-MM-DD); empty means the file's "
        "modification date.",
    )
    sensitivity: Sensitivity = setting(
        "standard", "standard, police or sensitive (health, substance misuse …)."
    )
    coverage_from: date | None = setting(
        None, "Earliest date the extract covers (YYYY-MM-DD), for 'none found' text."
    )
    coverage_area: str = setting("", "Area the extract covers, shown as a trust label.")
    age_min: int | None = setting(
        None,
        "Youngest age shown for this service (a younger person's records of it "
        "are not shown, nor used to link or describe them); leave it out for no "
        "limit.",
    )
    age_max: int | None = setting(
        None,
        "Oldest age shown for this service (as age_min, for older people); leave "
        "it out for no limit.",
    )
    age_any_roles: tuple[str, ...] = setting(
        (),
        "Values of the mapped role column (any case) shown whatever the person's "
        "age: the age rules hide only the person's other records of this service "
        '(police: ["Child present", "Victim"], so a child\'s presence or '
        "victimisation shows at any age and their own offending only inside the "
        "range). Needs columns.role.",
    )
    beyond_limit: BeyondLimit = setting(
        "count",
        "What a full-view role is told of this source's incidents beyond "
        'detail_limit: count ("and 4 earlier incidents") or yes_no ("Earlier '
        'incidents: yes"), as the data-sharing agreement allows.',
    )
    current_values: tuple[str, ...] = setting(
        ("open", "current", "active"),
        "Values of the mapped status column meaning the involvement is current.",
    )
    lawful_basis: str = setting("", "Lawful basis text shown on the data page.")
    detail_limit: int = setting(
        1,
        "Most of this source's involvements whose detail a full-view role may open "
        "(newest first), as the source's data-sharing agreement says (police often "
        "3); 0: never any detail, only that it is involved and whom to contact.",
    )
    stale_max_days: int = setting(
        28,
        "Days a failing source is still served from its last good snapshot (shown "
        "stale, since when); after that its records are dropped and the service "
        "shows as not available until a good extract arrives. 0: never serve a "
        "snapshot.",
    )
    min_row_share: float = setting(
        0.5,
        "A load keeping fewer usable rows than this share of the source's last good "
        "load (0.5: half) is refused as a failed load: the last good snapshot is "
        "served, marked stale with the reason. An extract with no usable rows is "
        "always refused. 0 turns the share check off (set it for one build to "
        "accept a source that really shrank).",
    )
    unrestricted_values: tuple[str, ...] = setting(
        ("n", "no", "false", "0", "none", "not restricted"),
        "Values of the mapped restricted column meaning NOT restricted (any case; "
        "blank too). Any other value restricts the person everywhere (protected "
        "address, adoption, staff relative, high-profile), so an unknown code "
        "withholds rather than discloses.",
    )
    ssd_flavour: str = setting(
        "",
        "ssd/ssd_csv: whose published SSD script built the tables: systemc, eclipse "
        "or mosaic; empty: detected from the columns (mosaic) and values "
        "(eclipse), else systemc.",
    )
    ssd_tables: Mapping[str, str] = field(
        default_factory=FrozenDict,
        metadata={
            "doc": "ssd/ssd_csv: table of SSD table name (ssd_person, ssd_address "
            "…) to where this council's build keeps it: a table or view name "
            "(schema.name allowed) or one read-only SELECT/WITH query (ssd), or a "
            "CSV file name in the folder (ssd_csv)."
        },
    )
    ssd_staff_contacts: str = setting(
        "",
        "ssd/ssd_csv: CSV of professionals' contact details (columns staff_id and "
        "any of name, job_title, team, email, phone) joined to ssd_professionals "
        "by staff id; the SSD itself holds no email or phone.",
    )
    ssd_lead_roles: tuple[str, ...] = setting(
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
    ssd_manager_roles: tuple[str, ...] = setting(
        ("TM", "ATM", "SM", "PM", "manager", "supervisor", "head of", "team leader"),
        "ssd/ssd_csv: involvement roles that are never the lead (a team manager "
        "beside the allocated worker), matched like ssd_lead_roles.",
    )
    ssd_address_types: tuple[str, ...] = setting(
        ("home", "main", "primary", "permanent", "residential", "current", "hom"),
        "ssd/ssd_csv: addr_address_type values (any case) of a person's home, in "
        "order of preference; among addresses open on the extract date these come "
        "first, then other types, newest first.",
    )
    columns: Mapping[str, str] = field(
        default_factory=FrozenDict,
        metadata={
            "doc": "Table mapping standard fields to this extract's column names "
            "(record_id, first_name, last_name or full_name, dob, nhs_number, …, "
            "town)."
        },
    )
    address_parts: tuple[str, ...] = setting(
        (),
        "Columns joined in order (with commas, blanks skipped) into the one-line "
        'address, for an extract that splits it (e.g. ["Line 1", "Line 2", '
        '"Town"]); instead of columns.address.',
    )
    identifiers: Mapping[str, str] = field(
        default_factory=FrozenDict,
        metadata={
            "doc": "Table: identifier kind to column, any number (e.g. email = "
            '"Email", phone = "Mobile", ni = "NINO", pnc = "PNC_ID", '
            'housing_ref = "TenancyRef"). Compared exactly within a kind, each '
            "normalised by kind (email lower case; phone digits, +44 as 0; others "
            "letters and digits upper case); email and phone count as evidence but "
            "never vouch for a pair alone (a household may share them)."
        },
    )
    dob_year_only: bool = setting(
        False,
        "The extract knows only the year of birth (a bare year such as 1984 is "
        "accepted in the dob column): dates are compared by year alone.",
    )

    @property
    def coverage_start(self) -> date | None:
        """The first day the extract covers (the former name of coverage_from)."""
        return self.coverage_from


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
    if src.age_any_roles and "role" not in src.columns:
        problems.append(Problem(
            f"{where}.age_any_roles",
            "needs columns.role: map the column giving each person's role (victim, "
            "suspect, child present …)",
        ))  # fmt: skip
    if src.beyond_limit not in get_args(BeyondLimit):
        problems.append(Problem(
            f"{where}.beyond_limit", f"must be one of {get_args(BeyondLimit)}"
        ))  # fmt: skip
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
