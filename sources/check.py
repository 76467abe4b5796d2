"""``python -m sources check``: load every source without building the index and
say, per source, what was read, accepted, quarantined and wrong. Counts and
safe problem texts only; never a value from an extract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from core.config import Config
from sources.load import guarded, load_source
from sources.records import LoadReport
from sources.snapshots import SnapshotStore


def check_sources(config: Config) -> tuple[LoadReport, ...]:
    """A load report per configured source (a broken source never stops the rest),
    judged against its last good load as a build would, without touching the
    snapshots."""
    store = SnapshotStore.for_config(config)
    return tuple(
        guarded(load_source(config, src), src, store.last_good_rows(src.name)).report
        for src in config.sources
    )


def report_lines(reports: Sequence[LoadReport]) -> list[str]:
    """A readable table, one line per source, each problem indented below it."""
    width = max((len(r.source) for r in reports), default=6)
    head = f"{'source':<{width}}  {'read':>9}  {'accepted':>9}  {'quarantined':>11}"
    lines = [head + "  problems  status"]
    for r in reports:
        status = "ok" if r.ok else "UNUSABLE"
        lines.append(
            f"{r.source:<{width}}  {r.rows_read:>9,}  {r.rows_accepted:>9,}  "
            f"{r.rows_quarantined:>11,}  {len(r.problems):>8}  {status}"
        )
        if r.faults:
            rows = sum(r.field_faults.values())
            lines.append(f"    values not used as given ({rows:,} in all, by row):")
            lines += [f"      {fault.line()}" for fault in r.faults]
        lines += [
            f"    set aside ({n:,}): {reason}"
            for reason, n in r.quarantine_reasons.items()
        ]
        lines += [f"    - {p}" for p in r.problems]
    return lines


def report_json(reports: Sequence[LoadReport]) -> dict[str, dict]:
    """``{source: {read, accepted, quarantined, quarantine_reasons, field_faults,
    faults, problems, ok, messages}}``; ``faults`` lists each kind of fault with
    its field, column, rows and first rows."""
    return {
        r.source: {
            "read": r.rows_read,
            "accepted": r.rows_accepted,
            "quarantined": r.rows_quarantined,
            "quarantine_reasons": dict(r.quarantine_reasons),
            "field_faults": dict(r.field_faults),
            "faults": [asdict(f) for f in r.faults],
            "problems": len(r.problems),
            "ok": r.ok,
            "messages": list(r.problems),
        }
        for r in reports
    }
