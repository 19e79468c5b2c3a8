"""Computing indicator levels from the stored data with the SQL in ``sql/``.

Identifiers spliced into the SQL come only from the indicator catalogue and the contract (checked at
start-up) and go through :func:`checks.ident`; every value is a bound parameter.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from pathlib import Path

import duckdb

from .checks import ident
from .contract import load_contract
from .filters import FILTER_SQL, Filters
from .reference import Indicator

SQL_DIR = Path(__file__).resolve().parent / "sql"


@functools.cache
def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def indicator_sql(name: str, ind: Indicator, **extra: str) -> str:
    """The SQL file ``name`` with the indicator's dataset and columns filled in (quoted) and the filter clause."""
    return sql(name).format(
        table=ident(ind.dataset),
        column=ident(ind.column),
        date=ident(ind.date),
        denominator=ident(ind.denominator or ind.column),
        where=ident(ind.where) if ind.where else "true",
        filters=FILTER_SQL,
        **extra,
    )


def _query(ind: Indicator) -> str:
    return indicator_sql(f"level_{ind.measure}", ind)


def level_as_of(con: duckdb.DuckDBPyConnection, ind: Indicator, as_of: dt.date, filters: Filters) -> tuple[float, int]:
    """A count indicator's value at ``as_of`` and the number of rows behind it."""
    level, n = con.execute(_query(ind), {"as_of": as_of, **filters.params()}).fetchone()[:2]
    return float(level or 0), int(n)


def level_in_window(con: duckdb.DuckDBPyConnection, ind: Indicator, start: dt.date, end: dt.date,
                    filters: Filters) -> tuple[float | None, int]:
    """A relative indicator's level over [start, end] (None without rows) and the number of rows behind it."""
    level, n = con.execute(_query(ind), {"from": start, "to": end, **filters.params()}).fetchone()[:2]
    return (None if level is None else float(level)), int(n)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def current_window(as_of: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """The ``months`` calendar months ending with the as-of month: (first day, last day)."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1), month_end(as_of)


def latest_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The latest date any dataset holds (for a month, its last day); None for an empty database."""
    unions = " union all ".join(f"select max({ident(ds.date)}) as d from {ident(ds.name)}"
                                for ds in load_contract().values())
    latest = con.execute(sql("latest_date").format(unions=unions)).fetchone()[0]
    return None if latest is None else month_end(latest)
