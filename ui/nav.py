"""The side menu: the role's own work page, or the data page (no personal data)."""

from __future__ import annotations

import streamlit as st

from governance.roles import may

DATA = "About the data"


def choice(role: str) -> str:
    """The page chosen in the side menu; '' for roles without a data page."""
    if may(role, "search"):
        work = "Find a person"
    elif may(role, "administer"):
        work = "Sources and builds"
    else:
        return ""
    with st.sidebar:
        return st.radio("Go to", (work, DATA), key="nav")
