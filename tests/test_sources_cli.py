"""``python -m sources``: generate and check, their output and exit codes."""

from __future__ import annotations

import json

from sources.__main__ import main


def test_generate_then_check(tmp_path, capsys):
    assert (
        main(
            [
                "generate",
                "--people",
                "150",
                "--seed",
                "4",
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == ""
    assert main(["check", "--config", str(tmp_path / "config.toml"), "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert "police" in summary and set(summary["police"]) >= {
        "read",
        "accepted",
        "quarantined",
        "problems",
    }
    assert all(v["read"] == v["accepted"] + v["quarantined"] for v in summary.values())
    truth = (tmp_path / "truth" / "people.csv").read_text(encoding="utf-8")
    surnames = {line.split(",")[6] for line in truth.splitlines()[1:]}
    printed = "\n".join(out)
    assert not any(f" {s} " in printed for s in surnames if len(s) > 3)


def test_check_exit_code_when_a_source_is_unusable(tmp_path, capsys):
    main(
        [
            "generate",
            "--people",
            "100",
            "--seed",
            "4",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    (tmp_path / "youth_justice.csv").unlink()
    assert main(["check", "--config", str(tmp_path / "config.toml"), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["youth_justice"]["ok"] is False
    assert summary["youth_justice"]["problems"] == 1
    assert summary["school"]["ok"] is True


def test_check_with_a_bad_config(tmp_path, capsys):
    (tmp_path / "config.toml").write_text("[nonsense]\n")
    assert main(["check", "--config", str(tmp_path / "config.toml")]) == 2
    assert "unknown section" in capsys.readouterr().err
