"""Children's social care from Standard Safeguarding Dataset (SSD) tables.

A folder of CSV exports of the SSD tables is joined person -> current address
-> family -> involvements -> professionals: one record per person and
involvement, and one for a person with no involvement. The SSD layout is known,
so no column mapping is needed. ``ssd_person.csv`` is required; a missing
address, family, involvements or professionals table is reported as a warning
and its fields are left empty. ``prof_professional_email`` and
``prof_professional_phone`` are read when a council adds them to the table.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError
from sources.fields import date_value
from sources.readers import RawExtract, file_date, missing_file, where
from sources.readers.csv_file import decode, read_text

#: Table -> (file, columns the join needs).
TABLES = {
    "person": ("ssd_person.csv", ("pers_person_id", "pers_forename", "pers_surname")),
    "address": (
        "ssd_address.csv",
        ("addr_person_id", "addr_address_json", "addr_address_postcode",
         "addr_address_start_date", "addr_address_end_date"),
    ),
    "family": ("ssd_family.csv", ("fami_family_id", "fami_person_id")),
    "involvements": (
        "ssd_involvements.csv",
        ("invo_involvements_id", "invo_person_id", "invo_professional_id",
         "invo_involvement_start_date", "invo_involvement_end_date"),
    ),
    "professionals": (
        "ssd_professionals.csv",
        ("prof_professional_id", "prof_professional_name"),
    ),
}  # fmt: skip
_ADDRESS_KEYS = ("FLAT", "BUILDING", "HOUSE", "STREET", "TOWN")


def _tables(folder: Path, src: SourceConfig):
    """Every table present, plus all problems (errors) and warnings found."""
    tables: dict[str, pl.DataFrame] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for key, (name, needed) in TABLES.items():
        path = folder / name
        if not path.is_file():
            problem = missing_file(src, path)
            (errors if key == "person" else warnings).append(problem)
            continue
        try:
            frame = read_text(decode(path.read_bytes(), src, path), src, path)
        except SourceError as exc:
            errors.extend(exc.problems)
            continue
        absent = [c for c in needed if c not in frame.columns]
        errors += [
            Problem(
                f"{where(src, path)}, column {c}",
                "SSD column not found; "
                "export the table with its standard SSD column names",
            )
            for c in absent
        ]
        tables[key] = frame
    return tables, errors, warnings


def _current_addresses(address: pl.DataFrame, fmt: str, as_of: date) -> pl.DataFrame:
    start = date_value(pl.col("addr_address_start_date"), pl.String, fmt)
    end = date_value(pl.col("addr_address_end_date"), pl.String, fmt)
    json = pl.col("addr_address_json")
    parts = {
        k: json.str.json_path_match(f"$.{k}").str.strip_chars() for k in _ADDRESS_KEYS
    }
    street = pl.concat_str(
        [parts["HOUSE"], parts["STREET"]], separator=" ", ignore_nulls=True
    )
    line = pl.concat_str(
        [
            parts["FLAT"],
            parts["BUILDING"],
            pl.when(street != "").then(street),
            parts["TOWN"],
        ],
        separator=", ",
        ignore_nulls=True,
    )
    current = address.with_columns(start=start, end=end).filter(
        pl.col("end").is_null() | (pl.col("end") > pl.lit(as_of))
    )
    current = current.sort(
        "start", descending=True, nulls_last=True, maintain_order=True
    )
    return (
        current.group_by("addr_person_id", maintain_order=True)
        .first()
        .select(
            pers_person_id="addr_person_id",
            address=pl.when(line != "").then(line),
            postcode="addr_address_postcode",
        )
    )


def _person(person: pl.DataFrame) -> pl.DataFrame:
    def col(*names: str) -> pl.Expr:
        present = [pl.col(n) for n in names if n in person.columns]
        return pl.coalesce(present) if present else pl.lit(None, pl.String)

    return person.with_row_index("__row", offset=1).select(
        "__row",
        "pers_person_id",
        first_name="pers_forename",
        last_name="pers_surname",
        dob=col("pers_dob"),
        sex=col("pers_sex", "pers_gender"),
        nhs_number=col("pers_common_child_id", "pers_single_unique_id"),
        upn=col("pers_upn"),
    )


def _involvements(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    invo = tables["involvements"]
    team = (
        "invo_professional_team" if "invo_professional_team" in invo.columns else None
    )
    invo = invo.select(
        pers_person_id="invo_person_id",
        invo_id="invo_involvements_id",
        prof_id="invo_professional_id",
        involvement_start="invo_involvement_start_date",
        involvement_end="invo_involvement_end_date",
        lead_team=pl.col(team) if team else pl.lit(None, pl.String),
    )
    if "professionals" not in tables:
        return invo
    prof = tables["professionals"]
    optional = {
        "lead_role": "prof_professional_job_title",
        "lead_email": "prof_professional_email",
        "lead_phone": "prof_professional_phone",
    }
    prof = prof.select(
        prof_id="prof_professional_id",
        lead_name="prof_professional_name",
        **{
            k: pl.col(v) if v in prof.columns else pl.lit(None, pl.String)
            for k, v in optional.items()
        },
    ).unique("prof_id", keep="first", maintain_order=True)
    return invo.join(prof, on="prof_id", how="left", maintain_order="left")


def _join(
    tables: dict[str, pl.DataFrame], src: SourceConfig, as_of: date
) -> pl.DataFrame:
    records = _person(tables["person"])
    if "address" in tables:
        current = _current_addresses(tables["address"], src.date_format, as_of)
        records = records.join(
            current, on="pers_person_id", how="left", maintain_order="left"
        )
    if "family" in tables:
        family = tables["family"].sort("fami_family_id", maintain_order=True)
        family = family.group_by("fami_person_id", maintain_order=True).first()
        family = family.select(
            pers_person_id="fami_person_id", family_ref="fami_family_id"
        )
        records = records.join(
            family, on="pers_person_id", how="left", maintain_order="left"
        )
    if "involvements" in tables:
        invo = _involvements(tables)
        records = records.join(
            invo, on="pers_person_id", how="left", maintain_order="left"
        )
    invo_id = (
        pl.col("invo_id") if "invo_id" in records.columns else pl.lit(None, pl.String)
    )
    record_id = (
        pl.when(invo_id.is_not_null())
        .then(pl.col("pers_person_id") + "/" + invo_id)
        .otherwise(pl.col("pers_person_id"))
    )
    return records.with_columns(record_id=record_id, case_number="pers_person_id").drop(
        "pers_person_id", "invo_id", "prof_id", strict=False
    )


def read(folder: Path, src: SourceConfig, as_of: date | None = None) -> RawExtract:
    """Read and join the SSD tables in ``folder``."""
    if not folder.is_dir():
        raise SourceError(
            f"Source '{src.name}' is missing", [missing_file(src, folder)]
        )
    tables, errors, warnings = _tables(folder, src)
    if errors:
        raise SourceError(
            f"Source '{src.name}' has {len(errors)} problem(s)", errors + warnings
        )
    person_file = folder / TABLES["person"][0]
    modified = file_date(person_file)
    records = _join(tables, src, as_of or modified)
    rows = records["__row"]
    records = records.drop("__row")
    columns = {c: c for c in records.columns}
    return RawExtract(
        records, columns, modified, rows, TABLES["person"][0], tuple(warnings)
    )
