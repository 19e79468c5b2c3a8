"""Time series and breakdowns of the indicators, for the charts: by month, cumulative, by group, by region.

A handful of general query functions driven by the indicator catalogue, so a new indicator gets its charts
without new code: the indicator's measure names the SQL file of each function (``sql.monthly``,
``sql.cumulative``, ``sql.breakdown`` in measures.toml),
its dataset, columns and ``where`` fill the identifiers (through :func:`checks.ident`), and every value —
dates and filter codes — is a bound parameter. Each function has the shape ``fn(con, ...hashable) ->
DataFrame`` so the dashboard can cache it, and none imports Streamlit.

Dates: ``start``..``end`` is the period shown and ``as_of`` the date the data is taken at; rows dated after
``min(end, as_of)`` never count. For monthly datasets a month counts from its first day, so a period starting
on 2019-06-15 still shows June 2019.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from siree_metrics.ingest.checks import ident
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics import suppress
from siree_metrics.metrics.filters import FILTER_SQL, Filters
from siree_metrics.metrics.levels import measure_sql, sql
from siree_metrics.metrics.summary import Summary
from siree_metrics.reference import REFERENCE_DIR, Indicator, load_reference

GROUP_TYPES = ("partner", "region", "choice", "text")  # columns a breakdown may group by, besides country
MAP_LATITUDE = 51.0  # the programme area's middle latitude, for the schematic map's x scale


def _indicator(indicator_id: str) -> Indicator:
    return load_reference().indicator(indicator_id)


def _is_monthly(dataset: str, column: str) -> bool:
    return load_contract()[dataset].columns[column].type == "month"


def _period(ind: Indicator, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The [from, to] bounds for the indicator's date column: to = min(end, as_of); a month counts from day 1."""
    lo = start.replace(day=1) if _is_monthly(ind.dataset, ind.date) else start
    return lo, min(end, as_of)


def _group(ind: Indicator, by: str) -> str:
    """The SQL for grouping by ``by``: ``country`` or a column of the indicator's dataset (an allow-list)."""
    if by == "country":
        return "country"
    column = load_contract()[ind.dataset].columns.get(by)
    if column is None or column.type not in GROUP_TYPES:
        raise ValueError(f"{ind.dataset} cannot be broken down by {by!r}")
    return ident(by)


def _query(function: str, ind: Indicator, group: str = "country") -> str:
    return measure_sql(function, ind, group=group)


def _run(con: duckdb.DuckDBPyConnection, query: str, lo: dt.date, hi: dt.date, filters: Filters) -> pd.DataFrame:
    params = {"from": lo, "to": hi, **filters.params()}
    used = {name: value for name, value in params.items() if f"${name}" in query}  # DuckDB refuses extras
    return con.cursor().execute(query, used).df()


_NUMERIC = {"level", "n", "added", "rows", "numerator", "denominator", "baseline", "target", "n_baseline"}


def _empty(*columns: str) -> pd.DataFrame:
    """A frame with no rows but the usual columns, so pages and charts need no special case."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in _NUMERIC else "object") for c in columns})


def monthly(con: duckdb.DuckDBPyConnection, indicator_id: str, filters: Filters, start: dt.date, end: dt.date,
            as_of: dt.date) -> pd.DataFrame:
    """A relative indicator month by month and country, with each country's baseline and target level.

    Columns: ``month, country, level, n`` (rows behind the level), for ``ratio`` also ``numerator,
    denominator``, then ``baseline`` (the level over the baseline window, in the catalogue's own formula),
    ``target`` (baseline x (1 + target change)) and ``n_baseline``; ``numerator, denominator`` are there
    when the measure's monthly SQL returns them (a ratio) and there are rows. The monthly level is the figure that is
    comparable with the baseline: the month's sum (``monthly_mean``), the month's ratio (``ratio``), or the
    rolling 12-month sum (``window_sum``, shown once a country has 12 months of reports). Baseline and target
    are empty (NaN) for a country without baseline rows; the baseline window is also cut at ``as_of``.
    Months without rows are absent, so a line never drops to a false zero.
    """
    ind = _indicator(indicator_id)
    if ind.kind != "relative":
        raise ValueError(f"{indicator_id} is a count; use cumulative()")
    lo, hi = _period(ind, start, end, as_of)
    columns = ["month", "country", "level", "n", "baseline", "target", "n_baseline"]
    if lo > hi:
        return _empty(*columns)
    df = _run(con, _query("monthly", ind), lo, hi, filters)
    if df.empty:
        return _empty(*columns)
    extra = [c for c in ("numerator", "denominator") if c in df.columns]
    columns = [*columns[:4], *extra, *columns[4:]]
    prog = load_reference().programme
    base = breakdown(con, indicator_id, "country", filters, prog.baseline_start, prog.baseline_end, as_of)
    base = base.rename(columns={"level": "baseline", "n": "n_baseline"})
    base["target"] = base["baseline"] * (1 + ind.target)
    df = df.merge(base, on="country", how="left")
    df["month"] = pd.to_datetime(df["month"])
    for c in ("level", "n", *extra, "baseline", "target", "n_baseline"):
        df[c] = df[c].astype("float64")
    df = df.dropna(subset=["level"])
    return df[columns].sort_values(["country", "month"]).reset_index(drop=True)


def monthly_rate(con: duckdb.DuckDBPyConnection, dataset: str, numerator: str, denominator: str, filters: Filters,
                 start: dt.date, end: dt.date, as_of: dt.date) -> pd.DataFrame:
    """sum(numerator) / sum(denominator) by month and country, over the rows that send both (such as
    half-day sessions attended / possible in school_attendance). Columns: ``month, country, level, n,
    numerator, denominator``; empty when no row in the period sends them (they may be optional columns).
    """
    ds = load_contract()[dataset]
    for c in (numerator, denominator):
        if c not in ds.columns or ds.columns[c].type != "count":
            raise ValueError(f"{dataset}.{c} is not a count column")
    ind = Indicator(id=f"{dataset}_rate", labels={"en": ""}, description="", unit="", kind="relative", target=0.0,
                    dataset=dataset, measure="ratio", column=numerator, date=ds.date, denominator=denominator,
                    measure_spec=load_reference().measures["ratio"])
    columns = ["month", "country", "level", "n", "numerator", "denominator"]
    lo, hi = _period(ind, start, end, as_of)
    if lo > hi:
        return _empty(*columns)
    df = _run(con, _query("monthly", ind), lo, hi, filters).dropna(subset=["level"])
    if df.empty:
        return _empty(*columns)
    df["month"] = pd.to_datetime(df["month"])
    for c in columns[2:]:
        df[c] = df[c].astype("float64")
    return df[columns].sort_values(["country", "month"]).reset_index(drop=True)


def cumulative(con: duckdb.DuckDBPyConnection, indicator_id: str, filters: Filters, start: dt.date, end: dt.date,
               as_of: dt.date, by: str = "country") -> pd.DataFrame:
    """A count indicator's running total at the end of each month of the period, by ``by`` (a country, or a
    column of the dataset such as ``setting``).

    Columns: ``month, <by>, level`` (the count at the end of the month, everything before the period
    included, so the last month equals the summary's value at ``min(end, as_of)``), ``added`` (new that
    month), ``rows`` (rows dated that month) and ``n`` (rows behind the level). Every group has every month
    from the period's start (or its first month) to ``min(end, as_of)``. Empty when nothing is stored.
    """
    ind = _indicator(indicator_id)
    if ind.kind != "count":
        raise ValueError(f"{indicator_id} is relative; use monthly()")
    columns = ["month", by, "level", "added", "rows", "n"]
    lo, hi = _period(ind, start, end, as_of)
    if lo > hi:
        return _empty(*columns)
    raw = _run(con, _query("cumulative", ind, _group(ind, by)), lo, hi, filters)
    if raw.empty:
        return _empty(*columns)
    raw["month"] = pd.to_datetime(raw["month"])
    raw["grp"] = raw["grp"].astype("object").where(raw["grp"].notna(), "?")
    first = min(raw["month"].min(), pd.Timestamp(lo.replace(day=1)))
    months = pd.date_range(first, pd.Timestamp(hi.replace(day=1)), freq="MS", name="month")
    frames = []
    for grp, rows in raw.groupby("grp", sort=True):
        g = rows.groupby("month")[["added", "rows"]].sum().reindex(months, fill_value=0).astype("float64")
        g["level"] = g["added"].cumsum()
        g["n"] = g["rows"].cumsum()
        g[by] = grp
        frames.append(g.reset_index())
    df = pd.concat(frames, ignore_index=True)
    df = df[df["month"] >= pd.Timestamp(lo.replace(day=1))]
    return df[columns].sort_values([by, "month"]).reset_index(drop=True)


def breakdown(con: duckdb.DuckDBPyConnection, indicator_id: str, by: str, filters: Filters, start: dt.date,
              end: dt.date, as_of: dt.date) -> pd.DataFrame:
    """An indicator's level over the period, by ``by`` and country (such as entrepreneurs by sector).

    For counts, what is new in the period (a distinct item counts in the group of its first row); for
    relative indicators, the level of the catalogue's formula over the period (its baseline when the period
    is the baseline window). Columns: ``<by>, country, level, n``; just ``country, level, n`` when ``by`` is
    ``country``.
    """
    ind = _indicator(indicator_id)
    columns = ["country", "level", "n"] if by == "country" else [by, "country", "level", "n"]
    lo, hi = _period(ind, start, end, as_of)
    if lo > hi:
        return _empty(*columns)
    df = _run(con, _query("breakdown", ind, _group(ind, by)), lo, hi, filters)
    if df.empty:
        return _empty(*columns)
    if by != "country":
        df[by] = df["grp"].astype("object").where(df["grp"].notna(), "?")
    df["level"] = df["level"].astype("float64")
    df["n"] = df["n"].astype("float64")
    return df[columns].reset_index(drop=True)


@functools.cache
def region_centroids(path: Path = REFERENCE_DIR / "region_centroids.csv") -> dict[str, tuple[float, float]]:
    """Approximate (lat, lon) of each region's main town, for the schematic map (see region_centroids.md)."""
    with path.open(encoding="utf-8", newline="") as f:
        return {row["code"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(f)}


def region_activity(con: duckdb.DuckDBPyConnection, filters: Filters, start: dt.date, end: dt.date,
                    as_of: dt.date) -> pd.DataFrame:
    """Every region of the programme area with what was reported there in the period, under ``filters``.

    Columns: ``region, name, country, lat, lon, x, y`` (x = lon x cos(51°), so x and y share a scale),
    ``records`` (rows reported in the period across the indicator datasets; 0 for a region without activity
    or outside the filters) and one column per indicator id with :func:`breakdown`'s level by region (NaN
    where nothing was reported).
    """
    ref = load_reference()
    centroids = region_centroids()
    hi = min(end, as_of)
    rows = [{"region": r.code, "name": r.name, "country": r.country,
             "lat": centroids[r.code][0], "lon": centroids[r.code][1]} for r in ref.regions.values()]
    df = pd.DataFrame(rows)
    df["x"] = df["lon"] * math.cos(math.radians(MAP_LATITUDE))
    df["y"] = df["lat"]
    datasets = sorted({ind.dataset for ind in ref.indicators})
    if start > hi:
        records = pd.DataFrame({"region": pd.Series(dtype="object"), "records": pd.Series(dtype="float64")})
    else:
        contract = load_contract()
        def region_rows(name: str) -> str:
            date = contract[name].date
            lo = "$from_month" if _is_monthly(name, date) else "$from"
            return (f"select region, count(*) as rows from {ident(name)} "
                    f"where {ident(date)} between {lo} and $to and {FILTER_SQL} group by region")

        unions = " union all ".join(region_rows(name) for name in datasets)
        records = con.cursor().execute(
            sql("series_region_records").format(unions=unions),
            {"from": start, "from_month": start.replace(day=1), "to": hi, **filters.params()}).df()
    df = df.merge(records, on="region", how="left")
    df["records"] = df["records"].astype("float64").fillna(0.0)
    for ind in ref.indicators:
        b = breakdown(con, ind.id, "region", filters, start, end, as_of)
        levels = b.groupby("region")["level"].sum() if not b.empty else pd.Series(dtype="float64")
        df[ind.id] = df["region"].map(levels).astype("float64")
    return df


def countries_reported(df: pd.DataFrame, countries: tuple[str, ...], rows: str = "n") -> int:
    """How many of ``countries`` have rows (``rows`` > 0, or 1-4 suppressed for a viewer: NaN shown as "<5")
    in ``df``, for "3 of 4 countries reported"."""
    if df.empty or "country" not in df:
        return 0
    some = df[rows] > 0
    if f"{rows}_shown" in df:
        some |= df[rows].isna() & df[f"{rows}_shown"].ne("—")
    reported = df[some]["country"].unique()
    return sum(1 for c in countries if c in reported)


def attainment_rows(summaries: Mapping[str, Summary]) -> pd.DataFrame:
    """One row per (indicator, country) from per-country summaries: the frame of the side-by-side view.

    Columns: ``indicator_id, indicator, country, value, target, attainment, expected, status, n, kind, unit``
    (``value`` is the change for relative indicators, the count for counts). For summaries made safe for a
    viewer (``suppress.summary``), also ``value_shown`` and ``n_shown``: ``<5`` where the figure is suppressed
    (its number is then NaN), else empty.
    """
    safe = any(s.suppression for s in summaries.values())
    rows = [
        {"indicator_id": r.id, "indicator": r.label, "country": country, "value": r.value, "target": r.target,
         "attainment": r.attainment, "expected": r.expected, "status": r.status, "n": r.n, "kind": r.kind,
         "unit": r.unit,
         **({"value_shown": suppress.mark(s) if "value" in r.suppressed else None,
             "n_shown": suppress.mark(s) if "n" in r.suppressed else None} if safe else {})}
        for country, s in summaries.items() for r in s.indicators
    ]
    df = pd.DataFrame(rows, columns=["indicator_id", "indicator", "country", "value", "target", "attainment",
                                     "expected", "status", "n", "kind", "unit",
                                     *(("value_shown", "n_shown") if safe else ())])
    for c in ("value", "target", "attainment", "expected", "n"):
        df[c] = df[c].astype("float64")
    return df


def country_filters(filters: Filters, country: str) -> Filters | None:
    """``filters`` narrowed to one country (its own regions and partners of the selection), or None when
    the selection leaves that country out (regions or partners chosen, none of them in it)."""
    ref = load_reference()
    if filters.countries and country not in filters.countries:
        return None
    regions = tuple(r for r in filters.regions if ref.regions[r].country == country)
    partners = tuple(p for p in filters.partners if ref.partners[p].country == country)
    if (filters.regions and not regions) or (filters.partners and not partners):
        return None
    return Filters((country,), regions, partners)
