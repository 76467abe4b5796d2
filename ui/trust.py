"""Trust labels shared by the family view, its summary and the data page."""

from __future__ import annotations

import streamlit as st

from lookup.index import LinkedIndex
from lookup.labels import STALE_WORD, as_of_text, problem_lines
from lookup.services import Source, configured_sources
from ui.text import md

__all__ = ["STALE_WORD", "as_of_text", "problem_lines", "source_warnings",
           "sources_of"]  # fmt: skip


def sources_of(index: LinkedIndex) -> dict[str, Source]:
    """The build's sources by key, in configured order."""
    return {s.source: s for s in configured_sources(index.source_loads)}


def source_warnings(sources: dict[str, Source]) -> None:
    """A warning (icon and words, not colour alone) naming each problem source."""
    lines = problem_lines(sources)
    if lines:
        st.warning(
            "**Some data is out of date or missing.**\n\n"
            + "\n".join(f"- {md(line)}" for line in lines),
            icon=":material/warning:",
        )
