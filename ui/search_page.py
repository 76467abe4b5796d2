"""Search: the form, the results list, and the confirmation before a record opens."""

from __future__ import annotations

import streamlit as st

from core.errors import UserInputError
from governance.access import AccessRequest, audited_family, audited_search_result
from governance.restrictions import RESTRICTED_MESSAGE, is_redacted
from lookup.addresses import address_keys
from lookup.query import parse_query
from lookup.search import MAX_RESULTS, Candidate
from lookup.text import age_text, display_name, long_date, nhs_display
from ui import address_search, focus, state
from ui.context import AppContext
from ui.text import md
from ui.titles import set_title

NO_RESULTS_TIPS = (
    "- check the spelling, or try a shorter form of the first name\n"
    "- try again without the date of birth\n"
    "- search by NHS number, UPN or case number if you have one"
)
CAPPED = (
    "Only the best {cap} matches are shown. Add a date of birth, a postcode or an "
    "identifier to narrow the search."
)
#: Earlier addresses listed on a result card before "and N more".
PREVIOUS_SHOWN = 2
POSSIBLE_HEADING = "Possible matches: verify before relying on this"
POSSIBLE_HELP = (
    "These records may be the same person as another record, or two people mixed "
    "up. Check the date of birth, address and identifiers with the service first."
)
SENSITIVE_WARNING = (
    "**This record may hold sensitive information** about a child and the adults "
    "around them. Open it only if you need it for this case. Opening it is "
    "recorded with your name, purpose and case reference."
)


def _search_form(ctx: AppContext, request: AccessRequest) -> None:
    with st.form("search"):
        left, right = st.columns(2)
        first = left.text_input("First name", key="q_first")
        last = right.text_input("Last name", key="q_last")
        dob_col, pc_col, low_col, high_col = st.columns(4)
        dob = dob_col.text_input(
            "Date of birth (optional)", key="q_dob", placeholder="DD/MM/YYYY"
        )
        postcode = pc_col.text_input("Postcode (optional)", key="q_postcode")
        low = low_col.text_input("Aged from (optional)", key="q_age_min")
        high = high_col.text_input("Aged up to (optional)", key="q_age_max")
        # hints as text, not "?" icons: those are tab stops between the fields
        st.caption(
            'You can also type "SMITH, John" as the last name. A last name alone '
            "(a baby, a family) works with a date of birth, a postcode or an age range."
        )
        ident = st.text_input(
            "Or search by an identifier instead of a name: NHS number, UPN or case "
            "number", key="q_id",
        )  # fmt: skip
        submitted = st.form_submit_button("Search", type="primary")
    if not submitted:
        return
    try:
        query = parse_query(first, last, dob, ident, ctx.today, postcode, low, high)
    except UserInputError as exc:
        state.clear_results()
        with focus.target("results"):
            st.error(str(exc))
        focus.move_to("results")
        return
    found = audited_search_result(request, query, ctx.config.app.max_results)
    state.set_results(found.candidates, found.prompt)
    focus.move_to("results")


def _identifiers(c: Candidate) -> str:
    parts = [f"NHS number {nhs_display(c.nhs_number)}" if c.nhs_number else ""]
    parts += [f"UPN {c.upn}" if c.upn else ""]
    parts += list(c.case_numbers)
    return " · ".join(md(p) for p in parts if p) or "No identifiers recorded"


def _restricted(c: Candidate) -> None:
    with st.container(border=True):
        st.markdown(f"#### {RESTRICTED_MESSAGE}")
        st.caption(
            "Only open it if you must, with a written reason: the override is "
            "recorded and reviewed by information governance."
        )
        if st.button("Override with a reason", key=f"override_{c.person_id}"):
            state.set_pending(c.person_id)
            focus.move_to("confirm")
            st.rerun()


def distinct_previous(c: Candidate) -> list[str]:
    """Earlier addresses that are not the current one (or each other) written
    another way: case, spacing, punctuation or the postcode added aside."""
    here = " ".join(p for p in (c.address, c.postcode) if p)
    keys = address_keys([(c.address, None), (here, None)] +
                        [(a, None) for a in c.previous_addresses])  # fmt: skip
    seen, kept = set().union(*keys[:2]), []
    for address, known in zip(c.previous_addresses, keys[2:], strict=True):
        if known and not known & seen:
            kept.append(address)
        seen |= known
    return kept


def _previous(c: Candidate) -> str:
    """ "Previously: …" (at most PREVIOUS_SHOWN addresses), or nothing."""
    earlier = distinct_previous(c)
    if not earlier:
        return ""
    shown = "; ".join(md(a) for a in earlier[:PREVIOUS_SHOWN])
    more = len(earlier) - PREVIOUS_SHOWN
    return f"  \nPreviously: {shown}" + (f" and {more} more" if more > 0 else "")


def _candidate(c: Candidate) -> None:
    if is_redacted(c):
        _restricted(c)
        return
    with st.container(border=True):
        st.markdown(
            f"#### {md(display_name(c.first_name, c.last_name))}\n"
            f"**{c.confidence}** (matched on {md(c.matched_on)})"
        )
        born = long_date(c.dob) or "Date of birth not recorded"
        address = ", ".join(md(p) for p in (c.address, c.postcode) if p)
        known = "service" if c.n_services == 1 else "services"
        st.markdown(
            f"Born {born} ({age_text(c.age)}) · {address or 'No address recorded'}"
            f"{_previous(c)}  \n{_identifiers(c)}  \nKnown to {c.n_services} {known}"
        )
        address_search.open_button(c)


def whose(c: Candidate | None) -> str:
    """'Open the record of Jane SMITH, born 3 July 2015?' (a restricted record is
    not named: it reads as one)."""
    if c is None or is_redacted(c):
        return "Open this restricted record?"
    born = f"born {long_date(c.dob)}" if c.dob else "date of birth not recorded"
    return f"Open the record of {display_name(c.first_name, c.last_name)}, {born}?"


def _confirm(request: AccessRequest, person_id: str, listed: Candidate | None) -> None:
    restricted = listed is not None and is_redacted(listed)
    with focus.target("confirm"):
        st.subheader(whose(listed))
    st.warning(SENSITIVE_WARNING, icon=":material/warning:")
    why = ""
    if restricted:
        why = st.text_area("Why must you open this restricted record?", key="why")
    yes, no = st.columns(2)
    if yes.button("Yes, open the record", type="primary", key="confirm_open"):
        if restricted and not why.strip():
            st.error("Write the reason for overriding the restriction.")
            return
        view = audited_family(request, person_id, override=why)
        if why.strip():
            state.set_override(person_id, why.strip())
        state.open_family(view)
        focus.move_to("family")
        st.rerun()
    if no.button("Cancel", key="cancel_open"):
        state.set_pending(None)
        focus.move_to("results")
        st.rerun()


def _results(found: list[Candidate], cap: int, prompt: str = "") -> None:
    if not found:
        with focus.target("results"):
            st.subheader("No matching people found")
        st.markdown(NO_RESULTS_TIPS)
        return
    people = "person" if len(found) == 1 else "people"
    with focus.target("results"):
        st.subheader(f"{len(found)} {people} found")
    if prompt:
        st.info(prompt, icon=":material/filter_list:")
    elif len(found) >= cap:
        st.info(CAPPED.format(cap=cap), icon=":material/filter_list:")
    st.caption("Best match first. Check the date of birth and address before opening.")
    sure = [c for c in found if not c.possible_match]
    unsure = [c for c in found if c.possible_match]
    for c in sure:
        _candidate(c)
    if unsure:
        st.subheader(POSSIBLE_HEADING)
        st.caption(POSSIBLE_HELP)
        for c in unsure:
            _candidate(c)


def page(ctx: AppContext, request: AccessRequest) -> None:
    """Search forms (a person; who lives at an address), then either the
    confirmation step or the results list."""
    set_title(ctx.config, "Find a person")
    with focus.target("search"):
        st.header("Find a person")
    by_person, by_address = st.tabs(["Search by name or identifier",
                                     "Who lives at an address"])  # fmt: skip
    with by_person:
        _search_form(ctx, request)
    with by_address:
        address_search.form(request)
    found = state.results()
    if found is None:
        return
    person_id = state.pending()
    households = state.households()
    set_title(ctx.config, "Search results" if person_id is None else "Open a record?")
    if person_id is not None:
        _confirm(request, person_id, {c.person_id: c for c in found}.get(person_id))
    elif households is not None:
        address_search.results(households)
    else:
        cap = min(ctx.config.app.max_results, MAX_RESULTS)
        _results(found, cap, state.results_prompt())
