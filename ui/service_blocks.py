"""A member's services as short blocks: one per service that knows them, then
one line per service with none found (worded exactly, with its as-of date)."""

from __future__ import annotations

from lookup.family import Member
from lookup.labels import NO_INVOLVEMENT, coverage_area
from lookup.services import ServiceStatus
from lookup.text import long_date
from ui import state
from ui.text import call_link, email_link, md
from ui.trust import as_of_text

_BADGE = {"Current": "orange", "Named on a current case": "orange",
          "Historic": "gray", "Not available": "red"}  # fmt: skip
ORDER = ("Current", "Named on a current case", "Historic", "Not available")
#: States in which a service knows the person: dates, lead and detail shown.
INVOLVED = ("Current", "Named on a current case", "Historic")


def involvement_word(s: ServiceStatus) -> str:
    """The word itself, in a coloured badge (the word carries the meaning)."""
    colour = _BADGE.get(s.involvement)
    return f":{colour}-badge[{s.involvement}]" if colour else f"**{s.involvement}**"


def _dates(s: ServiceStatus) -> str:
    rest = s.summary.removeprefix(s.involvement).lstrip(": ")
    return md(rest[:1].upper() + rest[1:]) if rest else ""


def _lead(s: ServiceStatus) -> str:
    lead = s.lead
    if lead is None:
        return "Lead professional: not recorded"
    who = md(lead.who)
    links = [x for x in (call_link(lead.phone), email_link(lead.email)) if x]
    return " · ".join([f"Lead professional: {who or 'not recorded'}", *links])


def _detail(s: ServiceStatus, person_id: str) -> str:
    if s.detail_withheld:
        shown = state.revealed().get((person_id, s.source))
        return f"Detail: {md(shown)}" if shown else "Detail held: use Show detail"
    return f"Detail: {md(s.detail)}" if s.detail else ""


def incident_lines(s: ServiceStatus) -> list[str]:
    """'Incidents (latest first):' then '- 12 May 2026 · Domestic abuse · Child
    present', and what is said of the rest; nothing for a service without them."""
    if not s.incidents:
        return []
    lines = [
        "- " + " · ".join([long_date(i.on) or "Undated", md(i.kind or "Type not "
                           "recorded"), f"**{md(i.role or 'role not recorded')}**"])
        for i in s.incidents
    ]  # fmt: skip
    if s.incidents_beyond:
        lines.append(f"- {md(s.incidents_beyond)}")
    return ["Incidents (latest first):", *lines]


def service_block(s: ServiceStatus, person_id: str) -> str:
    """Heading, involvement and dates, lead and links, detail, trust labels."""
    first = " ".join(p for p in (involvement_word(s), _dates(s)) if p)
    if s.involvement in INVOLVED:
        contact = long_date(s.last_contact) or "not recorded"
        first += f" · Last contact: {contact}"
    lines = [first]
    if s.involvement in INVOLVED:
        lines += [_lead(s), _detail(s, person_id)]
    trust = f"Current as of {md(as_of_text(s))} · Covers {md(s.coverage)}"
    head = f"##### {md(s.service)}\n" + "  \n".join(x for x in lines if x)
    incidents = incident_lines(s)
    if not incidents:
        return head + "  \n" + trust
    listed = "\n".join(incidents[1:])
    return f"{head}\n\n{incidents[0]}\n\n{listed}\n\n{trust}"


def services_markdown(m: Member) -> str:
    """Every service that knows the member (or could not be checked)."""
    found = sorted(
        (s for s in m.services if s.involvement != "None found"),
        key=lambda s: ORDER.index(s.involvement) if s.involvement in ORDER else 9,
    )
    if not found:
        return NO_INVOLVEMENT
    return "\n\n".join(service_block(s, m.person_id) for s in found)


def _area(s: ServiceStatus) -> str:
    """'Demo borough; ' when the source states the area it covers, else ''."""
    area = coverage_area(s)
    return md(area) + "; " if area else ""


def none_found(m: Member) -> str:
    """'No record in Housing data since April 2014 (…current as of …)', per line."""
    lines = [
        f"- {md(s.summary)} ({_area(s)}data current as of {md(as_of_text(s))})"
        for s in m.services
        if s.involvement == "None found"
    ]
    return "##### None found\n" + "\n".join(lines) if lines else ""
