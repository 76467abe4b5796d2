"""Lead professionals: named staff with a role, team, phone and email.

Phone numbers come from Ofcom's ranges reserved for drama (0161 496 0000–0999,
07700 900000–900999); emails use the reserved example domain. Each service takes
its own hundred of each range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synthetic.bank import NameBank, draw_by_group, weighted_choice
from synthetic.text import fold, fold_table


@dataclass(frozen=True)
class StaffSpec:
    """One service's workforce."""

    roles: tuple[tuple[str, float], ...]  # job title and share of staff
    teams: tuple[str, ...]
    domain: str  # e.g. council.example.gov.uk
    block: int  # 0–9: this service's hundred in the drama ranges
    mobile_share: float = 0.6


def staff_pool(
    rng: np.random.Generator, bank: NameBank, spec: StaffSpec, n: int
) -> pl.DataFrame:
    """``n`` staff: id, name, role, team, phone and email (``lead_*`` columns)."""
    her = weighted_choice(rng, bank.heritages["heritage"], bank.heritages["weight"], n)
    sex = np.where(rng.random(n) < 0.75, "F", "M")
    first = draw_by_group(rng, bank.first_names, {"heritage": her, "sex": sex})
    last = draw_by_group(rng, bank.surnames, {"heritage": her})
    roles = pl.DataFrame(
        {"role": [r for r, _ in spec.roles], "w": [w for _, w in spec.roles]}
    )
    number = spec.block * 100 + np.arange(n) % 100
    mobile = rng.random(n) < spec.mobile_share
    phone = np.where(
        mobile,
        np.char.add("07700 900", np.char.zfill(number.astype(str), 3)),
        np.char.add("0161 496 0", np.char.zfill(number.astype(str), 3)),
    )
    staff = pl.DataFrame(
        {
            "staff_id": np.arange(n),
            "first": first,
            "last": last,
            "lead_role": weighted_choice(rng, roles["role"], roles["w"], n),
            "lead_team": np.array(spec.teams)[rng.integers(0, len(spec.teams), n)],
            "lead_phone": phone,
        }
    )
    table = fold_table(list(first) + list(last))
    local = fold(pl.col("first") + "." + pl.col("last"), table)
    local = local.str.to_lowercase().str.replace_all(r"[^a-z.\-]", "")
    local = (
        pl.when(local.is_first_distinct())
        .then(local)
        .otherwise(local + pl.col("staff_id").cast(pl.String))
    )
    return staff.with_columns(
        lead_name=pl.col("first") + " " + pl.col("last"),
        lead_email=local + "@" + spec.domain,
    ).drop("first", "last")


def assign_staff(
    rng: np.random.Generator,
    frame: pl.DataFrame,
    pool: pl.DataFrame,
    by: str,
    distinct: bool = False,
) -> pl.DataFrame:
    """Give every group ``by`` (e.g. a family's episode) one worker from ``pool``;
    ``distinct`` gives each group its own (the pool must be large enough)."""
    groups = frame.select(pl.col(by).unique().sort())
    if distinct:
        ids = rng.permutation(pool.height)[: groups.height]
    else:
        ids = rng.integers(0, pool.height, groups.height)
    groups = groups.with_columns(staff_id=pl.Series(ids))
    frame = frame.join(groups, on=by, how="left", maintain_order="left")
    return frame.join(pool, on="staff_id", how="left", maintain_order="left")
