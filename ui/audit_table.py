"""The audit log as a table for auditors: plain functions, no Streamlit."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
    if kind == "reopen":
        return f"reopened {data.get('person_id')} after the page was reloaded"
    if kind == "request_prepared":
        about = ", ".join(data.get("person_ids", []))
        return f"prepared an email and call to {data.get('source')} about {about}"
    if kind == "service_opened":
        return f"{data.get('source')} detail of {data.get('person_id')}"
    if kind == "access_denied":
        return f"refused: {data.get('action', '')}"
    if kind == "audit_search":
        asked = data.get("filter", {})
        return "looked at the log: " + (
            "; ".join(f"{k}={v}" for k, v in sorted(asked.items())) or "no filter"
        )
    if kind == "override":
        return f"override on {data.get('person_id')}: {data.get('override_reason')}"
    return "; ".join(f"{k}={v}" for k, v in sorted(data.items()))


def with_summary(frame: pl.DataFrame) -> pl.DataFrame:
    """The events frame (data as JSON text) with a one-line summary of its data."""
    summary = [
        summarise(kind, json.loads(data))
        for kind, data in zip(frame["kind"], frame["data"], strict=True)
    ]
    return frame.with_columns(summary=pl.Series(summary, dtype=pl.Utf8))


def display(frame: pl.DataFrame) -> pl.DataFrame:
    """Column headers in plain words, times without the trailing microseconds."""
    return (
        with_summary(frame)
        .select(list(COLUMNS))
        .with_columns(pl.col("at_utc").str.slice(0, 19).str.replace("T", " "))
        .rename(COLUMNS)
    )
