"""Children's social care cases as the SSD records them, before any script's
shape: referrals with their allocated workers (sometimes a change of worker)
and team managers, child in need plans, section 47 enquiries, initial
conferences, child protection plans, periods of care of one to three episodes
(joined by reason X1), legal statuses, missing episodes, early help episodes
with their key workers, and contacts.

Every frame carries ``person_id`` (the SSD person id) and dates; an open
episode has a null end. The flavour writers (``ssd_systemc`` …) give these the
columns and quirks of each published deployment script.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from synthetic.common import serials
from synthetic.episodes import Involvement, person_episodes
from synthetic.spec import SourceSpec
from synthetic.staff import StaffSpec, staff_pool
from synthetic.world import World

WORKERS = StaffSpec(
    (
        ("Social Worker", 0.6),
        ("Senior Social Worker", 0.25),
        ("Advanced Practitioner", 0.15),
    ),
    (
        "MASH",
        "Locality Team North",
        "Locality Team South",
        "Child Protection Team",
        "Children in Care Team",
        "Leaving Care Team",
    ),
    "council.example.gov.uk",
    block=0,
)
EH_WORKERS = StaffSpec(
    (("Early Help Key Worker", 0.8), ("Family Support Worker", 0.2)),
    ("Early Help Central", "Early Help East", "Early Help West"),
    "council.example.gov.uk",
    block=8,
)
INVOLVEMENT = Involvement(
    (0.01, 0.08, 0.35), age_from=0, age_to=17, max_episodes=3, p_current=0.4
)
LEGAL = ("Accommodated under section 20", "Interim care order", "Full care order")
ENDS = ("Returned home to live with parents", "Special guardianship order", "Adopted")


@dataclass(frozen=True)
class Cases:
    """One borough's children's social care, flavour-neutral."""

    staff: pl.DataFrame  # staff_id, lead_name, lead_role, lead_team, team_id, …
    referrals: pl.DataFrame  # ref_id, person_id, start, end
    allocations: pl.DataFrame  # inv_id, person_id, ref_id, staff_id, role, start, end
    cin_plans: pl.DataFrame  # id, ref_id, person_id, start, end
    s47: pl.DataFrame  # id, ref_id, person_id, start, end
    icpc: pl.DataFrame  # id, s47_id, ref_id, person_id, date, target
    cp_plans: pl.DataFrame  # id, icpc_id, ref_id, person_id, start, end
    cla: pl.DataFrame  # ep_id, period_id, ref_id, person_id, start, end, x1, reason
    legal: pl.DataFrame  # id, person_id, ref_id, status, start, end
    missing: pl.DataFrame  # id, person_id, ref_id, start, end
    early_help: pl.DataFrame  # id, person_id, staff_id, start, end
    contacts: pl.DataFrame  # id, person_id, date


def _staff(world: World, n_refs: int) -> pl.DataFrame:
    """Social workers, a team manager per team, and early help key workers;
    ``staff_id`` numbers them all and ``team_id`` numbers the teams."""
    size = max(6, min(120, n_refs // 15))
    workers = staff_pool(world.rng("csc:staff"), world.bank, WORKERS, size)
    teams = pl.DataFrame({"lead_team": list(WORKERS.teams)})
    managers = staff_pool(world.rng("csc:managers"), world.bank, WORKERS, len(teams))
    managers = managers.with_columns(
        lead_role=pl.lit("Team Manager"), lead_team=teams["lead_team"]
    )
    eh = staff_pool(
        world.rng("csc:eh-staff"), world.bank, EH_WORKERS, max(3, size // 3)
    )
    staff = pl.concat(
        [
            workers.with_columns(kind=pl.lit("worker")),
            managers.with_columns(kind=pl.lit("manager")),
            eh.with_columns(kind=pl.lit("eh")),
        ]
    ).with_columns(staff_id=pl.int_range(pl.len()))
    names = list(WORKERS.teams) + list(EH_WORKERS.teams)
    team_ids = {t: str(5001 + i) for i, t in enumerate(names)}
    return staff.with_columns(team_id=pl.col("lead_team").replace_strict(team_ids))


def _pick(rng: np.random.Generator, pool: pl.DataFrame, n: int) -> pl.Series:
    return pl.Series(pool["staff_id"].to_numpy()[rng.integers(0, pool.height, n)])


def _days(rng: np.random.Generator, lo: int, hi: int, n: int) -> pl.Series:
    return pl.Series(rng.integers(lo, hi + 1, n)).cast(pl.Int64)


def _referrals(world: World, spec: SourceSpec, ids: pl.DataFrame) -> pl.DataFrame:
    eps = person_episodes(world.rng("csc:who"), world.people, INVOLVEMENT, spec)
    eps = eps.join(ids, on="pid", maintain_order="left")
    return eps.sort("start", "person_id", maintain_order=True).with_columns(
        ref_id=serials("", 3_000_001)
    )


def _allocations(
    rng: np.random.Generator, refs: pl.DataFrame, staff: pl.DataFrame, today: date
) -> pl.DataFrame:
    """An allocated worker per referral (a quarter change worker part way) and
    the worker's team manager over the whole referral."""
    n = refs.height
    workers = staff.filter(pl.col("kind") == "worker")
    stop = pl.coalesce("end", pl.lit(today))
    refs = refs.with_columns(
        w1=_pick(rng, workers, n),
        w2=_pick(rng, workers, n),
        u=pl.Series(rng.random(n)),
        f=pl.Series(rng.uniform(0.3, 0.7, n)),
    )
    span = (stop - pl.col("start")).dt.total_days()
    change = pl.when((pl.col("u") < 0.25) & (span > 60)).then(
        pl.col("start") + pl.duration(days=(span * pl.col("f")).cast(pl.Int64))
    )
    refs = refs.with_columns(change=change)
    first = refs.select(
        "ref_id",
        "person_id",
        staff_id="w1",
        start="start",
        end=pl.coalesce(pl.col("change") - pl.duration(days=1), "end"),
    )
    second = refs.filter(pl.col("change").is_not_null()).select(
        "ref_id", "person_id", staff_id="w2", start="change", end="end"
    )
    cw = pl.concat([first, second]).with_columns(role=pl.lit("worker"))
    team_of = staff.select("staff_id", "lead_team")
    mgr = staff.filter(pl.col("kind") == "manager").select(
        "lead_team", manager="staff_id"
    )
    tm = (
        first.join(team_of, on="staff_id")
        .join(mgr, on="lead_team")
        .select("ref_id", "person_id", staff_id="manager", start="start")
        .join(refs.select("ref_id", "end"), on="ref_id")
        .with_columns(role=pl.lit("manager"))
    )
    return pl.concat([cw, tm], how="diagonal_relaxed").sort("start", "ref_id", "role")


def _open_if_now(end: pl.Expr, today: date) -> pl.Expr:
    """An end on or after the extract date is no end yet."""
    return pl.when(end < pl.lit(today)).then(end)


def _within(
    rng: np.random.Generator,
    refs: pl.DataFrame,
    p: float,
    lo: int,
    hi: int,
    today: date,
) -> pl.DataFrame:
    """Referrals chosen with chance ``p`` and a start ``lo``..``hi`` days in."""
    stop = pl.coalesce("end", pl.lit(today))
    rows = refs.with_columns(
        u=pl.Series(rng.random(refs.height)), d=_days(rng, lo, hi, refs.height)
    )
    rows = rows.with_columns(s=pl.col("start") + pl.duration(days="d"))
    return rows.filter((pl.col("u") < p) & (pl.col("s") < stop)).drop("u", "d")


def _plans(
    rng: np.random.Generator, refs: pl.DataFrame, today: date
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Child in need plans, section 47s, conferences and protection plans."""
    cinp = _within(rng, refs, 0.45, 20, 60, today).select(
        "ref_id", "person_id", start="s", end="end"
    )
    s47 = _within(rng, refs, 0.3, 0, 7, today)
    s47 = s47.with_columns(
        e=pl.col("s") + pl.duration(days=_days(rng, 8, 25, s47.height))
    )
    stop = pl.coalesce("end", pl.lit(today))
    s47 = s47.select(
        "ref_id",
        "person_id",
        start="s",
        end=_open_if_now(pl.min_horizontal("e", stop), today),
        stop=stop,
    ).with_columns(id=serials("", 6_200_001))
    held = s47.filter(pl.col("end").is_not_null())
    held = held.with_columns(
        u=pl.Series(rng.random(held.height)),
        when=pl.col("end") + pl.duration(days=_days(rng, 2, 10, held.height)),
    ).filter(pl.col("u") < 0.6)
    icpc = held.select(
        "ref_id",
        "person_id",
        s47_id="id",
        date=pl.when(pl.col("when") < pl.col("stop")).then("when"),
        target=pl.col("end") + pl.duration(days=15),
        stop="stop",
    ).filter(pl.col("date").is_not_null() | (pl.col("stop") >= pl.lit(today)))
    icpc = icpc.with_columns(id=serials("", 6_300_001))
    cp = icpc.filter(pl.col("date").is_not_null())
    cp = cp.with_columns(
        u=pl.Series(rng.random(cp.height)),
        e=pl.col("date") + pl.duration(days=_days(rng, 150, 600, cp.height)),
    ).filter(pl.col("u") < 0.85)
    cp = cp.select(
        "ref_id",
        "person_id",
        icpc_id="id",
        start="date",
        end=_open_if_now(pl.min_horizontal("e", "stop"), today),
    )
    return (
        cinp.with_columns(id=serials("", 6_100_001)),
        s47.drop("stop"),
        icpc.drop("stop"),
        cp.with_columns(id=serials("", 6_400_001)),
    )


def _care(
    rng: np.random.Generator, refs: pl.DataFrame, dob: pl.DataFrame, today: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Periods of care of 1–3 episodes (X1 between them) and a legal status for
    each episode."""
    young = refs.join(dob, on="person_id").filter(
        pl.col("start") < pl.col("dob").dt.offset_by("16y")
    )
    per = _within(rng, young, 0.14, 10, 120, today)
    stop = pl.coalesce("end", pl.lit(today))
    n = per.height
    per = per.with_columns(
        k=pl.Series(rng.integers(1, 4, n)),
        length=_days(rng, 60, 500, n),
        u=pl.Series(rng.random(n)),
        period_id=serials("", 7_100_001),
    )
    pend = (
        pl.when(pl.col("u") < 0.5)
        .then(pl.col("end"))
        .otherwise(pl.min_horizontal(pl.col("s") + pl.duration(days="length"), stop))
    )
    per = per.with_columns(pend=_open_if_now(pend, today), pstop=stop)
    eps = per.select(
        "period_id",
        "ref_id",
        "person_id",
        "s",
        "pend",
        "pstop",
        i=pl.int_ranges(0, "k"),
        k="k",
    ).explode("i")
    span = (pl.coalesce("pend", "pstop") - pl.col("s")).dt.total_days()

    def cut(j: pl.Expr) -> pl.Expr:
        return pl.col("s") + pl.duration(days=(span * j / pl.col("k")).cast(pl.Int64))

    last = pl.col("i") == pl.col("k") - 1
    eps = eps.with_columns(
        start=cut(pl.col("i")),
        end=pl.when(last).then("pend").otherwise(cut(pl.col("i") + 1)),
    )
    eps = eps.filter(pl.col("end").is_null() | (pl.col("end") > pl.col("start")))
    eps = eps.with_columns(
        x1=~last,
        reason=pl.when(last & pl.col("end").is_not_null()).then(pl.lit(ENDS[0])),
        ep_id=serials("", 7_200_001),
        status=pl.Series(np.array(LEGAL)[rng.integers(0, 3, eps.height)]),
    )
    cla = eps.select(
        "ep_id", "period_id", "ref_id", "person_id", "start", "end", "x1", "reason"
    )
    legal = eps.select(
        id=serials("", 7_300_001),
        person_id="person_id",
        ref_id="ref_id",
        status="status",
        start="start",
        end="end",
    )
    return cla, legal


def _missing(
    rng: np.random.Generator, refs: pl.DataFrame, dob: pl.DataFrame, today: date
) -> pl.DataFrame:
    older = refs.join(dob, on="person_id").filter(
        pl.col("start") > pl.col("dob").dt.offset_by("11y")
    )
    miss = _within(rng, older, 0.2, 5, 150, today)
    stop = pl.coalesce("end", pl.lit(today))
    miss = miss.with_columns(
        e=pl.min_horizontal(
            pl.col("s") + pl.duration(days=_days(rng, 0, 3, miss.height)), stop
        )
    )
    return miss.select(
        id=serials("", 7_400_001),
        person_id="person_id",
        ref_id="ref_id",
        start="s",
        end=_open_if_now(pl.col("e"), today),
    )


def _early_help(
    rng: np.random.Generator,
    persons: pl.DataFrame,
    refs: pl.DataFrame,
    staff: pl.DataFrame,
    spec: SourceSpec,
    today: date,
) -> pl.DataFrame:
    """Early help before any referral for some children, with a key worker."""
    first = refs.group_by("person_id").agg(first=pl.col("start").min())
    kids = persons.filter(pl.col("is_child")).join(first, on="person_id", how="left")
    n = kids.height
    lo = pl.lit(spec.coverage_from)
    hi = pl.coalesce(pl.col("first") - pl.duration(days=30), pl.lit(today))
    kids = kids.with_columns(
        u=pl.Series(rng.random(n)),
        f=pl.Series(rng.random(n)),
        length=_days(rng, 60, 300, n),
        worker=_pick(rng, staff.filter(pl.col("kind") == "eh"), n),
    )
    room = (hi - lo).dt.total_days()
    kids = kids.filter((pl.col("u") < 0.3) & (room > 90))
    start = lo + pl.duration(days=(room * pl.col("f") * 0.7).cast(pl.Int64))
    kids = kids.with_columns(start=start).with_columns(
        end=_open_if_now(
            pl.min_horizontal(pl.col("start") + pl.duration(days="length"), hi), today
        )
    )
    return kids.select(
        id=serials("", 8_100_001),
        person_id="person_id",
        staff_id="worker",
        start="start",
        end="end",
    )


def _contacts(
    rng: np.random.Generator,
    persons: pl.DataFrame,
    refs: pl.DataFrame,
    spec: SourceSpec,
    today: date,
) -> pl.DataFrame:
    """A contact opening each referral, some earlier ones, and one for most
    adults in the extract."""
    at_refs = refs.select("person_id", date="start")
    n = refs.height
    earlier = refs.with_columns(
        u=pl.Series(rng.random(n)),
        date=pl.col("start") - pl.duration(days=_days(rng, 20, 300, n)),
    ).filter((pl.col("u") < 0.4) & (pl.col("date") >= pl.lit(spec.coverage_from)))
    adults = persons.filter(~pl.col("is_child"))
    span = (today - spec.coverage_from).days
    adults = adults.with_columns(
        u=pl.Series(rng.random(adults.height)),
        date=pl.lit(spec.coverage_from)
        + pl.duration(days=_days(rng, 0, span - 1, adults.height)),
    ).filter(pl.col("u") < 0.7)
    rows = pl.concat(
        [
            at_refs,
            earlier.select("person_id", "date"),
            adults.select("person_id", "date"),
        ]
    )
    return rows.sort("date", "person_id").with_columns(id=serials("", 9_100_001))


def build_cases(world: World, spec: SourceSpec, persons: pl.DataFrame) -> Cases:
    """The cases of the people in ``persons`` (pid, person_id, is_child, dob)."""
    today = spec.extract_date
    rng = world.rng("csc:cases")
    refs = _referrals(world, spec, persons.select("pid", "person_id"))
    staff = _staff(world, refs.height)
    allocations = _allocations(rng, refs, staff, today)
    allocations = allocations.with_columns(inv_id=serials("", 4_100_001))
    cinp, s47, icpc, cp = _plans(rng, refs, today)
    dob = persons.select("person_id", "dob")
    cla, legal = _care(rng, refs, dob, today)
    return Cases(
        staff=staff,
        referrals=refs.select("ref_id", "person_id", "start", "end"),
        allocations=allocations,
        cin_plans=cinp,
        s47=s47,
        icpc=icpc,
        cp_plans=cp,
        cla=cla,
        legal=legal,
        missing=_missing(rng, refs, dob, today),
        early_help=_early_help(rng, persons, refs, staff, spec, today),
        contacts=_contacts(rng, persons, refs, spec, today),
    )
