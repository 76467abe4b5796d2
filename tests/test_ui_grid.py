"""The family at a glance: the members line and the person × service grid take
their states from where states are made; earlier addresses drop the current one
written another way."""

from __future__ import annotations

from typing import get_args

import pytest
from conftest import ask
from support import family_views

import governance.access as access
from lookup.services import Involvement
from ui import grid

WORKER = family_views.WORKER
#: the test family, loaded once; a fresh audit store per test
index, audit = family_views.index, family_views.audit


def test_the_grid_takes_every_state_from_where_states_are_made(index, audit) -> None:
    assert grid.STATES[:-1] == get_args(Involvement) and grid.STATES[-1] == "Not shown"
    for state in grid.STATES:
        fg, bg = grid.colours(state)
        assert fg != bg
    # current-like text, its own shade: every state shown has its own colour
    named, current = grid.colours("Named on a current case"), grid.colours("Current")
    assert named[0] == current[0] and named[1] != current[1]
    assert grid.colours("Current on a plan") == current  # a state yet to come
    request = ask(index, audit, WORKER, "New referral (MASH)", "REF-1")
    view = access.audited_family(request, "p1")
    sources = access.sources_for(request)
    jane = next(i for i, m in enumerate(view.members) if m.person_id == "p1")
    cells = grid.cells(view.members[jane], jane, sources)
    assert [c.service for c in cells] == [s.service for s in sources.values()]
    by = {c.service: c.state for c in cells}
    assert by["Children's social care"] == "Current"
    assert by["Police"] == "Not shown"  # the police age rule: Jane is 11
    assert all(c.anchor == grid.member_anchor(jane) for c in cells
               if c.state != "Not shown")  # fmt: skip
    page = grid.grid_html(view, sources)
    assert page.count('<th scope="row">') == len(view.members)
    assert f'<a href="#{grid.member_anchor(jane)}">Current' in page
    assert "p1" not in page  # ids stay out of the page's addresses
    line = grid.members_line(view)
    assert line.startswith("Jane SMITH, person searched for, age ")


@pytest.mark.parametrize(
    ("current", "postcode", "previous", "kept"),
    [
        ("12 High Street", "SK1 1AA",
         ("12 HIGH STREET", "12 High Street, SK1 1AA", "3 Mill Lane", "3 mill lane."),
         ["3 Mill Lane"]),
        ("12 High Street", None, (), []),
        (None, None, ("3 Mill Lane", ""), ["3 Mill Lane"]),
    ],
)  # fmt: skip
def test_previous_addresses_drop_the_current_one_written_another_way(
    current, postcode, previous, kept
) -> None:
    from lookup.search import Candidate
    from ui.search_page import distinct_previous

    c = Candidate.__new__(Candidate)
    for name, value in (("address", current), ("postcode", postcode),
                        ("previous_addresses", previous)):  # fmt: skip
        object.__setattr__(c, name, value)
    assert distinct_previous(c) == kept
