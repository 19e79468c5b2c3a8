"""Colours and words for countries and statuses: one place, colour-blind safe, never the only carrier of meaning."""

from __future__ import annotations

# Countries: Okabe-Ito; statuses: Paul Tol's muted scheme, so no status shares a colour with a country.
COUNTRY_COLOURS = {"BE": "#E69F00", "FR": "#0072B2", "NL": "#D55E00", "UK": "#CC79A7"}
COUNTRY_LABELS = {"BE": "Belgium (Flanders)", "FR": "France", "NL": "Netherlands", "UK": "England (UK)"}  # NUTS codes
STATUS_COLOURS = {  # one per attainment.Status; grey for every status without attainment
    "achieved": "#117733", "on_track": "#44AA99", "at_risk": "#DDCC77", "behind": "#882255",
    "not_achieved": "#882255", "not_started": "#999999", "too_early": "#999999",
    "no_data": "#999999", "baseline_missing": "#999999", "no_target": "#999999", "empty_selection": "#999999",
}
STATUS_TEXT_COLOURS = {status: "#222222" if status in ("at_risk", "on_track") else "#FFFFFF" for status in STATUS_COLOURS}
STATUS_WORDS = {
    "achieved": "✔ Achieved", "on_track": "● On track", "at_risk": "▲ At risk", "behind": "✖ Behind",
    "not_achieved": "✖ Not achieved", "not_started": "○ Project not started", "too_early": "○ Too early to compare",
    "no_data": "○ No data", "baseline_missing": "○ No baseline", "no_target": "○ No target for a region",
    "empty_selection": "○ Empty selection",
}
TARGET_COLOUR = "#444444"
BASELINE_COLOUR = "#888888"
# Budget statuses (attainment.budget_status): words of their own, never the indicators' "Achieved". Tol muted
# colours again: teal on plan, sand underspending, wine seriously/finally underspent, rose overspent.
BUDGET_STATUS_COLOURS = {
    "on_plan": "#44AA99", "underspending": "#DDCC77", "seriously_underspending": "#882255", "overspent": "#CC6677",
    "fully_spent": "#117733", "underspent_final": "#882255", "not_started": "#999999", "no_budget": "#999999",
    "empty_selection": "#999999",
}
BUDGET_STATUS_TEXT_COLOURS = {s: "#222222" if s in ("on_plan", "underspending") else "#FFFFFF"
                              for s in BUDGET_STATUS_COLOURS}
BUDGET_STATUS_WORDS = {
    "on_plan": "● Spending on plan", "underspending": "▲ Underspending",
    "seriously_underspending": "✖ Seriously underspending", "overspent": "⚠ Overspent",
    "fully_spent": "✔ Budget fully spent", "underspent_final": "✖ Underspent at the end",
    "not_started": "○ Not started", "no_budget": "○ No budget of its own", "empty_selection": "○ Empty selection",
}
