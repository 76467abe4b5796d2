"""Who is running a command-line tool: the operating-system user, never a flag.

The user comes from the process's real user id (``pwd``), not from ``$USER`` or
``$LOGNAME``, which anyone can set; the role is the one ``[governance.cli_users]``
grants that user. Anyone not listed is refused, and the refusal is recorded. In
demo mode (``app.demo_mode``, like the demo user picker) a user not listed works
as front door.
"""

from __future__ import annotations

import os
import pwd
import uuid

from sqlalchemy import Engine

from core.config import Config
from core.errors import AccessDenied
from governance.audit import Actor, Event, record_event

#: The role of an unlisted user in demo mode.
DEMO_ROLE = "front_door"


def os_user() -> tuple[str, str]:
    """(login name, full name) of the user this process runs as."""
    entry = pwd.getpwuid(os.getuid())
    full = entry.pw_gecos.split(",", 1)[0].strip()
    return entry.pw_name, full or entry.pw_name


def cli_actor(config: Config, audit: Engine, tool: str) -> Actor:
    """The actor for this run, or AccessDenied (recorded) when the user has no
    role in ``governance.cli_users``."""
    user, name = os_user()
    session = f"cli-{uuid.uuid4()}"
    role = config.governance.cli_users.get(user)
    if role is None and config.app.demo_mode:
        role = DEMO_ROLE
    if role is None:
        refused = Actor(user, name, "none", session)
        data = {"method": "cli", "why": "unknown_user", "tool": tool}
        record_event(audit, Event("sign_in_failed", refused, data=data))
        raise AccessDenied(
            f"Operating-system user {user} has no role for the command-line tools: "
            f'an administrator adds {user} = "ROLE" under [governance.cli_users] '
            "in the config."
        )
    return Actor(user, name, role, session)
