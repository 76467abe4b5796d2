"""The two report buttons and the short form they open.

A report goes to the administrators' queue (``governance.reports``) and is an
audited event; the worker sees a one-line confirmation afterwards.
"""

from __future__ import annotations

import streamlit as st

from core.errors import UserInputError
from governance.access import AccessRequest
from governance.reports import MAX_NOTE, REPORT_KINDS, send_report
from ui import focus, state
from ui.text import md

_HINTS = {
    "not_same_person": "Say which details do not fit, for example a different "
    "date of birth or school. Do not include case details.",
    "contact_out_of_date": "Say what has changed, for example that the worker "
    "has left or the number no longer works.",
}


#: The report buttons: an action, and whom it is about.
BUTTONS = {
    "not_same_person": "Report that this is not the same person: {about}",
    "contact_out_of_date": "Report an out-of-date contact: {about}",
}


def _key(kind: str, person_id: str, source: str | None) -> str:
    return f"{kind}_{person_id}_{source or 'person'}"


def report_button(
    request: AccessRequest,
    target: tuple[str, str, str | None],
    about: str,
) -> None:
    """The button, or once pressed its form (headed with what it is about)."""
    kind, person_id, source = target
    here = "report_" + _key(kind, person_id, source)
    with focus.target(here):
        if state.sent(target):
            st.success(f"Report sent to the administrators: {REPORT_KINDS[kind]}.",
                       icon=":material/check_circle:")  # fmt: skip
            return
        if state.report_target() == target:
            _form(request, target, about)
            return
        # The label names what it is about: read alone (a screen reader's list
        # of buttons) it still says whom it reports (WCAG 2.4.6).
        if st.button(BUTTONS[kind].format(about=about), key=here,
                     icon=":material/flag:", type="tertiary"):  # fmt: skip
            state.set_report_target(target)
            focus.move_to(here)
            st.rerun()


def _form(
    request: AccessRequest,
    target: tuple[str, str, str | None],
    about: str,
) -> None:
    kind, person_id, source = target
    form_key = "report_form_" + _key(kind, person_id, source)
    with st.form(form_key, border=True):
        st.markdown(f"**{REPORT_KINDS[kind]}: {md(about)}**")
        note = st.text_area("What is wrong?", key=form_key + "_note",
                            max_chars=MAX_NOTE)  # fmt: skip
        st.caption(_HINTS[kind] + " The report goes to the administrators.")
        send = st.form_submit_button("Send report", type="primary")
        cancel = st.form_submit_button("Cancel")
    if cancel:
        state.set_report_target(None)
        focus.move_to("report_" + _key(kind, person_id, source))
        st.rerun()
    if not send:
        return
    try:
        send_report(
            request.audit, request.actor, request.reason, kind, person_id, note,
            source=source, build_id=request.index.build_id,
        )  # fmt: skip
    except UserInputError as exc:
        st.error(str(exc))
        return
    state.set_report_target(None)
    state.mark_sent(target)
    focus.move_to("report_" + _key(kind, person_id, source))
    st.rerun()
