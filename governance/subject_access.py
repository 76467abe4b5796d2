"""Subject access: what the index holds about one person and who has looked, for IG.

An information-governance officer answering a subject access request (UK GDPR
Art 15) gets, for one person: every record the current build holds about them,
by source; the families and households they are linked into (the other people
marked as third parties, to redact); and every access to their record in the
audit log (who, role, organisation, when, purpose, case reference, and what the
access was), the searches that listed them included. Only the ``audit``
permission may ask (``permissions.require``); the ``subject_access`` event is
recorded before anything is returned (no audit, no data). Output as JSON, CSV
(one row per value, with a third-party column to sort on) or an HTML page.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Engine, select

from core.errors import UserInputError
from governance.audit import Actor, Event, audit_events, record_event, utc_text
from governance.permissions import require
from governance.review import neutralise
from lookup.identity import person_held
from lookup.index import LinkedIndex
from lookup.people_rows import people_row

FORMATS = ("json", "csv", "html")
#: Record fields that are bookkeeping, not data about the person.
_SKIP = {"build_id", "person_id", "row_number", "source", "record_id"}
#: Event data keys that may name the person.
#: (``underlying_ids``: the people behind ids that records set aside for a
#: viewer have, ``governance.access``)
_PERSON_KEYS = ("person_id", "person_ids", "member_ids", "restricted_ids",
                "person_a", "person_b", "underlying_ids")  # fmt: skip


@dataclass(frozen=True)
class SubjectAccess:
    """One person's subject access report, ready to redact."""

    person_id: str
    prepared_by: str
    prepared_at: str
    organisation: str
    build_id: str
    held: tuple[dict[str, Any], ...]  # one per record: source, service, fields
    links: tuple[dict[str, Any], ...]  # group, relationship, evidence, third parties
    accesses: tuple[dict[str, Any], ...]  # one per audit event about them
    log_starts: str | None  # the oldest event kept (retention removes older)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _held(index: LinkedIndex, person_id: str) -> tuple[dict[str, Any], ...]:
    loads = index.source_loads
    services = dict(zip(loads["source"], loads["service"], strict=True))
    rows = person_held(index, person_id)
    return tuple(
        {"source": r["source"], "service": services.get(r["source"], r["source"]),
         "record_id": r["record_id"],
         "fields": {k: _plain(v) for k, v in r.items()
                    if k not in _SKIP and v not in (None, "")}}
        for r in rows
    )  # fmt: skip


def _links(index: LinkedIndex, person_id: str) -> tuple[dict[str, Any], ...]:
    fm = index.family_members.with_columns(pl.all().cast(pl.Utf8))
    mine = fm.filter(pl.col("person_id") == person_id)
    out = []
    for group in mine.iter_rows(named=True):
        others = fm.filter(
            pl.col("family_id") == group["family_id"], pl.col("person_id") != person_id
        )
        out.append({
            "group": group["family_id"], "relationship": group["relationship"],
            "evidence": group["evidence"],
            "third_parties": sorted({_other(r) for r in others.iter_rows(named=True)}),
        })  # fmt: skip
    return tuple(out)


def _other(row: dict[str, Any]) -> str:
    """A third party as the report names them: id and relationship, no name."""
    return f"{row['person_id']} ({row['relationship'] or 'relationship not recorded'})"


def _names(data: Any, person_id: str) -> bool:
    """Does an event's data name the person (as a value of a person key)?"""
    for key in _PERSON_KEYS:
        value = data.get(key)
        if value == person_id or (isinstance(value, list) and person_id in value):
            return True
    return False


def _event(row: Any, organisation: str) -> dict[str, Any]:
    data = json.loads(row["data"])
    return {"seq": row["seq"], "when_utc": row["at_utc"], "what": row["kind"],
            "user_id": row["user_id"], "user_name": row["user_name"],
            "role": row["role"], "organisation": organisation,
            "purpose": row["purpose"], "case_ref": row["case_ref"],
            "detail": data}  # fmt: skip


def _accesses(
    engine: Engine, person_id: str, organisation: str
) -> tuple[tuple[dict[str, Any], ...], str | None]:
    """Every event naming the person, with the search that listed them before it."""
    e = audit_events
    quoted = json.dumps(person_id, ensure_ascii=False)
    with engine.connect() as conn:
        mention = e.c.data.contains(quoted, autoescape=True)
        rows = conn.execute(
            select(e).where(mention).order_by(e.c.seq)
        ).mappings().all()  # fmt: skip
        named = [r for r in rows if _names(json.loads(r["data"]), person_id)]
        found = {r["seq"]: r for r in named}
        for r in named:
            if r["kind"] != "results_shown":
                continue
            search = conn.execute(
                select(e).where(e.c.session_id == r["session_id"], e.c.kind == "search",
                                e.c.seq < r["seq"])
                .order_by(e.c.seq.desc()).limit(1)
            ).mappings().first()  # fmt: skip
            if search is not None:
                found.setdefault(search["seq"], search)
        first = conn.execute(select(e.c.at_utc).order_by(e.c.seq).limit(1)).scalar()
    ordered = [found[k] for k in sorted(found)]
    return tuple(_event(r, organisation) for r in ordered), first


def subject_access(
    engine: Engine,
    actor: Actor,
    index: LinkedIndex,
    person_id: str,
    request_ref: str,
    organisation: str,
    formats: tuple[str, ...] = FORMATS,
) -> SubjectAccess:
    """The report on ``person_id`` for the request ``request_ref`` (recorded first)."""
    require(engine, actor, "audit", "subject_access")
    if not request_ref.strip():
        raise UserInputError("Give the subject access request's reference.")
    if people_row(index, person_id) < 0:
        raise UserInputError(
            f"Person id {person_id!r} is not in the current index: check the id on "
            "the audit log (it may have been in an earlier build)."
        )
    held = _held(index, person_id)
    data = {"person_id": person_id, "request_ref": request_ref.strip(),
            "formats": list(formats), "records": len(held),
            "build_id": index.build_id}  # fmt: skip
    record_event(engine, Event("subject_access", actor, case_ref=request_ref.strip(),
                               data=data))  # fmt: skip
    accesses, first = _accesses(engine, person_id, organisation)
    return SubjectAccess(
        person_id, actor.user_name, utc_text(datetime.now(UTC)), organisation,
        index.build_id, held, _links(index, person_id), accesses, first,
    )  # fmt: skip


def as_json(report: SubjectAccess) -> str:
    """The report as one JSON document."""
    return json.dumps(asdict(report), indent=2, ensure_ascii=False, default=str)


def _rows(report: SubjectAccess) -> Iterator[list[str]]:
    """(section, service or group, item, field, value, third party) rows."""
    for r in report.held:
        for k, v in r["fields"].items():
            yield ["held", r["service"], r["record_id"], k, str(v), "no"]
    for g in report.links:
        yield ["linked", g["group"], g["relationship"] or "", "evidence",
               g["evidence"] or "", "no"]  # fmt: skip
        for p in g["third_parties"]:
            yield ["linked", g["group"], "", "other person", p, "yes"]
    for a in report.accesses:
        for k in ("when_utc", "user_name", "user_id", "role", "organisation",
                  "purpose", "case_ref"):  # fmt: skip
            yield ["access", a["what"], str(a["seq"]), k, str(a[k] or ""), "no"]
        detail = json.dumps(a["detail"], sort_keys=True, ensure_ascii=False)
        yield ["access", a["what"], str(a["seq"]), "detail", detail, "yes"]


HEAD = ("section", "service_or_group", "item", "field", "value", "third_party")


def as_csv(report: SubjectAccess) -> str:
    """One row per value; ``third_party`` = yes marks what to consider redacting."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEAD)
    writer.writerows([neutralise(v) for v in row] for row in _rows(report))
    return out.getvalue()


def as_html(report: SubjectAccess) -> str:
    """A standalone page: the same rows as the CSV, third parties highlighted."""
    e = html.escape
    body = "".join(
        f'<tr class="{"third" if row[-1] == "yes" else ""}">'
        + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>"
        for row in _rows(report)
    )  # fmt: skip
    head = "".join(f"<th>{e(h)}</th>" for h in HEAD)
    kept = f"Audit log kept from {report.log_starts}." if report.log_starts else ""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        "<title>Subject access</title><style>table{border-collapse:collapse}"
        "td,th{border:1px solid #0b0c0c;padding:3px 6px;vertical-align:top}"
        "tr.third{background:#fff2cc}</style></head><body>"
        f"<h1>Subject access: person {e(report.person_id)}</h1>"
        f"<p>Prepared by {e(report.prepared_by)} at {e(report.prepared_at)} for "
        f"{e(report.organisation)}, build {e(report.build_id)}. {e(kept)} "
        "Highlighted rows name or may identify third parties: consider "
        "redacting them before disclosure.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</body></html>\n"
    )


RENDER = {"json": as_json, "csv": as_csv, "html": as_html}
