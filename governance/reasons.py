"""Why a worker is looking: a purpose, a case or referral reference, and for an
emergency a short written explanation. Checked before any search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import UserInputError
from governance.audit import Actor, Event, EventKind
from governance.visibility import Policy


@dataclass(frozen=True)
class Reason:
    """Why a worker is looking: a purpose, a case or referral reference, and for an
    emergency a short explanation."""

    purpose: str
    case_ref: str
    explanation: str = ""


def is_emergency(purpose: str, policy: Policy | None = None) -> bool:
    """Emergency ('break glass') purposes need a written explanation."""
    return (policy or Policy()).is_emergency(purpose)


def check_reason(
    purpose: str,
    case_ref: str,
    explanation: str = "",
    purposes: Sequence[str] | None = None,
    policy: Policy | None = None,
) -> Reason:
    """A checked Reason; raises UserInputError listing everything missing."""
    problems = []
    if not purpose.strip():
        problems.append("Choose a purpose.")
    elif purposes is not None and purpose.strip() not in purposes:
        problems.append(f"Choose a purpose from: {', '.join(purposes)}.")
    if not case_ref.strip():
        problems.append("Enter the case or referral reference.")
    if is_emergency(purpose, policy) and not explanation.strip():
        problems.append("Explain the emergency in a few words.")
    if problems:
        raise UserInputError(" ".join(problems))
    return Reason(purpose.strip(), case_ref.strip(), explanation.strip())


def reason_event(
    kind: EventKind,
    actor: Actor,
    reason: Reason | None,
    data: Mapping[str, Any],
    policy: Policy | None = None,
) -> Event:
    """An event done for ``reason``: its purpose and case reference, and in its data
    the explanation given and, when ``policy`` counts the purpose as an emergency,
    ``emergency: true`` (the auditor's flag)."""
    if reason is None:
        return Event(kind, actor, data=data)
    extra: dict[str, Any] = (
        {"explanation": reason.explanation} if reason.explanation else {}
    )
    if policy is not None and policy.is_emergency(reason.purpose):
        extra["emergency"] = True
    return Event(kind, actor, reason.purpose, reason.case_ref, {**data, **extra})
