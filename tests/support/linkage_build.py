"""A linkage build's inputs in tests: a config over seeded extracts, and records as a
load returns them."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sources.records import LoadedSources, LoadReport

SERVICES = {"police": "Police", "health": "Health visiting", "school": "School",
            "housing": "Housing", "csc": "Children's social care"}  # fmt: skip


CONFIG = """
[storage]
index_url = "sqlite:///index.db"
audit_url = "sqlite:///audit.db"

[linkage]
u_sample_pairs = 100000
"""


SOURCE = """
[[sources]]
name = "{name}"
service = "{service}"
path = "{name}.csv"
coverage_from = "2014-04-01"
age_min = 4
columns = {{ first_name = "First", last_name = "Last" }}
"""


def _write_config(folder: Path) -> Path:
    text = CONFIG + "".join(
        SOURCE.format(name=n, service=s) for n, s in SERVICES.items()
    )
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _loaded(records: pl.DataFrame) -> LoadedSources:
    counts = dict(records["source"].value_counts().iter_rows())
    reports = tuple(
        LoadReport(name, service, f"{name}.csv", counts.get(name, 0) + 1,
                   counts.get(name, 0), 1, {"dob": 1}, None, True, ())
        for name, service in SERVICES.items()
    )  # fmt: skip
    quarantine = pl.DataFrame(
        {
            "source": list(SERVICES),
            "row_number": [7] * len(SERVICES),
            "reason": ["no name"] * len(SERVICES),
        }  # fmt: skip
    )
    return LoadedSources(records, quarantine, reports)
