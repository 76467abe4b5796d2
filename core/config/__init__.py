"""The one configuration file, loaded once into frozen, typed dataclasses.

Every key has a default and a line of documentation (the ``doc`` metadata of its
field); ``tests/test_config.py`` checks that the README documents every key.
Relative paths and SQLite URLs are resolved against the config file's folder, so a
config and its data can move together.

One module per section (``linkage_section``, ``source_section``,
``governance_section``, ``sections`` for app, storage, operations and the whole
``Config``) and one for reading the file (``loading``); import from here.
"""

from core.config.api_section import ApiConfig
from core.config.governance_section import (
    DEFAULT_VISIBILITY,
    GovernanceConfig,
    read_visibility,
)
from core.config.linkage_section import (
    ALL_COMPARISONS,
    BLOCKING_KEYS,
    DEFAULT_BLOCKING_RULES,
    REQUIRED_COMPARISONS,
    LinkageConfig,
    RuleText,
    parse_blocking_rule,
)
from core.config.loading import load_config, parse_config
from core.config.sections import (
    SECTIONS,
    AppConfig,
    Config,
    OperationsConfig,
    StorageConfig,
    documented_keys,
)
from core.config.source_section import (
    MAPPABLE_FIELDS,
    SSD_FLAVOURS,
    SSD_TABLES,
    SourceConfig,
    SourceFormat,
    is_ssd_query,
)

__all__ = [
    "ALL_COMPARISONS",
    "ApiConfig",
    "BLOCKING_KEYS",
    "DEFAULT_BLOCKING_RULES",
    "DEFAULT_VISIBILITY",
    "MAPPABLE_FIELDS",
    "REQUIRED_COMPARISONS",
    "SECTIONS",
    "SSD_FLAVOURS",
    "SSD_TABLES",
    "AppConfig",
    "Config",
    "GovernanceConfig",
    "LinkageConfig",
    "OperationsConfig",
    "RuleText",
    "SourceConfig",
    "SourceFormat",
    "StorageConfig",
    "documented_keys",
    "is_ssd_query",
    "parse_blocking_rule",
    "load_config",
    "parse_config",
    "read_visibility",
]
