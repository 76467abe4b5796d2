"""``[governance]``: visibility, sessions, audit review and retention."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.config.keys import setting
from core.errors import Problem
from core.frozen import FrozenDict
from core.vocab import (
    LEVELS,
    ROLES,
    SENSITIVITIES,
    WORKER_ROLES,
    Level,
    Sensitivity,
    WorkerRole,
)

#: What each worker role sees of each source sensitivity unless configured.
DEFAULT_VISIBILITY: Mapping[WorkerRole, Mapping[Sensitivity, Level]] = FrozenDict(
    {
        "front_door": FrozenDict(dict.fromkeys(SENSITIVITIES, "full")),
        "early_help": FrozenDict(
            {"standard": "full", "police": "contact_only", "sensitive": "contact_only"}
        ),
        "social_worker": FrozenDict(dict.fromkeys(SENSITIVITIES, "full")),
    }
)
_VISIBILITY_HELP = (
    "set it as a table, e.g. [governance.visibility.early_help] with standard = "
    f'"full", police = "contact_only"; levels: {", ".join(LEVELS)}'
)


def _legacy_levels(role: str, text: str) -> dict[str, str]:
    """The old one-line form, 'standard=full police=contact_only', as a table
    (with a warning that shows the table to write instead)."""
    levels = dict(pair.partition("=")[::2] for pair in text.split())
    table = " ".join(f'{k} = "{v}"' for k, v in levels.items())
    warnings.warn(
        f"governance.visibility.{role}: the one-line form '{text}' is deprecated "
        f"and will stop working; write [governance.visibility.{role}] {table}",
        FutureWarning,
        stacklevel=4,
    )
    return levels


def read_visibility(
    raw: Any, problems: list[Problem]
) -> Mapping[WorkerRole, Mapping[Sensitivity, Level]] | None:
    """``[governance.visibility]`` as a frozen role → sensitivity → level table
    (None when absent); every bad role, sensitivity or level is a problem."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(Problem("governance.visibility", _VISIBILITY_HELP))
        return None
    table: dict[str, Mapping[str, str]] = {}
    for role, levels in raw.items():
        where = f"governance.visibility.{role}"
        if isinstance(levels, str):
            levels = _legacy_levels(role, levels)
        if role not in WORKER_ROLES:
            problems.append(
                Problem(where, f"must be a worker role: {', '.join(WORKER_ROLES)}")
            )
        elif not isinstance(levels, Mapping):
            problems.append(Problem(where, _VISIBILITY_HELP))
        else:
            for sensitivity, level in levels.items():
                if sensitivity not in SENSITIVITIES or level not in LEVELS:
                    problems.append(
                        Problem(
                            f"{where}.{sensitivity}",
                            f"must be one of {', '.join(SENSITIVITIES)} set to "
                            f"one of {', '.join(LEVELS)}",
                        )
                    )
            table[role] = FrozenDict(dict(levels))
    return FrozenDict(table)  # type: ignore[arg-type]


@dataclass(frozen=True)
class GovernanceConfig:
    """[governance]: who may see what, sessions, audit review and retention."""

    visibility: Mapping[WorkerRole, Mapping[Sensitivity, Level]] = field(
        default_factory=lambda: DEFAULT_VISIBILITY,
        metadata={
            "doc": "Table of tables: worker role to source sensitivity (standard, "
            "police, sensitive) to level: full, contact_only (service and whom to "
            "contact: no detail, record ids, counts of records, identity or links "
            "from it) or hidden (no trace; someone known only to hidden services "
            "is not found); unlisted is hidden. One cut for every output: results, "
            "family view, how and why linked, summaries, exports. Auditors and "
            "administrators never see family data. The old one-line form "
            "(early_help = 'standard=full police=contact_only') is still read, "
            "with a warning."
        },
    )
    emergency_purposes: tuple[str, ...] = setting(
        ("Emergency",),
        "Purposes that need a written explanation and are flagged for review.",
    )
    protected_address_contact: str = setting(
        "the information governance lead",
        "Whom a worker is told to contact for an address withheld because someone "
        "who shares it has a protected address.",
    )
    protected_address_codes: tuple[str, ...] = setting(
        ("protected address", "protected_address", "pa", "refuge"),
        "Restriction codes a source uses for a protected address (any case): as "
        "an administrator's protected_address restriction, the person's address "
        "is withheld for everyone who shares it.",
    )
    role_claim: str = setting(
        "roles", "ID-token claim holding the user's roles or groups (Entra: roles)."
    )
    role_map: Mapping[str, str] = field(
        default_factory=lambda: FrozenDict({r: r for r in ROLES}),
        metadata={
            "doc": "Table: claim value (app role or group id) to role; a user with "
            "no mapped value sees only a message."
        },
    )
    idle_timeout_minutes: int = setting(10, "Minutes without use before sign-out.")
    absolute_timeout_minutes: int = setting(
        600, "Minutes after sign-in when the session ends regardless of use."
    )
    one_session_per_user: bool = setting(
        True, "Signing in again ends the user's other sessions."
    )
    working_hours: str = setting(
        "08:00-18:00", "Local working hours (HH:MM-HH:MM); use outside is flagged."
    )
    timezone: str = setting("Europe/London", "Time zone of working_hours.")
    unusual_volume: int = setting(
        40, "Searches by one user in one day above which the day is flagged."
    )
    dormant_days: int = setting(
        60, "An account unused this many days before a sign-in is flagged."
    )
    audit_retention_days: int = setting(
        2557,
        "Days audit events are kept (separately from linked data, which is "
        "dropped when its source stops sending it).",
    )
    audit_key: str = setting(
        "",
        'Where the audit chain\'s secret key is: "file:PATH" (relative to the '
        'config folder; make one with python -m governance new-key) or "env:NAME". '
        "Empty: the FAMILY_CONTEXT_AUDIT_KEY environment variable, or in demo mode "
        "a key generated beside the config (audit.key). Keep it outside the "
        "database and its backups.",
    )
    checkpoint_folder: str = setting(
        "",
        "Folder (outside the database, relative to the config folder) where "
        "python -m governance checkpoint writes signed checkpoints of the chain's "
        "head and verify and doctor read them. Empty: checkpoints/ beside the "
        "config in demo mode, none otherwise.",
    )
    cli_users: Mapping[str, str] = field(
        default_factory=lambda: FrozenDict({}),
        metadata={
            "doc": "Table: operating-system user to role, for the command-line "
            "tools (python -m lookup, governance retention); the CLIs act as the "
            "user running them and refuse anyone not listed."
        },
    )


def _check_governance(gov: GovernanceConfig, problems: list[Problem]) -> None:
    for table, mapping in (("role_map", gov.role_map), ("cli_users", gov.cli_users)):
        for claim, role in mapping.items():
            if role not in ROLES:
                problems.append(
                    Problem(f"governance.{table}.{claim}", f"must be one of {ROLES}")
                )
