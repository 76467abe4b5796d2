"""The audit log as a table for auditors: plain functions, no Streamlit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl

COLUMNS = {
    "at_utc": "Time (UTC)",
    "user_id": "User",
    "role": "Role",
    "kind": "Kind",
    "purpose": "Purpose",
    "case_ref": "Case ref",
    "summary": "Data",
}


def _ids(ids: Sequence[str], limit: int = 5) -> str:
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def summarise(kind: str, data: Mapping[str, Any]) -> str:
    """One line saying what an event's data holds (criteria, people, sources)."""
    if kind == "search":
        crit = data.get("criteria", {})
        return "; ".join(f"{k}={v}" for k, v in crit.items() if v) or "no criteria"
    if kind == "results_shown":
        ids = list(data.get("person_ids", []))
        return f"{len(ids)} listed: {_ids(ids)}" if ids else "no people listed"
    if kind == "family_opened":
        members = [m for m in data.get("member_ids", []) if m != data.get("person_id")]
        return f"opened {data.get('person_id')} with {len(members)} linked"
    if kind == "service_opened":
        return f"{data.get('source')} detail of {data.get('person_id')}"
    if kind == "access_denied":
        return f"refused: {data.get('action', '')}"
    return "; ".join(f"{k}={v}" for k, v in sorted(data.items()))


def events_frame(events: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Events (as read_events returns them) as a table with a data summary."""
    rows = [
        {
            **{k: e[k] for k in COLUMNS if k != "summary"},
            "summary": summarise(e["kind"], e["data"]),
        }
        for e in events
    ]
    schema = dict.fromkeys(COLUMNS, pl.Utf8())
    return pl.DataFrame(rows, schema=schema, orient="row")


def filter_events(
    frame: pl.DataFrame,
    user: str | None = None,
    kinds: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """Rows for one user, some kinds, between two UTC dates (inclusive)."""
    day = pl.col("at_utc").str.slice(0, 10)
    if user:
        frame = frame.filter(pl.col("user_id") == user)
    if kinds:
        frame = frame.filter(pl.col("kind").is_in(list(kinds)))
    if start:
        frame = frame.filter(day >= start.isoformat())
    if end:
        frame = frame.filter(day <= end.isoformat())
    return frame


def display(frame: pl.DataFrame) -> pl.DataFrame:
    """Column headers in plain words, times without the trailing microseconds."""
    return frame.with_columns(
        pl.col("at_utc").str.slice(0, 19).str.replace("T", " ")
    ).rename(COLUMNS)
