"""Who a worker reference in the SSD is, and what a team reference is called.

The scripts put different things in the worker columns: SystemC's
``invo_professional_id`` and ``cinp_cin_plan_worker_id`` are the worker id
(``prof_professional_id``), its ``s47e_…_worker_id`` and ``icpc_icpc_worker_id``
the staff id (``prof_staff_id``) and its ``cine_referral_worker_id`` the
worker's name; Eclipse and Mosaic use one id for both, and Mosaic's
``ssd_professionals`` has no name at all. A reference is looked up as a worker
id, then a staff id, then a name; a name not in the table is shown as written.

Team columns hold an ``ssd_department.dept_team_id``; its ``dept_team_name``
is shown. An id the department table does not know is not shown (a bare number
means nothing to the person calling), text that reads as a name is.

Email and phone are not in the SSD: ``ssd_staff_contacts`` names a CSV the
council exports from its HR or directory system (``staff_id`` and any of
``name``, ``job_title``, ``team``, ``email``, ``phone``), joined by staff id.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from core.config import SourceConfig
from core.errors import Problem, SourceError

#: Columns of the professionals' contact extract besides staff_id.
CONTACT_COLUMNS = ("name", "job_title", "team", "email", "phone")
#: Fields a resolved worker has.
WORKER_FIELDS = ("lead_name", "lead_role", "lead_dept", "lead_email", "lead_phone")
_NONE = pl.lit(None, pl.String)


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else _NONE


def read_contacts(src: SourceConfig) -> pl.DataFrame | None:
    """The professionals' contact extract, or None when not configured."""
    if not src.ssd_staff_contacts:
        return None
    path = Path(src.ssd_staff_contacts)
    where = f"source '{src.name}', ssd_staff_contacts file {path.name}"
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as exc:
        problem = Problem(
            where,
            f"could not be read ({type(exc).__name__}); put the CSV there or fix "
            f"[[sources]] ssd_staff_contacts for '{src.name}'",
        )
        raise SourceError(
            f"Source '{src.name}' staff contacts unreadable", [problem]
        ) from None
    frame = frame.rename(
        {c: c.strip().lower().replace(" ", "_") for c in frame.columns}
    )
    if "staff_id" not in frame.columns:
        problem = Problem(
            f"{where}, column staff_id",
            "column not found; the contact extract needs a staff_id column and "
            f"any of {', '.join(CONTACT_COLUMNS)}",
        )
        raise SourceError(
            f"Source '{src.name}' staff contacts lack staff_id", [problem]
        )
    text = {c: pl.col(c).str.strip_chars() for c in frame.columns}
    return (
        frame.with_columns(**text)
        .select(
            staff_id="staff_id", **{f"c_{c}": _col(frame, c) for c in CONTACT_COLUMNS}
        )
        .unique("staff_id", keep="first", maintain_order=True)
    )


def directory(prof: pl.DataFrame | None, contacts: pl.DataFrame | None) -> pl.DataFrame:
    """Every known worker: ``key`` ("id:…", "staff:…", "name:…") -> the
    ``WORKER_FIELDS``, one row per key."""
    if prof is None:
        prof = pl.DataFrame(schema={"prof_staff_id": pl.String})
    workers = prof.select(
        pid=_col(prof, "prof_professional_id"),
        sid=pl.coalesce(
            _col(prof, "prof_staff_id"), _col(prof, "prof_professional_id")
        ),
        lead_name=_col(prof, "prof_professional_name"),
        lead_role=_col(prof, "prof_professional_job_title"),
        lead_dept=_col(prof, "prof_professional_department"),
    )
    if contacts is not None:
        known = workers.join(contacts, left_on="sid", right_on="staff_id", how="left")
        only = contacts.join(workers, left_on="staff_id", right_on="sid", how="anti")
        known = pl.concat(
            [
                known,
                only.select(sid="staff_id", **{c: c for c in contacts.columns[1:]}),
            ],
            how="diagonal_relaxed",
        )
        workers = known.select(
            "pid",
            "sid",
            lead_name=pl.coalesce("lead_name", "c_name"),
            lead_role=pl.coalesce("lead_role", "c_job_title"),
            lead_dept=pl.coalesce("lead_dept", "c_team"),
            lead_email="c_email",
            lead_phone="c_phone",
        )
    else:
        workers = workers.with_columns(lead_email=_NONE, lead_phone=_NONE)
    keys = [
        workers.select(*WORKER_FIELDS, key=pl.lit("id:") + pl.col("pid")),
        workers.select(*WORKER_FIELDS, key=pl.lit("staff:") + pl.col("sid")),
        workers.select(*WORKER_FIELDS, key=pl.lit("name:") + _folded("lead_name")),
    ]
    return (
        pl.concat(keys)
        .filter(pl.col("key").is_not_null())
        .unique("key", keep="first", maintain_order=True)
    )


def _folded(name: str) -> pl.Expr:
    return (
        pl.col(name).str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    )


def _looks_like_name(ref: pl.Expr) -> pl.Expr:
    return ref.str.contains(r"\p{L}") & ref.str.contains(r"\S\s+\S")


def resolve_workers(
    frame: pl.DataFrame, ref: str, people: pl.DataFrame
) -> pl.DataFrame:
    """``frame`` with ``WORKER_FIELDS`` for the worker named by column ``ref``
    (null where it names no one)."""
    value = pl.col(ref).str.strip_chars()
    frame = frame.with_columns(
        __id=pl.lit("id:") + value,
        __staff=pl.lit("staff:") + value,
        __name=pl.lit("name:") + _folded(ref),
    )
    found = []
    for key in ("__id", "__staff", "__name"):
        hit = people.rename({c: f"{c}{key}" for c in WORKER_FIELDS})
        frame = frame.join(
            hit, left_on=key, right_on="key", how="left", maintain_order="left"
        )
        found.append(key)
    out = {}
    for f in WORKER_FIELDS:
        out[f] = pl.coalesce(*(pl.col(f"{f}{k}") for k in found))
    as_written = pl.when(_looks_like_name(value)).then(value)
    out["lead_name"] = pl.coalesce(out["lead_name"], as_written)
    drop = [f"{f}{k}" for f in WORKER_FIELDS for k in found] + found
    return frame.with_columns(**out).drop(drop)


def team_names(dept: pl.DataFrame | None) -> pl.DataFrame:
    """dept_team_id -> dept_team_name."""
    if dept is None:
        return pl.DataFrame(schema={"team_id": pl.String, "team_name": pl.String})
    return dept.select(
        team_id=pl.col("dept_team_id").str.strip_chars(),
        team_name=pl.col("dept_team_name").str.strip_chars(),
    ).unique("team_id", keep="first", maintain_order=True)


def with_team(
    frame: pl.DataFrame, ref: str, teams: pl.DataFrame, out: str = "lead_team"
) -> pl.DataFrame:
    """``frame`` with ``out``: the department name of team column ``ref``, or
    the value itself when it reads as a name; null for an unknown id."""
    value = pl.col(ref).str.strip_chars()
    joined = frame.with_columns(__team=value).join(
        teams, left_on="__team", right_on="team_id", how="left", maintain_order="left"
    )
    # a name has letters and either spaces or no digits ("MASH", "Team North");
    # a bare number or a code such as "LA01" names no team anyone would know
    wordy = value.str.contains(r"\s") | ~value.str.contains(r"\d")
    named = pl.when(value.str.contains(r"\p{L}") & wordy).then(value)
    return joined.with_columns(pl.coalesce("team_name", named).alias(out)).drop(
        "__team", "team_name"
    )
