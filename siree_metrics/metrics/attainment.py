"""Target attainment: a few pure functions, the same for every indicator (see docs/method.md)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal, get_args

from siree_metrics.reference import Direction

# The status vocabulary (see docs/method.md). During the project a target is achieved, on track, at risk or
# behind; from the project end on it is achieved or not achieved. The rest say why there is no attainment.
Status = Literal[
    "achieved", "on_track", "at_risk", "behind",  # during the project
    "not_achieved",  # as-of on or after the project end, attainment below 1
    "not_started",  # as-of before the project start
    "too_early",  # relative indicator: the current window still overlaps the baseline window
    "no_data",  # the selection has no rows for this indicator
    "baseline_missing",  # relative indicator: no partner with rows in the current window has baseline rows
    "no_target",  # a count indicator under a region filter: a value, but no target for a region
    "empty_selection",  # the filters cover no partner (a country and a partner of another country)
    "hidden",  # a viewer's count shown as <5 whose status would depend on the figure hidden (metrics.suppress)
]
STATUSES: tuple[Status, ...] = get_args(Status)


def expected(as_of: dt.date, start: dt.date, end: dt.date) -> float:
    """Share of the project's time elapsed at ``as_of``: (as_of - start) / (end - start), clamped to 0..1."""
    span = (end - start).days
    if span <= 0:
        return 1.0
    return min(1.0, max(0.0, (as_of - start).days / span))


def relative_change(current: float | None, baseline: float | None) -> float | None:
    """current / baseline - 1; None when either level is missing or the baseline is zero."""
    if current is None or baseline is None or baseline == 0:
        return None
    return current / baseline - 1


def attainment(value: float | None, target: float | None, direction: Direction = "higher") -> float | None:
    """value / target (for relative indicators: change / target change, whose signs carry the direction: a
    "lower is better" target is a negative change); None when either is missing or the target is 0.

    For a level where lower is better (``direction="lower"``, such as days to register against at most 30):
    1 + (target - value) / target, so 1 at the target, above 1 below it (2 at a value of 0), 0 at twice
    the target and negative beyond; finite at every value, unlike target / value.
    """
    if value is None or target is None or target == 0 or math.isnan(value):
        return None
    if direction == "lower":
        return 1 + (target - value) / target
    return value / target


def status(att: float | None, expected_now: float, on_track: float = 0.9, at_risk: float = 0.6,
           final: bool = False) -> Status:
    """achieved / on_track / at_risk / behind, against the pace expected by now; no_data without attainment.

    With ``final`` (the as-of date is on or after the project end) there is no pace left to judge: the
    target is ``achieved`` (attainment >= 1) or ``not_achieved``.
    """
    if att is None:
        return "no_data"
    if att >= 1:
        return "achieved"
    if final:
        return "not_achieved"
    if att >= on_track * expected_now:
        return "on_track"
    if att >= at_risk * expected_now:
        return "at_risk"
    return "behind"


def forecast(value: float | None, expected_now: float) -> float | None:
    """Straight-line forecast of a count at project end: value / share of time elapsed (value at the end)."""
    if value is None or expected_now <= 0:
        return None
    return value / expected_now


# -- budget ---------------------------------------------------------------------------------------------------
# Spending has words of its own, not the indicators': the risk an Interreg project carries is under-spending
# (funds not claimed in time are lost), and spending more than the budget is flagged, never "achieved".
BudgetStatus = Literal[
    "on_plan",  # during the project: spent at least on_plan x the even-pace spend, and within the budget
    "underspending",  # during: at least underspending x the even-pace spend, less than on_plan x it
    "seriously_underspending",  # during: less than underspending x the even-pace spend
    "overspent",  # at any date: spent more than the budget
    "fully_spent",  # from the project end on: spent at least fully_spent x the budget, and not more than it
    "underspent_final",  # from the project end on: less than that; what is left unclaimed is lost
    "not_started",  # as-of on or before the project start: no spending is due yet
    "no_budget",  # a region: budgets belong to partners
    "empty_selection",  # the filters cover no partner (set by the summary, not by budget_status)
]
BUDGET_STATUSES: tuple[BudgetStatus, ...] = get_args(BudgetStatus)
CENT = Decimal("0.01")


def elapsed_fraction(as_of: dt.date, start: dt.date, end: dt.date) -> Fraction:
    """``expected`` as an exact fraction (days elapsed / days of the project, clamped to 0..1)."""
    span = (end - start).days
    if span <= 0:
        return Fraction(1)
    return min(Fraction(1), max(Fraction(0), Fraction((as_of - start).days, span)))


def planned_spend(budget: Decimal, as_of: dt.date, start: dt.date, end: dt.date) -> Decimal:
    """The even-pace spend by ``as_of``: budget x share of time elapsed, rounded half up to the cent.

    0 on or before the project start, the whole budget on or after its end. Exact: no float is involved.
    """
    share = elapsed_fraction(as_of, start, end)
    return (budget * share.numerator / share.denominator).quantize(CENT, rounding=ROUND_HALF_UP)


def budget_status(spent: Decimal, budget: Decimal | None, as_of: dt.date, start: dt.date, end: dt.date,
                  on_plan: float = 0.9, underspending: float = 0.75, fully_spent: float = 0.95) -> BudgetStatus:
    """Spending against the budget and against time elapsed (see ``BudgetStatus``); exact, no float rounding.

    In order: no budget (None or 0, a region) gives ``no_budget``; spent > budget gives ``overspent`` at any
    date (spent == budget is not an overspend). On or after ``end`` there is no pace left: ``fully_spent``
    when spent >= fully_spent x budget, else ``underspent_final``. On or before ``start`` (nothing elapsed)
    ``not_started``. In between, against the even-pace spend P = budget x share of time elapsed (unrounded):
    ``on_plan`` when spent >= on_plan x P (spending ahead of the pace is on plan as long as it stays within
    the budget), ``underspending`` when spent >= underspending x P, else ``seriously_underspending`` (also
    for a negative net spend, corrections exceeding payments). Boundaries belong to the better status.
    """
    if budget is None or budget <= 0:
        return "no_budget"
    if spent > budget:
        return "overspent"
    if as_of >= end:
        return "fully_spent" if Fraction(spent) >= Fraction(str(fully_spent)) * Fraction(budget) else "underspent_final"
    share = elapsed_fraction(as_of, start, end)
    if share <= 0:
        return "not_started"
    pace = Fraction(budget) * share
    if Fraction(spent) >= Fraction(str(on_plan)) * pace:
        return "on_plan"
    if Fraction(spent) >= Fraction(str(underspending)) * pace:
        return "underspending"
    return "seriously_underspending"
