"""The tool's words, defined once: roles, source sensitivities, visibility levels.

Every other module (config checks, the visibility matrix, role checks, the CLI's
choices) takes them from here, so a new role or level is added in one place.
"""

from __future__ import annotations

from typing import Literal, get_args

#: Roles a signed-in person may hold.
Role = Literal["front_door", "early_help", "social_worker", "auditor", "administrator"]
#: Roles that search people and open family views (the visibility matrix's rows).
WorkerRole = Literal["front_door", "early_help", "social_worker"]
#: Roles an ``Actor`` may carry besides a person's: ``system`` for commands run by
#: an operating-system user (builds, config), ``none`` for a sign-in that mapped to
#: no role (recorded, never let in).
SYSTEM_ROLE: Literal["system"] = "system"
NO_ROLE: Literal["none"] = "none"
ActorRole = Role | Literal["system", "none"]

#: How sensitive a source is, which decides what each worker role sees of it.
Sensitivity = Literal["standard", "police", "sensitive"]
#: What a role sees of a source: all of it, that it is involved and whom to
#: contact, or nothing.
Level = Literal["full", "contact_only", "hidden"]

ROLES: tuple[Role, ...] = get_args(Role)
WORKER_ROLES: tuple[WorkerRole, ...] = get_args(WorkerRole)
ACTOR_ROLES: tuple[str, ...] = (*ROLES, SYSTEM_ROLE, NO_ROLE)
SENSITIVITIES: tuple[Sensitivity, ...] = get_args(Sensitivity)
LEVELS: tuple[Level, ...] = get_args(Level)
