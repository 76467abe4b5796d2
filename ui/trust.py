"""Trust labels shared by the family view, its summary and the data page."""

from __future__ import annotations

import streamlit as st

from lookup.index import LinkedIndex
from lookup.services import ServiceStatus, Source, configured_sources, stale_text
from lookup.text import long_date
from ui.text import md

STALE_WORD = "Out of date"


def sources_of(index: LinkedIndex) -> dict[str, Source]:
    """The build's sources by key, in configured order."""
    return {s.source: s for s in configured_sources(index.source_loads)}


def as_of_text(s: ServiceStatus) -> str:
    """'1 November 2026', with a plain warning word when the source is stale."""
    as_of = long_date(s.current_as_of) or "Unknown"
    if s.stale_since is None:
        return as_of
    since = long_date(s.stale_since)
    return f"{as_of} ({STALE_WORD}: newer extracts failing since {since})"


def problem_lines(sources: dict[str, Source]) -> list[str]:
    """One sentence per stale or missing source ('Housing data is from …')."""
    lines = []
    for src in sources.values():
        stale = stale_text(src)
        if stale:
            lines.append(stale)
        elif not src.ok:
            lines.append(
                f"{src.service} data could not be loaded in the latest build: "
                f"ask {src.service} directly"
            )
    return lines


def source_warnings(sources: dict[str, Source]) -> None:
    """A warning (icon and words, not colour alone) naming each problem source."""
    lines = problem_lines(sources)
    if lines:
        st.warning(
            "**Some data is out of date or missing.**\n\n"
            + "\n".join(f"- {md(line)}" for line in lines),
            icon=":material/warning:",
        )
