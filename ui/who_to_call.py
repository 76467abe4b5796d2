"""Who to call: every current involvement across the family, phone first."""

from __future__ import annotations

import streamlit as st

from governance.access import AccessRequest
from lookup.family import Contact, FamilyView
from lookup.services import ServiceStatus
from lookup.text import long_date
from ui import request_form
from ui.report_form import report_button
from ui.text import call_link, email_link, md
from ui.trust import STALE_WORD

COLUMNS = 3


def status_of(view: FamilyView, c: Contact) -> ServiceStatus | None:
    """The service row a contact came from (for its source and trust labels)."""
    for m in view.members:
        if m.person_id == c.person_id:
            return next((s for s in m.services if s.service == c.service), None)
    return None


def lead_text(c: Contact) -> str:
    """'Pat Lee, Social worker, Team East' or a plain 'not recorded'."""
    return md(c.lead.who) or "No lead professional recorded"


def professional(c: Contact) -> str:
    """'Pat Lee, Children's social care' (the service alone when no lead)."""
    return f"{c.lead.name}, {c.service}" if c.lead.name else c.service


def since_text(c: Contact) -> str:
    """'Since 3 March 2026', or why no date is shown."""
    return f"Since {long_date(c.since)}" if c.since else "Start date not shown"


def grouped(contacts: tuple[Contact, ...]) -> list[list[Contact]]:
    """Contacts with the same service and the same lead professional as one card
    (a housing officer for the tenant and the partner is one call), in order."""
    groups: dict[tuple, list[Contact]] = {}
    for c in contacts:
        key = (c.service, c.lead.name, c.lead.phone, c.lead.email)
        if c.lead.name is None and c.lead.phone is None and c.lead.email is None:
            key = (c.service, c.person_id)  # no lead: nothing says it is one call
        groups.setdefault(key, []).append(c)
    return list(groups.values())


def _for_text(group: list[Contact]) -> str:
    people = [f"**{md(c.member_name)}** ({md(c.relationship)})" for c in group]
    return "For " + (" and ".join(people) if len(people) < 3
                     else ", ".join(people[:-1]) + " and " + people[-1])  # fmt: skip


def _since_text(group: list[Contact]) -> str:
    if len({c.since for c in group}) == 1:
        return since_text(group[0])
    return "; ".join(
        f"{md(c.member_name)}: "
        + (f"since {long_date(c.since)}" if c.since else "start date not shown")
        for c in group
    )


def contact_markdown(group: list[Contact], s: ServiceStatus | None) -> str:
    """The card's text: service heading, for whom, lead, links, since when."""
    c = group[0]
    links = [link for link in (call_link(c.lead.phone), email_link(c.lead.email))
             if link]  # fmt: skip
    lines = [
        f"#### {md(c.service)}",
        _for_text(group),
        lead_text(c),
        " · ".join(links) or "No phone or email recorded",
        _since_text(group),
    ]
    if s is not None and s.stale_since is not None:
        lines.append(
            f"**{STALE_WORD}:** contact details are from {long_date(s.current_as_of)}"
        )
    return "  \n".join(lines[:1]) + "\n\n" + "  \n".join(lines[1:])


def section(request: AccessRequest, view: FamilyView) -> None:
    """The who-to-call cards, each with its out-of-date report button."""
    st.subheader("Who to call")
    contacts = view.who_to_call
    if not contacts:
        st.markdown(
            "No current involvement found for anyone in this family. Past "
            "involvement is listed under each person below."
        )
        return
    n, cards = len(contacts), grouped(contacts)
    shared = (
        f" ({len(cards)} to call: one professional may work with several of them)"
        if len(cards) < n
        else ""
    )
    st.caption(
        f"{n} current {'involvement' if n == 1 else 'involvements'} across the "
        f"family{shared}, the person searched for first."
    )
    for start in range(0, len(cards), COLUMNS):
        cols = st.columns(COLUMNS)
        for col, group in zip(cols, cards[start : start + COLUMNS], strict=False):
            c = group[0]
            s = status_of(view, c)
            with col.container(border=True):
                st.markdown(contact_markdown(group, s))
                if s is not None:
                    request_form.section(request, view, group, s)
                    report_button(request,
                                  ("contact_out_of_date", c.person_id, s.source),
                                  professional(c))  # fmt: skip
