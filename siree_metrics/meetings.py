"""Meetings: snapshots frozen for a meeting, committee notes, and each target's status at every quarter end.

A **snapshot** ("Steering committee 2020-11-19") records a view (filters, period, as-of date, language) and
the moment it was frozen. Reopened, it shows the figures exactly as they stood then, whatever was loaded,
retracted or restored since: the data are read as loaded on that moment (``audit.connect_as_loaded_on``), and
the as-of date was fixed when it was frozen (the default as-of date moves as files arrive). It also records
the last batch and the last retraction or restoration logged then, so :func:`changes_since` lists exactly what
came after.

A **note** is a committee's comment on one indicator over a period of months (who wrote it, when), shown
beside that indicator's chart, in presentation mode and in the pack. Its text is stored as typed and must be
escaped wherever it is shown.

Both live in the database (tables ``snapshots`` and ``notes``, made by ``store.bring_up_to_date``), so a
backup keeps them and the time travel leaves them as they are. No Streamlit here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from siree_metrics.i18n import t
from siree_metrics.ingest import audit, store
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import as_of_rule
from siree_metrics.reference import Reference, load_reference

LANGUAGES = ("en", "nl", "fr")
MAX_NAME = 120  # characters of a meeting's name
MAX_NOTE = 1000  # characters of a note


class MeetingError(Exception):
    """A snapshot or a note that cannot be made (no name, an unknown indicator, ...): the message says why."""


@dataclass(frozen=True)
class Snapshot:
    """A view frozen for a meeting: what it showed (filters, period, as-of date, language) and when."""

    id: int
    name: str
    as_of: dt.date
    moment: dt.datetime  # the data as loaded on this moment (to the second)
    last_batch: int  # the newest batch then (0: none)
    last_entry: int  # the newest retraction or restoration then (0: none)
    filters: Filters
    start: dt.date | None  # the period shown (None: the page's default)
    end: dt.date | None
    lang: str
    made_by: str

    @property
    def label(self) -> str:
        """``#3 Steering committee 2020-11-19 (frozen 2020-11-19 09:12:00)``; user text, to be escaped."""
        return t("#{id} {name} (frozen {moment})", id=self.id, name=self.name, moment=audit.moment_text(self.moment))


@dataclass(frozen=True)
class Note:
    """A committee's note on one indicator over the months ``start`` to ``end`` (first days of months)."""

    id: int
    indicator: str
    start: dt.date
    end: dt.date
    text: str
    written_by: str
    written_at: dt.datetime

    @property
    def period(self) -> str:
        """``2020-03`` for one month, ``2020-03 – 2020-06`` for several."""
        a, b = self.start.strftime("%Y-%m"), self.end.strftime("%Y-%m")
        return a if a == b else f"{a} – {b}"

    @property
    def line(self) -> str:
        """``2020-03 – 2020-06: schools closed (Ann, 2020-11-19)``; user text, to be escaped."""
        return f"{self.period}: {self.text} ({self.written_by}, {self.written_at:%Y-%m-%d})"


@dataclass(frozen=True)
class Change:
    """One thing done to the data after a snapshot was frozen (a load, a retraction, a restoration)."""

    when: dt.datetime
    what: str  # "loaded", "retracted" or "restored"
    batch: int
    file_name: str
    dataset: str
    by: str

    @property
    def line(self) -> str:
        """``2021-03-02 10:00:00: batch 7 (mechelen.csv, school_attendance) loaded by ann``; user text."""
        return (f"{audit.moment_text(self.when)}: batch {self.batch} ({self.file_name}, {self.dataset}) "
                f"{self.what} by {self.by or 'unknown'}")


# -- snapshots -----------------------------------------------------------------------------------------------

_SNAPSHOT_COLUMNS = ("id, name, as_of, moment, last_batch, last_entry, country, region, partner, period_from, "
                     "period_to, lang, made_by")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c for c in text.split(",") if c)


def _snapshot(row: tuple) -> Snapshot:
    (id_, name, as_of, moment, last_batch, last_entry, country, region, partner, start, end, lang, by) = row
    return Snapshot(id_, name, as_of, moment, last_batch, last_entry,
                    Filters(_codes(country), _codes(region), _codes(partner)), start, end, lang, by)


def freeze(db: Path, name: str, filters: Filters, as_of: dt.date | None, by: str, lang: str = "en",
           start: dt.date | None = None, end: dt.date | None = None, now: dt.datetime | None = None,
           on_wait: Callable[[], None] | None = None, ref: Reference | None = None) -> Snapshot:
    """Freeze the view (``filters``, ``as_of``: None for the default rule, fixed now to the date it gives;
    the period ``start``-``end``; ``lang``) as it stands now (``now``, by default the clock, to the second),
    under the name ``name``; the snapshot made. One write under the exclusive lock, so no load falls
    between the moment and the batches recorded. MeetingError for an empty or too long name or person, an
    unknown language or filter code."""
    name, by = " ".join((name or "").split()), (by or "").strip()
    ref = ref or load_reference()
    if not name:
        raise MeetingError("a snapshot needs the meeting's name, such as 'Steering committee 2020-11-19'")
    if len(name) > MAX_NAME:
        raise MeetingError(f"the meeting's name is {len(name)} characters long; keep it to {MAX_NAME}")
    if not by:
        raise MeetingError("a snapshot needs the name of who freezes it")
    if lang not in LANGUAGES:
        raise MeetingError(f"language {lang[:10]!r} is not en, nl or fr")
    if bad := filters.problems(ref):
        raise MeetingError("; ".join(bad))
    moment = (now or dt.datetime.now()).replace(microsecond=0)
    with store.connect(db, write=True, on_wait=on_wait) as con:
        day = as_of or as_of_rule(con, ref).date
        day = min(day, ref.programme.end)  # as the summary caps it
        row = con.execute(
            "INSERT INTO snapshots SELECT coalesce(max(id), 0) + 1, $name, $as_of, $moment, "
            "(SELECT coalesce(max(batch_id), 0) FROM batches), (SELECT coalesce(max(entry), 0) FROM batch_log), "
            "$country, $region, $partner, $from, $to, $lang, $by, now()::TIMESTAMP FROM snapshots "
            f"RETURNING {_SNAPSHOT_COLUMNS}",
            {"name": name, "as_of": day, "moment": moment, "country": ",".join(filters.countries),
             "region": ",".join(filters.regions), "partner": ",".join(filters.partners), "from": start, "to": end,
             "lang": lang, "by": by}).fetchall()[0]
        # Moments count to the second: hold the lock into the next second, so that no later load or
        # retraction can share the snapshot's second and count as loaded by then (at most 1 s).
        time.sleep(max(0.0, (moment + dt.timedelta(seconds=1) - dt.datetime.now()).total_seconds()))
    return _snapshot(row)


def snapshots(con: duckdb.DuckDBPyConnection) -> list[Snapshot]:
    """Every snapshot, newest first."""
    rows = con.execute(f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id DESC").fetchall()
    return [_snapshot(r) for r in rows]


def snapshot(con: duckdb.DuckDBPyConnection, snapshot_id: int) -> Snapshot | None:
    """The snapshot ``snapshot_id``, or None if there is none."""
    row = con.execute(f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE id = $id", {"id": snapshot_id}).fetchone()
    return None if row is None else _snapshot(row)


@contextlib.contextmanager
def reading(db: Path, snap: Snapshot, on_wait: Callable[[], None] | None = None
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read connection to ``db`` holding the data exactly as loaded on the snapshot's moment."""
    with audit.connect_as_loaded_on(db, snap.moment, on_wait=on_wait) as con:
        yield con


_CHANGES_SQL = """
    select loaded_at as done_at, 'loaded' as action, batch_id, file_name, dataset, coalesce(loaded_by, '') as done_by,
           0 as entry
    from batches
    where batch_id > $last_batch
    union all
    select l.done_at, l.action, l.batch_id, b.file_name, b.dataset, l.done_by, l.entry
    from batch_log l join batches b on b.batch_id = l.batch_id
    where l.entry > $last_entry
    order by done_at, entry, batch_id
"""


def changes_since(con: duckdb.DuckDBPyConnection, snap: Snapshot) -> list[Change]:
    """What was done to the data after ``snap`` was frozen (``con``: the database as it is now), oldest first:
    each batch loaded and each retraction or restoration logged since. Empty: the snapshot's figures are
    also today's (for the same as-of date)."""
    rows = con.execute(_CHANGES_SQL, {"last_batch": snap.last_batch, "last_entry": snap.last_entry}).fetchall()
    return [Change(at, what, batch, file_name, dataset, by) for at, what, batch, file_name, dataset, by, _ in rows]


# -- notes ---------------------------------------------------------------------------------------------------

_NOTE_COLUMNS = "id, indicator, period_start, period_end, text, written_by, written_at"


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_note(db: Path, indicator: str, start: dt.date, end: dt.date, text: str, by: str,
             now: dt.datetime | None = None, on_wait: Callable[[], None] | None = None,
             ref: Reference | None = None) -> Note:
    """Store a note on ``indicator`` for the months of ``start`` to ``end`` (any day of each; a reversed
    period is put the right way round), written by ``by`` at ``now`` (default: the clock). MeetingError for an
    unknown indicator, an empty or too long text, or no author."""
    ref = ref or load_reference()
    text, by = (text or "").strip(), (by or "").strip()
    if indicator not in {ind.id for ind in ref.indicators}:
        raise MeetingError(f"there is no indicator {indicator[:40]!r}")
    if not text:
        raise MeetingError("a note needs a text")
    if len(text) > MAX_NOTE:
        raise MeetingError(f"the note is {len(text)} characters long; keep it to {MAX_NOTE}")
    if not by:
        raise MeetingError("a note needs the name of who writes it")
    start, end = sorted((_month(start), _month(end)))
    with store.connect(db, write=True, on_wait=on_wait) as con:
        row = con.execute(
            "INSERT INTO notes SELECT coalesce(max(id), 0) + 1, $ind, $start, $end, $text, $by, $at FROM notes "
            f"RETURNING {_NOTE_COLUMNS}",
            {"ind": indicator, "start": start, "end": end, "text": text, "by": by,
             "at": (now or dt.datetime.now()).replace(microsecond=0)}).fetchall()[0]
    return Note(*row)


def remove_note(db: Path, note_id: int, on_wait: Callable[[], None] | None = None) -> bool:
    """Remove note ``note_id``; whether there was one."""
    with store.connect(db, write=True, on_wait=on_wait) as con:
        found = con.execute("DELETE FROM notes WHERE id = $id RETURNING id", {"id": note_id}).fetchall()
    return bool(found)


def notes(con: duckdb.DuckDBPyConnection, indicator: str | None = None, until: dt.date | None = None) -> list[Note]:
    """The notes (of ``indicator``, else all), those whose period starts by ``until`` if given, in period
    then writing order."""
    rows = con.execute(
        f"SELECT {_NOTE_COLUMNS} FROM notes WHERE ($ind IS NULL OR indicator = $ind) "
        "AND ($until IS NULL OR period_start <= $until) ORDER BY indicator, period_start, period_end, id",
        {"ind": indicator, "until": until}).fetchall()
    return [Note(*r) for r in rows]


# -- status history ------------------------------------------------------------------------------------------
