"""Join Standard Safeguarding Dataset (SSD) tables into one record per person and
involvement, whatever the tables were read from (CSV files or a database).

person -> current address -> family -> identifiers -> involvements (with their
professional) and episodes (early help, child in need, child protection, looked
after): one record per person and involvement or episode, and one for a person
with none. Every input frame holds text columns (dates as text in the source's
``date_format``), so a folder of CSVs and a SQL Server warehouse join alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import polars as pl

from core.config import SourceConfig
from core.errors import Problem
from sources.fields import date_value

#: Table -> columns the join needs; ``person`` is required, the rest optional.
TABLES: dict[str, tuple[str, ...]] = {
    "ssd_person": ("pers_person_id", "pers_forename", "pers_surname"),
    "ssd_address": (
        "addr_person_id", "addr_address_json", "addr_address_postcode",
        "addr_address_start_date", "addr_address_end_date",
    ),
    "ssd_family": ("fami_family_id", "fami_person_id"),
    "ssd_involvements": (
        "invo_involvements_id", "invo_person_id", "invo_professional_id",
        "invo_involvement_start_date", "invo_involvement_end_date",
    ),
    "ssd_professionals": ("prof_professional_id", "prof_professional_name"),
}  # fmt: skip
#: Optional tables read when present: linked identifiers and episode tables.
LINKED = "ssd_linked_identifiers"
#: Episode table -> (id, person, start, end columns, detail shown, id prefix).
EPISODES: dict[str, tuple[str, str, str, tuple[str, ...], str, str]] = {
    "ssd_early_help_episodes": (
        "earl_episode_id", "earl_person_id", "earl_episode_start_date",
        ("earl_episode_end_date",), "Early help episode", "EH",
    ),
    "ssd_cin_episodes": (
        "cine_referral_id", "cine_person_id", "cine_referral_date",
        ("cine_close_date",), "Child in need episode", "CIN",
    ),
    "ssd_cp_plans": (
        "cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date",
        ("cppl_cp_plan_end_date",), "Child protection plan", "CP",
    ),
    "ssd_cla_episodes": (
        "clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date",
        ("clae_cla_episode_ceased", "clae_cla_episode_ceased_date"),
        "Looked after episode", "CLA",
    ),
}  # fmt: skip
OPTIONAL_TABLES = (LINKED, *EPISODES)
_ADDRESS_KEYS = ("FLAT", "BUILDING", "HOUSE", "STREET", "TOWN")
_NONE = pl.lit(None, pl.String)


def column_problems(
    tables: Mapping[str, pl.DataFrame], where: Callable[[str], str]
) -> list[Problem]:
    """Every column the join needs that a present table lacks."""
    needed = dict(TABLES) | {
        LINKED: ("link_person_id", "link_identifier_type", "link_identifier_value")
    }
    needed |= {t: spec[:3] for t, spec in EPISODES.items()}
    return [
        Problem(
            f"{where(name)}, column {c}",
            "SSD column not found; export the table with its standard SSD column names",
        )
        for name, frame in tables.items()
        for c in needed.get(name, ())
        if c not in frame.columns
    ]


def as_text(frame: pl.DataFrame, date_format: str) -> pl.DataFrame:
    """Typed database columns as text: dates in ``date_format``, the rest as is."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            exprs.append(col.dt.strftime(date_format).alias(name))
        elif dtype.is_float():
            whole = col.cast(pl.Int64, strict=False)
            out = pl.when(col == whole).then(whole.cast(pl.String))
            exprs.append(out.otherwise(col.cast(pl.String)).alias(name))
        elif dtype != pl.String:
            exprs.append(col.cast(pl.String).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _opt(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else _NONE


def _address_parts(address: pl.DataFrame) -> pl.DataFrame:
    """``address`` with a ``__<KEY>`` column per part of addr_address_json.

    One JSON parse per value; if any value is not valid JSON, each part is
    looked up separately instead, so a malformed value only loses its own parts.
    """
    json = pl.col("addr_address_json")
    shape = pl.Struct({k: pl.String for k in _ADDRESS_KEYS})
    try:
        decoded = address.select(json.str.json_decode(shape).alias("__json"))
        parts = {f"__{k}": decoded["__json"].struct.field(k) for k in _ADDRESS_KEYS}
        return address.with_columns(**parts)
    except pl.exceptions.PolarsError:
        return address.with_columns(
            **{f"__{k}": json.str.json_path_match(f"$.{k}") for k in _ADDRESS_KEYS}
        )


def _current_addresses(address: pl.DataFrame, fmt: str, as_of: date) -> pl.DataFrame:
    start = date_value(pl.col("addr_address_start_date"), pl.String, fmt)
    end = date_value(pl.col("addr_address_end_date"), pl.String, fmt)
    address = _address_parts(address)
    parts = {k: pl.col(f"__{k}").str.strip_chars() for k in _ADDRESS_KEYS}
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
        return pl.coalesce(present) if present else _NONE

    return person.with_row_index("__row", offset=1).select(
        pl.col("__row").cast(pl.Int64),
        "pers_person_id",
        first_name="pers_forename",
        last_name="pers_surname",
        dob=col("pers_dob"),
        sex=col("pers_sex", "pers_gender"),
        nhs_number=col("pers_common_child_id", "pers_single_unique_id"),
        upn=col("pers_upn"),
    )


def _linked_ids(linked: pl.DataFrame) -> pl.DataFrame:
    """Per person, the first NHS number and UPN in ssd_linked_identifiers."""
    kind = pl.col("link_identifier_type").str.to_lowercase()
    value = pl.col("link_identifier_value")
    current = kind.str.contains("former").not_()
    return linked.group_by("link_person_id", maintain_order=True).agg(
        link_nhs=value.filter(kind.str.contains("nhs") & current).first(),
        link_upn=value.filter(
            (kind.str.contains("unique pupil") | (kind == "upn")) & current
        ).first(),
    )


def _involvements(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    invo = tables["ssd_involvements"]
    invo = invo.select(
        pers_person_id="invo_person_id",
        invo_id="invo_involvements_id",
        prof_id="invo_professional_id",
        involvement_start="invo_involvement_start_date",
        involvement_end="invo_involvement_end_date",
        lead_team=_opt(invo, "invo_professional_team"),
        detail=_NONE,
    )
    if "ssd_professionals" not in tables:
        return invo
    prof = tables["ssd_professionals"]
    optional = {
        "lead_role": "prof_professional_job_title",
        "lead_email": "prof_professional_email",
        "lead_phone": "prof_professional_phone",
    }
    prof = prof.select(
        prof_id="prof_professional_id",
        lead_name="prof_professional_name",
        **{k: _opt(prof, v) for k, v in optional.items()},
    ).unique("prof_id", keep="first", maintain_order=True)
    return invo.join(prof, on="prof_id", how="left", maintain_order="left")


def _episodes(tables: Mapping[str, pl.DataFrame]) -> list[pl.DataFrame]:
    """Each present episode table as involvement rows with a plain detail."""
    out = []
    for name, (eid, pid, start, ends, detail, prefix) in EPISODES.items():
        if name not in tables:
            continue
        frame = tables[name]
        end = pl.coalesce([_opt(frame, e) for e in ends])
        out.append(
            frame.select(
                pers_person_id=pid,
                invo_id=pl.lit(f"{prefix}:") + pl.col(eid),
                involvement_start=start,
                involvement_end=end,
                detail=pl.lit(detail),
            )
        )
    return out


def _attach(records: pl.DataFrame, tables, src: SourceConfig, as_of: date):
    """Person rows with their current address, family and identifiers."""
    if "ssd_address" in tables:
        current = _current_addresses(tables["ssd_address"], src.date_format, as_of)
        records = records.join(
            current, on="pers_person_id", how="left", maintain_order="left"
        )
    if "ssd_family" in tables:
        family = tables["ssd_family"].sort("fami_family_id", maintain_order=True)
        family = family.group_by("fami_person_id", maintain_order=True).first()
        family = family.select(
            pers_person_id="fami_person_id", family_ref="fami_family_id"
        )
        records = records.join(
            family, on="pers_person_id", how="left", maintain_order="left"
        )
    if LINKED in tables:
        ids = _linked_ids(tables[LINKED]).rename({"link_person_id": "pers_person_id"})
        records = records.join(ids, on="pers_person_id", how="left").with_columns(
            nhs_number=pl.coalesce("nhs_number", "link_nhs"),
            upn=pl.coalesce("upn", "link_upn"),
        )
        records = records.drop("link_nhs", "link_upn")
    return records


def join_tables(
    tables: Mapping[str, pl.DataFrame], src: SourceConfig, as_of: date
) -> pl.DataFrame:
    """One row per person and involvement (or person alone), with ``__row``: the
    person's row in ssd_person, and ``record_id`` "<person>/<involvement>"."""
    records = _attach(_person(tables["ssd_person"]), tables, src, as_of)
    parts = [_involvements(tables)] if "ssd_involvements" in tables else []
    parts += _episodes(tables)
    if parts:
        invo = pl.concat(parts, how="diagonal_relaxed")
        records = records.join(
            invo, on="pers_person_id", how="left", maintain_order="left"
        )
    invo_id = _opt(records, "invo_id")
    record_id = (
        pl.when(invo_id.is_not_null())
        .then(pl.col("pers_person_id") + "/" + invo_id)
        .otherwise(pl.col("pers_person_id"))
    )
    return records.with_columns(record_id=record_id, case_number="pers_person_id").drop(
        "pers_person_id", "invo_id", "prof_id", strict=False
    )
