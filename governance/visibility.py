"""What each role may see of each source: the visibility matrix, applied to a view.

``full`` shows the service as lookup returns it (sensitive detail still opens
only on request, audited); ``contact_only`` says the service is involved and whom
to contact, nothing more; ``hidden`` removes the service. The matrix comes from
``[governance] visibility`` and is applied in ``governance.access``, so the CLI
and the dashboard show a role exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from core.config import GovernanceConfig
from lookup.family import FamilyView, Member, who_to_call
from lookup.services import ServiceStatus

Level = Literal["full", "contact_only", "hidden"]
SENSITIVITIES = ("standard", "police", "sensitive")
CONTACT_ONLY_NOTE = "Ask the lead professional for detail"


def parse_matrix(visibility: Mapping[str, str]) -> dict[tuple[str, str], Level]:
    """``{"early_help": "standard=full police=hidden"}`` → {(role, class): level}."""
    matrix: dict[tuple[str, str], Level] = {}
    for role, text in visibility.items():
        for pair in text.split():
            sensitivity, _, level = pair.partition("=")
            matrix[(role, sensitivity)] = level  # type: ignore[assignment]
    return matrix


@dataclass(frozen=True)
class Policy:
    """The visibility matrix and the purposes that count as emergencies."""

    matrix: Mapping[tuple[str, str], Level] = field(
        default_factory=lambda: parse_matrix(GovernanceConfig().visibility)
    )
    emergency_purposes: tuple[str, ...] = ("Emergency",)

    @classmethod
    def from_config(cls, gov: GovernanceConfig) -> Policy:
        """The policy a loaded config describes."""
        return cls(parse_matrix(gov.visibility), gov.emergency_purposes)

    def level(self, role: str, sensitivity: str) -> Level:
        """What ``role`` sees of a source of this sensitivity; unlisted = hidden."""
        return self.matrix.get((role, sensitivity), "hidden")

    def is_emergency(self, purpose: str) -> bool:
        """Emergency purposes need a written explanation and are flagged."""
        wanted = purpose.strip().lower()
        return any(wanted == p.strip().lower() for p in self.emergency_purposes)


def contact_only(s: ServiceStatus) -> ServiceStatus:
    """Involvement and lead professional only: no dates, no detail."""
    involved = s.involvement in ("Current", "Historic")
    summary = f"{s.involvement}: {CONTACT_ONLY_NOTE}" if involved else s.summary
    return replace(
        s, summary=summary, last_start=None, last_end=None, last_contact=None,
        detail=None, detail_withheld=False,
    )  # fmt: skip


def _member_for(role: str, policy: Policy, m: Member) -> Member:
    kept: list[ServiceStatus] = []
    hidden = list(m.hidden)
    for s in m.services:
        level = policy.level(role, s.sensitivity)
        if level == "full":
            kept.append(s)
        elif level == "contact_only":
            kept.append(contact_only(s))
        else:
            hidden.append(f"{s.service}: not shown for your role")
    return replace(m, services=tuple(kept), hidden=tuple(hidden))


def view_for_role(view: FamilyView, role: str, policy: Policy) -> FamilyView:
    """The family view cut down to what ``role`` may see; who-to-call recomputed."""
    members = [_member_for(role, policy, m) for m in view.members]
    return replace(view, members=tuple(members), who_to_call=who_to_call(members))
