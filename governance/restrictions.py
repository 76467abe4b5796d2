"""Restricted people: set and lifted by an administrator, honoured on every access.

A restricted person appears in a search only as "a restricted record exists —
contact the IG lead", and inside a family view only as a placeholder, unless
the worker overrides with a written reason (its own audit event, reviewed).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from core.db import reading
from core.errors import AccessDenied, AuditError, UserInputError
from governance.audit import Actor, Event, record_event, utc_text
from governance.permissions import require
from governance.store import restrictions
from lookup.family import Member
from lookup.search import Candidate

RESTRICTED_MESSAGE = "A restricted record exists — contact the IG lead."
CATEGORIES: dict[str, str] = {
    "protected_address": "Protected address",
    "adoption": "Adoption",
    "staff_relative": "Relative of a member of staff",
    "high_profile": "High-profile person",
}


class RestrictedRecord(AccessDenied):
    """The person is restricted and no override reason was given."""


@cache
def _active_query() -> Select:
    """The restrictions in force, made once (every request reads them)."""
    return select(restrictions.c.person_id, restrictions.c.category).where(
        restrictions.c.lifted_at.is_(None)
    )


def active_restrictions_now(engine: Engine) -> dict[str, str]:
    """Every active restriction, person id -> category, in one read: a request
    reads this once and uses it for every check it makes (who is restricted,
    whose address is protected), so an administrator's change made on any
    replica is honoured by the next request anywhere."""
    try:
        with reading(engine) as conn:
            return dict(conn.execute(_active_query()).all())
    except SQLAlchemyError as exc:
        raise AuditError(
            "Restrictions could not be checked, so nothing is shown. Contact the "
            "system administrator."
        ) from exc


def set_restriction(
    engine: Engine, actor: Actor, person_id: str, category: str
) -> None:
    """Restrict a person (recorded first); setting it again updates the category."""
    require(engine, actor, "administer", "restriction_set")
    if category not in CATEGORIES:
        raise UserInputError(f"Choose a category: {', '.join(CATEGORIES)}.")
    data = {"person_id": person_id, "category": category}
    record_event(engine, Event("restriction_set", actor, data=data))
    row = {"category": category, "set_by": actor.user_id, "set_at": now_text(),
           "lifted_by": None, "lifted_at": None}  # fmt: skip
    with engine.begin() as conn:
        done = conn.execute(
            update(restrictions)
            .where(restrictions.c.person_id == person_id)
            .values(row)
        ).rowcount
        if not done:
            conn.execute(insert(restrictions), [{"person_id": person_id, **row}])


def lift_restriction(engine: Engine, actor: Actor, person_id: str) -> None:
    """Lift a restriction (recorded first)."""
    require(engine, actor, "administer", "restriction_lifted")
    record_event(engine, Event("restriction_lifted", actor,
                               data={"person_id": person_id}))  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            update(restrictions)
            .where(restrictions.c.person_id == person_id)
            .values(lifted_by=actor.user_id, lifted_at=now_text())
        )


def active_restrictions(engine: Engine) -> list[dict[str, Any]]:
    """Every active restriction, newest first (for the administrator's page)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(restrictions)
            .where(restrictions.c.lifted_at.is_(None))
            .order_by(restrictions.c.set_at.desc())
        ).mappings()
        return [dict(r) for r in rows]


def redact_candidate(c: Candidate) -> Candidate:
    """A results-list entry that says only that a restricted record exists."""
    return Candidate(
        person_id=c.person_id, score=c.score, confidence=c.confidence,
        first_name=None, last_name=None, dob=None, age=None, address=None,
        postcode=None, nhs_number=None, upn=None, case_numbers=(), n_services=0,
        possible_match=False, matched_on=RESTRICTED_MESSAGE,
    )  # fmt: skip


def is_redacted(c: Candidate) -> bool:
    """True for a placeholder made by ``redact_candidate``."""
    return c.matched_on == RESTRICTED_MESSAGE and c.first_name is None


def redact_member(m: Member) -> Member:
    """A family member shown only as a restricted placeholder."""
    return replace(
        m, name="Restricted record", dob=None, age=None, address=None,
        postcode=None, services=(), hidden=(RESTRICTED_MESSAGE,),
        how_linked="Linked in the same family", possible_match=False,
        relationship_evidence=(),
    )  # fmt: skip


def is_redacted_member(m: Member) -> bool:
    """True for a placeholder made by ``redact_member``."""
    return RESTRICTED_MESSAGE in m.hidden and not m.services


def now_text() -> str:
    """The current UTC time in the chain's textual form."""
    return utc_text(datetime.now(UTC))
