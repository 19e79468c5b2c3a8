"""Cached access to the database for the pages.

Each cached function takes only hashable values (dates, tuples of codes) plus the database's data
version, so a load from the command line shows on the next interaction without a restart, and a warm
rerun never touches the database. On a cache miss the queries share one read-only connection per process
(a fresh cursor each), which is closed as soon as it has been idle for a moment: a load from the command
line waits at most that long, and never fails because the dashboard is reading.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from siree_metrics.ingest import store
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import Summary, default_as_of, summarize

from .i18n import t

CACHE = dict(ttl=3600, max_entries=256, show_spinner=False)
IDLE_S = 2.0  # how long the shared reader stays open unused: the longest a command-line load waits for it


class _Reader:
    """One read-only connection per process and database, opened on demand, closed when idle."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._timer: threading.Timer | None = None
        self._session: contextlib.AbstractContextManager | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._path: Path | None = None

    @contextlib.contextmanager
    def cursor(self, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._timer:
                self._timer.cancel()
                self._timer = None
            if self._con is not None and self._path != path and self._users == 0:
                self._close_locked()
            if self._con is None:
                self._session = store.connect(path)
                self._con, self._path = self._session.__enter__(), path
            con = self._con if self._path == path else None
            self._users += con is not None
        if con is None:  # another database is in use right now (tests): a private connection
            with store.connect(path) as private:
                yield private
            return
        cursor = con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._timer = threading.Timer(IDLE_S, self.close)
                    self._timer.daemon = True
                    self._timer.start()

    def close(self) -> None:
        """Close the connection now if no query is using it (the idle timer's job; also before this
        process writes)."""
        with self._lock:
            if self._users == 0:
                self._close_locked()

    def _close_locked(self) -> None:
        if self._session is not None:
            self._session.__exit__(None, None, None)
        self._session = self._con = self._path = None


_reader = _Reader()


def reading() -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A cursor on the shared read-only connection, for the cached functions below."""
    return _reader.cursor(db_path())


def db_path() -> Path:
    """The dashboard's database: ``SIREE_DB`` if set, else data/siree.duckdb."""
    return store.default_db()


def ensure_database() -> None:
    """Build the demo database when there is no database at the default path (the funder's first start),
    and finish a demo build that did not finish (killed half-way, at any path), so a partial demo database
    is never shown. A database made for an earlier contract is brought up to date by its first read
    (``store.connect``)."""
    db = db_path()
    if db.exists():
        if demo_state() != "building":
            return
    elif os.environ.get("SIREE_DB"):
        return
    from siree_metrics.demo.build import build_demo_database

    _reader.close()  # the build writes: let go of the shared reader first
    with st.spinner(t("Building the demo database from the demo exports ...")):
        build_demo_database(db)
    st.cache_data.clear()


def version() -> tuple[str, int, int]:
    """Identifies the database and its content: part of every cache key."""
    return (str(db_path()), *store.data_version(db_path()))


@st.cache_data(**CACHE)
def summary(as_of: dt.date | None, filters: Filters, version: tuple[str, int, int]) -> Summary:
    with reading() as con:
        return summarize(con, as_of, filters)


def get_summary(as_of: dt.date | None, filters: Filters) -> Summary:
    return summary(as_of, filters, version())


@st.cache_data(**CACHE)
def _frame(module: str, name: str, params: tuple, version: tuple[str, int, int]) -> pd.DataFrame:
    import importlib

    fn = getattr(importlib.import_module(module), name)
    with reading() as con:
        return fn(con, *params)


def frame(fn: Callable[..., pd.DataFrame], *params: object) -> pd.DataFrame:
    """The cached result of ``fn(con, *params)`` for the current data version.

    ``fn`` is a query function of siree_metrics (such as ``series.monthly``) taking a DuckDB connection
    first and hashable parameters after it (dates, strings, tuples, Filters).
    """
    return _frame(fn.__module__, fn.__name__, tuple(params), version())


@st.cache_data(**CACHE)
def _latest(version: tuple[str, int, int]) -> dt.date:
    with reading() as con:
        return default_as_of(con)


def latest() -> dt.date:
    """The default as-of date: the last day of the latest month with data."""
    return _latest(version())


@st.cache_data(**CACHE)
def _demo_state(version: tuple[str, int, int]) -> str | None:
    with reading() as con:
        return store.demo_state(con)


def demo_state() -> str | None:
    """``store.demo_state`` of the database: "demo", "building", "mixed" or None."""
    return _demo_state(version())


def is_demo() -> bool:
    """Whether the database holds demo data only (labelled DEMO DATA on every page); a demo build that has
    not finished counts, a demo database that has taken a partner's file does not (see ``is_mixed``)."""
    return demo_state() in ("demo", "building")


def is_mixed() -> bool:
    """Whether the database holds the demo's fictional files beside partners' files."""
    return demo_state() == "mixed"


def uploads_enabled() -> bool:
    """Uploading is on while the database holds demo data only, off otherwise (once a partner's file is
    loaded into the demo database, too), unless SIREE_UPLOADS=on/off says otherwise."""
    setting = os.environ.get("SIREE_UPLOADS", "").lower()
    if setting in ("on", "off"):
        return setting == "on"
    return demo_state() == "demo"
