"""Driving the dashboard in tests with Streamlit's AppTest: a config over a test
index, signing in, giving a reason, searching, reading texts and audit events."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.db import make_engine
from governance.audit import read_events


def _script(config: str, host: str | None) -> None:
    from datetime import date

    from ui.main import run

    run(config, host=host, today=date(2026, 11, 15))


def _config(folder: Path, index_db: Path, demo: bool = True) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"[app]\ndemo_mode = {'true' if demo else 'false'}\n"
        f'[storage]\nindex_url = "sqlite:///{index_db}"\n'
        'audit_url = "sqlite:///audit.db"\n',
        encoding="utf-8",
    )
    return path


def _app(config: Path, host: str | None = "localhost") -> AppTest:
    return AppTest.from_function(
        _script, args=(str(config), host), default_timeout=30
    ).run()


def _events(config: Path) -> list[dict]:
    return list(
        reversed(read_events(make_engine(f"sqlite:///{config.parent}/audit.db")))
    )


def _sign_in(at: AppTest, user_id: str) -> AppTest:
    at.radio(key="demo_user").set_value(user_id)
    return at.button(key="sign_in").click().run()


def _reason(at: AppTest, purpose: str = "New referral (MASH)", case: str = "REF-1"):
    at.selectbox(key="reason_purpose").set_value(purpose)
    at.text_input(key="reason_case").input(case)
    return at.button(key="FormSubmitter:reason-Continue").click().run()


def _search(at: AppTest, first: str, last: str, dob: str = "") -> AppTest:
    at.text_input(key="q_first").input(first)
    at.text_input(key="q_last").input(last)
    at.text_input(key="q_dob").input(dob)
    return at.button(key="FormSubmitter:search-Search").click().run()


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)
