"""Every involvement of a service, not only the latest: the family timeline
draws each episode, and a contact-only role sees none of their dates."""

from __future__ import annotations

from datetime import date

from cli.serialise import plain
from governance.visibility import contact_only
from lookup.services import Episode, Source, latest_involvements, service_status
from ui.timeline import involvement_spans

HOUSING = Source("housing", "Housing", "standard", date(2026, 11, 1), None, None,
                 None, None, True)  # fmt: skip


def _record(start: date | None, end: date | None, current: bool) -> dict:
    return {
        "person_id": "p1", "source": "housing", "involvement_start": start,
        "involvement_end": end, "involvement_current": current,
        "last_contact": None, "detail": None, "extract_date": date(2026, 11, 1),
        **{f"lead_{k}": None for k in ("name", "role", "team", "phone", "email")},
    }  # fmt: skip


RECORDS = [
    _record(date(2024, 5, 1), None, True),
    _record(date(2019, 2, 1), date(2020, 3, 1), False),
    _record(date(2019, 2, 1), date(2020, 3, 1), False),  # the same episode twice
    _record(None, None, False),
]


def test_each_distinct_episode_is_kept_oldest_first_undated_last() -> None:
    latest = latest_involvements(RECORDS)[("p1", "housing")]
    assert latest["episodes"] == (
        Episode(date(2019, 2, 1), date(2020, 3, 1), False),
        Episode(date(2024, 5, 1), None, True),
        Episode(None, None, False),
    )
    status = service_status(HOUSING, latest)
    assert status.involvement == "Current"
    assert status.last_start == date(2024, 5, 1)
    assert involvement_spans(status) == [
        (date(2019, 2, 1), date(2020, 3, 1), False),
        (date(2024, 5, 1), None, True),
    ]


def test_contact_only_drops_every_episode_date() -> None:
    status = service_status(HOUSING, latest_involvements(RECORDS)[("p1", "housing")])
    cut = contact_only(status)
    assert (cut.episodes, cut.last_start, involvement_spans(cut)) == ((), None, [])


def test_cli_json_gives_each_episode_as_an_object() -> None:
    status = service_status(HOUSING, latest_involvements(RECORDS)[("p1", "housing")])
    assert plain(status)["episodes"][0] == {
        "start": "2019-02-01", "end": "2020-03-01", "current": False
    }  # fmt: skip


def test_a_record_with_no_involvement_dates_says_so() -> None:
    """A parent named on a child's case is not a past client of the service."""
    named = latest_involvements([_record(None, None, False)])[("p1", "housing")]
    status = service_status(HOUSING, named)
    assert (
        status.summary == "Named in this service's records, with no involvement dates"
    )
