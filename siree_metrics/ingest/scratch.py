"""Temporary files of our own: uploads, transcoded CSV copies, DuckDB's spill files.

Every process keeps its temporary files in one folder of its own, ``<tmp>/siree/<pid>-<random>``, so a
load killed half-way (``kill -9``, a timeout, a power cut) leaves them where the next start can tell them
apart: :func:`clean` (run once per process, when its folder is first made) removes every entry older than
an hour whose process is gone. A process still running keeps its folder; one whose id was reused by
another process is caught by the age test at worst an hour late.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

MAX_AGE_SECONDS = 3600

_mine: dict[int, Path] = {}  # pid -> this process's folder (a forked child makes its own)


def root() -> Path:
    """The parent of every process's folder: ``siree`` under the system's temporary folder."""
    return Path(tempfile.gettempdir()) / "siree"


def folder() -> Path:
    """This process's folder, made (after cleaning what killed processes left) on first use."""
    pid = os.getpid()
    if pid not in _mine or not _mine[pid].is_dir():
        clean()
        path = root() / f"{pid}-{secrets.token_hex(4)}"
        path.mkdir(parents=True, mode=0o700)
        _mine[pid] = path
    return _mine[pid]


def new_path(suffix: str = "") -> Path:
    """A fresh file name in this process's folder (the file is not created)."""
    return folder() / f"{secrets.token_hex(8)}{suffix}"


def owner(entry: Path) -> int | None:
    """The process id an entry of :func:`root` belongs to (its name starts with it); None if it does not."""
    head = entry.name.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean(max_age: float = MAX_AGE_SECONDS, now: float | None = None) -> list[Path]:
    """Remove the entries of :func:`root` older than ``max_age`` seconds whose process is gone; the removed.

    Entries not named after a process are left alone (they are not ours)."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(root().iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        pid = owner(entry)
        try:
            old = now - entry.lstat().st_mtime > max_age
        except FileNotFoundError:
            continue
        if pid is not None and old and pid != os.getpid() and not alive(pid):
            remove(entry)
            removed.append(entry)
    return removed


def remove_of(pid: int) -> None:
    """Remove every entry of process ``pid`` at once (the caller has just ended that process)."""
    for entry in root().glob(f"{pid}-*"):
        remove(entry)


def remove(path: Path) -> None:
    """Remove a file or a folder; nothing if it is already gone."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
