"""Join Standard Safeguarding Dataset (SSD) tables into one record per person
and involvement, whatever the tables were read from (CSV files or a database).

person (names, dates of birth, NHS numbers and UPNs from every place the SSD
holds them) -> current address -> family and mother links -> last contact ->
episodes (early help, child in need, plans, section 47 enquiries, conferences,
child protection, periods of care, legal status, missing), each with its lead
professional and team -> one record per person and episode, and one for a
person with none. Input frames hold text (dates in the source's
``date_format``), so a folder of CSVs and a SQL Server warehouse join alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from core.config import SourceConfig
from sources.readers.ssd_address import current_addresses
from sources.readers.ssd_episodes import episodes, last_contacts
from sources.readers.ssd_family import with_family
from sources.readers.ssd_leads import involvements, with_leads
from sources.readers.ssd_person import people, with_identifiers
from sources.readers.ssd_spec import FLAVOURS, PERSON, Flavour, detect
from sources.readers.ssd_staff import directory, read_contacts, team_names

#: Standard fields the join produces (each a column of its frame).
FIELDS = (
    "record_id", "case_number", "first_name", "last_name", "dob", "sex",
    "nhs_number", "upn", "address", "postcode", "family_ref", "relationship",
    "related", "last_contact", "involvement_start", "involvement_end", "detail",
    "lead_name", "lead_role", "lead_team", "lead_phone", "lead_email",
)  # fmt: skip

#: The SSD column(s) each field comes from: what messages about a value name.
SOURCE_COLUMNS = {
    "record_id": "pers_person_id + episode id",
    "case_number": "pers_person_id",
    "first_name": "pers_forename",
    "last_name": "pers_surname",
    "dob": "pers_dob (pers_expected_dob when empty)",
    "sex": "pers_sex, pers_gender",
    "nhs_number": "pers_single_unique_id, ssd_linked_identifiers",
    "upn": "pers_upn, ssd_linked_identifiers",
    "address": "addr_address_json",
    "postcode": "addr_address_postcode",
    "family_ref": "fami_family_id",
    "relationship": "ssd_family, ssd_mother",
    "related": "moth_person_id, moth_childs_person_id",
    "last_contact": "cont_contact_date",
    "involvement_start": "episode start date",
    "involvement_end": "episode end date",
    "detail": "episode kind",
    "lead_name": "prof_professional_name",
    "lead_role": "prof_professional_job_title",
    "lead_team": "prof_professional_department, dept_team_name",
    "lead_phone": "contacts file phone",
    "lead_email": "contacts file email",
}


def flavour_of(tables: Mapping[str, pl.DataFrame], src: SourceConfig) -> Flavour:
    """The configured flavour, else the one the tables look like."""
    return FLAVOURS[src.ssd_flavour or detect(tables)]


def _persons(
    tables: Mapping[str, pl.DataFrame], src: SourceConfig, as_of: date
) -> pl.DataFrame:
    fmt = src.date_format
    persons = people(tables[PERSON], fmt).with_columns(
        pl.col("pers_person_id").str.strip_chars()
    )
    persons = with_identifiers(
        persons, tables.get("ssd_linked_identifiers"), fmt, as_of
    )
    if "ssd_address" in tables:
        current = current_addresses(
            tables["ssd_address"], fmt, as_of, src.ssd_address_types
        )
        persons = persons.join(
            current, on="pers_person_id", how="left", maintain_order="left"
        )
    persons = with_family(
        persons,
        tables.get("ssd_family"),
        tables.get("ssd_mother"),
        every_group=flavour_of(tables, src).family_groups,
    )
    if "ssd_contacts" in tables:
        last = last_contacts(tables["ssd_contacts"], fmt, as_of)
        persons = persons.join(
            last, on="pers_person_id", how="left", maintain_order="left"
        )
    return persons


def _involvement_rows(
    tables: Mapping[str, pl.DataFrame], src: SourceConfig, as_of: date
) -> pl.DataFrame:
    staff = directory(tables.get("ssd_professionals"), read_contacts(src))
    teams = team_names(tables.get("ssd_department"))
    eps = episodes(tables, src.date_format, flavour_of(tables, src))
    invo = involvements(tables, src) if "ssd_involvements" in tables else None
    return with_leads(eps, invo, staff, teams, as_of)


def _after_death(records: pl.DataFrame) -> pl.DataFrame:
    """A person's involvements end by their death, which the detail says."""
    died = pl.col("died")
    said = pl.lit("died ") + died.dt.strftime("%d/%m/%Y")
    detail = pl.when(died.is_null()).then(pl.col("detail"))
    detail = detail.when(pl.col("detail").is_null()).then(
        pl.lit("Died ") + died.dt.strftime("%d/%m/%Y")
    )
    detail = detail.otherwise(pl.col("detail") + pl.lit(" (") + said + pl.lit(")"))
    end = pl.when(died.is_not_null() & pl.col("start").is_not_null()).then(
        pl.min_horizontal(pl.coalesce("end", died), died)
    )
    return records.with_columns(detail=detail, end=end.otherwise(pl.col("end")))


def join_tables(
    tables: Mapping[str, pl.DataFrame], src: SourceConfig, as_of: date
) -> pl.DataFrame:
    """One row per person and involvement (or person alone), with ``__row``: the
    person's row in ssd_person, and ``record_id`` "<person>/<involvement>"."""
    persons = _persons(tables, src, as_of)
    rows = _involvement_rows(tables, src, as_of).drop("worker_ref", "team_ref")
    records = persons.join(rows, on="pers_person_id", how="left", maintain_order="left")
    records = _after_death(records)
    record_id = (
        pl.when(pl.col("invo_id").is_not_null())
        .then(pl.col("pers_person_id") + "/" + pl.col("invo_id"))
        .otherwise(pl.col("pers_person_id"))
    )
    records = records.with_columns(
        record_id=record_id,
        case_number="pers_person_id",
        involvement_start="start",
        involvement_end="end",
    )
    for name in FIELDS:
        if name not in records.columns:
            records = records.with_columns(pl.lit(None, pl.String).alias(name))
    return records.select("__row", *FIELDS)
