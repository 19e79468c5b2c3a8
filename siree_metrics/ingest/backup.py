"""Backup and restore of the database and its accounts.

``backup`` copies every table into a new DuckDB file while holding the database's shared lock, so readers go
on and a load waits until the copy is done: the copy is one consistent moment. It is written under a
temporary name and renamed when complete, so a killed backup never leaves a file that looks whole. The
accounts file beside the database is copied beside the backup with SQLite's own online backup.

``restore`` checks the backup opens and has the SIREE tables, then puts it in place under the exclusive lock
(again written aside and renamed): a database is never half-restored.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import duckdb

from siree_metrics import accounts

from . import store


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _copy_accounts(source_db: Path, target_db: Path) -> None:
    src = accounts.accounts_path(source_db)
    if not src.exists():
        return
    dst = accounts.accounts_path(target_db)
    part = dst.with_name(dst.name + ".part")
    part.unlink(missing_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(part) as b:
        a.backup(b)
    os.replace(part, dst)


def _copy_aside(source: Path, target: Path) -> tuple[Path, int]:
    """Copy every table of ``source`` into a new file beside ``target`` (``<target>.part``); that file and the
    number of batches copied. The caller renames it into place once it is whole."""
    part = target.with_name(target.name + ".part")
    for leftover in (part, Path(f"{part}.wal")):
        leftover.unlink(missing_ok=True)
    with duckdb.connect(":memory:") as con:
        con.execute("ATTACH $p AS src (READ_ONLY)", {"p": str(source)})
        con.execute("ATTACH $p AS out", {"p": str(part)})
        con.execute("COPY FROM DATABASE src TO out")
        batches = con.execute("SELECT count(*) FROM out.batches").fetchall()[0][0]
        con.execute("DETACH out")
    return part, batches


def _copy(source: Path, target: Path) -> int:
    """Copy every table of ``source`` into a new file ``target`` (written aside, then renamed); batches copied."""
    part, batches = _copy_aside(source, target)
    os.replace(part, target)
    return batches


def backup(db: Path, out: Path) -> int:
    """Copy ``db`` (and its accounts) to ``out``; the number of batches copied."""
    db, out = Path(db), Path(out)
    if not db.exists():
        raise BackupError(f"{db}: there is no database here to back up")
    if out.exists():
        raise BackupError(f"{out}: a file of that name exists; choose another name (a backup never overwrites)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with store.lock(db, exclusive=False):
        batches = _copy(db, out)
        _copy_accounts(db, out)
    return batches


def restore(backup_file: Path, db: Path, replace: bool = False) -> int:
    """Put ``backup_file`` in place as ``db`` (and its accounts); refuses to replace an existing database unless
    ``replace``. The number of batches restored."""
    backup_file, db = Path(backup_file), Path(db)
    try:
        with duckdb.connect(str(backup_file), read_only=True) as con:
            con.execute("SELECT count(*) FROM batches").fetchone()
    except duckdb.Error as e:
        raise BackupError(f"{backup_file}: not a SIREE backup ({str(e).splitlines()[0]})") from None
    if db.exists() and not replace:
        raise BackupError(f"{db}: a database is there already; add --replace to put the backup in its place")
    with store.lock(db, exclusive=True):
        part, batches = _copy_aside(backup_file, db)
        # The old database's log must not be replayed onto the backup: it is moved aside (not deleted) just
        # before the backup takes the database's place, so a restore killed in between loses nothing: moving
        # <db>.wal.before-restore back gives the old database whole again (docs/reliability.md).
        wal, aside = Path(f"{db}.wal"), Path(f"{db}.wal.before-restore")
        if wal.exists():
            os.replace(wal, aside)
        os.replace(part, db)
        aside.unlink(missing_ok=True)
        _copy_accounts(backup_file, db)
    return batches
