"""How each target's status evolved: attainment and status at every quarter end of the project.

A committee sees when a target slipped: ``quarterly`` summarises the view at each quarter end from the
first one after the project start to the as-of date (the project end at most), and returns one row per
indicator and quarter. Each row is exactly what ``summarize`` says at that date, so a quarter's figure can be
checked on any page by setting its as-of date.
"""

from __future__ import annotations

import calendar
import datetime as dt

import duckdb
import pandas as pd

from siree_metrics.metrics import suppress
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.reference import Reference, load_reference

COLUMNS = ["indicator", "label", "quarter_end", "value", "target", "attainment", "expected", "status"]


class _Answers:
    """One query's rows, as ``fetchall``/``fetchone`` give them (copies: a caller may change its list)."""

    def __init__(self, rows: list[tuple]):
        self._rows = rows

    def fetchall(self) -> list[tuple]:
        return list(self._rows)

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


class Remembering:
    """A read connection that answers a query it has already run with the same parameters from memory.
    Within one history the baseline window's queries are the same at every quarter end (16 times over);
    they run once. Only for reading a database that does not change meanwhile (one history, one reader)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self._seen: dict[tuple, list[tuple]] = {}

    def execute(self, sql: str, params: dict | None = None) -> _Answers:
        key = (sql, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items())))
        if key not in self._seen:
            self._seen[key] = self._con.execute(sql, params).fetchall()
        return _Answers(self._seen[key])


def quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The quarter ends (31 Mar, 30 Jun, 30 Sep, 31 Dec) on or after ``first`` and on or before ``last``."""
    out: list[dt.date] = []
    year, month = first.year, ((first.month - 1) // 3 + 1) * 3
    while True:
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        if end > last:
            return out
        if end >= first:
            out.append(end)
        year, month = (year + 1, 3) if month == 12 else (year, month + 3)


def quarterly(con: duckdb.DuckDBPyConnection, as_of: dt.date, filters: Filters | None = None,
              policy: suppress.Policy | None = None, ref: Reference | None = None) -> pd.DataFrame:
    """One row per indicator and quarter end from the project start to ``as_of`` (capped at the project end):
    value, target, attainment, expected pace and status at that date, in catalogue then date order. With a
    ``policy``, as a viewer sees it (``suppress.summary`` at each date: every shown count is rounded, so a
    quarter's step cannot give a suppressed count back)."""
    ref = ref or load_reference()
    prog = ref.programme
    rows = []
    remembering = Remembering(con)
    for day in quarter_ends(prog.start, min(as_of, prog.end)):
        s = suppress.summary(summarize(remembering, day, filters, ref), policy, ref)  # type: ignore[arg-type]
        rows += [{"indicator": r.id, "label": r.label, "quarter_end": day, "value": r.value, "target": r.target,
                  "attainment": r.attainment, "expected": r.expected, "status": r.status} for r in s.indicators]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    order = {ind.id: i for i, ind in enumerate(ref.indicators)}
    return frame.sort_values(["indicator", "quarter_end"], key=lambda c: c.map(order) if c.name == "indicator" else c,
                             kind="stable").reset_index(drop=True)
