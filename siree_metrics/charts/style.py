"""The one style of every chart and figure: colours, words for statuses, layout defaults, the empty-state
figure, and the number formats the charts, the pages and the command line all use.

Colours are colour-blind safe and never the only carrier of meaning. Number formats, through Babel in the
reader's convention (``locale``: "en", "nl" or "fr", see ``LOCALES``; English shown here):

- ``count``: a count or an amount of people, whole, with thousands separators ("1,234"; nl "1.234";
  fr "1 234" with a narrow no-break space);
- ``percent``: attainment, a share of a budget, time elapsed: whole percent ("45%"; fr "45 %");
- ``rate``: a level that is a share (an attendance rate, a share of parents): one decimal ("31.7%");
- ``change``: a measured relative change: signed, one decimal ("+27.7%"), on the cards, in the charts
  and in the command line alike;
- ``target_change``: a relative indicator's target, as the catalogue and the method declare it: signed,
  whole percent ("+10%");
- ``decimal``: a level that is not whole, such as an average: one decimal ("12.5"); ``LEVEL_FORMATS``
  maps a measure's declared format (number, share, decimal) to ``count``, ``rate`` or ``decimal``;
- ``points``: a difference of two shares in percentage points, one decimal ("+3.0 points");
- ``euros`` ("EUR 4,880,802"; nl "€ 4.880.802"; fr "4 880 802 €"), ``euros_short`` ("EUR 1.23 M", for
  labels) and ``euros_exact`` ("EUR 1,234.56", to the cent: hovers, tables, the command line);
- ``date`` ("31 Dec 2021"; nl "31 dec 2021"; fr "31 déc. 2021") and ``month`` ("Dec 2021"), with
  ``month_ticks`` for a time axis (plotly would write English month names).

One rounding rule: half to even on the value's exact binary value (what Python's ``format`` did), so a
figure has the same digits on a card, in its chart's labels and hovers (charts pass these texts, not d3
formats) and in the command line. Every one writes a missing value (None or NaN) as "—". The ``D3_*``
strings are d3 formats for axis ticks only.
"""

from __future__ import annotations

import datetime as dt
import functools
import numbers
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # plotly is imported only where a figure is drawn: the command line does not need it
    import plotly.graph_objects as go

# Countries: Okabe-Ito; statuses: Paul Tol's muted scheme, so no status shares a colour with a country.
COUNTRY_COLOURS = {"BE": "#E69F00", "FR": "#0072B2", "NL": "#D55E00", "UK": "#CC79A7"}
COUNTRY_LABELS = {"BE": "Belgium (Flanders)", "FR": "France", "NL": "Netherlands", "UK": "England (UK)"}  # NUTS codes
STATUS_COLOURS = {  # one per attainment.Status; grey for every status without attainment
    "achieved": "#117733", "on_track": "#44AA99", "at_risk": "#DDCC77", "behind": "#882255",
    "not_achieved": "#882255", "not_started": "#999999", "too_early": "#999999",
    "no_data": "#999999", "baseline_missing": "#999999", "no_target": "#999999", "empty_selection": "#999999",
    "hidden": "#999999",
}
STATUS_TEXT_COLOURS = {status: "#222222" if status in ("at_risk", "on_track") else "#FFFFFF" for status in STATUS_COLOURS}
STATUS_WORDS = {
    "achieved": "✔ Achieved", "on_track": "● On track", "at_risk": "▲ At risk", "behind": "✖ Behind",
    "not_achieved": "✖ Not achieved", "not_started": "○ Project not started", "too_early": "○ Too early to compare",
    "no_data": "○ No data", "baseline_missing": "○ No baseline", "no_target": "○ No target for a region",
    "empty_selection": "○ Empty selection", "hidden": "○ Not shown (a small number)",
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
# The reader's convention per language, as Babel's CLDR data writes it. Dutch is nl_BE: the committee's Dutch
# readers are Flemish, and nl_BE and nl_NL write numbers, money and medium dates alike; only the short date
# differs (31/12/2021 in nl_BE, 31-12-2021 in nl_NL), and the issue asks for 31/12/2021. English is en_GB
# (England's partners; day before month), with the currency as its code ("EUR 1,234"), as the budget and the
# meeting pack always wrote it.
LOCALES = {"en": "en_GB", "nl": "nl_BE", "fr": "fr_FR"}
CURRENCY = "EUR"
D3_COUNT = ",.0f"
COUNT_TICKS = ",~f"  # a count axis: 1,500 / 1.500 / 1 500, not d3's "1.5k" ("1,5k" in French); a half where plotly ticks one
D3_PERCENT = ".0%"
D3_RATE = ".1%"
D3_CHANGE = "+.1%"


def babel_locale(locale: str = "en") -> str:
    """The Babel locale of a language code ("nl" -> "nl_BE"); an unknown code reads as English."""
    return LOCALES.get(locale, LOCALES["en"])


def _missing(value: object) -> bool:
    """None, NaN (a float's, numpy's or a Decimal's) or pandas' NA (whose comparisons cannot be told)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # only NaN differs from itself
    except TypeError:  # pd.NA
        return True


def _exact(value: Any) -> Decimal:
    """The value as an exact Decimal: a float's binary value as it is, so Babel rounds it half to even exactly as
    Python's own ``format`` did (2.5 -> 2, 0.125 -> 0.12), and a Decimal of cents stays exact."""
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)) if isinstance(value, int) else Decimal(float(value))


@functools.cache
def _patterns(locale: str) -> tuple[str, str]:
    """The locale's percent and money patterns (CLDR's, through Babel) with their number part as ``{n}``:
    "{n}%" or "{n}\u00a0%"; "EUR {n}", "€\u00a0{n}" or "{n}\u00a0€" (the positive form: a sign is part of
    ``{n}``, which is where CLDR puts it in these locales). English writes the currency's code."""
    from babel import Locale, numbers

    loc = Locale.parse(babel_locale(locale))
    percent_ = re.sub(r"[#0,.]+", "{n}", loc.percent_formats[None].pattern.split(";")[0], count=1)
    if babel_locale(locale) == LOCALES["en"]:
        return percent_, CURRENCY + " {n}"
    money = re.sub(r"[#0,.]+", "{n}", loc.currency_formats["standard"].pattern.split(";")[0], count=1)
    return percent_, money.replace("¤", numbers.get_currency_symbol(CURRENCY, loc))


@functools.cache
def _number_pattern(decimals: int, signed: bool, locale: str) -> tuple[Any, Any]:
    """Babel's parsed pattern and locale (parsing them is most of the cost of formatting a number)."""
    from babel import Locale, numbers

    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.parse_pattern(f"+{digits};-{digits}" if signed else digits), Locale.parse(babel_locale(locale))


def _number(value: Any, decimals: int, locale: str, signed: bool = False) -> str:
    """The number in the locale's digits: grouped thousands, ``decimals`` decimals (half to even), a sign
    always when ``signed`` (a change), the locale's minus otherwise."""
    pattern, loc = _number_pattern(decimals, signed, locale)
    return str(pattern.apply(_exact(value), loc))


def _percent(value: Any, decimals: int, locale: str, signed: bool = False) -> str:
    return _patterns(locale)[0].format(n=_number(_exact(value) * 100, decimals, locale, signed))


def _euros(value: Any, decimals: int, locale: str, suffix: str = "") -> str:
    return _patterns(locale)[1].format(n=_number(value, decimals, locale) + suffix)


def count(value: float | Decimal | None, locale: str = "en") -> str:
    """A count, whole, with thousands separators: 1234.4 -> "1,234" / "1.234" / "1\u202f234" (halves to even)."""
    return MISSING if _missing(value) else _number(value, 0, locale)


def percent(value: float | None, locale: str = "en") -> str:
    """Attainment, a share of a budget, time elapsed: 0.454 -> "45%" (en, nl) / "45\u00a0%" (fr)."""
    return MISSING if _missing(value) else _percent(value, 0, locale)


def rate(value: float | None, locale: str = "en") -> str:
    """A level that is a share: 0.3174 -> "31.7%" / "31,7%" / "31,7\u00a0%"."""
    return MISSING if _missing(value) else _percent(value, 1, locale)


def change(value: float | None, locale: str = "en") -> str:
    """A measured relative change, signed, one decimal: 0.2768 -> "+27.7%", -0.05 -> "-5.0%"; nl "+27,7%"."""
    return MISSING if _missing(value) else _percent(value, 1, locale, signed=True)


def target_change(value: float | None, locale: str = "en") -> str:
    """A relative indicator's target, signed, whole percent as declared: 0.1 -> "+10%"."""
    return MISSING if _missing(value) else _percent(value, 0, locale, signed=True)


def points(value: float | None, locale: str = "en", unit: str = "points") -> str:
    """A difference in percentage points, signed, one decimal: 3.0 -> "+3.0 points"; ``unit`` is the word in
    the reader's language (the caller translates it: the engine has no dictionary)."""
    return MISSING if _missing(value) else f"{_number(value, 1, locale, signed=True)} {unit}"


def decimal(value: float | None, locale: str = "en") -> str:
    """A level that is not whole, such as an average: 12.46 -> "12.5" / "12,5"."""
    return MISSING if _missing(value) else _number(value, 1, locale)


# A level as its measure declares it (measures.toml ``format``): number, share or decimal.
LEVEL_FORMATS: dict[str, Callable[..., str]] = {"number": count, "share": rate, "decimal": decimal}


def euros(value: float | Decimal | None, locale: str = "en") -> str:
    """A euro amount in whole euros: Decimal('4880802.00') -> "EUR 4,880,802" / "€\u00a04.880.802" /
    "4\u202f880\u202f802\u00a0€"."""
    return MISSING if _missing(value) else _euros(value, 0, locale)


# The short amounts' multipliers, as CLDR's compact forms write them (en "1.23M", nl "1,23 mln.", fr "1,23 M")
SHORT_WORDS = {"en": (" M", " k"), "nl": ("\u00a0mln.", "\u00a0k"), "fr": ("\u00a0M", "\u00a0k")}


def euros_short(value: float | Decimal | None, locale: str = "en") -> str:
    """EUR 1.23 M / EUR 456 k / EUR 789: short amounts for labels (the hover shows the exact figure); millions
    to two decimals, ten thousands and more in whole thousands, smaller amounts whole."""
    if value is None or _missing(value):
        return MISSING
    million, thousand = SHORT_WORDS.get(locale, SHORT_WORDS["en"])
    amount = _exact(value)
    if abs(amount) >= 1_000_000:
        return _euros(amount / 1_000_000, 2, locale, million)
    if abs(amount) >= 10_000:
        return _euros(amount / 1_000, 0, locale, thousand)
    return _euros(amount, 0, locale)


def euros_exact(value: float | Decimal | None, locale: str = "en") -> str:
    """EUR 1,234,567.89: the exact amount, for hovers, tables and the command line (a Decimal as it is)."""
    return MISSING if _missing(value) else _euros(value, 2, locale)


def money_axis(locale: str = "en") -> dict[str, str]:
    """A euro axis's ``tickprefix`` and ``ticksuffix`` in the locale's money pattern ("EUR " / "€ " / " €")."""
    prefix, _, suffix = _patterns(locale)[1].partition("{n}")
    return {"tickprefix": prefix, "ticksuffix": suffix}


def percent_axis(locale: str = "en") -> dict[str, str]:
    """An axis of values in percent (100 for 100 %): its ``tickprefix`` and ``ticksuffix`` in the locale's
    percent pattern ("" and "%" in en and nl, "" and "\u00a0%" in fr), so its ticks read "100%" / "100\u00a0%"
    as ``percent`` writes them."""
    prefix, _, suffix = _patterns(locale)[0].partition("{n}")
    return {"tickprefix": prefix, "ticksuffix": suffix}


def separators(locale: str = "en") -> str:
    """Plotly's ``layout.separators`` for the locale (decimal mark, then thousands separator), so the d3 formats
    of axis ticks write digits as the style's texts do: "." + "," / "," + "." / "," + narrow no-break space."""
    from babel import numbers

    loc = babel_locale(locale)
    return numbers.get_decimal_symbol(loc) + numbers.get_group_symbol(loc)


def date(value: dt.date | None, locale: str = "en") -> str:
    """A day as the reader writes it in a sentence: "31 Dec 2021" / "31 dec 2021" / "31 déc. 2021"."""
    from babel import dates

    return MISSING if value is None else dates.format_date(value, "medium", locale=babel_locale(locale))


def date_input_format(locale: str = "en") -> str:
    """How a date picker writes its date for this reader: the order and separator of Babel's short date
    pattern, in the forms Streamlit's ``date_input`` takes ("DD/MM/YYYY" for en_GB, nl_BE and fr_FR;
    "DD-MM-YYYY" for nl_NL), so the sidebar reads 31/12/2021 where a sentence says 31 Dec 2021."""
    from babel import dates

    pattern = dates.get_date_format("short", locale=babel_locale(locale)).pattern
    separator = next((ch for ch in pattern if ch in "/-."), "/")
    order = sorted("dMy", key=pattern.find)
    return separator.join({"d": "DD", "M": "MM", "y": "YYYY"}[part] for part in order)


def moment(value: dt.datetime, locale: str = "en") -> str:
    """A moment in a sentence: "2 Nov 2020 09:30" / "2 nov 2020 09:30" / "2 nov. 2020 09:30"."""
    return f"{date(value.date(), locale)} {value:%H:%M}"


def moment_format(locale: str = "en", seconds: bool = False) -> str:
    """How a table column writes a moment for this reader: "DD/MM/YYYY HH:mm" (Streamlit's column format)."""
    return f"{date_input_format(locale)} HH:mm" + (":ss" if seconds else "")


def month(value: dt.date | None, locale: str = "en") -> str:
    """A month, for hovers and axis labels: "Dec 2021" / "dec 2021" / "déc. 2021"."""
    return MISSING if value is None else _month(value.year, value.month, babel_locale(locale))


@functools.lru_cache(maxsize=4096)
def _month(year: int, month_: int, locale: str) -> str:  # a chart asks for the same few months many times
    from babel import dates

    return dates.format_skeleton("yMMM", dt.date(year, month_, 1), locale=locale)


def month_ticks(start: dt.date, end: dt.date, locale: str = "en") -> dict[str, list]:
    """Tick values and labels for a time axis from ``start`` to ``end`` in the reader's month names (plotly
    writes English ones): every January, or every quarter's first month on a period of two years or less."""
    step = 3 if (end.year - start.year) * 12 + end.month - start.month <= 24 else 12
    first = dt.date(start.year, 1, 1)
    ticks = []
    day = first
    while day <= end:
        if day >= start:
            ticks.append(day)
        day = dt.date(day.year + (day.month - 1 + step) // 12, (day.month - 1 + step) % 12 + 1, 1)
    return {"tickvals": ticks, "ticktext": [month(d, locale) for d in ticks]}


# -- layout and the empty state ------------------------------------------------------------------------------

FONT = 16


def layout(fig: go.Figure, height: int, locale: str = "en", **extra: object) -> go.Figure:
    """Every chart's layout: white, big fonts for a projector at 1280×720, legend on top, the digits of its
    ticks in ``locale``'s convention; ``extra`` overrides."""
    # White background and light grid set directly: assigning a template costs ~12 ms per figure, and the
    # Streamlit chart theme restyles the rest anyway.
    settings: dict[str, object] = dict(
        height=height, separators=separators(locale), font=dict(size=FONT), hoverlabel=dict(font_size=15), paper_bgcolor="white",
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
    if percent_axis(locale)["ticksuffix"] != "%":  # d3 writes "40%"; French writes "40 %": ticks of our own
        fig.for_each_yaxis(lambda axis: _percent_ticks(fig, axis, locale))
    return fit_margins(fig)


def _percent_ticks(fig: go.Figure, axis: go.layout.YAxis, locale: str) -> None:
    """A share axis (``tickformat`` D3_PERCENT) with its ticks written by ``percent`` ("40 %" in French): 0 to
    the axis's top (its range, else the highest value drawn on it) in steps of 5, 10, 20 or 25 points, at
    most six ticks."""
    if axis.tickformat != D3_PERCENT:
        return
    name = "y" + axis.plotly_name.removeprefix("yaxis")
    if axis.range is not None:
        top = float(axis.range[1])
    else:
        ys = [trace.y for trace in fig.data if (getattr(trace, "yaxis", None) or "y") == name
              and getattr(trace, "y", None) is not None]
        values = [float(v) for y in ys for v in y if v is not None and v == v]
        if not values:
            return
        top = max(values) * 1.05
    step = next((s for s in (0.05, 0.1, 0.2, 0.25, 0.5) if top / s <= 6), 1.0)
    vals = [i * step for i in range(int(top / step + 1e-9) + 1)]
    axis.update(tickvals=vals, ticktext=[percent(v, locale) for v in vals])


# A tick label's width, estimated at this many em a character (plotly's fonts measure 0.48–0.52 em in Chromium;
# a little more, so a margin rarely falls short); a row of 15 px tick labels and the gap above it (19 px); one row
# of a horizontal legend at 15 px with the 4 px ui/scope.py leaves above it (37 px). Plotly adds a pad of
# min(12 px, the smallest margin) to every push.
CHAR_EM, LABEL_LINE, LEGEND_ROW = 0.55, 19, 37


def _text_width(text: object, size: float) -> float:
    """The estimated width of a label's longest line (``<br>``-wrapped, tags left out) at ``size`` px."""
    lines = re.sub(r"<(?!br>)[^>]*>", "", str(text)).split("<br>")
    return max(len(line) for line in lines) * CHAR_EM * size


def _numeric_label(axis: Any, top: float) -> str:
    """The longest tick label plotly writes on a numeric axis reaching ``top``, near enough for its width."""
    fmt = axis.tickformat or ""
    if "%" in fmt:
        core = f"{top * 100:.0f}%"
    elif "s" in fmt:  # SI: 950, 1.2k, 12k, 1.2M
        core = f"{top:.0f}" if top < 1000 else f"{top / 1000:.1f}k" if top < 1e6 else f"{top / 1e6:.1f}M"
    else:
        core = f"{top:,.0f}" if top >= 10 else f"{top:.1f}"
    return (axis.tickprefix or "") + core + (axis.ticksuffix or "")


def _values(trace: Any, letter: str) -> list:
    """A trace's ``x`` or ``y`` as a list (plotly keeps arrays as numpy arrays or tuples; None: [])."""
    values = getattr(trace, letter, None)
    return [] if values is None else list(values)


def _real(value: object) -> float | None:
    """``value`` as a float, None for text, dates and NaN."""
    return float(value) if isinstance(value, numbers.Real) and value == value else None


def _axis_labels(fig: go.Figure, letter: str, name: str, axis: Any) -> list[str]:
    """The tick labels of axis ``name`` ("yaxis2") as far as the figure tells: its ``ticktext``, the categories
    its traces draw, or the longest number of its range (stacked traces summed); [] if unknown."""
    if axis.ticktext:
        return [str(x) for x in axis.ticktext]
    ref = letter + name[5:]
    traces = [tr for tr in fig.data if (getattr(tr, f"{letter}axis", None) or letter) == ref]
    values = [v for tr in traces for v in _values(tr, letter)]
    if any(isinstance(v, str) for v in values):
        return [str(v) for v in values]
    found = [abs(n) for v in values if (n := _real(v)) is not None]
    if any(getattr(tr, "stackgroup", None) for tr in traces) or fig.layout.barmode == "stack":
        other = "y" if letter == "x" else "x"
        sums: dict[object, float] = {}
        for tr in traces:
            for at, v in zip(_values(tr, other), _values(tr, letter), strict=False):
                sums[at] = sums.get(at, 0.0) + abs(_real(v) or 0.0)
        found += list(sums.values())
    found = [n * 1.05 for n in found]  # plotly's autorange pads the data by about 5 %: a tick may fall there
    found += [abs(n) for v in axis.range or () if (n := _real(v)) is not None]
    return [_numeric_label(axis, max(found))] if found else []


def fit_margins(fig: go.Figure) -> go.Figure:
    """``fig`` (changed in place) with its left and bottom margins wide enough for its tick labels, estimated
    from what it draws: the longest category or ``ticktext`` line, or the longest number of a numeric axis, at
    the tick font's size; one or more rows of labels under a bottom axis. Plotly's ``automargin`` stays on as a
    safety net, but when the margins already fit it has nothing to change, and plotly draws the chart once
    instead of twice (a second layout pass of every chart at each rerun). Axes with a title, a right-hand or
    top side, or no tick labels are left to ``automargin``. A margin is only ever widened."""
    left, bottom, top = 0.0, 0.0, 0.0
    for letter in ("x", "y"):
        for name in [k for k in fig.layout if k.startswith(f"{letter}axis")]:
            axis = fig.layout[name]
            if axis.visible is False or axis.showticklabels is False or axis.title.text:
                continue
            size = axis.tickfont.size or FONT
            if letter == "y" and axis.side in (None, "left"):
                labels = _axis_labels(fig, "y", name, axis)
                if labels:
                    left = max(left, max(_text_width(x, size) for x in labels) + 1)
            elif letter == "x" and axis.side in (None, "bottom") and not (axis.tickangle or 0):
                lines = max((str(x).count("<br>") + 1 for x in axis.ticktext or ()), default=1)
                bottom = max(bottom, LABEL_LINE * lines * size / 15)
    legend = fig.layout.legend
    if legend.orientation == "h" and fig.layout.showlegend is not False and (legend.y or 0) >= 1 \
            and any(tr.name and tr.showlegend is not False for tr in fig.data):  # one row above the plot
        top = LEGEND_ROW
    m = fig.layout.margin
    now = {"l": m.l or 0, "r": m.r if m.r is not None else 80, "t": m.t if m.t is not None else 100, "b": m.b or 0}
    need = {"l": left, "b": bottom, "t": top}
    wanted = {side: max(now[side], round(need.get(side, 0) + 0.5) + 12) if need.get(side) else now[side]
              for side in now}
    pad = min(12, *wanted.values())  # plotly's pad, from the margins it will have
    fig.update_layout(margin={side: max(now[side], round(need[side] + 0.5) + pad) for side in need if need[side]})
    return fig


def empty(message: str, locale: str = "en") -> go.Figure:
    """A figure that says what is missing (pages normally show ``show_chart(empty=...)`` instead)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font=dict(size=18), x=0.5, y=0.5, xref="paper",
                       yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, 200, locale)


def ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (a #RRGGBB fill)."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if luminance > 0.45 else "#FFFFFF"


def wrapped(label: str, width: int = 18) -> str:
    """A category label broken at spaces into lines of at most ``width`` characters (plotly's ``<br>``), so a
    bar chart's labels leave room for its bars on a 390 px phone as on a projector."""
    import textwrap

    return "<br>".join(textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False)) or label


def html_text(value: object) -> str:
    """User text (a sector, a place, a partner's column header) fit for a figure: plotly renders a subset of
    HTML in text, axis labels, hovers and legends (``<a href>`` becomes a live link, ``<img>``-like tags and
    ``<br>`` change what is shown), so ``&``, ``<`` and ``>`` are written as entities, which plotly shows as
    the characters themselves: ``<a href="x">Click</a>`` reads as typed and links nowhere."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def english(text: str, **values: object) -> str:
    """The default ``text`` function of the charts: English, ``{name}`` placeholders filled from ``values``."""
    return text.format(**values) if values else text


def sentence_date(value: dt.date, locale: str = "en") -> str:
    """A day inside an engine sentence (the summary's notes and as-of reasons, the Method page, the meeting
    pack, the command line's table): the reader's medium date, as every other date the reader sees ("30 Jun
    2021", "30 jun 2021", "30 juin 2021"); an unknown locale reads as English. The JSON keeps ISO 8601."""
    return date(value, locale if locale in LOCALES else "en")


def sentence_month(value: dt.date, locale: str = "en") -> str:
    """A month inside an engine sentence: "Oct 2019" / "okt 2019" / "oct. 2019"."""
    return month(value, locale if locale in LOCALES else "en")
