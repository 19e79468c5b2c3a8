"""Small-number suppression: what a viewer (no login) may see of counts of people.

The data is about refugee children, parents, teachers and new entrepreneurs: a count of 1 to 4 people in a
region, a month or a partner can point at a person. For a viewer:

- **primary suppression**: a count of people from 1 to ``threshold - 1`` is shown as ``<5`` (0 is shown: it
  names nobody);
- **secondary protection, by rounding**: every other count of people is shown rounded to the nearest
  ``base`` (5), so that no total, no difference between two filters (a country minus its regions, a
  programme total minus the visible cells) and no step between two dates (as of t minus as of t-1) gives a
  suppressed cell back exactly: each shown count is only known to within ±2, and so is every difference;
- **rates**: a rate or a relative change whose denominator (people in either window) is under the threshold is
  hidden; other rates are computed from the exact counts (a share of 200 parents cannot point at one).

Counts that are not of people (learning communities, networks) and euro amounts are shown as they are.
Partners see their own partner's figures unsuppressed, admins everything (``accounts.User``). Pure functions;
the threshold and base are settings in data/reference/programme.toml ([suppression]).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from siree_metrics.metrics import attainment as att

if TYPE_CHECKING:
    from siree_metrics.metrics.summary import IndicatorResult, Summary
    from siree_metrics.reference import Indicator, Reference


@dataclass(frozen=True)
class Policy:
    threshold: int = 5  # counts of 1 .. threshold-1 people are shown as "<threshold"
    base: int = 5  # other counts of people are rounded to the nearest multiple of this

    @property
    def mark(self) -> str:
        return f"<{self.threshold}"


NONE = None  # no suppression: a partner looking at its own figures, an admin


def count(value: float | int | None, policy: Policy | None) -> float | None:
    """The count a viewer may see: None for a suppressed small count (show ``policy.mark``), the count rounded
    to ``policy.base`` otherwise (half away from zero: 2 -> suppressed, 7 -> 5, 8 -> 10, 12.5 -> 15); 0 stays 0.
    With no policy, the value itself."""
    if value is None or policy is None or pd.isna(value):
        return value
    if value == 0:
        return 0
    if abs(value) < policy.threshold:
        return None
    sign = 1 if value > 0 else -1
    return sign * int(abs(value) / policy.base + 0.5) * policy.base


def shown(value: float | int | None, policy: Policy | None, fmt: str = "{:,.0f}") -> str:
    """The count as text for a viewer: ``<5`` for a suppressed one, the rounded count otherwise, ``—`` for none."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    safe = count(value, policy)
    return policy.mark if safe is None and policy is not None else fmt.format(safe)


def rate_visible(denominators: list[float | int | None], policy: Policy | None) -> bool:
    """Whether a rate may be shown: every denominator it rests on counts at least ``threshold`` people."""
    if policy is None:
        return True
    return all(d is not None and not pd.isna(d) and d >= policy.threshold for d in denominators)


def frame(df: pd.DataFrame, columns: list[str], policy: Policy | None) -> pd.DataFrame:
    """A copy of ``df`` with each column of ``columns`` (counts of people) made safe for a viewer: rounded,
    and NaN where suppressed; plus ``<column>_shown``, the text to show (``<5`` where suppressed)."""
    out = df.copy()
    if policy is None:
        return out
    for c in columns:
        if c not in out.columns:
            continue
        raw = out[c]
        out[c] = [count(v, policy) for v in raw]
        out[f"{c}_shown"] = [shown(v, policy) for v in raw]
        out[c] = pd.to_numeric(out[c], errors="coerce")
    return out


# -- one place per layer: the summary, and the series frames behind the charts ---------------------------------


def of(ref: Reference) -> Policy:
    """The viewer's policy with the settings of programme.toml's [suppression] table."""
    return Policy(ref.programme.suppression_threshold, ref.programme.suppression_base)


def _people(ref: Reference, indicator_id: str) -> Indicator | None:
    """The indicator if it counts people (``people`` in indicators.toml), else None."""
    try:
        ind = ref.indicator(indicator_id)
    except KeyError:
        return None
    return ind if ind.people else None


def summary(s: Summary, policy: Policy | None, ref: Reference) -> Summary:
    """A viewer-safe copy of ``s`` (``s`` itself with no policy). For each indicator counting people:

    - a count (format ``number``): value and forecast shown by :func:`count` (a suppressed one is None and named
      in ``suppressed``, to be shown as ``<5``); attainment, status and forecast are recomputed from the shown
      value, so none of them gives the exact count back (the target is published: attainment x target would).
      A suppressed value has no attainment; its status is the one every count the mark stands for (1 to
      threshold - 1) would have, and ``hidden`` where they differ (so it says nothing false, and is the same
      for every hidden count: it depends on the published target and date only);
    - an average (format ``decimal``): hidden, with its attainment, when fewer than ``threshold`` rows are behind it;
    - a relative change: levels of people rounded (a share is not rounded); the change, its attainment and the
      alternative reading hidden when a window rests on fewer than ``threshold`` people (``people_in``); else
      computed from the exact counts, as the engine did;
    - ``n`` and ``n_baseline`` (rows behind the figure, each about a person) by :func:`count`.

    ``Summary.suppression`` records the policy (the JSON then says which rule was applied)."""
    if policy is None:
        return s
    out = copy.deepcopy(s)
    prog = ref.programme
    out.indicators = [_result(r, ind, policy, prog.on_track, prog.at_risk, out.final) if (ind := _people(ref, r.id))
                      else r for r in out.indicators]
    out.suppression = {"threshold": policy.threshold, "base": policy.base}
    return out


def _result(r: IndicatorResult, ind: Indicator, policy: Policy, on_track: float, at_risk: float,
            final: bool) -> IndicatorResult:
    hidden: list[str] = []

    def safe(name: str, value: float | int | None) -> float | None:
        shown_value = count(value, policy)
        if value is not None and not pd.isna(value) and shown_value is None:
            hidden.append(name)
        return shown_value

    fmt = ind.measure_spec.format
    direction = ind.measure_spec.direction
    judged = r.status in ("achieved", "on_track", "at_risk", "behind", "not_achieved")
    changes: dict[str, Any] = {}
    if r.kind == "count" and fmt == "number":
        value = safe("value", r.value)
        changes["value"] = value
        if judged and r.target:
            def judge(basis: float) -> att.Status:
                return att.status(att.attainment(basis, r.target, direction), r.expected, on_track, at_risk,
                                  final=final)

            if value is not None:
                changes["attainment"] = att.attainment(value, r.target, direction)
                changes["status"] = judge(value)
            else:
                changes["attainment"] = None
                low, high = judge(1), judge(policy.threshold - 1)
                changes["status"] = low if low == high else "hidden"
        if r.forecast is not None:
            changes["forecast"] = None if value is None else value if final else count(
                att.forecast(value, r.expected), policy)
    elif r.kind == "count":  # an average or a share over people: shown only on enough rows
        if r.value is not None and not rate_visible([r.n], policy):
            hidden.append("value")
            changes |= {"value": None, "attainment": None, "forecast": None}
    else:
        windows = [v for k, v in r.people_in.items() if k in ("baseline", "current")]
        for name in ("baseline", "current"):
            level = getattr(r, name)
            if level is None:
                continue
            if fmt == "number":
                changes[name] = safe(name, level)
            elif not rate_visible([r.people_in.get(name)], policy):
                hidden.append(name)
                changes[name] = None
        if r.value is not None and not rate_visible(windows, policy):
            hidden.append("value")
            changes |= {"value": None, "attainment": None, "alternative": None}
    changes["n"] = safe("n", r.n)
    if r.n_baseline is not None:
        changes["n_baseline"] = safe("n_baseline", r.n_baseline)
    return dataclasses.replace(r, **changes, suppressed=[*r.suppressed, *hidden])


def series(name: str, df: pd.DataFrame, params: tuple, policy: Policy | None, ref: Reference) -> pd.DataFrame:
    """A frame of ``siree_metrics.metrics.series.<name>(con, *params)`` made safe for a viewer (the frame itself
    with no policy, or for a frame that holds no counts of people, such as the budget's euros). Each count of
    people gets ``count`` (rounded, NaN where suppressed) and a ``<column>_shown`` text column (``<5``), which the
    charts put in hovers and labels; a rate on fewer than ``threshold`` people is NaN. Totals that a chart draws
    over several groups are computed here from the exact counts first (``total``), then made safe, so a
    chart never adds rounded cells up."""
    if policy is None or df.empty:
        return df
    if name == "cumulative":
        ind = _people(ref, params[0])
        if ind is None:
            return df
        out = df.assign(total=df.groupby("month")["level"].transform("sum"))
        return frame(out, ["level", "added", "rows", "n", "total"], policy)
    if name == "breakdown":
        ind, by = _people(ref, params[0]), params[1]
        if ind is None:
            return df
        if ind.measure_spec.format != "number":
            return _rates(df, "n", policy, ["level"], ["n"])
        out = df.assign(total=df.groupby(by)["level"].transform("sum")) if by != "country" else df
        return frame(out, ["level", "n", "total"], policy)
    if name == "monthly":
        ind = _people(ref, params[0])
        if ind is None:
            return df
        if ind.measure_spec.format == "number":
            out = frame(df, ["level", "baseline", "n", "n_baseline"], policy)
            out["target"] = out["baseline"] * (1 + ind.target)  # from the shown baseline: never the exact one back
            return out
        base = "denominator" if "denominator" in df else "n"
        out = _rates(df, base, policy, ["level"], ["numerator", "denominator", "n"])
        return _rates(out, "n_baseline", policy, ["baseline", "target"], ["n_baseline"], raw=df)
    if name == "monthly_rate":  # half-day sessions, not people: only the rate on too few is hidden
        out = df.copy()
        out.loc[~out["denominator"].ge(policy.threshold), "level"] = float("nan")
        return out
    if name == "region_activity":
        return _regions(df, policy, ref)
    return df


def _rates(df: pd.DataFrame, base: str, policy: Policy, rates: list[str], counts: list[str],
           raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """``rates`` hidden (NaN) where ``base`` (of ``raw``, default ``df``) is under the threshold; ``counts`` by
    :func:`frame`."""
    low = ~(raw if raw is not None else df)[base].ge(policy.threshold)
    out = frame(df, counts, policy)
    for c in rates:
        if c in out:
            out.loc[low.to_numpy(), c] = float("nan")
    return out


def _regions(df: pd.DataFrame, policy: Policy, ref: Reference) -> pd.DataFrame:
    """series.region_activity for a viewer: ``active`` (something was reported) kept from the exact records;
    records and each count of people by region by :func:`count`; a share or an average of people by region is
    not shown (a region's denominator is not in the frame, and a region may hold only a few people)."""
    out = df.assign(active=df["records"] > 0)
    counts = ["records"]
    for ind in ref.indicators:
        if ind.people and ind.id in out:
            if ind.measure_spec.format == "number":
                counts.append(ind.id)
            else:
                out[ind.id] = float("nan")
    return frame(out, counts, policy)


def mark(summary_: Summary) -> str | None:
    """The text a suppressed figure of ``summary_`` is shown as (``<5``), or None if it was not made safe."""
    return f"<{summary_.suppression['threshold']}" if summary_.suppression else None


def shown_field(r: IndicatorResult, name: str, summary_: Summary, fmt: object) -> str:
    """Field ``name`` of ``r`` as text: the mark if suppressed, else ``fmt(value)`` (the style's format)."""
    if name in r.suppressed and mark(summary_):
        return mark(summary_) or ""
    return fmt(getattr(r, name))  # type: ignore[operator]
