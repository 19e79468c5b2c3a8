"""Checks and loads of uploaded files, off the serving path: one at a time, each in a process of its own
with a time and a memory limit.

A partner's file can take minutes and gigabytes to read (a workbook that unpacks to hundreds of MB), and
the dashboard serves every user from one process. So the upload page never reads a file itself:

- the file is saved under a generated name in this process's scratch folder (``ingest.scratch``; the
  name the browser sent is only shown, cut to its last part and to a readable length: ``..``, slashes or
  300 characters cannot reach the file system) and deleted once it has been loaded or refused;
- ``ingest.limits`` looks at its size, ZIP directory or Parquet footer first (milliseconds);
- the check or load then runs in a fresh Python process (``python -m ui.checker``: nothing of the server's
  state is copied; not ``multiprocessing``, whose "spawn" children re-run the ``__main__`` module, which under
  Streamlit is the page script) limited to ``Limits.memory_mb`` of address space (``RLIMIT_AS``; DuckDB gets half and
  spills beyond it) and stopped after ``Limits.seconds``. One runs at a time across the server (a lock
  file); the others wait their turn. While it runs, the page's thread only waits on the process
  (without Python's global lock), so other users' pages are served as before.

The worker speaks the reader's language: ``check`` and ``load`` take it (by default the current one,
``siree_metrics.i18n.language()``, which is the Streamlit session's) and the worker runs in ``using(lang)``.

This module does not import Streamlit: the worker process imports it without the page code.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import pickle
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from siree_metrics.charts import style
from siree_metrics.i18n import language, t, using
from siree_metrics.ingest import limits as upload_limits
from siree_metrics.ingest import scratch
from siree_metrics.ingest.limits import Limits
from siree_metrics.ingest.load import Checked, LoadResult, check_file, load_file
from siree_metrics.ingest.problems import Refused

ROOT = Path(__file__).resolve().parents[1]
MAX_NAME = 80  # characters of a browser's file name shown in messages (the rest is cut in the middle)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Saved:
    """An uploaded file as stored: ``path`` (a generated name) and ``display`` (the browser's name, cleaned)."""

    path: Path
    display: str


def display_name(sent: str | None) -> str:
    """The name a browser sent, fit to show (not to use as a path): its last part after any / or \\, control
    characters dropped, at most MAX_NAME characters (cut in the middle with "…"); "upload" when nothing is
    left or the name is "." or "..". Markdown and HTML characters stay: the page escapes them when it shows
    the name (``style.markdown_text``)."""
    name = _CONTROL.sub("", re.split(r"[/\\]", sent or "")[-1]).strip()
    if name in ("", ".", ".."):
        return "upload"
    if len(name) > MAX_NAME:
        half = (MAX_NAME - 1) // 2
        name = name[:half] + "…" + name[-half:]
    return name


def uploads_folder() -> Path:
    """The folder of this process's uploaded files (inside its scratch folder)."""
    path = scratch.folder() / "uploads"
    path.mkdir(exist_ok=True, mode=0o700)
    return path


def save_upload(data: bytes, sent_name: str | None) -> Saved:
    """Write an uploaded file under a generated name (never the one the browser sent); see ``display_name``."""
    path = uploads_folder() / scratch.new_path(".upload").name
    path.write_bytes(data)
    return Saved(path, display_name(sent_name))


def discard(path: Path | None) -> None:
    """Delete an uploaded file (it has been loaded or refused, or another file replaced it)."""
    if path is not None:
        Path(path).unlink(missing_ok=True)


def check(path: Path, dataset: str | None, display: str, limits: Limits | None = None,
          today: dt.date | None = None, partners: tuple[str, ...] | None = None, lang: str | None = None) -> Detected:
    """``check_file`` off the serving path; ``dataset`` None: first find it from the column names
    (``detect_dataset``). A refusal names the limit a file passes, the time or memory the check ran out
    of, or that another file's check kept it waiting. Every message is in ``lang`` (default: the current
    language)."""
    with using(lang or language()) as lang:
        limits = limits or upload_limits.configured()
        failed = Detected(dataset, [], Checked(display, dataset or ""))
        if _refused_by_limits(path, display, limits, failed.checked):
            return failed
        return _off_path(_check, (path, dataset, display, today, partners), limits, failed, "check", lang)


def load(db: Path, dataset: str, path: Path, display: str, loaded_by: str, limits: Limits | None = None,
         today: dt.date | None = None, partners: tuple[str, ...] | None = None, lang: str | None = None) -> LoadResult:
    """``load_file`` off the serving path (see :func:`check`); a load stopped half-way stored nothing."""
    with using(lang or language()) as lang:
        limits = limits or upload_limits.configured()
        result = LoadResult(display, dataset, message=t("refused: nothing was loaded"))
        if _refused_by_limits(path, display, limits, result):
            return result
        done = _off_path(_load, (db, dataset, path, display, loaded_by, today, partners), limits,
                         Detected(dataset, [], result), "load", lang)
        return done.checked  # type: ignore[return-value]


@dataclass
class Detected:
    """What a check found: the dataset (as chosen, or found from the column names; None when they fit
    none), the file's column names when they were looked at, and the check (or why it did not finish)."""

    dataset: str | None
    headers: list[str]
    checked: Checked


def _refused_by_limits(path: Path, display: str, limits: Limits, result: Checked) -> bool:
    """Whether ``path`` passes a limit (``result.refusal`` then says which) or cannot be opened."""
    try:
        upload_limits.check(path, display, limits)
    except Refused as e:
        result.refusal = str(e)
        return True
    except OSError as e:
        result.refusal = f"{display}: " + t("cannot be opened ({reason})", reason=e.strerror)
        return True
    return False


def _check(path: Path, dataset: str | None, display: str, today: dt.date | None,
           partners: tuple[str, ...] | None) -> Detected:
    from siree_metrics.ingest.detect import detect_dataset, file_headers

    headers: list[str] = []
    if dataset is None:
        headers = file_headers(path)
        dataset = detect_dataset(headers)
        if dataset is None:
            return Detected(None, headers, Checked(display, ""))
    return Detected(dataset, headers, check_file(path, dataset, display=display, today=today, partners=partners))


def _load(db: Path, dataset: str, path: Path, display: str, loaded_by: str, today: dt.date | None,
          partners: tuple[str, ...] | None) -> Detected:
    return Detected(dataset, [], load_file(db, dataset, path, display=display, loaded_by=loaded_by, today=today,
                                           partners=partners))


def _off_path(work: Callable[..., Detected], args: tuple, limits: Limits, failed: Detected, what: str,
              lang: str = "en") -> Detected:
    """Run ``work(*args)`` in a process of its own, in ``lang``, one at a time across the server, within
    ``limits``; ``failed`` with a one-line refusal when it cannot finish."""
    display = failed.checked.file
    with _one_at_a_time(limits.seconds) as turn:
        if not turn:
            failed.checked.refusal = f"{display}: " + t("another file has been checked or loaded for more than "
                                                        "{seconds} s; nothing was done with this one; try again in a "
                                                        "minute", seconds=limits.seconds)
            return failed
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # finds what we find
        worker = subprocess.Popen([sys.executable, "-m", "ui.checker"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        outcome: tuple[str, object] = ("died", None)  # the worker died without a word (most often: memory)
        try:
            sent, _ = worker.communicate(pickle.dumps((work, args, limits.memory_mb, lang)), timeout=limits.seconds)
            if sent:
                outcome = pickle.loads(sent)
        except subprocess.TimeoutExpired:
            outcome = ("timeout", None)
        finally:
            worker.kill()  # nothing if it has ended
            worker.wait()
            scratch.remove_of(worker.pid)  # its transcoded copies and DuckDB spill files
    kind, value = outcome
    if kind == "done":
        return value  # type: ignore[return-value]
    failed.checked.refusal = _why(kind, None if value is None else str(value), display, what, limits, worker.returncode)
    return failed


def _why(kind: str, detail: str | None, display: str, what: str, limits: Limits, exitcode: int | None) -> str:
    """The one-line reason a check or load (``what``) did not finish, in the current language."""
    work = t("the check") if what == "check" else t("the load")
    memory = style.count(limits.memory_mb, language())
    if kind == "timeout":
        return f"{display}: " + t("{work} took longer than {seconds} s and was stopped; nothing was loaded; send the "
                                  "file as CSV, or split it (for example by year)", work=work, seconds=limits.seconds)
    if kind == "memory":
        return f"{display}: " + t("{work} needed more than the {memory} MB of memory allowed and was stopped; nothing "
                                  "was loaded; send the file as CSV, or split it (for example by year)",
                                  work=work, memory=memory)
    if kind == "refused":
        return f"{display}: {detail}"
    if kind == "died":
        return f"{display}: " + t("{work} stopped before it finished (exit {code}; most often for lack of memory: "
                                  "{memory} MB allowed); nothing was loaded", work=work, code=exitcode, memory=memory)
    return f"{display}: " + t("{work} failed ({detail}); nothing was loaded; this is a fault in the SIREE tool, not "
                              "in your file: please report it", work=work, detail=detail)


def _work(work: Callable[..., Detected], args: tuple, memory_mb: int, lang: str = "en") -> tuple[str, object]:
    """The worker process: limit its memory, run ``work`` in ``lang``; ("done", result) or why not."""
    import duckdb

    from siree_metrics.ingest import store

    limit = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    store.MEMORY_LIMIT = f"{memory_mb // 2}MB"
    try:
        with using(lang):
            outcome: tuple[str, object] = ("done", work(*args))
    except (MemoryError, duckdb.OutOfMemoryException):
        outcome = ("memory", None)
    except store.Busy as e:
        outcome = ("refused", str(e))
    except Exception as e:  # a fault of ours (a plain line, never a traceback), unless memory ran out inside
        outcome = ("memory", None) if _out_of_memory(e) else (
            "fault", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    return outcome


def _out_of_memory(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it was raised from, says memory ran out (DuckDB's "bad allocation" or
    "Out of Memory", an allocation refused under RLIMIT_AS), whichever wrapper reports it."""
    seen = 0
    while error is not None and seen < 10:
        words = str(error).lower()
        if isinstance(error, MemoryError) or any(w in words for w in ("bad allocation", "out of memory",
                                                                      "cannot allocate memory")):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class _one_at_a_time:  # noqa: N801 (used as a context manager, like a function)
    """Hold the server's check lock (``<tmp>/siree/checks.lock``); ``as`` gives False when it could not be
    had within ``seconds`` (another file's check or load is running)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.fd: int | None = None

    def __enter__(self) -> bool:
        scratch.root().mkdir(parents=True, exist_ok=True)
        self.fd = os.open(scratch.root() / "checks.lock", os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.seconds
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock


if __name__ == "__main__":  # the worker: (work, args, memory_mb) pickled on stdin, its outcome on stdout
    task = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(_work(*task)))
