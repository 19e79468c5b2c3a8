"""Colours and words for countries and statuses: one place, colour-blind safe, never the only carrier of meaning."""

from __future__ import annotations

# Countries: Okabe-Ito; statuses: Paul Tol's muted scheme, so no status shares a colour with a country.
COUNTRY_COLOURS = {"BE": "#E69F00", "FR": "#0072B2", "NL": "#D55E00", "UK": "#CC79A7"}
COUNTRY_LABELS = {"BE": "Belgium (Flanders)", "FR": "France", "NL": "Netherlands", "UK": "England (UK)"}  # NUTS codes
STATUS_COLOURS = {
    "achieved": "#117733", "on_track": "#44AA99", "at_risk": "#DDCC77", "behind": "#882255",
    "no_data": "#999999", "baseline_missing": "#999999",
}
STATUS_TEXT_COLOURS = {status: "#222222" if status in ("at_risk", "on_track") else "#FFFFFF" for status in STATUS_COLOURS}
STATUS_WORDS = {
    "achieved": "✔ Achieved", "on_track": "● On track", "at_risk": "▲ At risk", "behind": "✖ Behind",
    "no_data": "○ No data", "baseline_missing": "○ No baseline",
}
TARGET_COLOUR = "#444444"
BASELINE_COLOUR = "#888888"
