"""How a config key is declared: its default and its line of documentation."""

from __future__ import annotations

from dataclasses import field
from typing import Any


def setting(default: Any, doc: str) -> Any:  # the default's type
    """A config key: its default and the line of documentation the README repeats."""
    return field(default=default, metadata={"doc": doc})
