"""Signed checkpoints of the chain's head, kept outside the database.

``python -m governance checkpoint`` verifies the chain (and every checkpoint
already written), then writes one small JSON file: the head's sequence number
and hash, the time, the number of events, which key signed it, and a MAC under
the chain's key. ``verify`` then checks each checkpoint still describes the
log: the event it names is there with the same hash (a rewrite up to it is
found), and the log has not ended before it (cutting the newest events is
found). Events after the newest checkpoint can only be vouched for by the next
one, so take one nightly (``deploy/systemd/family-context-checkpoint.timer``)
and copy the folder somewhere the database's administrators cannot write.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from core.config import Config
from core.errors import AuditError
from governance.audit import ChainCheck, Mark, verify_chain
from governance.chain import mac, mac_matches, utc_text
from governance.keys import key_id, key_of

LABEL = "checkpoint"
_FIELDS = ("seq", "hash", "at_utc", "events", "key_id")


def checkpoint_folder(config: Config) -> Path | None:
    """``governance.checkpoint_folder`` (relative to the config folder); in demo
    mode ``checkpoints/`` beside the config; otherwise None (not configured)."""
    named = config.governance.checkpoint_folder.strip()
    if named:
        path = Path(named)
        return path if path.is_absolute() else config.base_dir / path
    return config.base_dir / "checkpoints" if config.app.demo_mode else None


@dataclass(frozen=True)
class Reading:
    """The checkpoints found in a folder that are genuine, and what is wrong
    with the others."""

    marks: tuple[Mark, ...]
    problems: tuple[str, ...]
    newest: Mark | None


def read_checkpoints(folder: Path, key: bytes) -> Reading:
    """Every ``*.json`` in ``folder``: its MAC must match the key."""
    marks, problems = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            fields = {k: found[k] for k in _FIELDS}
            given = found["mac"]
            mark = Mark(int(fields["seq"]), str(fields["hash"]), path.name,
                        str(fields["at_utc"]))  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError):
            problems.append(f"checkpoint {path.name} cannot be read as a checkpoint")
            continue
        if fields["key_id"] != key_id(key):
            problems.append(
                f"checkpoint {path.name} was signed with another key "
                f"({fields['key_id']}): check governance.audit_key"
            )
        elif not mac_matches(key, LABEL, fields, given):
            problems.append(
                f"checkpoint {path.name}: its signature does not match: it was "
                "forged or changed"
            )
        else:
            marks.append(mark)
    newest = max(marks, key=lambda m: m.seq) if marks else None
    return Reading(tuple(marks), tuple(problems), newest)


def verify_with(engine: Engine, folder: Path | None) -> tuple[ChainCheck, Reading]:
    """Verify the chain against every checkpoint in ``folder`` (none if None);
    a checkpoint that is not genuine makes the check fail."""
    key = key_of(engine)
    reading = (
        read_checkpoints(folder, key) if folder is not None else Reading((), (), None)
    )
    check = verify_chain(engine, reading.marks)
    if reading.problems:
        check = replace(
            check, valid=False,
            checkpoint_problems=(*reading.problems, *check.checkpoint_problems),
        )  # fmt: skip
    return check, reading


def write_checkpoint(engine: Engine, folder: Path, now: datetime) -> Path:
    """Verify, then sign the head into a new file in ``folder``; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    check, _ = verify_with(engine, folder)
    if not check.valid:
        why = "; ".join(check.all_problems()) or (
            f"broken at event {check.first_broken}"
        )
        raise AuditError(
            f"The audit chain is not intact ({why}), so no checkpoint was written: "
            "preserve the database and tell the information-governance lead."
        )
    if check.events == 0:
        raise AuditError("The audit log is empty: there is nothing to checkpoint.")
    key = key_of(engine)
    fields = {"seq": check.head_seq, "hash": check.head_hash,
              "at_utc": utc_text(now), "events": check.events,
              "key_id": key_id(key)}  # fmt: skip
    body = json.dumps({**fields, "mac": mac(key, LABEL, fields)}, indent=2)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"checkpoint-{check.head_seq:012d}-{stamp}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(body + "\n", encoding="utf-8")
    os.chmod(temporary, 0o640)
    os.replace(temporary, path)
    return path
