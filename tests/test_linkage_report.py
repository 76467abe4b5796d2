"""The model report: m, u and weights per level, the threshold sweep, people by
size and pair completeness, from the command line and on the admin page."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from core.config import load_config
from linkage.__main__ import main
from linkage.build import build_index
from linkage.report import level_table, sweep_table
from synthetic import generate


def test_level_table_gives_each_level_its_weight() -> None:
    model = {
        "fields": [
            {"name": "sex", "labels": ["same", "different"], "m": [0.98, 0.02],
             "u": [0.5, 0.5]},
        ]
    }  # fmt: skip
    table = level_table(model)
    assert table["label"].to_list() == ["same", "different"]
    assert table["weight"].to_list() == pytest.approx(
        [math.log2(0.98 / 0.5), math.log2(0.02 / 0.5)]
    )


def test_sweep_counts_pairs_whose_whole_bin_reaches_the_threshold() -> None:
    # log2 odds of 0.5 is 0, of 0.99 is 6.63: bins 0..6 reach 0.5, only 7 and 9
    # reach 0.99.
    histogram = {"-3": 10, "0": 4, "6": 2, "7": 5, "9": 1}
    sweep = sweep_table(histogram, (0.5, 0.99))
    assert sweep.to_dicts() == [
        {"threshold": 0.5, "pairs": 12},
        {"threshold": 0.99, "pairs": 6},
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    generate(400, 3, folder)
    build_index(load_config(folder / "config.toml"))
    return folder


def test_report_command_shows_levels_sweep_sizes_and_completeness(built, capsys):
    config = str(built / "config.toml")
    assert main(["report", "--config", config, "--truth", str(built / "truth")]) == 0
    text = capsys.readouterr().out
    assert "a generation apart" in text and "weight" in text
    assert "Threshold sweep" in text and "People by records held" in text
    assert "Pair completeness against the truth file" in text
    assert main(["report", "--config", config, "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    levels = pl.DataFrame(report["levels"])
    assert set(levels["comparison"]) >= {"first_name", "dob", "address"}
    assert (levels.filter(pl.col("label") == "exact")["weight"] > 0).all()
    sweep = {r["threshold"]: r["pairs"] for r in report["sweep"]}
    assert sweep[0.5] >= sweep[0.99] >= sweep[0.9999] >= 0 and sweep[0.5] > 0
    people = sum(r["people"] for r in report["cluster_sizes"])
    records = sum(r["people"] * r["records"] for r in report["cluster_sizes"])
    assert 0 < people < records


def test_report_without_a_build_says_what_to_do(tmp_path, capsys) -> None:
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    assert main(["report", "--config", str(tmp_path / "config.toml")]) == 1
    assert "python -m linkage build" in capsys.readouterr().err


def _admin(config: str) -> None:
    from datetime import date

    import streamlit as st

    from ui.main import run

    st.session_state.setdefault("demo_user", "demo.admin")
    run(config, host="localhost", today=date(2026, 11, 15))


def test_admin_page_shows_the_model(built) -> None:
    config = built / "config.toml"
    text = config.read_text(encoding="utf-8")
    if "demo_mode" not in text:
        config.write_text("[app]\ndemo_mode = true\n" + text, encoding="utf-8")
    at = AppTest.from_function(_admin, args=(str(config),), default_timeout=60).run()
    if at.radio:  # the demo sign-in picker
        at = at.radio(key="demo_user").set_value("demo.admin").run()
        if at.button:
            at = at.button[0].click().run()
    assert "Linkage model" in [s.value for s in at.subheader]
    assert any("match probability" in c.value for c in at.caption)
