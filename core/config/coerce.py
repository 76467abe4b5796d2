"""TOML values turned into each key's declared type, read from the section's type
hints (not from its default's type): ``bool``, ``int``, ``float``, ``str`` and
``Literal`` text, ``tuple[str, ...]``, ``Mapping[str, str]`` (frozen),
``date | None`` (a TOML date or "YYYY-MM-DD"; "" for none) and ``int | None``
(-1, the old "no limit", reads as none). Every problem names its key."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from core.errors import Problem
from core.frozen import FrozenDict


class _Bad(Exception):
    """A value that does not fit its key's type; the text says what it must be."""


def _optional(hint: Any) -> Any | None:  # a type hint
    """``X`` of ``X | None``, or None if ``hint`` is not optional."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(get_args(hint)) == 2:
            return args[0]
    return None


def _date(value: Any) -> date | None:  # a TOML value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Bad("must be a date as YYYY-MM-DD")


def _strings(value: Any, what: str) -> None:  # a TOML value
    items = value.values() if isinstance(value, dict) else value
    if not all(isinstance(v, str) for v in items):
        raise _Bad(what)


def coerce_value(hint: Any, value: Any) -> Any:  # any key's type
    """``value`` as ``hint`` says, or ``_Bad``."""
    inner = _optional(hint)
    if inner is date:
        return _date(value)
    if inner is int:
        if value is None or value == -1:
            return None
        return coerce_value(int, value)
    origin = get_origin(hint)
    if origin is tuple:
        if not isinstance(value, list):
            raise _Bad("must be a list of strings")
        _strings(value, "must be a list of strings")
        return tuple(value)
    if origin in (Mapping, dict) or hint in (Mapping, dict):
        if not isinstance(value, dict):
            raise _Bad("must be a table of strings")
        _strings(value, "must be a table of strings")
        return FrozenDict(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise _Bad("must be true or false")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad("must be a number")
        if hint is int and value != int(value):
            raise _Bad("must be a whole number")
        return hint(value)
    if hint is str or origin is Literal:
        if not isinstance(value, str):
            raise _Bad("must be a string")
        return value
    raise TypeError(f"no coercion for {hint!r}")  # a key declared with a new type


def coerce_section(
    cls: type, raw: Mapping[str, Any], where: str, problems: list[Problem]
) -> Any:  # an instance of cls
    """Build ``cls`` from a TOML table, collecting problems instead of raising."""
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append(
                Problem(
                    f"{where}.{key}",
                    "unknown key; remove it or check its spelling against the README",
                )
            )
            continue
        try:
            values[key] = coerce_value(hints[key], value)
        except _Bad as bad:
            problems.append(Problem(f"{where}.{key}", str(bad)))
    return cls(**values)
