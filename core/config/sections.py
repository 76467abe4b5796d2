"""``[app]``, ``[storage]``, ``[operations]`` and the whole ``Config``; every
section and its keys (``documented_keys``, which the README must list)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from core.config.api_section import ApiConfig
from core.config.governance_section import GovernanceConfig
from core.config.keys import setting
from core.config.linkage_section import LinkageConfig
from core.config.source_section import SourceConfig
from core.errors import Problem


@dataclass(frozen=True)
class AppConfig:
    """[app]: how the dashboard behaves."""

    title: str = setting("Family context lookup", "Heading shown on every page.")
    demo_mode: bool = setting(
        False,
        "Allow the demo user picker instead of real sign-in. Only honoured when the "
        "dashboard is reached on localhost; never set it on a shared server.",
    )
    max_results: int = setting(
        20, "Most people a search lists (no browsing the population)."
    )
    purposes: tuple[str, ...] = setting(
        (
            "New referral (MASH)",
            "Early Help request",
            "Assessment before first visit",
            "Strategy discussion",
            "Emergency",
        ),
        "Purposes a worker chooses from before searching.",
    )
    local_authority: str = setting(
        "Demo council", "Council name shown in trust labels and page footers."
    )


@dataclass(frozen=True)
class StorageConfig:
    """[storage]: where the linked index and the audit log live."""

    index_url: str = setting(
        "sqlite:///data/index.db",
        "SQLAlchemy URL of the linked index (SQLite by default, PostgreSQL in "
        "production). Relative SQLite paths are resolved against the config folder.",
    )
    audit_url: str = setting(
        "sqlite:///data/audit.db",
        "SQLAlchemy URL of the append-only audit log; may be the same database as "
        "the index.",
    )
    prepared_folder: str = setting(
        "",
        "Folder for each build's prepared index (the files a dashboard or API "
        "process maps to start in seconds instead of assembling the build from "
        "its rows). Empty: prepared/ beside a SQLite index file, else "
        "data/prepared under the config folder. With PostgreSQL and several "
        "servers, a folder every server reads and the build writes (relative "
        "paths: against the config folder). Holds personal data: protect it as "
        "the index.",
    )


@dataclass(frozen=True)
class OperationsConfig:
    """[operations]: running the tool on a server (docs/deploy.md)."""

    notify_command: tuple[str, ...] = setting(
        (),
        "Command (a list: program and arguments, no shell) run when a build fails "
        "or serves stale sources, and by doctor --notify; the message (no personal "
        "data) is its standard input. Empty: no notifications.",
    )
    notify_on_stale: bool = setting(
        True,
        "Also notify when a build succeeds but some sources are stale or dropped.",
    )
    notify_timeout_seconds: int = setting(
        30, "Seconds the notify command may take before it is stopped."
    )
    max_build_age_hours: int = setting(
        36,
        "doctor warns when the build being served finished longer ago than this "
        "(a nightly build plus a margin), and fails at twice it.",
    )
    min_free_disk_gb: float = setting(
        5.0,
        "doctor warns when the disk holding the index, snapshots or audit "
        "checkpoints has less free space than this, and fails below half of it.",
    )


def _check_operations(ops: OperationsConfig, problems: list[Problem]) -> None:
    for key in ("notify_timeout_seconds", "max_build_age_hours"):
        if getattr(ops, key) <= 0:
            problems.append(Problem(f"operations.{key}", "must be more than 0"))
    if ops.min_free_disk_gb < 0:
        problems.append(Problem("operations.min_free_disk_gb", "must be 0 or more"))


def _check_storage(
    storage: StorageConfig, base_dir: Path, problems: list[Problem]
) -> None:
    folder = storage.prepared_folder
    if not folder:
        return
    path = Path(folder) if Path(folder).is_absolute() else base_dir / folder
    if path.exists() and not path.is_dir():
        problems.append(
            Problem("storage.prepared_folder", f"{path} is a file; give a folder")
        )
    elif not path.exists() and not path.parent.is_dir():
        problems.append(
            Problem(
                "storage.prepared_folder",
                f"the folder above {path} does not exist; create it or give "
                "another folder",
            )
        )


@dataclass(frozen=True)
class Config:
    """The whole configuration, as loaded from one TOML file."""

    base_dir: Path
    app: AppConfig
    storage: StorageConfig
    linkage: LinkageConfig
    sources: tuple[SourceConfig, ...]
    governance: GovernanceConfig = field(default_factory=GovernanceConfig)
    operations: OperationsConfig = field(default_factory=OperationsConfig)
    api: ApiConfig = field(default_factory=ApiConfig)

    def source_path(self, source: SourceConfig) -> Path:
        """Absolute path of a source's extract."""
        p = Path(source.path)
        return p if p.is_absolute() else self.base_dir / p


SECTIONS: dict[str, type] = {
    "app": AppConfig,
    "storage": StorageConfig,
    "linkage": LinkageConfig,
    "governance": GovernanceConfig,
    "operations": OperationsConfig,
    "api": ApiConfig,
    "sources": SourceConfig,
}


def documented_keys() -> dict[str, str]:
    """Every config key as ``section.key`` with its documentation line."""
    return {
        f"{section}.{f.name}": f.metadata["doc"]
        for section, cls in SECTIONS.items()
        for f in fields(cls)
    }
