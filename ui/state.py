"""This user's session: who signed in, why they are looking, what they opened.

Kept in ``st.session_state`` (one per browser session), never in a shared cache.
"""

from __future__ import annotations

from typing import Any, Literal

import streamlit as st

from governance.access import Reason
from governance.audit import Actor
from lookup.address_search import AddressResult
from lookup.family import FamilyView
from lookup.search import Candidate

View = Literal["search", "family"]

_PREFIX = "fc_"  # this module's keys; widget keys are the pages' own


def _get(key: str, default: Any = None) -> Any:
    return st.session_state.get(_PREFIX + key, default)


def _set(key: str, value: Any) -> None:
    st.session_state[_PREFIX + key] = value


def actor() -> Actor | None:
    """The signed-in user, or None."""
    return _get("actor")


def start_session(signed_in: Actor) -> None:
    """Forget everything from before, then remember who signed in."""
    end_session()
    _set("actor", signed_in)


def end_session() -> None:
    """Forget the user and everything they looked at or typed (form values too)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def flag(name: str) -> bool:
    """A one-off marker in this session (e.g. a refusal already recorded)."""
    return bool(_get("flag_" + name))


def set_flag(name: str) -> None:
    """Set a one-off marker for this session."""
    _set("flag_" + name, True)


def override(person_id: str) -> str:
    """The written override reason given for a restricted person, or ''."""
    return (_get("overrides") or {}).get(person_id, "")


def set_override(person_id: str, why: str) -> None:
    """Remember an override reason (the override itself is audited when used)."""
    _set("overrides", {**(_get("overrides") or {}), person_id: why})


def reason() -> Reason | None:
    """Why the user is looking, once given."""
    return _get("reason")


def set_reason(value: Reason | None) -> None:
    """A new reason starts a fresh search: earlier results are forgotten."""
    _set("reason", value)
    clear_results()


def clear_results() -> None:
    """Forget results, the pending confirmation and any open family view."""
    for key in ("results", "pending", "family", "revealed", "report", "summary",
                "sent", "request", "prepared", "households",
                "results_prompt"):  # fmt: skip
        _set(key, None)
    _set("view", "search")


def view() -> View:
    """Which worker page to show: the search (with results) or the family view."""
    return _get("view", "search")


def results() -> list[Candidate] | None:
    """The last results list shown (None before any search)."""
    return _get("results")


def set_results(found: list[Candidate], prompt: str = "") -> None:
    """Remember a new results list (and what the page asks for when more people
    fit than it lists); anything opened before is forgotten."""
    clear_results()
    _set("results", found)
    _set("results_prompt", prompt)


def households() -> AddressResult | None:
    """The households the last address search listed (None after a person search)."""
    return _get("households")


def set_households(found: AddressResult) -> None:
    """Remember an address search's households (after ``set_results``)."""
    _set("households", found)


def results_prompt() -> str:
    """What the last results list asked for to tell people apart ('' if nothing)."""
    return _get("results_prompt", "") or ""


def pending() -> str | None:
    """The person whose record is waiting for the sensitivity confirmation."""
    return _get("pending")


def set_pending(person_id: str | None) -> None:
    """Ask for the sensitivity confirmation before opening this person (or not)."""
    _set("pending", person_id)


def family() -> FamilyView | None:
    """The family view opened (and audited) for this session, if any."""
    return _get("family")


def open_family(opened: FamilyView) -> None:
    """Show a family view just returned by the audited facade."""
    _set("family", opened)
    _set("pending", None)
    _set("revealed", {})
    _set("report", None)
    _set("summary", None)
    _set("sent", None)
    _set("request", None)
    _set("prepared", None)
    _set("view", "family")


def back_to_results() -> None:
    """Close the family view and show the results list again."""
    _set("family", None)
    _set("revealed", None)
    _set("report", None)
    _set("summary", None)
    _set("sent", None)
    _set("request", None)
    _set("prepared", None)
    _set("view", "search")


def revealed() -> dict[tuple[str, str], str | None]:
    """Withheld service detail the user chose to open, by (person, source)."""
    return _get("revealed") or {}


def reveal(person_id: str, source: str, detail: str | None) -> None:
    """Remember withheld detail the user opened (already audited)."""
    _set("revealed", {**revealed(), (person_id, source): detail})


def report_target() -> tuple[str, str, str | None] | None:
    """The (kind, person id, source) a report form is open for, if any."""
    return _get("report")


def set_report_target(target: tuple[str, str, str | None] | None) -> None:
    """Open (or close) the short report form for one person or contact."""
    _set("report", target)


def summary_ready() -> bool:
    """Whether the open family view's summary was handed out (already audited)."""
    return bool(_get("summary"))


def set_summary_ready(ready: bool, printing: bool = False) -> None:
    """Remember the summary export was recorded; ``printing`` shows the print view."""
    _set("summary", {"printing": printing} if ready else None)


def printing() -> bool:
    """Whether the print-friendly view of the summary is showing."""
    return bool((_get("summary") or {}).get("printing"))


def sent(target: tuple[str, str, str | None]) -> bool:
    """Whether this report was already sent from the open family view."""
    return target in (_get("sent") or set())


def mark_sent(target: tuple[str, str, str | None]) -> None:
    """Remember a sent report, so its button gives way to a confirmation."""
    _set("sent", (_get("sent") or set()) | {target})


def request_target() -> str | None:
    """The who-to-call card whose request form is open, if any."""
    return _get("request")


def set_request_target(card: str | None) -> None:
    """Open (or close) the request form of one who-to-call card."""
    _set("request", card)


def prepared(card: str) -> Any:
    """The request prepared (already audited) for a card, or None."""
    return (_get("prepared") or {}).get(card)


def set_prepared(card: str, value: Any) -> None:
    """Remember a prepared request, shown on its card until the view closes."""
    _set("prepared", {**(_get("prepared") or {}), card: value})


def sender() -> tuple[str, str]:
    """(team, how to reach) the worker last gave, for the next request."""
    return _get("sender") or ("", "")


def set_sender(team: str, reach: str) -> None:
    """Remember the worker's team and contact for this session's requests."""
    _set("sender", (team, reach))


def take_resume() -> bool:
    """Whether this run follows a reload of a signed-in page (asked once)."""
    return bool(st.session_state.pop(_PREFIX + "resume", False))


def mark_resume() -> None:
    """This browser session began on an existing sign-in: a reload."""
    _set("resume", True)


def place() -> tuple[Any, str | None] | None:
    """The (reason, open person) last saved for this session, or None."""
    return _get("place")


def set_place(saved: tuple[Any, str | None]) -> None:
    """Remember what was saved, so it is written again only when it changes."""
    _set("place", saved)


def reopen() -> str | None:
    """The person whose family view a reload is to open again, if any."""
    return _get("reopen")


def set_reopen(person_id: str | None) -> None:
    """Open this person's family view again on this run (after a reload)."""
    _set("reopen", person_id)
