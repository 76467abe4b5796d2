"""The SSD's episode tables as involvement rows with dates, and the last
contact from ``ssd_contacts``.

Each row of an episode table is one involvement, except looked-after episodes:
an episode that ceased with reason X1 ("episode ceases and new episode begins
on same day") continues the same period of care, as does one with the same
``clae_cla_id`` (the period's id in all three scripts), so a period of care is
one "Looked after" involvement from its first start to its last end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from sources import fields
from sources.readers.ssd_spec import Flavour

_NONE = pl.lit(None, pl.String)


@dataclass(frozen=True)
class Episodes:
    """How one episode table becomes involvement rows."""

    prefix: str  # record id part: "<person>/<prefix>:<id>"
    id: str
    person: str
    start: tuple[str, ...]  # first non-null is the start
    end: tuple[str, ...]
    detail: str
    worker: str = ""  # the episode's own worker column, if any
    team: str = ""
    kind: str = ""  # a column whose value is added to the detail


EPISODES: dict[str, Episodes] = {
    "ssd_early_help_episodes": Episodes(
        "EH", "earl_episode_id", "earl_person_id", ("earl_episode_start_date",),
        ("earl_episode_end_date",), "Early help episode", "earl_episode_worker_id",
        "earl_episode_organisation",
    ),
    "ssd_cin_episodes": Episodes(
        "CIN", "cine_referral_id", "cine_person_id", ("cine_referral_date",),
        ("cine_close_date",), "Child in need episode", "cine_referral_worker_id",
        "cine_referral_team",
    ),
    "ssd_cin_plans": Episodes(
        "CINP", "cinp_cin_plan_id", "cinp_person_id", ("cinp_cin_plan_start_date",),
        ("cinp_cin_plan_end_date",), "Child in need plan", "cinp_cin_plan_worker_id",
        "cinp_cin_plan_team",
    ),
    "ssd_s47_enquiry": Episodes(
        "S47", "s47e_s47_enquiry_id", "s47e_person_id", ("s47e_s47_start_date",),
        ("s47e_s47_end_date",), "Section 47 enquiry",
        "s47e_s47_completed_by_worker_id", "s47e_s47_completed_by_team",
    ),
    "ssd_initial_cp_conference": Episodes(
        "ICPC", "icpc_icpc_id", "icpc_person_id",
        ("icpc_icpc_date", "icpc_icpc_target_date"), ("icpc_icpc_date",),
        "Initial child protection conference", "icpc_icpc_worker_id",
        "icpc_icpc_team",
    ),
    "ssd_cp_plans": Episodes(
        "CP", "cppl_cp_plan_id", "cppl_person_id", ("cppl_cp_plan_start_date",),
        ("cppl_cp_plan_end_date",), "Child protection plan",
    ),
    "ssd_legal_status": Episodes(
        "LEGAL", "lega_legal_status_id", "lega_person_id",
        ("lega_legal_status_start_date",), ("lega_legal_status_end_date",),
        "Legal status", kind="lega_legal_status",
    ),
    "ssd_missing": Episodes(
        "MISS", "miss_table_id", "miss_person_id",
        ("miss_missing_episode_start_date",), ("miss_missing_episode_end_date",),
        "Missing episode", kind="miss_missing_episode_type",
    ),
}  # fmt: skip
CLA = "ssd_cla_episodes"
#: Columns every episode frame has.
COLUMNS = (
    "pers_person_id",
    "invo_id",
    "start",
    "end",
    "detail",
    "worker_ref",
    "team_ref",
)


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name and name in frame.columns else _NONE


def _date(frame: pl.DataFrame, names: tuple[str, ...], fmt: str) -> pl.Expr:
    return pl.coalesce(
        [fields.date_value(_col(frame, n), pl.String, fmt) for n in names]
    )


def _rows(name: str, frame: pl.DataFrame, fmt: str, flavour: Flavour) -> pl.DataFrame:
    spec = EPISODES[name]
    detail = pl.lit(spec.detail)
    if spec.kind in frame.columns:
        kind = pl.col(spec.kind).str.strip_chars()
        detail = pl.when(kind.is_not_null()).then(detail + pl.lit(": ") + kind)
        detail = detail.otherwise(pl.lit(spec.detail))
    team = spec.team
    if name == "ssd_early_help_episodes" and not flavour.eh_organisation_is_team:
        team = ""
    return frame.select(
        pers_person_id=pl.col(spec.person).str.strip_chars(),
        invo_id=pl.lit(f"{spec.prefix}:") + pl.col(spec.id).str.strip_chars(),
        start=_date(frame, spec.start, fmt),
        end=_date(frame, spec.end, fmt),
        detail=detail,
        worker_ref=_col(frame, spec.worker),
        team_ref=_col(frame, team),
    )


#: Lower-cased ceased-reason text meaning the episode continues the period.
_X1 = r"^x1\b|new episode begins|episode ceases,? and new"


def care_periods(cla: pl.DataFrame, fmt: str) -> pl.DataFrame:
    """One row per period of care: first episode's id, first start, last end."""
    start = fields.date_value(pl.col("clae_cla_episode_start_date"), pl.String, fmt)
    end = _date(cla, ("clae_cla_episode_ceased_date",), fmt)
    reason = _col(cla, "clae_cla_episode_ceased_reason").str.to_lowercase()
    rows = cla.select(
        pers_person_id=pl.col("clae_person_id").str.strip_chars(),
        ep_id=pl.col("clae_cla_episode_id").str.strip_chars(),
        period=_col(cla, "clae_cla_id").str.strip_chars(),
        start=start,
        end=end,
        x1=reason.str.contains(_X1).fill_null(False),
    ).filter(pl.col("pers_person_id").is_not_null() & pl.col("start").is_not_null())
    rows = rows.sort("pers_person_id", "start", "ep_id", maintain_order=True)
    prev = {
        c: pl.col(c).shift(1).over("pers_person_id") for c in ("end", "x1", "period")
    }
    adjacent = (pl.col("start") >= prev["end"]) & (
        pl.col("start") <= prev["end"] + pl.duration(days=1)
    )
    same_period = pl.col("period").is_not_null() & (pl.col("period") == prev["period"])
    continues = (prev["x1"].fill_null(False) & adjacent.fill_null(False)) | same_period
    rows = rows.with_columns(
        n=(~continues.fill_null(False)).cast(pl.Int32).cum_sum().over("pers_person_id")
    )
    periods = rows.group_by("pers_person_id", "n", maintain_order=True).agg(
        ep_id=pl.col("ep_id").first(),
        start=pl.col("start").min(),
        end=pl.when(pl.col("end").is_null().any())
        .then(None)
        .otherwise(pl.col("end").max()),
    )
    return periods.select(
        "pers_person_id",
        invo_id=pl.lit("CLA:") + pl.col("ep_id"),
        start="start",
        end=pl.col("end").cast(pl.Date),
        detail=pl.lit("Looked after (period of care)"),
        worker_ref=_NONE,
        team_ref=_NONE,
    )


def missing_with_person(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """``ssd_missing`` with ``miss_person_id``: Mosaic's procedure has none, and
    a missing episode reaches its child through ``miss_cla_episode_id``, the
    care episode open when it began (null: the child was not in care)."""
    miss = tables["ssd_missing"]
    if "miss_person_id" in miss.columns:
        return miss
    if CLA not in tables:  # the care episodes could not be used: no child known
        return miss.with_columns(miss_person_id=_NONE)
    eps = tables[CLA].select(
        __ep=pl.col("clae_cla_episode_id").str.strip_chars(),
        miss_person_id=pl.col("clae_person_id").str.strip_chars(),
    )
    miss = miss.with_columns(__ep=pl.col("miss_cla_episode_id").str.strip_chars())
    eps = eps.filter(pl.col("__ep").is_not_null()).unique("__ep", keep="first")
    return miss.join(eps, on="__ep", how="left", maintain_order="left").drop("__ep")


def episodes(
    tables: Mapping[str, pl.DataFrame], fmt: str, flavour: Flavour
) -> pl.DataFrame:
    """Every episode table present as rows of ``COLUMNS``."""
    if "ssd_missing" in tables:
        tables = {**tables, "ssd_missing": missing_with_person(tables)}
    parts = [_rows(n, tables[n], fmt, flavour) for n in EPISODES if n in tables]
    if CLA in tables:
        parts.append(care_periods(tables[CLA], fmt))
    schema = {c: pl.String for c in COLUMNS} | {"start": pl.Date, "end": pl.Date}
    frame = pl.concat([pl.DataFrame(schema=schema), *parts], how="vertical_relaxed")
    return frame.filter(pl.col("pers_person_id").is_not_null())


def last_contacts(contacts: pl.DataFrame, fmt: str, as_of: date) -> pl.DataFrame:
    """Per person the date of their latest contact up to the extract date."""
    when = fields.date_value(pl.col("cont_contact_date"), pl.String, fmt)
    return (
        contacts.select(
            pers_person_id=pl.col("cont_person_id").str.strip_chars(), day=when
        )
        .filter(pl.col("day") <= pl.lit(as_of))
        .group_by("pers_person_id")
        .agg(last_contact=pl.col("day").max())
    )
