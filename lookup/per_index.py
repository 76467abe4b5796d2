"""Things worked out once per index served, not on every request.

A build is read-only once served, so what is made from it alone (plus a key,
say a set of people) can be kept beside it. Held weakly: a build switched out
is let go with everything made from it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

from lookup.index import LinkedIndex

_T = TypeVar("_T")
_MADE: weakref.WeakKeyDictionary[LinkedIndex, dict[Hashable, object]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()
#: Keys kept per index; past this the index's cache starts again (a key that
#: changes, such as the people an administrator restricts, cannot pile up).
MAX_KEYS = 16


def per_index(index: LinkedIndex, key: Hashable, make: Callable[[], _T]) -> _T:
    """``make()``, once per index and key; what it made after that."""
    with _LOCK:
        made = _MADE.setdefault(index, {})
        if key in made:
            return made[key]  # type: ignore[return-value]
    value = make()
    with _LOCK:
        if len(made) >= MAX_KEYS:
            made.clear()
        made[key] = value
    return value
