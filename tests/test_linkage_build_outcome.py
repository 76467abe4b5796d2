"""A scheduled build that reports: exit code (0 fresh, 3 stale, 1 failed), a
one-line JSON summary, and the configured notify command on failure or stale
sources, with no personal data in what it is told."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest

from linkage.__main__ import main as linkage_main

NOTIFIER = (
    "import os, sys; open(sys.argv[1], 'a').write("
    "os.environ['FAMILY_CONTEXT_EVENT'] + ' ' + os.environ['FAMILY_CONTEXT_STATUS']"
    " + '\\n' + sys.stdin.read())"
)


@pytest.fixture
def demo(small_extracts: Path, private_copy) -> Path:
    """A fresh copy of the generated extracts, never built."""
    return private_copy(small_extracts)


def _notify_into(demo: Path, exit_code: int = 0, on_stale: bool = True) -> Path:
    out = demo / "notified.txt"
    script = NOTIFIER + (f"; sys.exit({exit_code})" if exit_code else "")
    command = [sys.executable, "-c", script, str(out)]
    with (demo / "config.toml").open("a") as config:
        config.write(
            f"\n[operations]\nnotify_command = {json.dumps(command)}\n"
            f"notify_on_stale = {json.dumps(on_stale)}\n"
        )
    return out


def _build(demo: Path, capsys) -> tuple[int, dict, str]:  # noqa: ANN001
    code = linkage_main(["build", "--config", str(demo / "config.toml"), "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out.strip().splitlines()[-1]), out.err


def _personal(demo: Path) -> set[str]:
    people = pl.read_csv(demo / "truth" / "people.csv", infer_schema_length=0)
    values: set[str] = set()
    for column in ("first_name", "last_name", "dob", "address", "postcode"):
        values |= {v for v in people[column].drop_nulls() if len(v) >= 3}
    return values


def _words(text: str) -> set[str]:
    return set(text.replace(",", " ").replace(":", " ").split())


def test_fresh_build_exits_0_with_a_summary_line_and_no_notice(demo, capsys):
    notified = _notify_into(demo)
    code, summary, _ = _build(demo, capsys)
    assert code == 0
    assert summary["status"] == "ok"
    assert summary["stale_sources"] == [] and summary["dropped_sources"] == []
    assert summary["sources"] == 10 and summary["people"] > 0
    assert summary["build_id"]
    assert not notified.exists()


def test_stale_source_exits_3_and_notifies_without_personal_data(demo, capsys):
    notified = _notify_into(demo)
    assert _build(demo, capsys)[0] == 0
    (demo / "police_safeguarding.csv").unlink()
    code, summary, err = _build(demo, capsys)
    assert code == 3
    assert summary["status"] == "stale"
    assert summary["stale_sources"] == ["police"]
    text = notified.read_text()
    assert text.startswith("build stale\n")
    assert "police" in text and summary["build_id"] in text
    assert "python -m sources check" in text
    personal = _personal(demo)
    assert not [v for v in personal if v in text]
    assert not [v for v in personal if v in err]


def test_stale_sources_need_not_notify(demo, capsys):
    notified = _notify_into(demo, on_stale=False)
    assert _build(demo, capsys)[0] == 0
    (demo / "police_safeguarding.csv").unlink()
    assert _build(demo, capsys)[0] == 3
    assert not notified.exists()


def test_failed_build_exits_1_and_notifies(demo, capsys):
    notified = _notify_into(demo)
    for extract in demo.iterdir():
        if extract.name not in ("config.toml", "truth", "notified.txt"):
            shutil.rmtree(extract) if extract.is_dir() else extract.unlink()
    code, summary, err = _build(demo, capsys)
    assert code == 1
    assert summary == {"status": "failed", "error": "SourceError"}
    text = notified.read_text()
    assert text.startswith("build failed\n")
    assert "FAILED" in text and "previous index is still being served" in text
    assert "No source could be read" in text
    assert "No source could be read" in err
    assert not _words(text) & _personal(demo)


def test_a_failing_notifier_does_not_change_the_exit_code(demo, capsys):
    notified = _notify_into(demo, exit_code=7)
    (demo / "police_safeguarding.csv").unlink()
    code, summary, err = _build(demo, capsys)
    assert code == 3  # police never loaded, so it is dropped, not stale
    assert summary["dropped_sources"] == ["police"]
    assert "notify command did not succeed (exit 7)" in err
    assert "dropped: police" in notified.read_text()


def test_bad_config_exits_1_with_a_summary_line(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[operations]\nnotify_timeout_seconds = 0\n")
    code = linkage_main(["build", "--config", str(config), "--json"])
    out = capsys.readouterr()
    assert code == 1
    assert json.loads(out.out.splitlines()[-1]) == {
        "status": "failed",
        "error": "ConfigError",
    }
    assert "operations.notify_timeout_seconds" in out.err
