"""The "Prepare an email or call" part of a who-to-call card: a short form, then
(recorded first) the email to send and the words to read out on the phone."""

from __future__ import annotations

import streamlit as st

from governance.access import AccessRequest
from governance.exports import record_request_prepared
from lookup.family import Contact, FamilyView
from lookup.services import ServiceStatus
from ui import focus, state
from ui.contact_request import (
    DEFAULT_QUESTION,
    Prepared,
    Sender,
    mailto,
    prepare,
    subjects,
)
from ui.text import md


def card_key(group: list[Contact], s: ServiceStatus) -> str:
    """A card's key in this view: its source and first person (no names)."""
    return f"{s.source}_{group[0].person_id}"


def _who(group: list[Contact]) -> str:
    return group[0].lead.name or f"{group[0].service}"


def section(
    request: AccessRequest, view: FamilyView, group: list[Contact], s: ServiceStatus
) -> None:
    """The button, the form once pressed, or the prepared request."""
    key = card_key(group, s)
    with focus.target(f"ask_{key}"):
        done: Prepared | None = state.prepared(key)
        if done is not None:
            _show(done, group[0], key)
            return
        if state.request_target() == key:
            _form(request, view, group, s, key)
            return
        if st.button(f"Prepare an email or call to {_who(group)}", key=f"ask_{key}",
                     icon=":material/forward_to_inbox:", type="tertiary"):  # fmt: skip
            state.set_request_target(key)
            focus.move_to(f"ask_{key}")
            st.rerun()


def _form(request: AccessRequest, view: FamilyView, group: list[Contact],
          s: ServiceStatus, key: str) -> None:  # fmt: skip
    team, reach = state.sender()
    with st.form(f"ask_form_{key}", border=True):
        st.markdown(f"**Request to {md(_who(group))}, {md(group[0].service)}**")
        team = st.text_input("Your team", value=team, key=f"ask_team_{key}")
        reach = st.text_input("How to reach you (phone or email)", value=reach,
                              key=f"ask_reach_{key}")  # fmt: skip
        question = st.text_area("Your question", value=DEFAULT_QUESTION,
                                key=f"ask_q_{key}", max_chars=600)  # fmt: skip
        st.caption("Preparing it is recorded. Nothing is sent: you send the email "
                   "or make the call yourself.")  # fmt: skip
        go = st.form_submit_button("Prepare the request", type="primary")
        cancel = st.form_submit_button("Cancel")
    if cancel:
        state.set_request_target(None)
        focus.move_to(f"ask_{key}")
        st.rerun()
    if not go:
        return
    ids = [c.person_id for c in group]
    record_request_prepared(request.audit, request.actor, request.reason, view,
                            ids, s.source)  # fmt: skip
    dobs = {m.person_id: m.dob for m in view.members}
    records = {pid: [r.record_id for r in view.evidence.get(pid, ())
                     if r.source == s.source] for pid in ids}  # fmt: skip
    sender = Sender(request.actor.user_name, team, reach)
    state.set_sender(team, reach)
    people = subjects(group, dobs, records)
    state.set_prepared(key, prepare(group, people, sender, request.reason.case_ref,
                                    question))  # fmt: skip
    state.set_request_target(None)
    focus.move_to(f"ask_{key}")
    st.rerun()


def _show(done: Prepared, c: Contact, key: str) -> None:
    with st.container(border=True, key=f"prepared_{key}"):
        st.markdown(f"##### Email to send\nSubject: {md(done.subject)}")
        st.code(done.body, language=None, wrap_lines=True)
        if c.lead.email:
            st.link_button("Open in your email program", mailto(c.lead.email, done),
                           icon=":material/mail:")  # fmt: skip
        st.markdown("##### To read out on the phone")
        st.code(done.script, language=None, wrap_lines=True)
