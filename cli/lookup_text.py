"""Readable plain-text tables of results for the command line."""

from __future__ import annotations

from lookup.family import FamilyView, Member
from lookup.search import Candidate
from lookup.services import Lead
from lookup.text import age_text, display_name, long_date, nhs_display


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def candidates_text(candidates: list[Candidate]) -> str:
    """One line per person listed, best match first."""
    if not candidates:
        return (
            "No matching people found. Check the spelling, try without the date "
            "of birth, or search by an identifier."
        )
    rows = [
        [
            c.person_id,
            c.confidence,
            display_name(c.first_name, c.last_name),
            long_date(c.dob) or "unknown",
            age_text(c.age),
            ", ".join(p for p in (c.address, c.postcode) if p),
            " ".join(filter(None, (nhs_display(c.nhs_number), c.upn, *c.case_numbers))),
            str(c.n_services),
            "verify before relying on this" if c.possible_match else "",
        ]
        for c in candidates
    ]
    header = ["ID", "Match", "Name", "Born", "Age", "Address", "Identifiers"]
    return _table([*header, "Services", "Note"], rows)


def lead_text(lead: Lead | None) -> str:
    """'Pat Lee, Social worker, Team East, 0161 000 1111, pat@…'."""
    if lead is None:
        return "No lead professional recorded"
    parts = (lead.name, lead.role, lead.team, lead.phone, lead.email)
    return ", ".join(p for p in parts if p) or "No lead professional recorded"


def _member_text(m: Member) -> str:
    head = f"{m.name} ({m.relationship}; {age_text(m.age)}) - {m.how_linked}"
    rows = [
        [
            s.service,
            s.summary,
            lead_text(s.lead)
            if s.involvement not in ("None found", "Not available")
            else "",
            long_date(s.current_as_of),
        ]
        for s in m.services
    ]
    body = _table(["Service", "Involvement", "Lead", "Current as of"], rows)
    incidents = "".join(
        f"\n  {s.service}: {long_date(i.on) or 'Undated'}, "
        f"{i.kind or 'type not recorded'}, {i.role or 'role not recorded'}"
        for s in m.services
        for i in s.incidents
    ) + "".join(f"\n  {s.service}: {s.incidents_beyond}" for s in m.services
                if s.incidents_beyond)  # fmt: skip
    hidden = "".join(f"\n  {h}" for h in m.hidden)
    return f"{head}\n{body}{incidents}{hidden}"


def family_text(view: FamilyView) -> str:
    """Who to call, then each member's services."""
    calls = [
        [c.member_name, c.service, lead_text(c.lead), long_date(c.since)]
        for c in view.who_to_call
    ]
    top = (
        _table(["For", "Service", "Who to call", "Since"], calls)
        if calls
        else "No current involvement found for anyone in this family."
    )
    members = "\n\n".join(_member_text(m) for m in view.members)
    return f"WHO TO CALL\n{top}\n\nFAMILY\n{members}"
