"""Reading the TOML file: every key coerced and checked, every problem reported
at once, relative paths resolved against the config folder."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.config.api_section import ApiConfig, check_api
from core.config.coerce import coerce_section
from core.config.governance_section import (
    GovernanceConfig,
    _check_governance,
    read_visibility,
)
from core.config.linkage_section import LinkageConfig, _check_linkage
from core.config.sections import (
    SECTIONS,
    AppConfig,
    Config,
    OperationsConfig,
    StorageConfig,
    _check_operations,
    _check_storage,
)
from core.config.source_section import SourceConfig, _check_source
from core.errors import ConfigError, Problem


def _resolve_url(url: str, base_dir: Path) -> str:
    """A relative SQLite path (also inside a ``file:`` URI, whose query is kept)
    made absolute against the config folder."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    rest = url[len(prefix) :]
    uri = rest.startswith("file:")
    rest = rest.removeprefix("file:")
    path, sep, query = rest.partition("?") if uri else (rest, "", "")
    if not path or path == ":memory:" or path.startswith("/"):
        return url
    return (
        prefix
        + ("file:" if uri else "")
        + str((base_dir / path).resolve())
        + (sep + query)
    )


def parse_config(
    raw: Mapping[str, Any], base_dir: Path, origin: str = "config"
) -> Config:
    """Turn a parsed TOML document into a Config, reporting every problem at once."""
    problems: list[Problem] = []
    for key in raw:
        if key not in SECTIONS:
            problems.append(
                Problem(
                    f"{origin}: [{key}]",
                    f"unknown section; expected one of {', '.join(SECTIONS)}",
                )
            )
    app = coerce_section(AppConfig, raw.get("app", {}), "app", problems)
    storage = coerce_section(StorageConfig, raw.get("storage", {}), "storage", problems)
    linkage = coerce_section(LinkageConfig, raw.get("linkage", {}), "linkage", problems)
    raw_gov = dict(raw.get("governance", {}))
    visibility = read_visibility(raw_gov.pop("visibility", None), problems)
    gov = coerce_section(GovernanceConfig, raw_gov, "governance", problems)
    if visibility is not None:
        gov = replace(gov, visibility=visibility)
    _check_governance(gov, problems)
    ops = coerce_section(
        OperationsConfig, raw.get("operations", {}), "operations", problems
    )
    _check_operations(ops, problems)
    _check_storage(storage, base_dir, problems)
    api = coerce_section(ApiConfig, raw.get("api", {}), "api", problems)
    check_api(api, problems)
    sources: list[SourceConfig] = []
    for i, table in enumerate(raw.get("sources", [])):
        where = f"sources[{i}]"
        src = coerce_section(SourceConfig, table, where, problems)
        _check_source(src, where, problems)
        sources.append(src)
    names = [s.name for s in sources]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(
            Problem("sources.name", f"'{dup}' is used by more than one source")
        )
    _check_linkage(linkage, problems)
    if not 0 < linkage.review_threshold <= linkage.link_threshold < 1:
        problems.append(
            Problem(
                "linkage.review_threshold",
                "need 0 < review_threshold <= link_threshold < 1",
            )
        )
    if problems:
        raise ConfigError(f"{origin} has {len(problems)} problem(s):", problems)
    storage = replace(
        storage,
        index_url=_resolve_url(storage.index_url, base_dir),
        audit_url=_resolve_url(storage.audit_url, base_dir),
        prepared_folder=_resolve_folder(storage.prepared_folder, base_dir),
    )
    sources = [_resolve_ssd_paths(s, base_dir) for s in sources]
    return Config(base_dir, app, storage, linkage, tuple(sources), gov, ops, api)


def _resolve_folder(folder: str, base_dir: Path) -> str:
    """A folder given relative to the config folder, made absolute ('' stays)."""
    if not folder or Path(folder).is_absolute():
        return folder
    return str((base_dir / folder).resolve())


def _resolve_ssd_paths(src: SourceConfig, base_dir: Path) -> SourceConfig:
    """``ssd_staff_contacts`` relative to the config folder, like SQLite URLs."""
    contacts = src.ssd_staff_contacts
    if not contacts or Path(contacts).is_absolute():
        return src
    return replace(src, ssd_staff_contacts=str((base_dir / contacts).resolve()))


def load_config(path: str | Path) -> Config:
    """Read and check the TOML config at ``path``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"Cannot read config file {p}",
            [Problem(str(p), f"{exc.strerror}; pass --config PATH")],
        ) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{p} is not valid TOML", [Problem(str(p), str(exc))]
        ) from exc
    return parse_config(raw, p.resolve().parent, str(p))
