"""Who lives at an address: the form, and the households listed at a postcode."""

from __future__ import annotations

import streamlit as st

from core.errors import UserInputError
from governance.access import AccessRequest, audited_address_search
from lookup.address_search import AddressResult, parse_address_query
from lookup.search import Candidate
from lookup.text import age_text, display_name, long_date
from ui import focus, state
from ui.text import md

NOBODY = (
    "Nobody you may see is recorded as living at this address now. Check the "
    "postcode, or search the people by name."
)
HOW = (
    "People whose records you may see place them here now, household by "
    "household. Earlier residents are not listed."
)


def form(request: AccessRequest) -> None:
    """The address form; a search replaces any results list shown before."""
    with st.form("address_search"):
        pc_col, house_col = st.columns(2)
        postcode = pc_col.text_input("Postcode", key="a_postcode")
        house = house_col.text_input("House number or name (optional)", key="a_house")
        submitted = st.form_submit_button("Find who lives there", type="primary")
    if not submitted:
        return
    try:
        query = parse_address_query(postcode, house)
    except UserInputError as exc:
        state.clear_results()
        with focus.target("results"):
            st.error(str(exc))
        focus.move_to("results")
        return
    found = audited_address_search(request, query)
    state.set_results(found.people)
    state.set_households(found)
    focus.move_to("results")


def open_button(c: Candidate) -> None:
    """The possible-match warning (if any) and the button that opens the record."""
    if c.possible_match:
        st.warning(
            "Possible match with another record: verify before relying on this.",
            icon=":material/help:",
        )
    if st.button("Open family view", key=f"open_{c.person_id}"):
        state.set_pending(c.person_id)
        focus.move_to("confirm")
        st.rerun()


def _resident(c: Candidate) -> None:
    born = long_date(c.dob) or "Date of birth not recorded"
    known = "service" if c.n_services == 1 else "services"
    st.markdown(
        f"**{md(display_name(c.first_name, c.last_name))}** · Born {born} "
        f"({age_text(c.age)}) · Known to {c.n_services} {known}"
    )
    open_button(c)


def results(found: AddressResult) -> None:
    """The households at the postcode, each with who lives there."""
    if not found.households:
        with focus.target("results"):
            st.subheader(f"Nobody found at {found.postcode}")
        st.markdown(NOBODY)
        return
    n = len(found.households)
    with focus.target("results"):
        st.subheader(
            f"{n} {'household' if n == 1 else 'households'} at {found.postcode}"
        )
    st.caption(HOW)
    for household in found.households:
        with st.container(border=True):
            st.markdown(f"#### {md(household.address)}")
            for c in household.residents:
                _resident(c)
