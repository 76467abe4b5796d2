"""The family at a glance: one line per member, then a person × service grid.

Rows are the members, columns the services this role may see; each cell says the
member's state with that service in words and in colour (never colour alone) and
links to the member's card. The states come from the one place they are made,
``lookup.services.Involvement``, so a state added there shows here too.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import get_args

import streamlit as st

from lookup.family import FamilyView, Member
from lookup.services import Involvement, Source
from lookup.text import age_text
from ui.member import is_restricted
from ui.text import md

NOT_SHOWN = "Not shown"  # the age rules or the role keep this service's records back
#: Every state a cell can hold, in the order the legend lists them.
STATES: tuple[str, ...] = (*get_args(Involvement), NOT_SHOWN)
#: (text, background) per state, each at least 4.5:1; a state without its own
#: pair takes the current one if its name says current, else a neutral one.
_COLOURS = {
    "Current": ("#6b2e00", "#fde3c4"),
    # a parent on their child's open case: current-like, told apart by shade
    "Named on a current case": ("#6b2e00", "#fff4e5"),
    "Historic": ("#383f43", "#e6e8ea"),
    "None found": ("#3d4a52", "#ffffff"),
    "Not available": ("#8a1f11", "#f8d9d4"),
    NOT_SHOWN: ("#4c4a48", "#f3f2f1"),
}
_NEUTRAL = ("#26313a", "#dfe9f2")

CSS = """<style>
.fc-grid-wrap{overflow-x:auto;max-width:100%;position:relative}
.fc-grid{border-collapse:collapse;font-size:0.9rem;margin:0.25rem 0 0.5rem}
.fc-grid th,.fc-grid td{border:1px solid #b1b4b6;padding:0.3rem 0.5rem;
text-align:left;vertical-align:top}
.fc-grid thead th{background:#f3f2f1}
.fc-grid th[scope=row] span{display:block;font-weight:normal;color:#4c4a48}
.fc-grid td a{color:inherit;text-decoration:underline}
.fc-grid caption{text-align:left;font-weight:bold;padding-bottom:0.25rem}
.fc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
</style>"""


@dataclass(frozen=True)
class Cell:
    """One member × service: the state in words, and where the link goes."""

    state: str
    service: str
    anchor: str | None


def colours(state: str) -> tuple[str, str]:
    """(text, background) for a state; words carry the meaning, colour helps."""
    if state in _COLOURS:
        return _COLOURS[state]
    return _COLOURS["Current"] if "current" in state.lower() else _NEUTRAL


def member_anchor(position: int) -> str:
    """The in-page id of the member card at ``position`` (no personal data: the
    fragment is the only part of the address the link changes)."""
    return f"member-{position + 1}"


def member_line(m: Member) -> str:
    """'Olivia WALKER, person searched for, age 5' (or 'Restricted record')."""
    if is_restricted(m):
        return "Restricted record"
    rel = "person searched for" if m.is_focus else m.relationship
    return f"{m.name}, {rel[:1].lower() + rel[1:]}, {age_text(m.age)}"


def members_line(view: FamilyView) -> str:
    """Everyone in the view on one line, the person searched for first."""
    return "; ".join(member_line(m) for m in view.members)


def cells(m: Member, position: int, sources: dict[str, Source]) -> list[Cell]:
    """The member's state with every service the role may see, in column order."""
    known = {s.source: s for s in m.services}
    link = None if is_restricted(m) else member_anchor(position)
    return [
        Cell(known[k].involvement, src.service, link)
        if k in known and not is_restricted(m)
        else Cell(NOT_SHOWN, src.service, None)
        for k, src in sources.items()
    ]


def _cell_html(c: Cell, who: str) -> str:
    fg, bg = colours(c.state)
    word = html.escape(c.state)
    where = f'<span class="fc-sr">: {html.escape(c.service)}, {html.escape(who)}</span>'
    inner = f'<a href="#{c.anchor}">{word}{where}</a>' if c.anchor else word + where
    return f'<td style="color:{fg};background:{bg}">{inner}</td>'


def grid_html(view: FamilyView, sources: dict[str, Source]) -> str:
    """The grid as an HTML table: a caption, column and row headers, one cell per
    member × service."""
    head = "".join(f'<th scope="col">{html.escape(s.service)}</th>'
                   for s in sources.values())  # fmt: skip
    rows = []
    for i, m in enumerate(view.members):
        name = "Restricted record" if is_restricted(m) else m.name
        rel = "" if is_restricted(m) else member_line(m).removeprefix(m.name + ", ")
        who = f'<th scope="row">{html.escape(name)}<span>{html.escape(rel)}</span></th>'
        body = "".join(_cell_html(c, name) for c in cells(m, i, sources))
        rows.append(f"<tr>{who}{body}</tr>")
    states = ", ".join(STATES)
    return (
        f'{CSS}<div class="fc-grid-wrap" role="region" tabindex="0" '
        f'aria-labelledby="fc-grid-caption"><table class="fc-grid">'
        f'<caption id="fc-grid-caption">Each person and service at a glance '
        f"({html.escape(states)})</caption>"
        f'<thead><tr><th scope="col">Person</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def section(view: FamilyView, sources: dict[str, Source]) -> None:
    """The one-line members list and the grid, above the detail."""
    st.markdown("**In this family:** " + md(members_line(view)))
    st.html(grid_html(view, sources))
    st.caption(
        "Select a state to go to that person's services below. Not shown: the "
        "council's age rules or your role keep that service's records back."
    )
