"""The one request object every audited read takes: who asks, why, and against what.

The dashboard builds one per run and the command line one per command, after the
worker has given a reason; every function in ``governance.access`` takes it. The
reason is checked when the request is made, so a request that exists has a
purpose, a case reference and, for an emergency, an explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from governance.audit import Actor
from governance.reasons import Reason, check_reason
from governance.visibility import Policy
from lookup.index import LinkedIndex


@dataclass(frozen=True)
class AccessRequest:
    """One worker's access: the index served, the audit store, who, why, the
    policy in force (visibility, emergencies, detail caps) and today's date."""

    index: LinkedIndex
    audit: Engine
    actor: Actor
    reason: Reason
    policy: Policy
    today: date

    def __post_init__(self) -> None:
        r = self.reason
        checked = check_reason(r.purpose, r.case_ref, r.explanation, policy=self.policy)
        object.__setattr__(self, "reason", checked)
