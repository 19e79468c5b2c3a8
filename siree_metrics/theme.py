"""Colours and words for countries and statuses: one place, colour-blind safe (Okabe-Ito palette)."""

from __future__ import annotations

COUNTRY_COLOURS = {"BE": "#E69F00", "FR": "#0072B2", "NL": "#D55E00", "UK": "#009E73"}
COUNTRY_LABELS = {"BE": "Belgium (Flanders)", "FR": "France", "NL": "Netherlands", "UK": "England (UK)"}
STATUS_COLOURS = {
    "achieved": "#009E73", "on_track": "#56B4E9", "at_risk": "#E69F00", "behind": "#D55E00",
    "no_data": "#999999", "baseline_missing": "#999999",
}
STATUS_WORDS = {
    "achieved": "✔ Achieved", "on_track": "● On track", "at_risk": "▲ At risk", "behind": "✖ Behind",
    "no_data": "○ No data", "baseline_missing": "○ No baseline",
}
TARGET_COLOUR = "#444444"
BASELINE_COLOUR = "#888888"
