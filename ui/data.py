"""Cached access to the database for the pages.

Each cached function takes only hashable values (dates, tuples of codes) plus the database's data
version, so a load from the command line shows on the next interaction without a restart, and a warm
rerun never touches the database. Connections are short-lived (``store.connect``), so a load never fails
because the dashboard is reading.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from siree_metrics import store
from siree_metrics.filters import Filters
from siree_metrics.summary import Summary, default_as_of, summarize

CACHE = dict(ttl=3600, max_entries=256, show_spinner=False)


def db_path() -> Path:
    return store.default_db()


def ensure_database() -> None:
    """With no database at the default path, build the demo database (the funder's first start)."""
    db = db_path()
    if db.exists() or os.environ.get("SIREE_DB"):
        return
    from siree_metrics.demo import build_demo_database

    with st.spinner("First start: building the demo database from the demo exports ..."):
        build_demo_database(db)


def version() -> tuple[int, int]:
    return store.data_version(db_path())


@st.cache_data(**CACHE)
def summary(as_of: dt.date | None, filters: Filters, version: tuple[int, int]) -> Summary:
    with store.connect(db_path()) as con:
        return summarize(con, as_of, filters)


def get_summary(as_of: dt.date | None, filters: Filters) -> Summary:
    return summary(as_of, filters, version())


@st.cache_data(**CACHE)
def _frame(module: str, name: str, params: tuple, version: tuple[int, int]) -> pd.DataFrame:
    import importlib

    fn = getattr(importlib.import_module(module), name)
    with store.connect(db_path()) as con:
        return fn(con, *params)


def frame(fn: Callable[..., pd.DataFrame], *params: object) -> pd.DataFrame:
    """The cached result of ``fn(con, *params)`` for the current data version.

    ``fn`` is a query function of siree_metrics (such as ``series.monthly``) taking a DuckDB connection
    first and hashable parameters after it (dates, strings, tuples, Filters).
    """
    return _frame(fn.__module__, fn.__name__, tuple(params), version())


@st.cache_data(**CACHE)
def _latest(version: tuple[int, int]) -> dt.date:
    with store.connect(db_path()) as con:
        return default_as_of(con)


def latest() -> dt.date:
    """The default as-of date: the last day of the latest month with data."""
    return _latest(version())


@st.cache_data(**CACHE)
def _is_demo(version: tuple[int, int]) -> bool:
    with store.connect(db_path()) as con:
        return store.meta(con, "kind") == "demo"


def is_demo() -> bool:
    """Whether the database is the demo database (labelled as demo data on every page)."""
    return _is_demo(version())


def uploads_enabled() -> bool:
    """Uploading is on for the demo database, off otherwise, unless SIREE_UPLOADS=on/off says otherwise."""
    setting = os.environ.get("SIREE_UPLOADS", "").lower()
    if setting in ("on", "off"):
        return setting == "on"
    return is_demo()
