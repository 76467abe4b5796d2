"""Reason for access: purpose and case reference before any search."""

from __future__ import annotations

import streamlit as st

from core.errors import UserInputError
from governance.access import check_reason
from ui import focus, state
from ui.context import AppContext


def page(ctx: AppContext) -> None:
    """Ask why the worker is looking; every later access is recorded with it."""
    with focus.target("reason"):
        st.header("Why are you looking?")
    st.write(
        "Every search and record you open is recorded with your name, this "
        "purpose and the case reference."
    )
    with st.form("reason"):
        purpose = st.selectbox(
            "Purpose",
            ctx.config.app.purposes,
            index=None,
            placeholder="Choose a purpose",
            key="reason_purpose",
        )
        case_ref = st.text_input("Case or referral reference", key="reason_case")
        explanation = st.text_area(
            "Emergency only: explain why you need access now (emergency use is "
            "reviewed by information governance)",
            key="reason_expl",
        )
        submitted = st.form_submit_button("Continue", type="primary")
    if not submitted:
        return
    try:
        reason = check_reason(
            purpose or "", case_ref, explanation, ctx.config.app.purposes, ctx.policy
        )
    except UserInputError as exc:
        st.error(str(exc))
        return
    state.set_reason(reason)
    focus.move_to("search")
    st.rerun()
