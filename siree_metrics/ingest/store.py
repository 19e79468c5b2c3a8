"""The DuckDB database: schema, safe connections, and the history of loaded files (batches).

Many readers (the dashboard, ``summary``, ``export``) and writers (``load``, ``demo``, the upload page) may
use one database file at once. DuckDB lets only one process write, and a writer cannot open the file while
another process has it open, so every connection is taken under a lock file beside the database: readers
share it, a writer holds it alone, and whoever must wait, waits (nobody sees "database is locked").
Connections are short-lived: open, run, close.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from siree_metrics.ingest.checks import canonical, ident, lit
from siree_metrics.ingest.contract import Column, Dataset, load_contract

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "siree.duckdb"
LOCK_WAIT_NOTICE_S = 1.0
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


@contextlib.contextmanager
def lock(db: Path, exclusive: bool, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the database's lock file: shared for readers, exclusive for a writer; waits as long as needed."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(db) + ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)  # closing releases the lock


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


def attach(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """Attach ``db`` read-write to ``con`` as ``db`` and make it current; call with the exclusive lock held."""
    _retry(lambda: con.execute("ATTACH $path AS db", {"path": str(db)}))
    con.execute("USE db")
    create_schema(con)


@contextlib.contextmanager
def connect(db: Path, write: bool = False, on_wait: Callable[[], None] | None = None
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to ``db`` for the duration of the block; the schema exists when it opens.

    Readers share the lock, a writer has it alone; ``on_wait`` is called once if the lock is busy.
    """
    db = Path(db)
    if not write and not db.exists():
        with connect(db, write=True):
            pass
    with lock(db, exclusive=write, on_wait=on_wait):
        con = _retry(lambda: duckdb.connect(str(db), read_only=not write, config={"memory_limit": MEMORY_LIMIT}))
        try:
            if write:
                create_schema(con)
            yield con
        finally:
            con.close()


def upgrade(db: Path, on_wait: Callable[[], None] | None = None) -> None:
    """Bring a database made by an earlier version up to date: the raw text moved into one column (only
    export needs it) and columns the contract has gained since (such as startups.jobs_reported_on, which
    the indicators read). Any load does it too. Opens the database for writing only when needed."""
    with connect(db, on_wait=on_wait) as con:
        older = con.execute("SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
                            "AND column_name LIKE 'raw\\_%' ESCAPE '\\'").fetchone()[0] > 0
        older = older or any(_missing_columns(con, ds) for ds in load_contract().values())
    if older:
        with connect(db, write=True, on_wait=on_wait):  # create_schema moves the text over
            pass


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the batches table and, per dataset, its table of current rows and of replaced rows.

    A dataset's table has batch_id, source_row (the row in the partner's file, as a spreadsheet numbers it),
    country, one column per contract column, and ``raw``: the cells whose text as sent differs from their
    value's own rendering (``checks.canonical``), as a JSON object by column name (``{"month": "03/2019"}``);
    NULL for a row that arrived exactly so. (Text, not a MAP: at ten million rows a MAP column costs half
    a second to write even when it is all NULL.)
    """
    con.execute("""
        CREATE TABLE IF NOT EXISTS batches (
            batch_id INTEGER PRIMARY KEY, dataset VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL, rows BIGINT NOT NULL, replaced_rows BIGINT NOT NULL,
            loaded_at TIMESTAMP NOT NULL, loaded_by VARCHAR, file_format VARCHAR, warnings VARCHAR)
    """)
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for ds in load_contract().values():
        cols = ", ".join(f"{ident(c.name)} {c.sql_type}" for c in ds.columns.values())
        con.execute(f"CREATE TABLE IF NOT EXISTS {ident(ds.name)} (batch_id INTEGER NOT NULL, "
                    f"source_row BIGINT NOT NULL, country VARCHAR NOT NULL, {cols}, raw VARCHAR)")
        con.execute(f"CREATE TABLE IF NOT EXISTS {ident(ds.name + '_replaced')} AS "
                    f"SELECT *, CAST(NULL AS INTEGER) AS replaced_by FROM {ident(ds.name)} LIMIT 0")
        _one_raw_column(con, ds)
        for table, column in _missing_columns(con, ds):
            default = "" if column.default is None else f" DEFAULT CAST({lit(column.default)} AS {column.sql_type})"
            con.execute(f"ALTER TABLE {ident(table)} ADD COLUMN {ident(column.name)} {column.sql_type}{default}")


def _missing_columns(con: duckdb.DuckDBPyConnection, ds: Dataset) -> list[tuple[str, Column]]:
    """(table, column) for each contract column that ``ds``'s tables lack, in a database made before the
    contract gained it: the column is added empty, as if every earlier file had left it out."""
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
    except duckdb.CatalogException:  # a database made before the meta table existed
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
