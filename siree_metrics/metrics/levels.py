"""Computing indicator levels from the stored data with the SQL in ``sql/``.

Identifiers spliced into the SQL come only from the indicator catalogue and the contract (checked at
start-up) and go through :func:`checks.ident`; every value is a bound parameter.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools

import duckdb

from siree_metrics.ingest.checks import ident
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics.filters import FILTER_SQL, Filters
from siree_metrics.reference import SQL_DIR, CatalogueError, Indicator, Reference


@functools.cache
def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def indicator_sql(name: str, ind: Indicator, **extra: str) -> str:
    """The SQL file ``name`` with the indicator's dataset and columns filled in (quoted) and the filter clause.

    ``{date}`` is the indicator's date column; one the contract lets partners leave empty stands for the
    dataset's own date where it is empty (``jobs_reported_on``: the registration date). ``{entity}`` is the
    dataset's key without the indicator's date: one thing counted, such as partner_id, entrepreneur_id.
    ``{where}`` is the indicator's filter expression in parentheses (checked at start-up), else ``true``."""
    ds = load_contract()[ind.dataset]
    date = ident(ind.date)
    if ind.date != ds.date and ind.date not in ds.required:
        date = f"coalesce({date}, {ident(ds.date)})"
    return sql(name).format(
        table=ident(ind.dataset),
        column=ident(ind.column),
        date=date,
        entity=", ".join(ident(k) for k in ds.full_key if k != ind.date),
        denominator=ident(ind.denominator or ind.column),
        where=f"({ind.where})" if ind.where else "true",
        filters=FILTER_SQL,
        **extra,
    )


def measure_sql(role: str, ind: Indicator, **extra: str) -> str:
    """The SQL file its measure declares for ``role`` (``level``, ``breakdown``, ``cumulative``, ``monthly``;
    see measures.toml), filled in by :func:`indicator_sql`. CatalogueError if the measure declares none."""
    file = ind.measure_spec.sql.get(role)
    if file is None:
        raise CatalogueError(f"measures.toml: measure {ind.measure}: no sql.{role}, which indicator {ind.id} needs")
    return indicator_sql(file.removesuffix(".sql"), ind, **extra)


def alternative(ind: Indicator, ref: Reference) -> tuple[str, Indicator] | None:
    """(label, indicator) of the reading a reader may assume instead (``[indicator.alternative]`` in
    indicators.toml, such as a ratio on the same dataset), or None where the catalogue declares none."""
    alt = ind.alternative
    if alt is None:
        return None
    return alt.label, dataclasses.replace(ind, measure=alt.measure, measure_spec=ref.measures[alt.measure],
                                          column=alt.column, denominator=alt.denominator, where=alt.where)


def _query(ind: Indicator) -> str:
    return measure_sql("level", ind)


def level_as_of(con: duckdb.DuckDBPyConnection, ind: Indicator, as_of: dt.date, filters: Filters) -> tuple[float, int]:
    """A count indicator's value at ``as_of`` and the number of rows behind it."""
    level, n = con.execute(_query(ind), {"as_of": as_of, **filters.params()}).fetchall()[0][:2]
    return float(level or 0), int(n)


def level_in_window(con: duckdb.DuckDBPyConnection, ind: Indicator, start: dt.date, end: dt.date,
                    filters: Filters, included: list[str]) -> tuple[float | None, int]:
    """A relative indicator's level over [start, end] counting only the partners in ``included`` (None
    without rows) and the number of rows behind it."""
    params = {"from": start, "to": end, "included": list(included), **filters.params()}
    level, n = con.execute(_query(ind), params).fetchall()[0][:2]
    return (None if level is None else float(level)), int(n)


def window_partners(con: duckdb.DuckDBPyConnection, ind: Indicator, start: dt.date, end: dt.date,
                    filters: Filters) -> dict[str, tuple[int, int]]:
    """Partner -> (rows, months with rows) for ``ind`` in [start, end] under ``filters``; partners without
    rows are absent."""
    rows = con.execute(indicator_sql("window_partners", ind), {"from": start, "to": end, **filters.params()})
    return {p: (int(n), int(months)) for p, n, months in rows.fetchall()}


def partners_as_of(con: duckdb.DuckDBPyConnection, ind: Indicator, as_of: dt.date, filters: Filters) -> list[str]:
    """The partners with rows for a count indicator on or before ``as_of`` under ``filters``, sorted."""
    return [p for (p,) in con.execute(indicator_sql("partners_as_of", ind), {"as_of": as_of, **filters.params()}).fetchall()]


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months from ``start``'s month to ``end``'s month, both included (2017-03..2018-02: 12)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def current_window(as_of: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """The ``months`` calendar months ending with the as-of month: (first day, last day)."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1), month_end(as_of)


def _dated_rows() -> str:
    """Every dataset's (dataset, partner_id, date) as one union; names come from the contract (allow-listed)."""
    return " union all ".join(f"select '{ds.name}' as dataset, partner_id, {ident(ds.date)} as d from {ident(ds.name)}"
                              for ds in load_contract().values())


def latest_by_source(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, dt.date]]:
    """(dataset, partner, latest date) for every (dataset, partner) pair with data, newest first."""
    return [(ds, p, d) for ds, p, d in con.execute(sql("latest_date").format(unions=_dated_rows())).fetchall()]


def latest_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The latest date any dataset holds (for a month, its last day); None for an empty database."""
    pairs = latest_by_source(con)
    return month_end(pairs[0][2]) if pairs else None


def outside_project(con: duckdb.DuckDBPyConnection, end: dt.date) -> list[tuple[str, str, int, dt.date, dt.date]]:
    """(dataset, partner, rows, first date, last date) of the records dated after the project ``end``."""
    return con.execute(sql("outside_project").format(unions=_dated_rows()), {"end": end}).fetchall()
