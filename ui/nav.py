"""The side menu: the role's own work page, or the data page (no personal data)."""

from __future__ import annotations

import streamlit as st

from governance.roles import may_administer, may_search

DATA = "About the data"


def choice(role: str) -> str:
    """The page chosen in the side menu; '' for roles without a data page."""
    if may_search(role):
        work = "Find a person"
    elif may_administer(role):
        work = "Sources and builds"
    else:
        return ""
    with st.sidebar:
        return st.radio("Go to", (work, DATA), key="nav")
