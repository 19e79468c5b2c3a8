"""Target attainment: a few pure functions, the same for every indicator (see docs/method.md)."""

from __future__ import annotations

import datetime as dt
import math

STATUSES = ("achieved", "on_track", "at_risk", "behind", "no_data", "baseline_missing")


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


def attainment(value: float | None, target: float | None) -> float | None:
    """value / target (for relative indicators: change / target change); None when either is missing or 0."""
    if value is None or target is None or target == 0 or math.isnan(value):
        return None
    return value / target


def status(att: float | None, expected_now: float, on_track: float = 0.9, at_risk: float = 0.6) -> str:
    """achieved / on_track / at_risk / behind, against the pace expected by now; no_data without attainment."""
    if att is None:
        return "no_data"
    if att >= 1:
        return "achieved"
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
