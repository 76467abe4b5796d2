"""One family member: who they are, how they were linked, every service shown."""

from __future__ import annotations

import streamlit as st

from governance.access import AccessRequest, audited_service_detail
from governance.restrictions import RESTRICTED_MESSAGE, is_redacted_member
from lookup.evidence import RecordEvidence, link_confidence
from lookup.family import Member
from lookup.text import age_text, long_date
from ui import state, why_linked
from ui.report_form import report_button
from ui.service_blocks import none_found, services_markdown
from ui.text import md


def identity_markdown(m: Member, records: list[RecordEvidence]) -> str:
    """Relationship, age, address, how linked and how sure."""
    born = f"born {long_date(m.dob)}" if m.dob else "date of birth not recorded"
    address = ", ".join(md(p) for p in (m.address, m.postcode) if p)
    services = {r.source for r in records}
    n = len(records)
    joined = (
        f"{n} {'record' if n == 1 else 'records'} from {len(services)} "
        f"{'service' if len(services) == 1 else 'services'} · "
        f"{link_confidence(records)}"
        if records
        else "No linkage details held"
    )
    return "  \n".join([
        f"{md(m.relationship)} · {age_text(m.age)}, {born}",
        *relationship_lines(m),
        f"Address: {address or 'not recorded'}",
        f"How linked to the family: {md(m.how_linked)}",
        f"Records joined: {joined}",
    ])  # fmt: skip


#: How each basis of a relationship is introduced on the card.
BASIS_WORDS = {
    "stated": "Relationship as recorded",
    "derived": "Relationship worked out from",
    "inferred": "Relationship inferred from",
}


def relationship_lines(m: Member) -> list[str]:
    """'Relationship as recorded: Early Help: Noah recorded as Father …'."""
    if m.is_focus or not m.relationship_basis or not m.relationship_evidence:
        return []
    why = "; ".join(md(e) for e in m.relationship_evidence)
    return [f"{BASIS_WORDS.get(m.relationship_basis, 'Relationship')}: {why}"]


def _reveal_buttons(request: AccessRequest, m: Member) -> None:
    for s in m.services:
        if not s.detail_withheld or (m.person_id, s.source) in state.revealed():
            continue
        if st.button(
            f"Show {s.service} detail", key=f"reveal_{m.person_id}_{s.source}"
        ):
            detail = audited_service_detail(
                request, m.person_id, s.source, override=state.override(m.person_id)
            )
            state.reveal(m.person_id, s.source, detail)
            st.rerun()


def is_restricted(m: Member) -> bool:
    """A placeholder for a restricted relative (see governance.restrictions)."""
    return is_redacted_member(m)


def card(
    request: AccessRequest,
    m: Member,
    records: list[RecordEvidence],
) -> None:
    """The member's card: identity, services, why linked, report button."""
    with st.container(border=True):
        if is_restricted(m):
            st.markdown(f"#### Restricted record\n{RESTRICTED_MESSAGE}")
            return
        tag = " (person searched for)" if m.is_focus else ""
        st.markdown(f"#### {md(m.name)}{tag}")
        st.markdown(identity_markdown(m, records))
        if m.possible_match:
            st.warning(
                "**Possible match** with another record: verify before relying "
                "on this.",
                icon=":material/help:",
            )
        st.markdown(services_markdown(m))
        absent = none_found(m)
        if absent:
            st.markdown(absent)
        if m.hidden:
            st.caption(
                "Not shown (the council's age rules or your role): "
                + "; ".join(md(h) for h in m.hidden)
            )
        _reveal_buttons(request, m)
        why_linked.expander(m.person_id, records)
        report_button(request, ("not_same_person", m.person_id, None),
                      m.name)  # fmt: skip
