"""What one viewer may draw on: each source's level, with its age rule, per person.

``governance.visibility`` makes one per request from the role and the policy
(``Policy.disclosure``); the lookup functions then build every output from the
records it lets through (results, family members, how linked, why linked,
counts, case numbers), so a source the viewer may not see leaves no trace.
``full`` records feed everything; ``contact_only`` ones only that the service is
involved and whom to contact (never identity, links, ids or counts of records);
``hidden`` ones and those an age rule excludes for that person nothing (but a
record of a role the source shows at any age, ``record_level``, still shows the
service and that incident).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.vocab import Level
from linkage.families import SEPARATOR
from lookup.services import Source, age_rule_text, partly_shown


@dataclass(frozen=True)
class Disclosure:
    """Per source, the level this viewer has (unlisted sources: hidden)."""

    levels: Mapping[str, Level]
    sources: Mapping[str, Source]

    @classmethod
    def everything(cls, sources: Iterable[Source]) -> Disclosure:
        """Every source in full, age rules still applied (lookup's own default)."""
        by_name = {s.source: s for s in sources}
        return cls(dict.fromkeys(by_name, "full"), by_name)

    def level(self, source: str, age: int | None) -> Level:
        """The level for a person of ``age``: hidden when the age rule says so."""
        src = self.sources.get(source)
        if src is None or age_rule_text(src, age):
            return "hidden"
        return self.levels.get(source, "hidden")

    def record_level(self, source: str, age: int | None, role: str | None) -> Level:
        """The level for one record: as its source's, except that a record of a
        role the source shows at any age (``age_any_roles``: a child present at
        an incident) is shown to a person its age rule otherwise hides. Such a
        record shows the service and the incident only: identity and links
        still rest on the source's own level."""
        level = self.level(source, age)
        src = self.sources.get(source)
        if level != "hidden" or src is None or not partly_shown(src, age):
            return level
        return self.levels.get(source, "hidden") if src.any_age(role) else "hidden"

    def full(self, source: str, age: int | None) -> bool:
        """May this source's records about the person feed identity and links?"""
        return self.level(source, age) == "full"

    def shown(self, source: str, age: int | None) -> bool:
        """May the service appear for the person at all (in full or contact only)?"""
        return self.level(source, age) != "hidden"

    def rests_on_full(self, sources: str | None, age: int | None) -> bool:
        """A family row (``sources``: ``;``-joined) may be used when every source it
        rests on is seen in full; a row of an older build (no sources kept) only
        by a viewer who sees every source in full."""
        if sources is None:
            return all(level == "full" for level in self.levels.values())
        return all(self.full(s, age) for s in sources.split(SEPARATOR) if s)
