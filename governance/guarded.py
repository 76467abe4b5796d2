"""A governance table read or written under the rule "no audit, no data".

A database error while a session, a place or another governance row is read or
written becomes an ``AuditError`` carrying ``message`` (what the user should
see: nothing is shown), with the database error kept as its cause.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from core.errors import AuditError

T = TypeVar("T")


def guarded(action: Callable[[], T], message: str) -> T:
    """``action()``; a database error raised as ``AuditError(message)``."""
    try:
        return action()
    except SQLAlchemyError as exc:
        raise AuditError(message) from exc
