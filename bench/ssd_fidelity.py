"""How faithfully the SSD preset reads each flavour of the Standard Safeguarding
Dataset: for SystemC, Eclipse and Mosaic, a generated borough's SSD tables
(``python -m sources generate --ssd-flavour F``) written into a SQLite
warehouse (dates typed, as the scripts' DATETIME columns), loaded through
``format = "ssd"`` and compared field by field with the generator's truth.

Each figure is the share of the rows where the truth has a value that the load
got right: address (line and postcode), team, lead professional, NHS number,
date of birth, last contact per record; care periods (one "Looked after"
record per true period, same start and end; extra records count against);
mother links (the pair stated on both people's records). A truth record the
load lacks is wrong in every field. Bar: every figure >= 0.99.

    .venv/bin/python bench/ssd_fidelity.py [--people 20000] [--seed 5] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAVOURS = ("systemc", "eclipse", "mosaic")
FIELDS = {
    "team_right": ("lead_team",),
    "lead_right": ("lead_name",),
    "nhs_right": ("nhs_number",),
    "dob_right": ("dob",),
    "last_contact_right": ("last_contact",),
    "address_right": ("address", "postcode"),
}


def _share(right: int, total: int) -> float:
    return round(right / total, 4) if total else 1.0


def field_scores(records: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Per figure, the share of truth rows with a value that the load matches."""
    got = records.select(
        "record_id", *{c for cols in FIELDS.values() for c in cols}
    ).with_columns(pl.col("dob", "last_contact").cast(pl.String))
    joined = truth.join(got, on="record_id", how="left", suffix="_got")
    out = {}
    for name, cols in FIELDS.items():
        has = joined.filter(pl.col(cols[0]).is_not_null())
        same = pl.all_horizontal(
            (pl.col(c) == pl.col(f"{c}_got")).fill_null(False) for c in cols
        )
        out[name] = _share(int(has.select(same.sum()).item()), has.height)
    return out


def care_period_score(records: pl.DataFrame, periods: pl.DataFrame) -> float:
    """One "Looked after" record per true period of care, dates equal."""
    looked = records.filter(pl.col("detail").str.starts_with("Looked after")).select(
        "case_number",
        start=pl.col("involvement_start").cast(pl.String),
        end=pl.col("involvement_end").cast(pl.String),
    )
    matched = periods.join(looked, on=["case_number", "start", "end"], nulls_equal=True)
    return _share(matched.height, max(periods.height, looked.height))


def _stated(records: pl.DataFrame, kind: str) -> pl.DataFrame:
    items = records.select(
        "case_number", item=pl.col("related").str.split(";")
    ).explode("item")
    items = items.filter(pl.col("item").str.starts_with(f"{kind}:"))
    return items.select(
        "case_number", other=pl.col("item").str.strip_prefix(f"{kind}:")
    ).unique()


def mother_score(records: pl.DataFrame, mothers: pl.DataFrame) -> float:
    """Each true pair stated on the mother's records and on the child's."""
    as_mother = _stated(records, "mother_of").select(
        mother="case_number", child="other"
    )
    as_child = _stated(records, "child_of").select(child="case_number", mother="other")
    both = as_mother.join(as_child, on=["mother", "child"])
    right = mothers.join(both, on=["mother", "child"]).height
    return _share(right, max(mothers.height, both.height))


def score(records: pl.DataFrame, truth_dir: Path) -> dict:
    """The figures of one flavour's load against its truth folder."""
    read = lambda n: pl.read_csv(truth_dir / f"{n}.csv", infer_schema=False)  # noqa: E731
    fields = read("csc_fields")
    out = {"records": fields.height}
    out |= field_scores(records, fields)
    out["care_periods_right"] = care_period_score(records, read("csc_care_periods"))
    out["mother_links_right"] = mother_score(records, read("csc_mothers"))
    return dict(sorted(out.items(), key=lambda kv: kv[0] != "records"))


def measure(flavour: str, people: int, seed: int, work: Path) -> tuple[dict, tuple]:
    """Generate, write into SQLite, load through the preset, score; and the
    load report's problems."""
    from core.config import load_config
    from sources.load import load_source
    from synthetic import generate
    from synthetic.ssd_db import write_ssd_database

    out = work / flavour
    generate(people, seed, out, ssd_flavour=flavour)
    db = out / "ssd.sqlite"
    write_ssd_database(out / "csc", f"sqlite:///{db}")
    config = load_config(out / "config.toml")
    csc = next(s for s in config.sources if s.name == "csc")
    src = dataclasses.replace(csc, format="ssd", path="", url=f"sqlite:///{db}")
    load = load_source(config, src)
    report = load.report
    assert report.ok, report.problems
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    return score(load.records, out / "truth"), report.problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for flavour in FLAVOURS:
            figures, problems = measure(flavour, args.people, args.seed, Path(tmp))
            results[flavour] = figures
            print(f"{flavour}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
            for p in problems:
                print(f"    - {p}")
    worst = min(v for f in results.values() for k, v in f.items() if k != "records")
    print(f"lowest figure {worst} (bar 0.99): {'met' if worst >= 0.99 else 'NOT met'}")
    if args.json:
        print(json.dumps({"flavours": results}))


if __name__ == "__main__":
    main()
