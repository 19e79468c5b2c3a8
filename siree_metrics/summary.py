"""The summary: every indicator's value, target, attainment and status, and the budget, for one view."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import duckdb

from . import attainment as att
from .filters import FILTER_SQL, Filters
from .indicators import current_window, latest_date, level_as_of, level_in_window, sql
from .reference import Indicator, Reference, load_reference


@dataclass
class IndicatorResult:
    id: str
    label: str
    kind: str
    unit: str
    value: float | None
    target: float | None
    baseline: float | None
    current: float | None
    attainment: float | None
    expected: float
    status: str
    forecast: float | None
    n: int  # rows behind the value (current window for relative indicators)
    n_baseline: int | None = None
    target_illustrative: bool = False


@dataclass
class Budget:
    total_eur: float | None
    erdf_eur: float | None
    spent_eur: float
    by_partner: dict[str, float] = field(default_factory=dict)
    by_category: dict[str, float] = field(default_factory=dict)
    illustrative: bool = False


@dataclass
class Summary:
    as_of: dt.date
    filters: Filters
    indicators: list[IndicatorResult]
    budget: Budget
    expected: float

    def to_json(self) -> dict:
        """The documented JSON shape of ``python -m siree_metrics summary --format json``."""
        return {
            "as_of": self.as_of.isoformat(),
            "filters": {
                "country": ",".join(self.filters.countries) or None,
                "region": ",".join(self.filters.regions) or None,
                "partner": ",".join(self.filters.partners) or None,
            },
            "indicators": [asdict(r) for r in self.indicators],
            "budget": asdict(self.budget),
        }


def target_for(ind: Indicator, filters: Filters, ref: Reference) -> tuple[float | None, bool]:
    """The target under ``filters`` and whether it is illustrative (a sum of partner shares)."""
    if ind.kind == "relative" or filters.is_programme:
        return ind.target, False
    partners = filters.partner_ids(ref)
    if partners is None:
        return None, False  # a region has no target of its own
    return sum(ref.partner_targets.get((p, ind.id), 0.0) for p in partners), True


def indicator_result(con: duckdb.DuckDBPyConnection, ind: Indicator, as_of: dt.date, filters: Filters,
                     ref: Reference) -> IndicatorResult:
    prog = ref.programme
    expected = att.expected(as_of, prog.start, prog.end)
    target, illustrative = target_for(ind, filters, ref)
    common = dict(id=ind.id, label=ind.label(), kind=ind.kind, unit=ind.unit, target=target,
                  expected=expected, target_illustrative=illustrative)
    if ind.kind == "count":
        value, n = level_as_of(con, ind, as_of, filters)
        a = att.attainment(value, target)
        status = "no_data" if n == 0 else att.status(a, expected, prog.on_track, prog.at_risk)
        if status == "no_data":
            a = None
        forecast = None if n == 0 else att.forecast(value, expected) if as_of < prog.end else value
        return IndicatorResult(**common, value=value, baseline=None, current=None, attainment=a,
                               status=status, forecast=forecast, n=n)
    baseline, n_base = level_in_window(con, ind, prog.baseline_start, prog.baseline_end, filters)
    current, n = level_in_window(con, ind, *current_window(as_of, prog.current_months), filters)
    change = att.relative_change(current, baseline)
    a = att.attainment(change, target)
    if n == 0:
        status = "no_data"
    elif n_base == 0 or not baseline:
        status = "baseline_missing"
    else:
        status = att.status(a, expected, prog.on_track, prog.at_risk)
    return IndicatorResult(**common, value=change, baseline=baseline, current=current,
                           attainment=a if status not in ("no_data", "baseline_missing") else None,
                           status=status, forecast=None, n=n, n_baseline=n_base)


def budget_of(filters: Filters, ref: Reference) -> tuple[float | None, float | None, bool]:
    """(budget, ERDF part, illustrative) for the partners ``filters`` covers; (None, None, False) for a region."""
    if filters.is_programme:
        return ref.programme.budget_eur, ref.programme.erdf_eur, False
    partners = filters.partner_ids(ref)
    if partners is None:
        return None, None, False
    return float(sum(ref.partners[p].budget_eur for p in partners)), round(ref.erdf_share(partners), 2), True


def budget(con: duckdb.DuckDBPyConnection, as_of: dt.date, filters: Filters, ref: Reference) -> Budget:
    """Spent (paid by ``as_of``) against the budget of the partners the filter covers."""
    rows = con.execute(sql("spent").format(filters=FILTER_SQL), {"as_of": as_of, **filters.params()}).fetchall()
    by_partner: dict[str, float] = {}
    by_category: dict[str, float] = {}
    for partner, category, spent, _ in rows:
        by_partner[partner] = by_partner.get(partner, 0.0) + float(spent)
        by_category[category] = by_category.get(category, 0.0) + float(spent)
    total, erdf, illustrative = budget_of(filters, ref)
    return Budget(total, erdf, round(sum(by_partner.values()), 2), by_partner, by_category, illustrative)


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The last day of the latest month with data, or today for an empty database."""
    return latest_date(con) or dt.date.today()


def summarize(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None,
              filters: Filters | None = None) -> Summary:
    """Every indicator of the catalogue and the budget, at ``as_of`` (default: latest data) under ``filters``."""
    ref = load_reference()
    filters = filters or Filters()
    as_of = as_of or default_as_of(con)
    results = [indicator_result(con, ind, as_of, filters, ref) for ind in ref.indicators]
    prog = ref.programme
    return Summary(as_of, filters, results, budget(con, as_of, filters, ref),
                   att.expected(as_of, prog.start, prog.end))
