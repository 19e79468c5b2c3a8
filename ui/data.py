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
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from siree_metrics.ingest import audit, store
from siree_metrics.metrics import suppress
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import Summary, default_as_of, summarize
from siree_metrics.metrics.suppress import Policy
from siree_metrics.reference import load_reference

from . import auth
from .i18n import language, t, using

CACHE: dict[str, Any] = dict(ttl=3600, max_entries=256, show_spinner=False)
IDLE_S = 2.0  # how long the shared reader stays open unused: the longest a command-line load waits for it


class _Reader:
    """One read-only connection per process and database, opened on demand, closed when idle."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._timer: threading.Timer | None = None
        self._session: contextlib.AbstractContextManager | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._key: tuple[Path, dt.datetime | None] | None = None  # the database, and the moment it is read as of

    @contextlib.contextmanager
    def cursor(self, path: Path, moment: dt.datetime | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on ``path``, as it is or, with ``moment``, as loaded then (``audit.connect_as_loaded_on``:
        every cursor of that connection sees the tables as they were)."""
        key = (path, moment)
        with self._lock:
            if self._timer:
                self._timer.cancel()
                self._timer = None
            if self._con is not None and self._key != key and self._users == 0:
                self._close_locked()
            if self._con is None:
                self._session = _connect(path, moment)
                self._con, self._key = self._session.__enter__(), key
            con = self._con if self._key == key else None
            self._users += con is not None
        if con is None:  # another database (tests) or moment is in use right now: a private connection
            with _connect(path, moment) as private:
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
        self._session = self._con = self._key = None


def _connect(path: Path, moment: dt.datetime | None) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    return store.connect(path) if moment is None else audit.connect_as_loaded_on(path, moment)


_reader = _Reader()
MOMENT = "siree_as_loaded_on"  # session state: the moment this session shows the data as loaded on


def as_loaded_on() -> dt.datetime | None:
    """The moment this session shows the data as loaded on (the ``as_loaded_on`` link parameter, checked by
    ui.url and set by ui.page); None: the data as they are now."""
    return st.session_state.get(MOMENT)


def reading() -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A cursor on the shared read-only connection, for the cached functions below: the data as loaded on
    this session's moment (``as_loaded_on``), which ``version`` makes part of every cache key."""
    return _reader.cursor(db_path(), as_loaded_on())


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
    """Identifies the database and its content, as loaded on this session's moment: part of every cache key."""
    moment = as_loaded_on()
    name = str(db_path()) + ("" if moment is None else f" as loaded on {audit.moment_text(moment)}")
    return (name, *store.data_version(db_path()))


@st.cache_data(**CACHE)
def summary(as_of: dt.date | None, filters: Filters, version: tuple[str, int, int], lang: str = "en") -> Summary:
    """The summary with its notes in ``lang`` (part of the key: a summary's sentences are in one language)."""
    with reading() as con, using(lang):
        return summarize(con, as_of, filters)


@st.cache_data(**CACHE)
def _safe_summary(as_of: dt.date | None, filters: Filters, policy: Policy | None,
                  version: tuple[str, int, int], lang: str = "en") -> Summary:
    return suppress.summary(summary(as_of, filters, version, lang), policy, load_reference())


def policy(filters: Filters) -> Policy | None:
    """The small-number suppression for what this session sees under ``filters`` (ui.auth.policy: none for
    an admin or a partner looking at its own partner), with programme.toml's threshold and base."""
    chosen = auth.policy(filters.partners)
    return None if chosen is None else suppress.of(load_reference())


def get_summary(as_of: dt.date | None, filters: Filters) -> Summary:
    """The summary as this session may see it: made safe for a viewer (suppress.summary)."""
    return _safe_summary(as_of, filters, policy(filters), version(), language())


@st.cache_data(**CACHE)
def _frame(module: str, name: str, params: tuple, version: tuple[str, int, int]) -> pd.DataFrame:
    import importlib

    fn = getattr(importlib.import_module(module), name)
    with reading() as con:
        return fn(con, *params)


@st.cache_data(**CACHE)
def _safe_frame(module: str, name: str, params: tuple, policy: Policy | None,
                version: tuple[str, int, int]) -> pd.DataFrame:
    df = _frame(module, name, params, version)
    if module != "siree_metrics.metrics.series":  # the budget's frames: euros, never suppressed
        return df
    return suppress.series(name, df, params, policy, load_reference())


def frame(fn: Callable[..., pd.DataFrame], *params: object) -> pd.DataFrame:
    """The cached result of ``fn(con, *params)`` for the current data version, as this session may see it
    (``suppress.series``: counts of people made safe for a viewer; the policy is part of the cache key).

    ``fn`` is a query function of siree_metrics (such as ``series.monthly``) taking a DuckDB connection
    first and hashable parameters after it (dates, strings, tuples, Filters).
    """
    filters = next((p for p in params if isinstance(p, Filters)), Filters())
    return _safe_frame(fn.__module__, fn.__name__, tuple(params), policy(filters), version())


@st.cache_data(**CACHE)
def _latest(version: tuple[str, int, int]) -> dt.date:
    with reading() as con:
        return default_as_of(con)


def latest() -> dt.date:
    """The default as-of date: the last day of the latest month with data."""
    return _latest(version())


@st.cache_data(**CACHE)
def _first_loaded(version: tuple[int, int]) -> dt.datetime | None:
    with _reader.cursor(db_path()) as con:  # the database as it is, whatever this session's moment
        return con.execute("SELECT min(loaded_at) FROM batches").fetchall()[0][0]


def first_loaded() -> dt.datetime | None:
    """When the first file was loaded (None: none yet): the earliest moment the data can be shown as loaded on."""
    return _first_loaded(store.data_version(db_path()))


def release() -> None:
    """Let go of the shared reader now (before this process writes: the write would wait for it)."""
    _reader.close()


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
