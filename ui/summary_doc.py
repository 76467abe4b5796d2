"""The printable summary for case notes, as plain text and as a standalone HTML page.

Pure functions over a family view the worker already sees (cut to their role):
the family with each member's relationship and what it rests on, every service's
state and dates per person ("None found" worded as on the page), the incidents
the role may see, what the age rules or the role leave out, current involvements
with contacts, and how current each source is. No free-text service detail is
included.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from lookup.family import FamilyView
from lookup.services import Source, coverage_text
from lookup.text import age_text, long_date
from ui.member import is_restricted
from ui.trust import problem_lines

HANDLE_WITH_CARE = (
    "OFFICIAL-SENSITIVE. A starting point for conversations with the professionals "
    "named: confirm with them before relying on it."
)


@dataclass(frozen=True)
class SummaryHeader:
    """Who prepared the summary, for which case, on which day, where."""

    prepared_by: str
    case_ref: str
    today: date
    local_authority: str


def _family(view: FamilyView) -> list[list[str]]:
    rows = []
    for m in view.members:
        if is_restricted(m):
            rows.append(["Restricted record", "–", "–", "–", "–"])
            continue
        rel = "Person searched for" if m.is_focus else m.relationship
        age = age_text(m.age).removeprefix("age ")
        why = "; ".join(m.relationship_evidence) or "–"
        rows.append([m.name, rel, age, long_date(m.dob) or "not recorded", why])
    return rows


def _shown(view: FamilyView) -> list:
    return [m for m in view.members if not is_restricted(m)]


def _services(view: FamilyView) -> list[list[str]]:
    """One row per person and service shown: state, dates, last contact, lead."""
    rows = []
    for m in _shown(view):
        for s in m.services:
            involved = s.involvement not in ("None found", "Not available")
            lead = (s.lead.who if s.lead else "") or "not recorded"
            contact = long_date(s.last_contact) or "not recorded"
            rows.append(
                [
                    m.name,
                    s.service,
                    s.involvement,
                    s.summary,
                    contact if involved else "–",
                    lead if involved else "–",
                ]
            )
    return rows  # fmt: skip


def _incidents(view: FamilyView) -> list[list[str]]:
    rows = []
    for m in _shown(view):
        for s in m.services:
            rows += [[m.name, s.service, long_date(i.on) or "undated",
                      i.kind or "not recorded", i.role or "not recorded"]
                     for i in s.incidents]  # fmt: skip
            if s.incidents_beyond:
                rows.append([m.name, s.service, "–", s.incidents_beyond, "–"])
    return rows


def _not_shown(view: FamilyView) -> list[list[str]]:
    """What the age rules or the worker's role leave out, per person."""
    return [[m.name, note] for m in _shown(view) for note in m.hidden]


def _contacts(view: FamilyView) -> list[list[str]]:
    return [
        [c.service, f"{c.member_name} ({c.relationship})",
         c.lead.who or "not recorded",
         c.lead.phone or "–", c.lead.email or "–",
         long_date(c.since) or "not shown"]
        for c in view.who_to_call
    ]  # fmt: skip


def _sources(sources: dict[str, Source]) -> list[list[str]]:
    return [
        [s.service, long_date(s.extract_date) or "unknown", coverage_text(s)]
        for s in sources.values()
    ]


SECTIONS = (
    ("Family", ("Name", "Relationship", "Age", "Date of birth",
                "Relationship rests on"), _family),
    ("Services for each person", ("Name", "Service", "State", "Dates",
                                  "Last contact", "Lead professional"), _services),
    ("Incidents", ("Name", "Service", "Date", "Type", "Role"), _incidents),
    ("Not shown (age rules or your role)", ("Name", "Why"), _not_shown),
    ("Current involvements: who to call",
     ("Service", "For", "Lead professional", "Phone", "Email", "Since"), _contacts),
)  # fmt: skip
SOURCE_HEAD = ("Service", "Current as of", "Data covers")


def _tables(view: FamilyView, sources: dict[str, Source]):  # noqa: ANN202
    yield from ((t, h, f(view)) for t, h, f in SECTIONS)
    yield "Data current as of", SOURCE_HEAD, _sources(sources)


def _intro(head: SummaryHeader) -> list[str]:
    return [
        f"Prepared by {head.prepared_by} on {long_date(head.today)} "
        f"for case {head.case_ref} ({head.local_authority}).",
        HANDLE_WITH_CARE,
    ]


def summary_text(
    view: FamilyView, sources: dict[str, Source], head: SummaryHeader
) -> str:
    """The summary as plain text, one line per row, for pasting into case notes."""
    lines = ["FAMILY CONTEXT SUMMARY", *_intro(head)]
    for title, columns, rows in _tables(view, sources):
        lines += ["", title.upper()]
        lines += [
            "- " + "; ".join(f"{c}: {v}" for c, v in zip(columns, r, strict=True))
            for r in rows
        ] or ["- None found"]
    problems = problem_lines(sources)
    if problems:
        lines += ["", "DATA PROBLEMS", *(f"- {p}" for p in problems)]
    return "\n".join(lines) + "\n"


def _table_html(title: str, columns: tuple[str, ...], rows: list[list[str]]) -> str:
    e = html.escape
    if not rows:
        return f"<h2>{e(title)}</h2><p>None found.</p>"
    head = "".join(f'<th scope="col">{e(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in rows
    )
    return (
        f"<h2>{e(title)}</h2><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def summary_body_html(
    view: FamilyView, sources: dict[str, Source], head: SummaryHeader
) -> str:
    """The summary's HTML body (headings and tables), escaped."""
    parts = ["<h1>Family context summary</h1>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in _intro(head)]
    parts += [_table_html(t, c, r) for t, c, r in _tables(view, sources)]
    problems = problem_lines(sources)
    if problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
        parts.append(f"<h2>Data problems</h2><ul>{items}</ul>")
    return "\n".join(parts)


STYLE = (
    "body{font-family:Arial,sans-serif;font-size:12pt;margin:2em;color:#0b0c0c}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1em}"
    "th,td{border:1px solid #0b0c0c;padding:4px 6px;text-align:left;"
    "vertical-align:top}h1{font-size:18pt}h2{font-size:14pt;margin-top:1.2em}"
)


def summary_html(
    view: FamilyView, sources: dict[str, Source], head: SummaryHeader
) -> str:
    """A standalone, print-ready HTML page of the summary."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        "<title>Family context summary</title>"
        f"<style>{STYLE}</style></head><body>\n"
        f"{summary_body_html(view, sources, head)}\n</body></html>\n"
    )
