"""The one style of every chart and figure: colours, words for statuses, layout defaults, the empty-state
figure, and the number formats the charts, the pages and the command line all use.

Colours are colour-blind safe and never the only carrier of meaning. Number formats (English for now):

- ``count``: a count or an amount of people, whole, with thousands separators ("1,234");
- ``percent``: attainment, a share of a budget, time elapsed: whole percent ("45%");
- ``rate``: a level that is a share (an attendance rate, a share of parents): one decimal ("31.7%");
- ``change``: a measured relative change: signed, one decimal ("+27.7%"), on the cards, in the charts
  and in the command line alike;
- ``target_change``: a relative indicator's target, as the catalogue and the method declare it: signed,
  whole percent ("+10%");
- ``decimal``: a level that is not whole, such as an average: one decimal ("12.5"); ``LEVEL_FORMATS``
  maps a measure's declared format (number, share, decimal) to ``count``, ``rate`` or ``decimal``;
- ``points``: a difference of two shares in percentage points, one decimal ("+3.0 points");
- ``euros`` ("EUR 4,880,802"), ``euros_short`` ("EUR 1.23 M", for labels) and ``euros_exact``
  ("EUR 1,234.56", to the cent: hovers, tables, the command line).

Every one writes a missing value (None or NaN) as "—". The ``D3_*`` strings are the same formats for
plotly's hover templates, so a hover shows the same digits as the card above it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # plotly is imported only where a figure is drawn: the command line does not need it
    import plotly.graph_objects as go

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
INACTIVE_COLOUR = STATUS_COLOURS["no_data"]
INK = "#222222"  # text on white
MUTED_INK = "#555555"  # secondary text on a chart (the "baseline year" shading)
SEA_INK = "#7A8A99"  # the seas' names on the schematic map
MAP_BACKGROUND = "#F2F6FA"
GRID_COLOUR = "#E5E8EC"
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
# Completeness cells (history.completeness statuses): status -> (colour, symbol in the cell, word).
SUBMISSION = {
    "submitted": (STATUS_COLOURS["achieved"], "✔", "Submitted"),
    "missing": (STATUS_COLOURS["behind"], "✖", "Missing"),
    "not_sent": (STATUS_COLOURS["no_data"], "–", "Not sent"),
}

# -- number formats ------------------------------------------------------------------------------------------

MISSING = "—"
D3_COUNT = ",.0f"
D3_PERCENT = ".0%"
D3_RATE = ".1%"
D3_CHANGE = "+.1%"


def _missing(value: object) -> bool:
    """None, NaN (a float's, numpy's or a Decimal's) or pandas' NA (whose comparisons cannot be told)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # only NaN differs from itself
    except TypeError:  # pd.NA
        return True


def count(value: float | Decimal | None) -> str:
    """A count, whole, with thousands separators: 1234.4 -> "1,234" (halves to even, as Python rounds)."""
    return MISSING if _missing(value) else f"{value:,.0f}"


def percent(value: float | None) -> str:
    """Attainment, a share of a budget, time elapsed: 0.454 -> "45%"."""
    return MISSING if _missing(value) else f"{value:.0%}"


def rate(value: float | None) -> str:
    """A level that is a share: 0.3174 -> "31.7%"."""
    return MISSING if _missing(value) else f"{value:.1%}"


def change(value: float | None) -> str:
    """A measured relative change, signed, one decimal: 0.2768 -> "+27.7%", -0.05 -> "-5.0%"."""
    return MISSING if _missing(value) else f"{value:+.1%}"


def target_change(value: float | None) -> str:
    """A relative indicator's target, signed, whole percent as declared: 0.1 -> "+10%"."""
    return MISSING if _missing(value) else f"{value:+.0%}"


def points(value: float | None) -> str:
    """A difference in percentage points, signed, one decimal: 3.0 -> "+3.0 points"."""
    return MISSING if _missing(value) else f"{value:+.1f} points"


def decimal(value: float | None) -> str:
    """A level that is not whole, such as an average: 12.46 -> "12.5"."""
    return MISSING if _missing(value) else f"{value:,.1f}"


# A level as its measure declares it (measures.toml ``format``): number, share or decimal.
LEVEL_FORMATS: dict[str, Callable[[float | None], str]] = {"number": count, "share": rate, "decimal": decimal}


def euros(value: float | Decimal | None) -> str:
    """A euro amount in whole euros: Decimal('4880802.00') -> "EUR 4,880,802"."""
    return MISSING if _missing(value) else f"EUR {value:,.0f}"


def euros_short(value: float | Decimal | None) -> str:
    """EUR 1.23 M / EUR 456 k / EUR 789: short amounts for labels (the hover shows the exact figure)."""
    if value is None or _missing(value):
        return MISSING
    value = float(value)  # a short label: cents do not show
    if abs(value) >= 1_000_000:
        return f"EUR {value / 1_000_000:,.2f} M"
    if abs(value) >= 10_000:
        return f"EUR {value / 1_000:,.0f} k"
    return f"EUR {value:,.0f}"


def euros_exact(value: float | Decimal | None) -> str:
    """EUR 1,234,567.89: the exact amount, for hovers, tables and the command line (a Decimal as it is)."""
    return MISSING if _missing(value) else f"EUR {value:,.2f}"


# -- layout and the empty state ------------------------------------------------------------------------------

FONT = 16


def layout(fig: go.Figure, height: int, **extra: object) -> go.Figure:
    """Every chart's layout: white, big fonts for a projector at 1280×720, legend on top; ``extra`` overrides."""
    # White background and light grid set directly: assigning a template costs ~12 ms per figure, and the
    # Streamlit chart theme restyles the rest anyway.
    settings: dict[str, object] = dict(
        height=height, font=dict(size=FONT), hoverlabel=dict(font_size=15), paper_bgcolor="white",
        plot_bgcolor="white", margin=dict(l=10, r=30, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, font=dict(size=15), traceorder="normal"))
    fig.update_layout(**{**settings, **extra})

    # explicit tick sizes: Streamlit's chart theme would otherwise shrink them below what a projector shows
    def ticks(axis: go.layout.XAxis | go.layout.YAxis) -> None:
        style: dict[str, object] = dict(gridcolor=GRID_COLOUR, zerolinecolor=GRID_COLOUR, automargin=True)
        if axis.tickfont.size is None:
            style["tickfont"] = dict(size=15, color=INK)
        axis.update(style)

    fig.for_each_xaxis(ticks)
    fig.for_each_yaxis(ticks)
    return fig


def empty(message: str) -> go.Figure:
    """A figure that says what is missing (pages normally show ``show_chart(empty=...)`` instead)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font=dict(size=18), x=0.5, y=0.5, xref="paper",
                       yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, 200)


def ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (a #RRGGBB fill)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if luminance > 0.45 else "#FFFFFF"


def html_text(value: object) -> str:
    """User text (a sector, a place, a partner's column header) fit for a figure: plotly renders a subset of
    HTML in text, axis labels, hovers and legends (``<a href>`` becomes a live link, ``<img>``-like tags and
    ``<br>`` change what is shown), so ``&``, ``<`` and ``>`` are written as entities, which plotly shows as
    the characters themselves: ``<a href="x">Click</a>`` reads as typed and links nowhere."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def english(text: str, **values: object) -> str:
    """The default ``text`` function of the charts: English, ``{name}`` placeholders filled from ``values``."""
    return text.format(**values) if values else text
