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

from dataclasses import dataclass

import pandas as pd


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
