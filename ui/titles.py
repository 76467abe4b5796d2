"""The browser tab's title for each page and state (WCAG 2.4.2: a title per page)."""

from __future__ import annotations

import streamlit as st

from core.config import Config


def set_title(config: Config, what: str) -> None:
    """'Find a person – Family context lookup': the page first, the tool after.
    Never a person's name: titles stay in the browser's history."""
    st.set_page_config(page_title=f"{what} – {config.app.title}")
