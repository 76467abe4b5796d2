"""Results as plain JSON-ready values (dates as ISO strings) for the CLI."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from lookup.family import FamilyView
from lookup.search import Candidate


def plain(value: Any) -> Any:
    """Dataclasses, tuples and dates turned into dicts, lists and ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple
        return plain(value._asdict())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def candidates_json(candidates: list[Candidate]) -> dict[str, Any]:
    """{"candidates": [...]} as the CLI prints it."""
    return {"candidates": plain(candidates)}


def family_json(view: FamilyView) -> dict[str, Any]:
    """{"build_id", "focus_id", "who_to_call": [...], "members": [...]} (the
    linkage evidence is the dashboard's, on demand)."""
    return {k: v for k, v in plain(view).items() if k != "evidence"}
