"""docs/audit.md is what IG signs off: it must list every event kind the log
accepts and every proactive flag the review queue raises."""

from __future__ import annotations

from pathlib import Path

from governance.audit import EVENT_KINDS
from governance.flags import FLAG_LABELS

DOC = Path(__file__).resolve().parent.parent / "docs" / "audit.md"


def test_every_event_kind_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = sorted(k for k in EVENT_KINDS if f"| `{k}` |" not in text)
    assert missing == [], f"add these event kinds to docs/audit.md: {missing}"


def test_every_flag_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = sorted(f for f in FLAG_LABELS if f"| `{f}` |" not in text)
    assert missing == [], f"add these flags to docs/audit.md: {missing}"
