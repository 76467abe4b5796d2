"""Family view: who to call first, then every member and every service."""

from __future__ import annotations

import streamlit as st

from governance.access import Reason, audited_service_detail
from governance.audit import Actor
from lookup.family import Contact, FamilyView, Member
from lookup.services import ServiceStatus
from lookup.text import age_text, long_date
from ui import state
from ui.context import AppContext
from ui.text import lead_inline, lead_lines, md

_BADGE = {"Current": "orange", "Historic": "gray", "Not available": "red"}


def _who_to_call(contacts: tuple[Contact, ...]) -> None:
    st.subheader("Who to call")
    if not contacts:
        st.markdown("No current involvement found for anyone in this family.")
        return
    for c in contacts:
        since = (
            f"Involved since {long_date(c.since)}" if c.since else "Start not recorded"
        )
        with st.container(border=True):
            st.markdown(
                f"**{md(c.service)}** for **{md(c.member_name)}** "
                f"({md(c.relationship)})  \n{lead_lines(c.lead)}  \n{since}"
            )


def _involvement(s: ServiceStatus) -> str:
    """The involvement word (with a colour badge, never colour alone), then dates."""
    rest = s.summary.removeprefix(s.involvement).lstrip(": ")
    colour = _BADGE.get(s.involvement)
    word = f":{colour}-badge[{s.involvement}]" if colour else f"**{s.involvement}**"
    return f"{word} {md(rest)}" if rest else word


def _contact(s: ServiceStatus) -> str:
    if s.involvement not in ("Current", "Historic"):
        return "–"
    return long_date(s.last_contact) or "Not recorded"


def _detail(s: ServiceStatus, person_id: str) -> str:
    if s.detail_withheld:
        shown = state.revealed().get((person_id, s.source))
        return md(shown) if shown else "Held: use Show detail below"
    return md(s.detail) if s.detail else ""


def _service_table(m: Member) -> str:
    head = (
        "| Service | Involvement | Most recent contact | Lead professional | Detail "
        "| Current as of | Covers |\n|---|---|---|---|---|---|---|\n"
    )
    rows = [
        f"| {md(s.service)} | {_involvement(s)} | {_contact(s)} | "
        f"{lead_inline(s.lead)} | "
        f"{_detail(s, m.person_id)} | {long_date(s.current_as_of) or 'Unknown'} | "
        f"{md(s.coverage)} |"
        for s in m.services
    ]
    return head + "\n".join(rows)


def _reveal_buttons(ctx: AppContext, actor: Actor, reason: Reason, m: Member) -> None:
    for s in m.services:
        if not s.detail_withheld or (m.person_id, s.source) in state.revealed():
            continue
        if st.button(
            f"Show {s.service} detail", key=f"reveal_{m.person_id}_{s.source}"
        ):
            detail = audited_service_detail(
                ctx.index(), ctx.audit_engine, actor, reason.purpose,
                reason.case_ref, m.person_id, s.source,
                explanation=reason.explanation,
                override=state.override(m.person_id), policy=ctx.policy,
            )  # fmt: skip
            state.reveal(m.person_id, s.source, detail)
            st.rerun()


def _member(ctx: AppContext, actor: Actor, reason: Reason, m: Member) -> None:
    with st.container(border=True):
        tag = " (person searched for)" if m.is_focus else ""
        st.markdown(f"### {md(m.name)}{tag}")
        born = f"born {long_date(m.dob)}" if m.dob else "date of birth not recorded"
        st.markdown(
            f"{md(m.relationship)} · {age_text(m.age)}, {born}  \n"
            f"How linked: {md(m.how_linked)}"
        )
        if m.possible_match:
            st.warning(
                "Possible match with another record: verify before relying on this.",
                icon=":material/help:",
            )
        st.markdown(_service_table(m))
        if m.hidden:
            st.caption("Not shown: " + "; ".join(md(h) for h in m.hidden))
        _reveal_buttons(ctx, actor, reason, m)


def page(ctx: AppContext, actor: Actor, reason: Reason) -> None:
    """The opened family view (already audited when it was opened)."""
    view: FamilyView | None = state.family()
    if st.button("← Back to results", key="back"):
        state.back_to_results()
        st.rerun()
    if view is None:
        state.back_to_results()
        st.rerun()
        return
    focus = next(m for m in view.members if m.is_focus)
    st.header(f"{focus.name} and linked people")
    linked = len(view.members) - 1
    st.caption(f"{linked} linked {'person' if linked == 1 else 'people'} found.")
    _who_to_call(view.who_to_call)
    st.subheader("Family and services")
    for m in view.members:
        _member(ctx, actor, reason, m)
