"""What each role may see of each source: the visibility matrix, applied to a view.

``full`` shows the service as lookup returns it (sensitive detail still opens
only on request, audited); ``contact_only`` says the service is involved and whom
to contact, nothing more; ``hidden`` removes the service. The matrix comes from
``[governance.visibility]`` (role → sensitivity → level) and is applied in
``governance.access``, so the CLI and the dashboard show a role exactly the same
thing. A source's
``detail_limit`` (its data-sharing agreement: police often 3) caps how many
involvements' detail a full-view role may open; 0 means none at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, replace

from core.config import GovernanceConfig, SourceConfig
from core.vocab import Level
from lookup.disclosure import Disclosure
from lookup.family import FamilyView, Member, who_to_call
from lookup.index import LinkedIndex
from lookup.services import ServiceStatus, index_sources

CONTACT_ONLY_NOTE = "Ask the lead professional for detail"


def parse_matrix(
    visibility: Mapping[str, Mapping[str, Level]],
) -> dict[tuple[str, str], Level]:
    """``{"early_help": {"police": "hidden"}}`` → {(role, sensitivity): level}."""
    return {
        (role, sensitivity): level
        for role, levels in visibility.items()
        for sensitivity, level in levels.items()
    }


@dataclass(frozen=True)
class Policy:
    """The visibility matrix, the purposes that count as emergencies, how many
    involvements' detail each source lets a full-view role open, and how a
    protected address is recognised and who to contact for it."""

    matrix: Mapping[tuple[str, str], Level] = field(
        default_factory=lambda: parse_matrix(GovernanceConfig().visibility)
    )
    emergency_purposes: tuple[str, ...] = ("Emergency",)
    detail_limits: Mapping[str, int] = field(default_factory=dict)
    #: Whom to contact for a withheld address, and the sources' codes for one.
    protected_contact: str = GovernanceConfig.protected_address_contact
    protected_codes: tuple[str, ...] = GovernanceConfig.protected_address_codes
    #: per source, what is told of incidents beyond detail_limit: "count" (the
    #: default) or "yes_no" (``[[sources]] beyond_limit``)
    beyond_limits: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(
        cls, gov: GovernanceConfig, sources: Iterable[SourceConfig] = ()
    ) -> Policy:
        """The policy a loaded config describes (``sources``: their detail caps)."""
        sources = tuple(sources)
        limits = {s.name: s.detail_limit for s in sources}
        return cls(
            parse_matrix(gov.visibility), gov.emergency_purposes, limits,
            gov.protected_address_contact, gov.protected_address_codes,
            beyond_limits={s.name: s.beyond_limit for s in sources},
        )  # fmt: skip

    def level(self, role: str, sensitivity: str) -> Level:
        """What ``role`` sees of a source of this sensitivity; unlisted = hidden."""
        return self.matrix.get((role, sensitivity), "hidden")

    def disclosure(self, role: str, index: LinkedIndex) -> Disclosure:
        """The cut for ``role`` over this build's sources (each by its sensitivity,
        with its age rule): what every output for the role is made from."""
        sources = index_sources(index)
        levels = {s.source: self.level(role, s.sensitivity) for s in sources}
        return Disclosure(levels, {s.source: s for s in sources})

    def detail_limit(self, source: str) -> int:
        """Most involvements of ``source`` whose detail may be opened; default 1."""
        return self.detail_limits.get(source, 1)

    def is_emergency(self, purpose: str) -> bool:
        """Emergency purposes need a written explanation and are flagged."""
        wanted = purpose.strip().lower()
        return any(wanted == p.strip().lower() for p in self.emergency_purposes)


#: What a contact-only role keeps of a service: that it is involved, whom to
#: contact, and the trust labels. Every other field (dates, detail, episodes, and
#: any field added later) is blanked, so a new field can never leak by default.
CONTACT_FIELDS = frozenset(
    {"source", "service", "sensitivity", "involvement", "lead", "current_as_of",
     "coverage", "stale_since"}
)  # fmt: skip


def _blank(f: Field) -> object:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return False if f.type in (bool, "bool") else None


def contact_only(s: ServiceStatus) -> ServiceStatus:
    """Involvement and lead professional only: no dates, no detail."""
    involved = s.involvement in ("Current", "Named on a current case", "Historic")
    summary = f"{s.involvement}: {CONTACT_ONLY_NOTE}" if involved else s.summary
    blanks = {f.name: _blank(f) for f in fields(s) if f.name not in CONTACT_FIELDS}
    return replace(s, **{**blanks, "summary": summary})


def capped_incidents(s: ServiceStatus, limit: int, beyond: str) -> ServiceStatus:
    """The newest ``limit`` incidents, and for the rest a count ("and 4 earlier
    incidents") or, where the agreement allows no more, "Earlier incidents: yes"."""
    rest = len(s.incidents) - limit
    if rest <= 0:
        return s
    if beyond == "yes_no":
        words = "Earlier incidents: yes"
    else:
        words = f"and {rest} earlier incident{'' if rest == 1 else 's'}"
    return replace(s, incidents=s.incidents[:limit], incidents_beyond=words)


def _member_for(role: str, policy: Policy, m: Member) -> Member:
    kept: list[ServiceStatus] = []
    hidden = list(m.hidden)
    for s in m.services:
        level = policy.level(role, s.sensitivity)
        limit = policy.detail_limit(s.source)
        if level == "full" and limit == 0:
            kept.append(replace(s, detail=None, detail_withheld=False, incidents=()))
        elif level == "full":
            beyond = policy.beyond_limits.get(s.source, "count")
            kept.append(capped_incidents(s, limit, beyond))
        elif level == "contact_only":
            kept.append(contact_only(s))
        else:
            hidden.append(f"{s.service}: not shown for your role")
    return replace(m, services=tuple(kept), hidden=tuple(hidden))


def view_for_role(view: FamilyView, role: str, policy: Policy) -> FamilyView:
    """The family view cut down to what ``role`` may see; who-to-call recomputed."""
    members = [_member_for(role, policy, m) for m in view.members]
    return replace(view, members=tuple(members), who_to_call=who_to_call(members))
