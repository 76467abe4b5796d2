"""Proactive audit flags: pure functions over the events frame, no database.

The events frame has one row per audit event with columns ``seq, at_utc, kind,
user_id, user_name, role, session_id, purpose, case_ref, data`` (data as its
canonical JSON text). Each flag function returns rows of ``FLAG_SCHEMA``: the
flag, a stable key (so a closed review item stays closed), the user, the time
of the event that raised it, and a short detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from core.config import GovernanceConfig
from governance.audit import utc_text

EVENT_SCHEMA = {
    "seq": pl.Int64, "at_utc": pl.Utf8, "kind": pl.Utf8, "user_id": pl.Utf8,
    "user_name": pl.Utf8, "role": pl.Utf8, "session_id": pl.Utf8,
    "purpose": pl.Utf8, "case_ref": pl.Utf8, "data": pl.Utf8,
}  # fmt: skip
FLAG_SCHEMA = {"flag": pl.Utf8, "key": pl.Utf8, "user_id": pl.Utf8,
               "at_utc": pl.Utf8, "detail": pl.Utf8}  # fmt: skip
FLAG_LABELS = {
    "own_surname": "Searched a surname matching their own",
    "out_of_hours": "Used outside working hours",
    "unusual_volume": "Unusual number of searches in a day",
    "search_no_view": "Searched repeatedly without opening a record",
    "emergency": "Emergency purpose used",
    "override": "Restricted record opened by override",
    "dormant": "Sign-in to a dormant account",
    "unused_account": "Dormant account: not used for a long time",
    "subject_access": "Subject access report prepared (one person's records and "
    "accesses taken out)",
}
_LOOKS = ("search", "results_shown", "family_opened", "reopen", "service_opened",
          "override")  # fmt: skip


@dataclass(frozen=True)
class FlagRules:
    """Thresholds, from ``[governance]``."""

    start: str = "08:00"
    end: str = "18:00"
    timezone: str = "Europe/London"
    unusual_volume: int = 40
    dormant_days: int = 60
    searches_without_view: int = 3
    #: The longest a session can last (the absolute time-out): a session younger
    #: than this that has not ended may still open a record, so is not judged yet.
    session_limit: timedelta = timedelta(hours=10)

    @classmethod
    def from_config(cls, gov: GovernanceConfig) -> FlagRules:
        """The thresholds a loaded ``[governance]`` table sets."""
        start, _, end = gov.working_hours.partition("-")
        return cls(
            start.strip(), end.strip(), gov.timezone, gov.unusual_volume,
            gov.dormant_days,
            session_limit=timedelta(minutes=gov.absolute_timeout_minutes),
        )  # fmt: skip


def _local(tz: str) -> pl.Expr:
    return (
        pl.col("at_utc")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_zone="UTC")
        .dt.convert_time_zone(tz)
    )


def _out(frame: pl.DataFrame, flag: str, key: pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.lit(flag).alias("flag"),
        (pl.lit(flag + ":") + key).alias("key"),
        "user_id", "at_utc", detail.alias("detail"),
    ).unique("key", keep="first", maintain_order=True)  # fmt: skip


def _parts(surname: pl.Expr) -> pl.Expr:
    """A surname's parts ("Morgan-Smith" → morgan, smith), lower case, 2+ letters."""
    words = surname.str.to_lowercase().str.replace_all(r"[\s\-']+", " ")
    return (
        words.str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element().str.len_chars() >= 2))
    )


def own_surname(events: pl.DataFrame) -> pl.DataFrame:
    """Searches whose surname shares a part with the searcher's own (the last word
    of their name, or the part before a comma: "Morgan, Alex", as directories list
    staff), so "Smith" is flagged for Alex Morgan-Smith and the reverse too."""
    name = pl.col("user_name").str.replace(r"\s*\(.*\)\s*$", "").str.strip_chars()
    own = (
        pl.when(name.str.contains(",", literal=True))
        .then(name.str.split(",").list.first())
        .otherwise(name.str.split(" ").list.last())
    )
    asked = pl.col("data").str.json_path_match("$.criteria.last")
    shared = _parts(own).list.set_intersection(_parts(asked)).list.len() > 0
    hits = events.filter((pl.col("kind") == "search") & shared.fill_null(False))
    key = pl.col("seq").cast(pl.Utf8)
    return _out(hits, "own_surname", key, pl.lit("surname searched = own surname"))


def out_of_hours(events: pl.DataFrame, rules: FlagRules) -> pl.DataFrame:
    """Looking at records before/after working hours or at weekends (local time)."""
    local = _local(rules.timezone)
    clock = local.dt.strftime("%H:%M")
    outside = (clock < rules.start) | (clock >= rules.end) | (local.dt.weekday() > 5)
    hits = events.filter(pl.col("kind").is_in(_LOOKS) & outside).with_columns(
        day=local.dt.strftime("%Y-%m-%d"), clock=clock
    )
    key = pl.col("user_id") + ":" + pl.col("day")
    return _out(hits, "out_of_hours", key, "first at " + pl.col("clock") + " local")


def unusual_volume(events: pl.DataFrame, rules: FlagRules) -> pl.DataFrame:
    """Users whose searches in one local day exceed the threshold."""
    days = (
        events.filter(pl.col("kind") == "search")
        .with_columns(day=_local(rules.timezone).dt.strftime("%Y-%m-%d"))
        .group_by("user_id", "day", maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("at_utc").min())
        .filter(pl.col("n") > rules.unusual_volume)
    )
    key = pl.col("user_id") + ":" + pl.col("day")
    detail = pl.col("n").cast(pl.Utf8) + " searches on " + pl.col("day")
    return _out(days, "unusual_volume", key, detail)


def search_no_view(
    events: pl.DataFrame, rules: FlagRules, now: datetime | None = None
) -> pl.DataFrame:
    """Finished sessions with several searches and no record ever opened.

    With ``now``, a session is judged only once over (signed out, timed out, or
    older than ``session_limit``); without it every session counts as over.
    """
    per = events.group_by("session_id", "user_id", maintain_order=True).agg(
        (pl.col("kind") == "search").sum().alias("searches"),
        (pl.col("kind") == "family_opened").sum().alias("views"),
        pl.col("kind").is_in(["sign_out", "session_expired"]).any().alias("ended"),
        pl.col("at_utc").min().alias("began"),
        pl.col("at_utc").filter(pl.col("kind") == "search").min(),
    )
    over = pl.lit(True)
    if now is not None:
        over = pl.col("ended") | (pl.col("began") < utc_text(now - rules.session_limit))
    hits = per.filter(
        (pl.col("searches") >= rules.searches_without_view)
        & (pl.col("views") == 0)
        & over
    )
    detail = pl.col("searches").cast(pl.Utf8) + " searches, no record opened"
    return _out(hits, "search_no_view", pl.col("session_id"), detail)


def emergency_and_override(events: pl.DataFrame) -> pl.DataFrame:
    """Every emergency-purpose session and every override, for review."""
    urgent = pl.col("data").str.json_path_match("$.emergency") == "true"
    emerg = events.filter(urgent & pl.col("kind").is_in(_LOOKS))  # CLI opens too
    emerg_key = pl.col("session_id") + ":" + pl.col("case_ref")
    over = events.filter(pl.col("kind") == "override")
    why = pl.col("data").str.json_path_match("$.override_reason").fill_null("")
    return pl.concat([
        _out(emerg, "emergency", emerg_key, "case " + pl.col("case_ref")),
        _out(over, "override", pl.col("seq").cast(pl.Utf8),
             pl.col("data").str.json_path_match("$.person_id") + ": " + why),
    ])  # fmt: skip


def subject_access_reports(events: pl.DataFrame) -> pl.DataFrame:
    """Every subject access report: it takes one person's whole record out of
    the tool, so a second person checks it was asked for."""
    made = events.filter(pl.col("kind") == "subject_access")
    who = pl.col("data").str.json_path_match("$.person_id").fill_null("")
    detail = who + ", request " + pl.col("case_ref").fill_null("")
    return _out(made, "subject_access", pl.col("seq").cast(pl.Utf8), detail)


def dormant(events: pl.DataFrame, rules: FlagRules) -> pl.DataFrame:
    """Sign-ins after more than ``dormant_days`` without any sign-in."""
    signs = (
        events.filter(pl.col("kind") == "sign_in")
        .sort("seq")
        .with_columns(at=pl.col("at_utc").str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ"))
    )
    gap = (pl.col("at") - pl.col("at").shift(1).over("user_id")).dt.total_days()
    hits = signs.with_columns(gap=gap).filter(pl.col("gap") > rules.dormant_days)
    detail = "first sign-in for " + pl.col("gap").cast(pl.Utf8) + " days"
    return _out(hits, "dormant", pl.col("seq").cast(pl.Utf8), detail)


def all_flags(
    events: pl.DataFrame, rules: FlagRules, now: datetime | None = None
) -> pl.DataFrame:
    """Every flag raised by ``events``, oldest first (``now``: see search_no_view)."""
    frames = [
        own_surname(events), out_of_hours(events, rules),
        unusual_volume(events, rules), search_no_view(events, rules, now),
        emergency_and_override(events), dormant(events, rules),
        subject_access_reports(events),
    ]  # fmt: skip
    return pl.concat([f.cast(FLAG_SCHEMA) for f in frames]).sort("at_utc")
