"""Where a worker's session was: the reason they gave and the family view open.

A reload (F5) starts a new browser session of the dashboard with nothing in it;
the council sign-in cookie names the same server-side session, so the page comes
back to the same reason and person from here, and the family view is opened
again through the audited doorway (a ``reopen`` event). Only the session's own
checked row leads here: another session id finds nothing, and nothing of it goes
into the page's address. Rows are updated, never deleted (the app's database
role on a hardened PostgreSQL may not delete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from governance.audit import utc_text
from governance.guarded import guarded
from governance.reasons import Reason
from governance.store import session_places


@dataclass(frozen=True)
class Place:
    """A session's reason (None: none given) and the person whose family view
    was open (None: the search)."""

    reason: Reason | None
    person_id: str | None = None


#: What a worker reads when their place cannot be saved or read.
PLACE_FAILED = (
    "Where you were could not be saved or read, so nothing is shown. Try "
    "again; if it persists, contact the system administrator."
)


def save_place(engine: Engine, session_id: str, place: Place, now: datetime) -> None:
    """Remember the session's place, replacing the one before."""
    r = place.reason
    values = {
        "purpose": r.purpose if r else None,
        "case_ref": r.case_ref if r else None,
        "explanation": r.explanation if r else None,
        "person_id": place.person_id if r else None,
        "updated_at": utc_text(now),
    }

    def write() -> None:
        with engine.begin() as conn:
            done = conn.execute(update(session_places)
                                .where(session_places.c.session_id == session_id)
                                .values(**values))  # fmt: skip
            if done.rowcount == 0:
                conn.execute(insert(session_places),
                             [{"session_id": session_id, **values}])  # fmt: skip

    guarded(write, PLACE_FAILED)


def load_place(engine: Engine, session_id: str) -> Place:
    """The session's saved place (no reason and no person if none was saved)."""

    def read() -> Place:
        with engine.connect() as conn:
            mine = session_places.c.session_id == session_id
            row = conn.execute(select(session_places).where(mine)).mappings().first()
        if row is None or row["purpose"] is None:
            return Place(None)
        reason = Reason(row["purpose"], row["case_ref"], row["explanation"] or "")
        return Place(reason, row["person_id"])

    return guarded(read, PLACE_FAILED)
