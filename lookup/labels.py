"""Trust labels in words, shared by the dashboard and the API: how current a
service's data is, and the exact line shown for a service with nothing found."""

from __future__ import annotations

from lookup.services import ServiceStatus, Source, stale_text
from lookup.text import long_date

STALE_WORD = "Out of date"
NO_INVOLVEMENT = "No current or past involvement found in the services shown."


def as_of_text(s: ServiceStatus) -> str:
    """'1 November 2026', with a plain warning word when the source is stale."""
    as_of = long_date(s.current_as_of) or "Unknown"
    if s.stale_since is None:
        return as_of
    since = long_date(s.stale_since)
    return f"{as_of} ({STALE_WORD}: newer extracts failing since {since})"


def coverage_area(s: ServiceStatus) -> str:
    """The area a source states it covers ('Demo borough'), or ''."""
    area = s.coverage.split(", since ")[0]
    unstated = area.startswith("since ") or area == "Coverage not stated"
    return "" if unstated else area


def none_found_line(s: ServiceStatus) -> str:
    """'No record in Housing data since April 2014 (Demo borough; data current as
    of 1 November 2026)'."""
    area = coverage_area(s)
    return (
        f"{s.summary} ({area + '; ' if area else ''}data current as of {as_of_text(s)})"
    )


def problem_lines(sources: dict[str, Source]) -> list[str]:
    """One sentence per stale or missing source ('Housing data is from …')."""
    lines = []
    for src in sources.values():
        stale = stale_text(src)
        if stale:
            lines.append(stale)
        elif not src.ok:
            lines.append(
                f"{src.service} data could not be loaded in the latest build: "
                f"ask {src.service} directly"
            )
    return lines
