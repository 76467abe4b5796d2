"""Per-process resources, cached with st.cache_resource: config, engines, index.

Only shared, role-neutral things are cached here; what a user searched for or
opened lives in their own session state.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.config import Config, load_config
from core.db import make_engine
from core.errors import AuditError
from governance.audit import ensure_audit_schema
from governance.keys import keyed, load_key
from governance.reports import ensure_reports_schema
from governance.system_events import record_config_loaded
from lookup.artefact import prepared_folder
from lookup.index import LinkedIndex
from lookup.serving import ServedIndex


@st.cache_resource(show_spinner=False)
def config(path: str) -> Config:
    """The config file at ``path``, loaded once per process."""
    return load_config(path)


@st.cache_resource(show_spinner=False)
def index_engine(url: str) -> Engine:
    """One engine per index URL."""
    return make_engine(url)


@st.cache_resource(show_spinner=False)
def audit_engine(url: str, _cfg: Config) -> Engine:
    """One engine per audit URL, carrying the chain's key, with the audit table
    created if missing."""
    engine = keyed(make_engine(url), load_key(_cfg))
    try:
        ensure_audit_schema(engine)
        ensure_reports_schema(engine)
    except SQLAlchemyError as exc:
        raise AuditError(
            "The audit log cannot be reached, so nothing can be shown. Contact the "
            "system administrator."
        ) from exc
    return engine


@st.cache_resource(show_spinner=False)
def config_recorded(
    config_path: str, audit_url: str, _cfg: Config, _engine: Engine
) -> str:
    """Record once per process the config the dashboard started with (a digest,
    no personal data); not cached if recording fails, so nothing is shown."""
    return record_config_loaded(_engine, _cfg, "dashboard")


@st.cache_resource(show_spinner=False)
def _served(config_path: str, index_url: str, _cfg: Config) -> ServedIndex:
    return ServedIndex(index_engine(index_url), prepared_folder(_cfg))


def current_index(config_path: str, cfg: Config) -> LinkedIndex:
    """The build currently served, one per process: a newer build is loaded in
    the background and swapped in once ready, the old one serving meanwhile."""
    served = _served(config_path, cfg.storage.index_url, cfg)
    if served.ready:
        return served.get()
    with st.spinner("Loading the linked index…"):
        return served.get()
