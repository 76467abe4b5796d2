"""One exception hierarchy. Messages say where the problem is and what to do.

Messages never contain personal data (names, dates of birth, addresses, search
terms): they name the file, row and column or the config key instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found while checking an input: where it is and what to do."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class FamilyContextError(Exception):
    """Base of every error this tool raises on purpose; its text is safe to show."""


class ProblemsError(FamilyContextError):
    """Raised once after checking a whole input, carrying every problem found."""

    def __init__(self, summary: str, problems: Sequence[Problem]) -> None:
        self.summary = summary
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{summary}\n{lines}" if lines else summary)


class ConfigError(ProblemsError):
    """The configuration file is missing, malformed or inconsistent."""


class SourceError(ProblemsError):
    """An agency extract is missing, unreadable or lacks required columns."""


class LinkageError(FamilyContextError):
    """The linked index could not be built; the previous index keeps serving."""


class IndexNotReadyError(FamilyContextError):
    """No complete linked index exists yet."""


class UserInputError(FamilyContextError):
    """What a person typed or chose cannot be used (a search without enough to go
    on, a reason without a case reference, an unknown category); the message says
    what to change."""


#: The former name, from when only searches raised it.
LookupInputError = UserInputError


class NotInIndexError(UserInputError):
    """The person asked for is not in the build being served (an old id, or a
    rebuild since the search)."""


class AuditError(FamilyContextError):
    """An audit event could not be recorded, so nothing may be shown."""


class AccessDenied(FamilyContextError):
    """The signed-in user's role may not do this."""
