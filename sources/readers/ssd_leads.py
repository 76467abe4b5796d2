"""The lead professional of each episode: whom a front-door worker calls.

An episode's own worker column names its lead when it names someone (the
child in need episode's worker, the section 47's completing worker, the
conference's organiser). Otherwise the lead is the allocated worker: the
``ssd_involvements`` row of a lead role (``ssd_lead_roles``) whose dates cover
the episode, the one in post on the episode's last day (or today, while it is
open), so a plan that started after the worker was allocated still has its
lead. A manager role (``ssd_manager_roles``) is never the lead, and a team
manager involved beside the worker never becomes a record of its own. A
lead-role involvement (or one with no role recorded) that no episode covers is an
involvement of its own
("Allocated worker").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from core.config import SourceConfig
from sources import fields
from sources.readers.ssd_staff import WORKER_FIELDS, resolve_workers, with_team

_NONE = pl.lit(None, pl.String)


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else _NONE


def role_matches(role: pl.Expr, entries: tuple[str, ...]) -> pl.Expr:
    """Whether a role code or text is one of ``entries``: equal (any case), or
    containing an entry that has a space or 7+ characters."""
    low = role.str.to_lowercase().str.strip_chars()
    exact = low.is_in([e.lower() for e in entries])
    long = [e.lower() for e in entries if " " in e or len(e) >= 7]
    inside = [low.str.contains(e, literal=True) for e in long]
    return (exact | pl.any_horizontal(inside) if inside else exact).fill_null(False)


def involvements(tables: Mapping[str, pl.DataFrame], src: SourceConfig) -> pl.DataFrame:
    """Lead-role involvements: person, id, professional, team and dates.

    Mosaic's ``ssd_involvements`` has no ``invo_person_id``; its rows reach the
    person through ``invo_referral_id`` and the referral's ``cine_person_id``.
    """
    invo = tables["ssd_involvements"]
    fmt = src.date_format
    if "invo_person_id" in invo.columns:
        person = pl.col("invo_person_id").str.strip_chars()
    else:
        refs = (
            tables["ssd_cin_episodes"]
            .select(
                __ref=pl.col("cine_referral_id").str.strip_chars(),
                __person=pl.col("cine_person_id").str.strip_chars(),
            )
            .unique("__ref", keep="first")
        )
        invo = invo.with_columns(__ref=pl.col("invo_referral_id").str.strip_chars())
        invo = invo.join(refs, on="__ref", how="left", maintain_order="left")
        person = pl.col("__person")
    role = _col(invo, "invo_professional_role_id")
    # a build without role codes has only its workers to go on
    unknown = role.is_null() | (role.str.strip_chars() == "")
    lead = (unknown | role_matches(role, src.ssd_lead_roles)) & ~role_matches(
        role, src.ssd_manager_roles
    )
    ident = pl.coalesce(
        _col(invo, "invo_involvements_id"),
        pl.int_range(1, pl.len() + 1).cast(pl.String),
    )
    rows = invo.select(
        pers_person_id=person,
        inv_id=pl.lit("INV:") + ident.str.strip_chars(),
        prof_ref=pl.col("invo_professional_id"),
        inv_team=_col(invo, "invo_professional_team"),
        inv_start=fields.date_value(
            pl.col("invo_involvement_start_date"), pl.String, fmt
        ),
        inv_end=fields.date_value(
            _col(invo, "invo_involvement_end_date"), pl.String, fmt
        ),
        lead=lead,
    )
    return rows.filter(
        pl.col("lead")
        & pl.col("pers_person_id").is_not_null()
        & pl.col("prof_ref").is_not_null()
    ).drop("lead")


def _covering(episodes: pl.DataFrame, invo: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Per episode (``invo_id``) the lead involvement covering it, if any."""
    today = pl.lit(as_of)
    last_day = pl.min_horizontal(pl.coalesce("end", today), today)
    # an episode still to come (a conference booked) is led by whoever is in
    # post today
    begun = pl.min_horizontal(pl.coalesce("start", today), today)
    pairs = episodes.select("pers_person_id", "invo_id", "end", start=begun).join(
        invo, on="pers_person_id"
    )
    stop = pl.coalesce("inv_end", today)
    pairs = pairs.filter(
        (pl.col("inv_start") <= pl.coalesce("end", today)) & (stop >= pl.col("start"))
    )
    ref = last_day
    pairs = pairs.with_columns(
        __covers=(pl.col("inv_start") <= ref) & (stop >= ref),
        __overlap=(
            pl.min_horizontal(stop, pl.coalesce("end", today))
            - pl.max_horizontal("inv_start", "start")
        ).dt.total_days(),
    )
    pairs = pairs.sort(
        ["invo_id", "pers_person_id", "__covers", "__overlap", "inv_start"],
        descending=[False, False, True, True, True],
        maintain_order=True,
    )
    return pairs.group_by("pers_person_id", "invo_id", maintain_order=True).first()


def with_leads(
    episodes: pl.DataFrame,
    invo: pl.DataFrame | None,
    people: pl.DataFrame,
    teams: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """``episodes`` with the lead's ``WORKER_FIELDS`` and ``lead_team``, plus a
    row per lead involvement no episode covers."""
    rows = resolve_workers(episodes, "worker_ref", people)
    rows = with_team(rows, "team_ref", teams, out="own_team")
    if invo is None or invo.is_empty():
        return rows.with_columns(lead_team=pl.coalesce("own_team", "lead_dept")).drop(
            "own_team"
        )
    need = rows.filter(pl.col("lead_name").is_null())
    chosen = _covering(need, invo, as_of).select(
        "pers_person_id", "invo_id", "prof_ref", "inv_team"
    )
    rows = rows.join(
        chosen, on=["pers_person_id", "invo_id"], how="left", maintain_order="left"
    )
    by_invo = resolve_workers(
        rows.select("prof_ref").unique().drop_nulls(), "prof_ref", people
    )
    by_invo = by_invo.rename({f: f"i_{f}" for f in WORKER_FIELDS})
    rows = rows.join(by_invo, on="prof_ref", how="left", maintain_order="left")
    rows = with_team(rows, "inv_team", teams, out="i_team")
    own = pl.col("lead_name").is_not_null()
    rows = rows.with_columns(
        **{
            f: pl.when(own).then(pl.col(f)).otherwise(pl.col(f"i_{f}"))
            for f in WORKER_FIELDS
        },
        lead_team=pl.when(own)
        .then(pl.coalesce("own_team", "lead_dept"))
        .otherwise(pl.coalesce("i_team", "own_team", "i_lead_dept")),
    )
    rows = rows.drop(
        "prof_ref", "inv_team", "own_team", "i_team", *(f"i_{f}" for f in WORKER_FIELDS)
    )
    return pl.concat(
        [rows, _uncovered(episodes, invo, people, teams, as_of)], how="diagonal_relaxed"
    )


def _uncovered(
    episodes: pl.DataFrame,
    invo: pl.DataFrame,
    people: pl.DataFrame,
    teams: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """Lead involvements overlapping none of their person's episodes, as rows."""
    today = pl.lit(as_of)
    pairs = invo.join(
        episodes.select("pers_person_id", "start", "end"), on="pers_person_id"
    ).filter(
        (pl.col("inv_start") <= pl.coalesce("end", today))
        & (pl.coalesce("inv_end", today) >= pl.coalesce("start", pl.col("inv_start")))
    )
    alone = invo.join(pairs.select("inv_id").unique(), on="inv_id", how="anti")
    alone = alone.select(
        "pers_person_id",
        invo_id="inv_id",
        start="inv_start",
        end="inv_end",
        detail=pl.lit("Allocated worker"),
        worker_ref="prof_ref",
        team_ref="inv_team",
    )
    alone = resolve_workers(alone, "worker_ref", people)
    alone = with_team(alone, "team_ref", teams)
    return alone.with_columns(lead_team=pl.coalesce("lead_team", "lead_dept"))
