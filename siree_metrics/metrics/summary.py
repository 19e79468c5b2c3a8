"""The summary: every indicator's value, target, attainment and status, and the budget, for one view."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from siree_metrics.charts import style
from siree_metrics.i18n import language, t
from siree_metrics.metrics import attainment as att
from siree_metrics.metrics.filters import FILTER_SQL, Filters
from siree_metrics.metrics.levels import (
    alternative,
    current_window,
    latest_by_source,
    level_as_of,
    level_in_window,
    measure_sql,
    month_end,
    months_between,
    partners_as_of,
    sql,
    window_partners,
)
from siree_metrics.reference import Indicator, Kind, Measure, Programme, Reference, load_reference

COMPLETE_MONTHS = 10  # of 12: a window is complete when every partner in the figure has rows in 10 of its months


@dataclass
class Coverage:
    """Which partners a figure counts, which it leaves out and why, and how complete its windows are."""

    reporting: list[str]  # partners with rows for the indicator under the selection (either window)
    included: list[str]  # partners the figure counts: for a relative indicator, those with rows in both windows
    left_out: dict[str, str] = field(default_factory=dict)  # partner -> why it is left out
    months_missing: dict[str, dict[str, int]] = field(default_factory=dict)  # partner -> {"baseline", "current"}
    complete: bool | None = None  # every included partner has COMPLETE_MONTHS in each window; None: no window

    def text(self) -> str:
        """One line in the current language (``i18n.language``): "2 of 3 partners reporting this indicator;
        UCR has no baseline; window incomplete, months missing: ...". Written when called, so a summary
        computed once reads in whichever language asks."""
        lang = language()
        if not self.reporting:
            return t("no partner reports this indicator in this selection")
        k, n = style.count(len(self.reporting), lang), style.count(len(self.included), lang)
        parts = [t("{n} of {k} partner reporting this indicator", n=n, k=k) if len(self.reporting) == 1 else
                 t("{n} of {k} partners reporting this indicator", n=n, k=k)]
        parts += [_left_out(p, why) for p, why in self.left_out.items()]
        gaps = ", ".join(t("{partner} {baseline} baseline / {current} current", partner=p,
                           baseline=style.count(m["baseline"], lang), current=style.count(m["current"], lang))
                         for p, m in self.months_missing.items() if m["baseline"] or m["current"])
        if gaps:
            parts.append(t("window incomplete, months missing: {gaps}", gaps=gaps) if self.complete is False else
                         t("months missing: {gaps}", gaps=gaps))
        return "; ".join(parts)


NO_BASELINE, NO_CURRENT_ROWS = "has no baseline", "has no rows in the current window"  # Coverage.left_out's reasons


def _left_out(partner: str, why: str) -> str:
    """"UCR has no baseline" in the current language (a reason not known here is written as it is)."""
    if why == NO_BASELINE:
        return t("{partner} has no baseline", partner=partner)
    if why == NO_CURRENT_ROWS:
        return t("{partner} has no rows in the current window", partner=partner)
    return f"{partner} {why}"


@dataclass
class Alternative:
    """A reading of the target a reader may assume (declared in the catalogue), over the same partners."""

    label: str
    baseline: float | None
    current: float | None
    change: float | None  # current / baseline - 1
    points: float | None  # (current - baseline) * 100, for a share


@dataclass
class IndicatorResult:
    id: str
    label: str
    kind: Kind
    unit: str
    value: float | None
    target: float | None
    baseline: float | None
    current: float | None
    attainment: float | None
    expected: float
    status: att.Status
    forecast: float | None
    n: int  # rows behind the value (current window for relative indicators)
    n_baseline: int | None = None
    target_illustrative: bool = False
    measure: str = ""
    note: str = ""  # why there is no attainment, or what the status rests on, in words (the current language)
    coverage: Coverage | None = None
    alternative: Alternative | None = None
    spec: Measure | None = field(default=None, repr=False, compare=False)  # the measure; not in the JSON
    # the people each window's level rests on ({"baseline": .., "current": ..}: the denominator's sum for a
    # ratio, the level itself otherwise), for the viewer's rate rule (metrics/suppress.py); not in the JSON
    people_in: dict[str, float | None] = field(default_factory=dict, repr=False, compare=False)
    suppressed: list[str] = field(default_factory=list)  # fields shown as "<5" to a viewer (suppress.summary)

    @property
    def incomplete(self) -> bool:
        """The figure's window is less than complete (see COMPLETE_MONTHS)."""
        return bool(self.coverage and self.coverage.complete is False)

    def change_text(self) -> str:
        """A relative figure with its unit: "+9.5% relative to the baseline share (31.7% → 34.7%, +3.0 points)",
        in the current language, figures in its convention (``charts.style``); "" for a figure without one."""
        if self.kind != "relative" or self.value is None or self.baseline is None or self.current is None:
            return ""
        lang = language()
        b, c = self.baseline, self.current
        compared_with = t(self.spec.compared_with) if self.spec and self.spec.compared_with else t("the baseline")
        change = style.change(self.value, lang)
        if self.spec and self.spec.format == "share":
            return t("{change} relative to {compared_with} ({baseline} → {current}, {points})", change=change,
                     compared_with=compared_with, baseline=style.rate(b, lang), current=style.rate(c, lang),
                     points=style.points((c - b) * 100, lang, t("points")))
        shown = style.LEVEL_FORMATS[self.spec.format if self.spec else "number"]
        return t("{change} relative to {compared_with} ({baseline} → {current} {unit})", change=change,
                 compared_with=compared_with, baseline=shown(b, lang), current=shown(c, lang), unit=t(self.unit))


@dataclass
class Budget:
    """Spending against the budget; every euro amount is an exact Decimal of cents (no float anywhere).

    ``total_eur``/``erdf_eur``/``planned_eur`` are None where there is no budget (a region, an empty
    selection); ``planned_eur`` is the even-pace spend by the as-of date (budget × time elapsed);
    ``share_spent`` = spent / budget; ``status`` is ``attainment.budget_status`` (or ``empty_selection``).
    ``by_partner`` and ``by_category`` are sorted by key.
    """
    total_eur: Decimal | None
    erdf_eur: Decimal | None
    spent_eur: Decimal
    planned_eur: Decimal | None = None
    share_spent: float | None = None
    status: att.BudgetStatus = "no_budget"
    by_partner: dict[str, Decimal] = field(default_factory=dict)
    by_category: dict[str, Decimal] = field(default_factory=dict)
    illustrative: bool = False


@dataclass
class AsOf:
    """An as-of date and, in words (in the language current when it was decided), why it is that date."""

    date: dt.date
    reason: str


@dataclass
class Summary:
    as_of: dt.date
    filters: Filters
    indicators: list[IndicatorResult]
    budget: Budget
    expected: float
    as_of_reason: str = ""
    requested_as_of: dt.date | None = None  # the date asked for, when the as-of was capped at the project end
    final: bool = False  # as-of on or after the project end: the figures are the final ones
    empty_selection: bool = False  # the filters cover no partner (see Filters.is_empty)
    suppression: dict[str, int] | None = None  # {"threshold", "base"} when made safe for a viewer (suppress.summary)

    def to_json(self) -> dict:
        """The documented JSON shape of ``python -m siree_metrics summary --format json``."""
        return {
            "as_of": self.as_of.isoformat(),
            "as_of_reason": self.as_of_reason,
            "requested_as_of": self.requested_as_of.isoformat() if self.requested_as_of else None,
            "final": self.final,
            "empty_selection": self.empty_selection,
            "filters": {
                "country": ",".join(self.filters.countries) or None,
                "region": ",".join(self.filters.regions) or None,
                "partner": ",".join(self.filters.partners) or None,
            },
            "suppression": self.suppression,
            "indicators": [{**{k: v for k, v in asdict(r).items() if k not in ("spec", "people_in")},
                            "complete": None if r.coverage is None else r.coverage.complete,
                            "coverage_text": r.coverage.text() if r.coverage else ""} for r in self.indicators],
            "budget": asdict(self.budget),
        }


def target_for(ind: Indicator, filters: Filters, ref: Reference) -> tuple[float | None, bool]:
    """The target under ``filters`` and whether it is illustrative (a sum of partner shares).

    A measure whose target splits as ``same`` (relative changes, averages) keeps the programme's target
    under any filter; one that splits as ``sum`` gets the sum of the covered partners' shares, and no
    target under a region filter (targets belong to partners)."""
    if ind.measure_spec.target_split == "same" or filters.is_programme:
        return ind.target, False
    partners = filters.partner_ids(ref)
    if partners is None:
        return None, False  # a region has no target of its own
    return sum(ref.partner_targets.get((p, ind.id), 0.0) for p in partners), True


def _result(ind: Indicator, **fields) -> IndicatorResult:
    base = dict(id=ind.id, label=ind.label(), kind=ind.kind, unit=ind.unit, measure=ind.measure, value=None,
                baseline=None, current=None, attainment=None, forecast=None, n=0, spec=ind.measure_spec)
    return IndicatorResult(**{**base, **fields})


def indicator_result(con: duckdb.DuckDBPyConnection, ind: Indicator, as_of: dt.date, filters: Filters,
                     ref: Reference) -> IndicatorResult:
    """One indicator at ``as_of`` under ``filters``. The order of the rules (docs/method.md): an empty
    selection; before the project start, ``not_started``; a selection without rows, ``no_data``; a count
    under a region filter, ``no_target``; a relative indicator whose current window still overlaps the
    baseline, ``too_early``, or whose reporting partners all lack a baseline, ``baseline_missing``; else the
    attainment's status, which from the project end on is ``achieved`` or ``not_achieved``."""
    prog = ref.programme
    expected = att.expected(as_of, prog.start, prog.end)
    final = as_of >= prog.end
    if filters.is_empty(ref):
        return _result(ind, target=None, expected=expected, status="empty_selection",
                       note=t("the selection is empty: no partner matches these filters together"))
    target, illustrative = target_for(ind, filters, ref)
    common = dict(target=target, expected=expected, target_illustrative=illustrative)
    lang = language()
    not_started = t("project not started: it runs from {start} to {end}", start=style.sentence_date(prog.start, lang),
                    end=style.sentence_date(prog.end, lang))
    final_note = t("final: the project has ended") if final else ""
    if ind.kind == "count":
        value, n = level_as_of(con, ind, as_of, filters)
        partners = partners_as_of(con, ind, as_of, filters)
        cover = Coverage(reporting=partners, included=partners)
        if as_of < prog.start:
            return _result(ind, **common, value=value if n else None, status="not_started", n=n,
                           note=not_started, coverage=cover)
        if n == 0:
            return _result(ind, **common, status="no_data", note=t("no rows for this selection"), coverage=cover)
        if target is None:
            return _result(ind, **common, value=value, status="no_target", n=n, coverage=cover,
                           note=t("no target for a region: targets belong to partners, not to regions"))
        a = att.attainment(value, target, ind.measure_spec.direction)
        status = att.status(a, expected, prog.on_track, prog.at_risk, final=final)
        forecast = value if final else att.forecast(value, expected) if ind.measure_spec.accumulates else None
        return _result(ind, **common, value=value, attainment=a, status=status, n=n, coverage=cover,
                       forecast=forecast, note=final_note)
    return _relative_result(con, ind, as_of, filters, ref, common, final, not_started)


def _relative_result(con: duckdb.DuckDBPyConnection, ind: Indicator, as_of: dt.date, filters: Filters,
                     ref: Reference, common: dict, final: bool, not_started: str) -> IndicatorResult:
    """A relative indicator, like with like: only the partners with rows in both windows are counted."""
    prog = ref.programme
    lang = language()

    def month(day: dt.date) -> str:
        return style.sentence_month(day, lang)

    base_window = (prog.baseline_start, prog.baseline_end)
    cur_window = current_window(as_of, prog.current_months)
    base_rows = window_partners(con, ind, *base_window, filters)
    if as_of < prog.start:
        return _result(ind, **common, status="not_started", note=not_started,
                       coverage=Coverage(sorted(base_rows), []))
    if cur_window[0] <= prog.baseline_end:
        first = first_comparable_as_of(prog)
        return _result(ind, **common, status="too_early", coverage=Coverage(sorted(base_rows), []),
                       note=t("too early: the current {months} months ({start} to {end}) still overlap the baseline "
                              "year ({baseline_start} to {baseline_end}); the first comparison is at as-of {first}",
                              months=style.count(prog.current_months, lang), start=month(cur_window[0]),
                              end=month(cur_window[1]), baseline_start=month(prog.baseline_start),
                              baseline_end=month(prog.baseline_end), first=style.sentence_date(first, lang)))
    cur_rows = window_partners(con, ind, *cur_window, filters)
    included = sorted(set(base_rows) & set(cur_rows))
    left_out = {p: NO_BASELINE for p in sorted(set(cur_rows) - set(base_rows))}
    left_out |= {p: NO_CURRENT_ROWS for p in sorted(set(base_rows) - set(cur_rows))}
    base_len, cur_len = months_between(*base_window), months_between(*cur_window)
    missing = {p: {"baseline": base_len - base_rows[p][1], "current": cur_len - cur_rows[p][1]} for p in included}
    complete = all(base_len - m["baseline"] >= COMPLETE_MONTHS * base_len / 12
                   and cur_len - m["current"] >= COMPLETE_MONTHS * cur_len / 12 for m in missing.values())
    cover = Coverage(sorted(set(base_rows) | set(cur_rows)), included, dict(sorted(left_out.items())), missing,
                     complete if included else None)
    if not cur_rows:
        baseline = level_in_window(con, ind, *base_window, filters, sorted(base_rows))[0] if base_rows else None
        people = {"baseline": _people(con, ind, base_window, filters, sorted(base_rows), baseline)}
        return _result(ind, **common, baseline=baseline, status="no_data", coverage=cover, people_in=people,
                       n_baseline=sum(n for n, _ in base_rows.values()),
                       note=t("no rows in the current window ({start} to {end})", start=month(cur_window[0]),
                              end=month(cur_window[1])))
    if not included:
        current, n = level_in_window(con, ind, *cur_window, filters, sorted(cur_rows))
        people = {"current": _people(con, ind, cur_window, filters, sorted(cur_rows), current)}
        return _result(ind, **common, current=current, n=n, n_baseline=0, status="baseline_missing", people_in=people,
                       coverage=cover, note=t("no baseline rows ({start} to {end}) for the partners reporting now",
                                              start=month(prog.baseline_start), end=month(prog.baseline_end)))
    baseline, n_base = level_in_window(con, ind, *base_window, filters, included)
    current, n = level_in_window(con, ind, *cur_window, filters, included)
    people = {"baseline": _people(con, ind, base_window, filters, included, baseline),
              "current": _people(con, ind, cur_window, filters, included, current)}
    change = att.relative_change(current, baseline)
    a = att.attainment(change, common["target"])  # the target's sign carries the direction (reference._check)
    if change is None:
        status: att.Status = "baseline_missing"
        a = None
    else:
        status = att.status(a, common["expected"], prog.on_track, prog.at_risk, final=final)
    return _result(ind, **common, value=change, baseline=baseline, current=current, attainment=a, status=status,
                   n=n, n_baseline=n_base, coverage=cover, people_in=people, alternative=_alternative(con, ind, filters, ref,
                                                                                    cur_window, included),
                   note=t("final: the project has ended") if final else "")


def _people(con: duckdb.DuckDBPyConnection, ind: Indicator, window: tuple[dt.date, dt.date], filters: Filters,
            included: list[str], level: float | None) -> float | None:
    """The people a window's level rests on: for a measure with a denominator (a ratio), the denominator's
    sum over the window (the ``base`` column its level SQL returns); otherwise the level itself (a monthly
    average or a sum of people)."""
    if not ind.denominator:
        return level
    params = {"from": window[0], "to": window[1], "included": list(included), **filters.params()}
    row = con.execute(measure_sql("level", ind), params).fetchone()
    return None if row is None or len(row) < 3 or row[2] is None else float(row[2])


def first_comparable_as_of(prog: Programme) -> dt.date:
    """The first as-of date whose current window lies wholly after the baseline window (2019-02-28)."""
    after = prog.baseline_end + dt.timedelta(days=1)
    index = after.year * 12 + after.month - 1 + prog.current_months - 1
    return month_end(dt.date(index // 12, index % 12 + 1, 1))


def _alternative(con: duckdb.DuckDBPyConnection, ind: Indicator, filters: Filters, ref: Reference,
                 cur_window: tuple[dt.date, dt.date], included: list[str]) -> Alternative | None:
    """The catalogue's alternative reading over the same partners and windows, or None if it declares none."""
    alt = alternative(ind, ref)
    if alt is None:
        return None
    label, alt_ind = alt
    prog = ref.programme
    b = level_in_window(con, alt_ind, prog.baseline_start, prog.baseline_end, filters, included)[0]
    c = level_in_window(con, alt_ind, *cur_window, filters, included)[0]
    share = alt_ind.measure_spec.format == "share"
    points = None if b is None or c is None else (c - b) * 100 if share else c - b
    return Alternative(label, b, c, att.relative_change(c, b), points)


def euros(amount: float | int | str | Decimal) -> Decimal:
    """An amount of the reference data as exact cents: ``1050000`` (read as a float) -> Decimal('1050000.00').

    Through ``str``, so a figure written with at most two decimals comes back exactly as written.
    """
    return Decimal(str(amount)).quantize(att.CENT)


def budget_of(filters: Filters, ref: Reference) -> tuple[Decimal | None, Decimal | None, bool]:
    """(budget, ERDF part, illustrative) for the partners ``filters`` covers, exact to the cent.

    (None, None, False) for a region (budgets belong to partners) and for a selection that covers no
    partner. The ERDF part of some partners is the programme's ERDF split in proportion to their budgets,
    rounded half up to the cent.
    """
    prog = ref.programme
    if filters.is_programme:
        return euros(prog.budget_eur), euros(prog.erdf_eur), False
    partners = filters.partner_ids(ref)
    if not partners or filters.is_empty(ref):
        return None, None, False
    total = sum((euros(ref.partners[p].budget_eur) for p in partners), Decimal("0.00"))
    erdf = (euros(prog.erdf_eur) * total / euros(prog.budget_eur)).quantize(att.CENT, rounding=ROUND_HALF_UP)
    return total, erdf, True


def budget(con: duckdb.DuckDBPyConnection, as_of: dt.date, filters: Filters, ref: Reference) -> Budget:
    """Spent (paid by ``as_of``) against the budget of the partners the filter covers, in exact Decimals.

    DuckDB sums the DECIMAL(18,2) amounts exactly and Python adds Decimals, so the figures do not depend
    on the order of the rows (nor on DuckDB's thread count); partners and categories are sorted by key.
    """
    rows = con.execute(sql("spent").format(filters=FILTER_SQL), {"as_of": as_of, **filters.params()}).fetchall()
    zero = Decimal("0.00")
    by_partner: dict[str, Decimal] = {}
    by_category: dict[str, Decimal] = {}
    for partner, category, spent, _ in rows:
        by_partner[partner] = by_partner.get(partner, zero) + spent
        by_category[category] = by_category.get(category, zero) + spent
    spent_eur = sum(by_partner.values(), zero)
    total, erdf, illustrative = budget_of(filters, ref)
    prog = ref.programme
    if filters.is_empty(ref) or filters.partner_ids(ref) == []:
        status: att.BudgetStatus = "empty_selection"
    else:
        status = att.budget_status(spent_eur, total, as_of, prog.start, prog.end, **prog.budget_thresholds)
    return Budget(
        total_eur=total, erdf_eur=erdf, spent_eur=spent_eur,
        planned_eur=None if total is None else att.planned_spend(total, as_of, prog.start, prog.end),
        share_spent=float(spent_eur / total) if total else None, status=status,
        by_partner=dict(sorted(by_partner.items())), by_category=dict(sorted(by_category.items())),
        illustrative=illustrative)


def as_of_rule(con: duckdb.DuckDBPyConnection, ref: Reference | None = None) -> AsOf:
    """The default as-of date and why: the last day of the latest month that a majority (more than half)
    of the (dataset, partner) pairs with data have reached, capped at the project end. One stray record
    moves only its own pair's latest month, so it cannot move the date. An empty database gives the
    project end (or today, if earlier)."""
    prog = (ref or load_reference()).programme
    pairs = latest_by_source(con)
    if not pairs:
        day = min(dt.date.today(), prog.end)
        return AsOf(day, t("no data yet"))
    lang = language()
    latest = sorted((month_end(d) for _, _, d in pairs), reverse=True)
    day = latest[len(latest) // 2]  # reached by at least len // 2 + 1 pairs: a strict majority
    reached, of = style.count(sum(d >= day for d in latest), lang), style.count(len(latest), lang)
    newest = style.sentence_date(latest[0], lang)
    if day >= prog.end:
        if latest[0] > prog.end:
            return AsOf(prog.end, t("the project end: final figures ({reached} of {of} partner datasets reach it; "
                                    "records after it (to {newest}) are outside the project period)",
                                    reached=reached, of=of, newest=newest))
        return AsOf(prog.end, t("the project end: final figures ({reached} of {of} partner datasets reach it)",
                                reached=reached, of=of))
    if latest[0] > day:
        return AsOf(day, t("the latest month that most partner datasets have reached ({reached} of {of} (dataset, "
                           "partner) pairs have data up to it; the newest record is in the month ending {newest})",
                           reached=reached, of=of, newest=newest))
    return AsOf(day, t("the latest month that most partner datasets have reached ({reached} of {of} (dataset, "
                       "partner) pairs have data up to it)", reached=reached, of=of))


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The default as-of date (see :func:`as_of_rule`)."""
    return as_of_rule(con).date


def summarize(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None,
              filters: Filters | None = None, ref: Reference | None = None) -> Summary:
    """Every indicator of the catalogue ``ref`` (default: data/reference/) and the budget, at ``as_of`` under
    ``filters``. Without ``as_of``, the default of :func:`as_of_rule`; an ``as_of`` after the project end is
    capped at the end (results stop there: the figures are final) and the date asked for is kept in
    ``requested_as_of``. The notes and the as-of reason are sentences in the current language
    (``i18n.using``; English by default), its dates and figures in that language's convention; a cache of
    summaries must therefore be keyed by the language too."""
    ref = ref or load_reference()
    prog = ref.programme
    filters = filters or Filters()
    requested = None
    if as_of is None:
        rule = as_of_rule(con, ref)
        as_of, reason = rule.date, rule.reason
    elif as_of > prog.end:
        requested, as_of = as_of, prog.end
        lang = language()
        reason = t("{requested} is after the project end: results stop at {end}; these are the final figures",
                   requested=style.sentence_date(requested, lang), end=style.sentence_date(prog.end, lang))
    else:
        reason = t("the date asked for")
    results = [indicator_result(con, ind, as_of, filters, ref) for ind in ref.indicators]
    return Summary(as_of, filters, results, budget(con, as_of, filters, ref),
                   att.expected(as_of, prog.start, prog.end), reason, requested, as_of >= prog.end,
                   filters.is_empty(ref))
