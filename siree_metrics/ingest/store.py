"""The DuckDB database: schema, safe connections, and the history of loaded files (batches).

Many readers (the dashboard, ``summary``, ``export``) and writers (``load``, ``demo``, the upload page) may
use one database file at once. DuckDB lets only one process write, and a writer cannot open the file while
another process has it open, so every connection is taken under a lock file beside the database: readers
share it, a writer holds it alone, and whoever must wait, waits (nobody sees "database is locked").
Connections are short-lived: open, run, close.

The tables follow the contract: every connection (and every load, through :func:`attach`) first brings
the database up to it (:func:`bring_up_to_date`), so a database made before the contract gained a column
or a dataset keeps working, and gains it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from siree_metrics.i18n import t
from siree_metrics.ingest.checks import canonical, ident, lit
from siree_metrics.ingest.contract import Column, Contract, Dataset, load_contract

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "siree.duckdb"
# DuckDB's memory limit per connection. 1.5 GB lets a ten-million-row load work without spilling to disk
# (5 % faster than 1 GB) while its whole process stays under 1.4 GB (docs/performance.md).
MEMORY_LIMIT = os.environ.get("SIREE_MEMORY_LIMIT", "1536MB")


def default_db() -> Path:
    """The database path: ``SIREE_DB`` if set, else data/siree.duckdb."""
    return Path(os.environ.get("SIREE_DB") or DEFAULT_DB)


def data_version(db: Path) -> tuple[int, int]:
    """Changes whenever a load commits (the database or its write-ahead log changes); cheap to call."""
    stamps = []
    for p in (db, Path(str(db) + ".wal")):
        try:
            st = p.stat()
            stamps.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamps.append((0, 0))
    return hash(tuple(stamps)), stamps[0][1]


# How long a load waits for the database before it gives up and says why (readers finishing, or another
# load): a page holds the lock for a fraction of a second, a ten-million-row load for about 9 s.
WRITE_WAIT_SECONDS = float(os.environ.get("SIREE_LOAD_WAIT", "60"))


class Busy(Exception):
    """A writer could not have the database within its time limit; the message says why, in one line."""


@contextlib.contextmanager
def lock(db: Path, exclusive: bool, on_wait: Callable[[], None] | None = None,
         wait: float | None = None) -> Iterator[None]:
    """Hold the database's lock file: shared for readers, exclusive for a writer.

    Readers yield to a waiting writer, so a steady stream of readers (four dashboard users) cannot keep
    a load waiting for ever: a writer first takes ``<db>.lock.intent`` alone and keeps it while it waits
    for the readers inside to finish; a reader passes through the intent lock (shared, for a moment)
    before it takes its shared lock, so it queues behind a waiting writer. A reader waits as long as
    needed (a writer holds the lock for seconds at most); a writer waits at most ``wait`` seconds
    (``WRITE_WAIT_SECONDS``, $SIREE_LOAD_WAIT) and then raises :class:`Busy`, nothing done.
    ``on_wait`` is called once if the lock is busy.
    """
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_lock(str(db) + ".lock", exclusive)
    try:
        intent = _open_lock(str(db) + ".lock.intent", exclusive)
    except OSError:
        os.close(fd)
        raise
    try:
        if exclusive:
            limit = WRITE_WAIT_SECONDS if wait is None else wait
            deadline = time.monotonic() + limit
            told = _take(intent, fcntl.LOCK_EX, deadline, on_wait, False)
            if told is None:
                raise Busy(t("the database is busy: another load has been using it for more than {seconds} s; "
                             "nothing was loaded; try again when it has finished", seconds=f"{limit:g}"))
            if _take(fd, fcntl.LOCK_EX, deadline, on_wait, told) is None:
                raise Busy(t("the database is busy: readers (the dashboard, a summary or an export) kept it for "
                             "more than {seconds} s; nothing was loaded; try again in a minute", seconds=f"{limit:g}"))
        else:
            _take(intent, fcntl.LOCK_SH, None, on_wait, False)
            fcntl.flock(intent, fcntl.LOCK_UN)
            _take(fd, fcntl.LOCK_SH, None, on_wait, False)
        yield
    finally:
        os.close(fd)  # closing releases the lock
        os.close(intent)


def _open_lock(path: str, exclusive: bool) -> int:
    """Open a lock file, made if missing. On a read-only disk or folder a reader opens an existing one for
    reading (a shared lock needs no more), so the figures can still be read; a writer gets the OSError
    (``cli`` says in one line that the disk is read-only)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as e:
        if exclusive or e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM) or not os.path.exists(path):
            raise
        return os.open(path, os.O_RDONLY)


def _take(fd: int, mode: int, deadline: float | None, on_wait: Callable[[], None] | None, told: bool
          ) -> bool | None:
    """Lock ``fd`` in ``mode``; whether ``on_wait`` has been called (once, on the first wait); None when
    ``deadline`` (time.monotonic) passed first. Without a deadline, waits in the kernel's queue."""
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return told
    except BlockingIOError:
        pass
    if on_wait and not told:
        on_wait()
    if deadline is None:
        fcntl.flock(fd, mode)
        return True
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.1)
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            continue
    return None


def _retry(open_: Callable[[], duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
    """Retry while a process outside our locking (a notebook, the duckdb CLI) holds the file."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return open_()
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def attach(con: duckdb.DuckDBPyConnection, db: Path, contract: Contract | None = None) -> None:
    """Attach ``db`` read-write to ``con`` as ``db``, make it current and bring it up to ``contract`` (by
    default contract.toml's); call with the exclusive lock held."""
    _retry(lambda: con.execute("ATTACH $path AS db", {"path": str(db)}))
    con.execute("USE db")
    bring_up_to_date(con, load_contract() if contract is None else contract)


@contextlib.contextmanager
def connect(db: Path, write: bool = False, on_wait: Callable[[], None] | None = None,
            contract: Contract | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to ``db`` for the duration of the block, its tables up to ``contract`` (by default
    contract.toml's; see :func:`bring_up_to_date`).

    Readers share the lock, a writer has it alone; ``on_wait`` is called once if the lock is busy. A
    reader of a database made for an earlier contract (or by an earlier version) first brings it up to
    date under the exclusive lock, briefly, then reads; when it is up to date, checking costs one read of
    the meta table. A database that does not exist yet is created, empty.
    """
    db = Path(db)
    contract = load_contract() if contract is None else contract
    if not write and not db.exists():
        with _session(db, True, on_wait, contract):
            pass
    with _session(db, write, on_wait, contract) as con:
        if con is not None:
            yield con
            return
    with _session(db, True, on_wait, contract):  # the database is older than the contract
        pass
    with _session(db, False, on_wait, None) as con:  # None: read as it is, even if another contract changed it
        assert con is not None
        yield con


# The name under which :func:`connect_attached` attaches the database.
ATTACHED = "siree_stored"


@contextlib.contextmanager
def connect_attached(db: Path, on_wait: Callable[[], None] | None = None,
                     contract: Contract | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read connection whose own database is an empty one in memory, with ``db`` attached read-only as
    :data:`ATTACHED`, for the duration of the block (under the shared lock, as :func:`connect`).

    Views made in the memory database (``audit``'s "as loaded on") are seen by every cursor of the
    connection, unlike temporary views, which belong to one cursor. ``db`` is first brought up to
    ``contract`` as :func:`connect` does; a database that does not exist yet is created, empty.
    """
    db = Path(db)
    with connect(db, on_wait=on_wait, contract=contract):
        pass
    with lock(db, exclusive=False, on_wait=on_wait):
        con = duckdb.connect(":memory:", config={"memory_limit": MEMORY_LIMIT})
        try:
            _retry(lambda: con.execute(f"ATTACH $path AS {ATTACHED} (READ_ONLY)", {"path": str(db)}))
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def _session(db: Path, write: bool, on_wait: Callable[[], None] | None, contract: Contract | None
             ) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A connection under the lock; a writer brings the tables up to ``contract``; a reader gets None
    instead when they are not up to it (``contract`` None: no check)."""
    with lock(db, exclusive=write, on_wait=on_wait):
        con = _retry(lambda: duckdb.connect(str(db), read_only=not write, config={"memory_limit": MEMORY_LIMIT}))
        try:
            if write and contract is not None:
                bring_up_to_date(con, contract)
            current = write or contract is None or meta(con, SCHEMA_VERSION) == schema_version(contract)
            yield con if current else None
        finally:
            con.close()


# The meta key holding the schema_version the tables were last brought up to.
SCHEMA_VERSION = "schema_version"
# Raise when the code changes the tables' layout, so every database is brought up to it (2: ``raw``;
# 3: ``batch_log``; 4: ``snapshots`` and ``notes``, see siree_metrics.meetings).
LAYOUT = 4


def schema_version(contract: Contract) -> str:
    """A short hash of the table layout and of each dataset's columns with their SQL types, in order: it
    changes when the contract gains a column or a dataset (not when a description or alias changes)."""
    shape = [LAYOUT, [[ds.name, [[c.name, c.sql_type] for c in ds.columns.values()]] for ds in contract.values()]]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]


def bring_up_to_date(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Bring the database of ``con`` (opened for writing) up to ``contract``, in one transaction, and
    record its :func:`schema_version` in ``meta``; does nothing more than that read when it is current.

    Creates what is missing: the batches and meta tables and, per dataset, its table of current rows and
    of replaced rows (see :func:`_create_tables`). In a database made before the contract gained a column,
    adds the column to both tables, filled with the column's ``default`` on the rows already stored, else
    NULL (as if every earlier file had left it out). In a database made before ``raw`` existed, moves the
    text of its raw_<column> columns into ``raw``. A column the contract dropped stays (it holds what the
    earlier files sent); a column whose type changed is not converted.
    """
    version = schema_version(contract)
    if meta(con, SCHEMA_VERSION) == version:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        _create_tables(con, contract)
        for ds in contract.values():
            _one_raw_column(con, ds)
            for table, column in _missing_columns(con, ds):
                default = "" if column.default is None else f" DEFAULT CAST({lit(column.default)} AS {column.sql_type})"
                con.execute(f"ALTER TABLE {ident(table)} ADD COLUMN {ident(column.name)} {column.sql_type}{default}")
        set_meta(con, SCHEMA_VERSION, version)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _create_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create the batches, batch_log, meta, snapshots and notes tables and, per dataset, its tables, where
    they do not exist.

    ``batches`` has one row per loaded file: who loaded it, when, the file's name, sha256 and format, its
    rows and how many stored rows it replaced. A batch is never deleted; ``batch_log`` records each
    retraction and restoration of one (``audit``): entry (in order), batch_id, action (``retracted`` or
    ``restored``), done_at, done_by, reason, and the rows it took out of and brought back into the
    current figures.

    A dataset's table has batch_id, source_row (the row in the partner's file, as a spreadsheet numbers it),
    country, one column per contract column, and ``raw``: the cells whose text as sent differs from their
    value's own rendering (``checks.canonical``), as a JSON object by column name (``{"month": "03/2019"}``);
    NULL for a row that arrived exactly so. (Text, not a MAP: at ten million rows a MAP column costs half
    a second to write even when it is all NULL.) Its ``_replaced`` table has the same columns and
    ``replaced_by``, the batch that replaced the row.
    """
    con.execute("""
        CREATE TABLE IF NOT EXISTS batches (
            batch_id INTEGER PRIMARY KEY, dataset VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL, rows BIGINT NOT NULL, replaced_rows BIGINT NOT NULL,
            loaded_at TIMESTAMP NOT NULL, loaded_by VARCHAR, file_format VARCHAR, warnings VARCHAR)
    """)
    con.execute("""
        CREATE TABLE IF NOT EXISTS batch_log (
            entry INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL, action VARCHAR NOT NULL,
            done_at TIMESTAMP NOT NULL, done_by VARCHAR NOT NULL, reason VARCHAR NOT NULL,
            rows_out BIGINT NOT NULL, rows_back BIGINT NOT NULL)
    """)
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    # meetings (siree_metrics.meetings): views frozen for a meeting, and committee notes per indicator and period
    con.execute("""
        CREATE TABLE IF NOT EXISTS snapshots (
            id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, as_of DATE NOT NULL, moment TIMESTAMP NOT NULL,
            last_batch INTEGER NOT NULL, last_entry INTEGER NOT NULL, country VARCHAR NOT NULL,
            region VARCHAR NOT NULL, partner VARCHAR NOT NULL, period_from DATE, period_to DATE,
            lang VARCHAR NOT NULL, made_by VARCHAR NOT NULL, made_at TIMESTAMP NOT NULL)
    """)
    con.execute("""
        CREATE TABLE IF NOT EXISTS notes (
            id INTEGER PRIMARY KEY, indicator VARCHAR NOT NULL, period_start DATE NOT NULL,
            period_end DATE NOT NULL, text VARCHAR NOT NULL, written_by VARCHAR NOT NULL,
            written_at TIMESTAMP NOT NULL)
    """)
    for ds in contract.values():
        cols = ", ".join(f"{ident(c.name)} {c.sql_type}" for c in ds.columns.values())
        con.execute(f"CREATE TABLE IF NOT EXISTS {ident(ds.name)} (batch_id INTEGER NOT NULL, "
                    f"source_row BIGINT NOT NULL, country VARCHAR NOT NULL, {cols}, raw VARCHAR)")
        con.execute(f"CREATE TABLE IF NOT EXISTS {ident(ds.name + '_replaced')} AS "
                    f"SELECT *, CAST(NULL AS INTEGER) AS replaced_by FROM {ident(ds.name)} LIMIT 0")


def _missing_columns(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[tuple[str, Column]]:
    """(table, column) for each contract column that ``ds``'s tables lack (a database made before the
    contract gained it), in contract order; none for a table that does not exist."""
    missing = []
    for table in (ds.name, ds.name + "_replaced"):
        have = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = "
                                          "current_database() AND table_name = $t", {"t": table}).fetchall()}
        missing += [(table, col) for col in ds.columns.values() if have and col.name not in have]
    return missing


def _one_raw_column(con: duckdb.DuckDBPyConnection, ds: Dataset) -> None:
    """Bring a database made before ``raw`` existed (one raw_<column> per column) to today's layout."""
    for table in (ds.name, ds.name + "_replaced"):
        old = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND table_name = $t AND column_name LIKE 'raw\\_%' ESCAPE '\\'", {"t": table}).fetchall()]
        if not old:
            continue
        entries = ", ".join(f"{{'k': {lit(c[4:])}, 'v': {ident(c)}}}" for c in old)
        con.execute(f"ALTER TABLE {ident(table)} ADD COLUMN raw VARCHAR")
        con.execute(f"UPDATE {ident(table)} SET raw = to_json(map_from_entries(list_filter([{entries}], "
                    f"lambda e: e.v IS NOT NULL))) WHERE {' OR '.join(f'{ident(c)} IS NOT NULL' for c in old)}")
        for c in old:
            con.execute(f"ALTER TABLE {ident(table)} DROP COLUMN {ident(c)}")


def meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A setting stored in the database, such as ``demo_build`` (see :func:`demo_state`); None if unset."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = $k", {"k": key}).fetchone()
    # No meta table (a new database, or one made before it existed); DuckDB may then look for a Python
    # object named meta in this module, and say it is not a table.
    except (duckdb.CatalogException, duckdb.InvalidInputException):
        return None
    return row[0] if row else None


def rows_as_sent(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[tuple]:
    """The current rows of ``ds`` with every cell's text exactly as it arrived, in load order."""
    cells = ", ".join(f"coalesce(raw ->> {lit('$.' + c.name)}, {canonical(c, ident(c.name))})" for c in ds.columns.values())
    return con.execute(f"SELECT {cells} FROM {ident(ds.name)} ORDER BY batch_id, source_row").fetchall()


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Store a setting (see :func:`meta`); call on a connection opened for writing."""
    con.execute("INSERT OR REPLACE INTO meta VALUES ($k, $v)", {"k": key, "v": value})


# The demo build records itself in ``meta``: DEMO_BUILD is "in_progress" from before its first file until
# after its last, then "complete"; DEMO_BATCHES lists the batch ids its files were stored as.
DEMO_BUILD = "demo_build"
DEMO_BATCHES = "demo_batches"


def demo_state(con: duckdb.DuckDBPyConnection) -> str | None:
    """What the database holds, as far as the DEMO DATA label and the upload rule go.

    - ``"building"``: a demo build started and did not finish (it is running now, or was killed half-way):
      the next start finishes it, and meanwhile it is labelled demo data;
    - ``"demo"``: every batch is one a finished demo build loaded: labelled DEMO DATA, uploads open;
    - ``"mixed"``: a finished demo build and at least one other batch (a partner's file loaded from the
      command line or uploaded): not "DEMO DATA", and not real results either; uploads follow the normal rule;
    - ``None``: no demo build ever ran here (a real database, or an empty one).

    A database built before builds were recorded (only ``kind`` = ``demo`` in meta) counts the batches
    loaded by ``demo`` as the demo's.
    """
    build = meta(con, DEMO_BUILD)
    if build == "in_progress":
        return "building"
    if build is None and meta(con, "kind") != "demo":
        return None
    batches = con.execute("SELECT batch_id, loaded_by FROM batches ORDER BY batch_id").fetchall()
    if build is None:  # the older record
        real = [b for b, by in batches if by != "demo"]
    else:
        demo = {int(b) for b in (meta(con, DEMO_BATCHES) or "").split(",") if b}
        real = [b for b, _ in batches if b not in demo]
    return "mixed" if real else "demo"
