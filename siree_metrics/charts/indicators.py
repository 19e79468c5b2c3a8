"""Charts of the Overview, Education, Entrepreneurship and Countries pages: pure functions (df, ...) -> Figure.

No I/O; colours, layout, the empty state and every number format only from ``style`` (the same colour for
the same country on every chart, the same digits as the cards); status always in words as well as colour;
sized for a projector at 1280×720 (big fonts, few words); target and baseline lines wherever they exist;
hover shows the figures and n. Every user-facing word goes through ``text`` — the pages pass
``ui.i18n.t``, the default writes English — so the package stays free of Streamlit; every figure is written
by ``style`` in ``locale``'s convention (labels and hovers get the texts, not d3 formats, so they show the
digits of the cards; month names too, which plotly writes in English). The frames come from
``series`` (see each function for the columns it reads).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from siree_metrics.charts import style
from siree_metrics.charts.style import (
    BASELINE_COLOUR,
    COUNT_TICKS,
    COUNTRY_COLOURS,
    COUNTRY_LABELS,
    D3_PERCENT,
    INACTIVE_COLOUR,
    INK,
    MAP_BACKGROUND,
    MUTED_INK,
    SEA_INK,
    STATUS_COLOURS,
    STATUS_WORDS,
    TARGET_COLOUR,
    empty,
    english,
    ink,
    layout,
)

Text = Callable[..., str]
MAP_LATITUDE = 51.0  # x = lon x cos(51°) on the schematic map, as in series.region_activity


def _texts(df: pd.DataFrame, column: str, fmt: Callable[[Any], str] | None = None,
           locale: str = "en") -> list[str]:
    """``column`` of ``df`` as text: ``<column>_shown`` where a viewer's frame has it (``<5`` for a suppressed
    count, the rounded count otherwise; see metrics.suppress), else the number in ``fmt`` (by default a count
    in ``locale``)."""
    fmt = fmt or (lambda v: style.count(v, locale))
    shown = f"{column}_shown"
    if shown in df:
        return [str(t) if isinstance(t, str) and t != style.MISSING else fmt(v)
                for t, v in zip(df[shown], df[column], strict=True)]
    return [fmt(v) for v in df[column]]


def _countries(df: pd.DataFrame) -> list[str]:
    """The countries present in ``df``, in the fixed order of the theme (the same order on every chart)."""
    present = set(df["country"]) if "country" in df else set()
    return [c for c in COUNTRY_COLOURS if c in present]


# A small multiple's title: 14 px type, lines of at most 20 characters: a panel is about 135 px wide on a
# 390 px phone (two columns), and a centred title may reach a little into the gap beside it (measured on the
# screenshots: "België (Vlaanderen)", 19 characters, fits).
PANEL_TITLE_SIZE = 14
PANEL_TITLE_CHARS = 20
PANEL_TITLE_LINE = 18  # px per line of a title


def panel_titles(names: Mapping[str, str], notes: Mapping[str, str]) -> dict[str, str]:
    """Each small multiple's title: the country's name in bold on the first line (broken at spaces if longer
    than ``PANEL_TITLE_CHARS``), its note (such as "+27.1% · ✔ Achieved") on the second. When any note is
    longer than a line, every note's " · " parts go on lines of their own (the same layout in every panel,
    so the panels of a row stay aligned). A country without a note has its name only."""
    split = any(len(n) > PANEL_TITLE_CHARS for n in notes.values())
    out = {}
    for key, name in names.items():
        note = notes.get(key, "")
        parts = note.split(" · ") if split else [note]
        lines = [f"<b>{line}</b>" for line in style.wrapped(name, PANEL_TITLE_CHARS).split("<br>")]
        lines += [style.wrapped(part, PANEL_TITLE_CHARS) for part in parts if part]
        out[key] = "<br>".join(lines)
    return out


def monthly_vs_baseline(df: pd.DataFrame, start: dt.date, end: dt.date, target_change: float,
                        baseline_window: tuple[dt.date, dt.date] | None = None, percent: bool = False,
                        notes: Mapping[str, str] | None = None, text: Text = english,
                        locale: str = "en") -> go.Figure:
    """One small panel per country: the monthly level, its baseline (dashed) and target (dotted) lines.

    ``df`` is ``series.monthly``: month, country, level, n, baseline, target, n_baseline (and numerator,
    denominator for a ratio, shown in the hover). Each country keeps its own scale (their sizes differ);
    the baseline year is shaded. ``notes`` adds a short text per country to its panel title (such as its
    status). A country without baseline rows gets no lines and says so.
    """
    countries = _countries(df)
    if not countries:
        return empty(text("No data for this selection"))
    # The grid is laid out by hand (not make_subplots/add_vrect): the same figure, several times faster to build.
    cols = 1 if len(countries) == 1 else 2
    rows = math.ceil(len(countries) / cols)
    titles = panel_titles({c: text(COUNTRY_LABELS[c]) for c in countries}, notes or {})
    lines = max(title.count("<br>") + 1 for title in titles.values())
    # heights in px: the titles' lines above each panel, room for the legend (two rows on a phone) above them
    top_margin, title_room = 64 + PANEL_TITLE_LINE * lines, PANEL_TITLE_LINE * lines + 26
    fig_height = 330 + PANEL_TITLE_LINE * (lines - 1) if rows == 1 else 560 + 2 * PANEL_TITLE_LINE * lines
    plot_height = fig_height - top_margin - 10 - 30  # the bottom margin and the dates under the lowest panels
    h_gap, v_gap = 0.1, title_room / plot_height  # the right-hand panels' ticks sit in the gap
    width, height = (1 - (cols - 1) * h_gap) / cols, (1 - (rows - 1) * v_gap) / rows
    x0, x1 = pd.Timestamp(start), pd.Timestamp(end)
    def level(v: Any) -> str:
        return style.rate(v, locale) if percent else style.count(v, locale)

    ratio = "numerator" in df
    shade = None
    if baseline_window and pd.Timestamp(baseline_window[1]) >= x0 and pd.Timestamp(baseline_window[0]) <= x1:
        shade = (max(pd.Timestamp(baseline_window[0]), x0), min(pd.Timestamp(baseline_window[1]), x1))
    traces, shapes, notes_, axes = [], [], [], {}
    for i, country in enumerate(countries):
        r, c = divmod(i, cols)
        suffix = str(i + 1) if i else ""
        xa, ya = f"x{suffix}", f"y{suffix}"
        top = 1 - r * (height + v_gap)
        below = i + cols < len(countries)  # another panel under this one: it shows the dates
        axes[f"xaxis{suffix}"] = dict(domain=[c * (width + h_gap), c * (width + h_gap) + width], anchor=ya,
                                        range=[x0, x1], showticklabels=not below, **({"matches": "x"} if i else {}))
        axes[f"yaxis{suffix}"] = dict(domain=[max(0.0, top - height), min(1.0, top)], anchor=xa, rangemode="tozero",
                                        tickformat=D3_PERCENT if percent else COUNT_TICKS)
        notes_.append(dict(text=titles[country], x=c * (width + h_gap) + width / 2, y=top, xref="paper",
                           yref="paper", xanchor="center", yanchor="bottom", yshift=4, showarrow=False,
                           font=dict(size=PANEL_TITLE_SIZE, color=INK)))
        if shade:
            shapes.append(dict(type="rect", xref=xa, yref=f"{ya} domain", x0=shade[0], x1=shade[1], y0=0, y1=1,
                               fillcolor=BASELINE_COLOUR, opacity=0.15, line_width=0, layer="below"))
            notes_.append(dict(text=text("baseline year"), x=shade[0], y=0, xref=xa, yref=f"{ya} domain",
                               xanchor="left", yanchor="bottom", showarrow=False,
                               font=dict(size=13, color=MUTED_INK)))
        mine = df[df["country"] == country].sort_values("month")
        extra = "<br>%{customdata[1]} / %{customdata[2]}" if ratio else ""
        fields = ("n", "numerator", "denominator") if ratio else ("n",)
        # each row: n (and numerator, denominator), the level, the month, all as text in the reader's convention
        custom = list(zip(*(_texts(mine, f, locale=locale) for f in fields), _texts(mine, "level", level),
                          [style.month(m, locale) for m in mine["month"]], strict=True))
        level_text, month_text = (f"%{{customdata[{len(fields) + i}]}}" for i in (0, 1))
        traces.append(go.Scatter(
            x=mine["month"], y=mine["level"], mode="lines+markers", name=text(COUNTRY_LABELS[country]),
            line=dict(color=COUNTRY_COLOURS[country], width=3), marker=dict(size=4), xaxis=xa, yaxis=ya,
            customdata=custom, showlegend=False,
            hovertemplate="<b>" + text(COUNTRY_LABELS[country]) + "</b> · " + month_text + "<br>" + level_text
            + extra + "<br>n = %{customdata[0]} " + text("rows") + "<extra></extra>"))
        baseline = mine["baseline"].iloc[0]
        if pd.isna(baseline):
            notes_.append(dict(text=text("no baseline data"), x=0.5, y=0.12, showarrow=False, xref=f"{xa} domain",
                               yref=f"{ya} domain", font=dict(size=14, color=BASELINE_COLOUR)))
            continue
        n_base = _texts(mine.iloc[:1], "n_baseline", locale=locale)[0]
        for value, name, colour, dash, group in (
            (baseline, text("Baseline"), BASELINE_COLOUR, "dash", "baseline"),
            (mine["target"].iloc[0], text("Target: baseline {change}",
                                          change=style.target_change(target_change, locale)),
             TARGET_COLOUR, "dot", "target"),
        ):
            traces.append(go.Scatter(
                x=[x0, x1], y=[value, value], mode="lines", name=name, legendgroup=group, xaxis=xa, yaxis=ya,
                showlegend=i == 0, line=dict(color=colour, width=2.5, dash=dash),
                hovertemplate=name + ": " + level(value) + (
                    f" (n = {n_base} " + text("rows") + ")" if group == "baseline" else "")
                + "<extra></extra>"))
    fig = go.Figure(data=traces, layout=dict(shapes=shapes, annotations=notes_, **axes))
    fig.update_xaxes(**style.month_ticks(start, end, locale))
    return layout(fig, fig_height, locale, margin=dict(l=10, r=20, t=top_margin, b=10),
                   legend=dict(orientation="h", yanchor="top", y=0.995, yref="container", x=0,
                               font=dict(size=15), traceorder="normal"))


def monthly_by_country(df: pd.DataFrame, start: dt.date, end: dt.date, percent: bool = True,
                       text: Text = english, locale: str = "en") -> go.Figure:
    """One line per country over the months (such as the attendance rate); ``df`` as ``series.monthly_rate``."""
    countries = _countries(df)
    if not countries:
        return empty(text("No data for this selection"))
    fig = go.Figure()

    def level(v: Any) -> str:
        return style.rate(v, locale) if percent else style.count(v, locale)

    for country in countries:
        mine = df[df["country"] == country].sort_values("month")
        cols = [c for c in ("n", "numerator", "denominator") if c in mine]
        # n (numerator, denominator), the level and the month as text in the reader's convention
        custom = list(zip(*(_texts(mine, c, locale=locale) for c in cols), _texts(mine, "level", level),
                          [style.month(m, locale) for m in mine["month"]], strict=True))
        k = len(cols)
        fig.add_trace(go.Scatter(
            x=mine["month"], y=mine["level"], mode="lines+markers", name=text(COUNTRY_LABELS[country]),
            line=dict(color=COUNTRY_COLOURS[country], width=3), marker=dict(size=5),
            customdata=custom,
            hovertemplate="<b>" + text(COUNTRY_LABELS[country]) + f"</b> · %{{customdata[{k + 1}]}}<br>"
            + f"%{{customdata[{k}]}}"
            + ("<br>%{customdata[1]} / %{customdata[2]}" if k == 3 else "")
            + "<br>n = %{customdata[0]} " + text("rows") + "<extra></extra>"))
    fig.update_xaxes(range=[pd.Timestamp(start), pd.Timestamp(end)], title=None,
                     **style.month_ticks(start, end, locale))
    fig.update_yaxes(title=None, tickformat=D3_PERCENT if percent else COUNT_TICKS,
                     range=[0, 1.05] if percent else None, rangemode="tozero")
    return layout(fig, 340, locale)


def cumulative_vs_target(df: pd.DataFrame, start: dt.date, end: dt.date, target: float | None,
                         programme: tuple[dt.date, dt.date], status: str | None = None,
                         illustrative: bool = False, text: Text = english, locale: str = "en") -> go.Figure:
    """A count's running total, stacked by country, against its target and the straight-line pace to it.

    ``df`` is ``series.cumulative`` by country (month, country, level, n). The pace line runs from 0 at the
    programme start to the target at its end. Without a target (a region) only the totals are drawn.
    ``status`` (attainment vocabulary) is written, in words, beside the final total.
    """
    countries = _countries(df)
    if not countries:
        return empty(text("No data for this selection"))
    fig = go.Figure()
    months = sorted(df["month"].unique())
    # Steps: a month's count (at its end) is held across that month, and the last step runs to the end of
    # the period (one extra point repeating it), so the latest month is drawn with its full width.
    ends = [pd.Timestamp(m) for m in months]
    ends.append(max(ends[-1], min(ends[-1] + pd.offsets.MonthEnd(0), pd.Timestamp(end))))
    steps = [*months, months[-1]]
    for country in countries:
        mine = df[df["country"] == country].set_index("month").reindex(steps).reset_index()
        # a suppressed count (a viewer's frame: NaN, shown "<5") is drawn as no height and says "<5"
        fig.add_trace(go.Scatter(
            x=ends, y=mine["level"].fillna(0), mode="lines", stackgroup="total",
            name=text(COUNTRY_LABELS[country]), line=dict(color=COUNTRY_COLOURS[country], width=1, shape="hv"),
            fillcolor=COUNTRY_COLOURS[country],
            customdata=list(zip(_texts(mine, "level", locale=locale), _texts(mine, "n", locale=locale), strict=True)),
            hovertemplate=text(COUNTRY_LABELS[country]) + ": %{customdata[0]} (n = %{customdata[1]})"
            + "<extra></extra>"))
    if "total" in df:  # a viewer's frame: the exact total of the month, made safe (never a sum of rounded cells)
        by_month = df.drop_duplicates("month").set_index("month").reindex(steps)
        total, total_text = by_month["total"], _texts(by_month, "total", locale=locale)
    else:
        total = df.groupby("month")["level"].sum().reindex(steps)
        total_text = [style.count(v, locale) for v in total]
    fig.add_trace(go.Scatter(x=ends, y=total.fillna(0), mode="lines", name=text("Total"),
                             line=dict(color=INK, width=2, shape="hv"),
                             customdata=[[v] for v in total_text],
                             hovertemplate="<b>" + text("Total") + ": %{customdata[0]}</b><extra></extra>"))
    top = float(total.fillna(0).max())
    if target:
        p0, p1 = (pd.Timestamp(d) for d in programme)
        span = (p1 - p0).days or 1
        pace = [target * min(1.0, max(0.0, (m - p0).days / span)) for m in ends]
        fig.add_trace(go.Scatter(
            x=ends, y=pace, mode="lines", name=text("Expected pace"),
            line=dict(color=BASELINE_COLOUR, width=2.5, dash="dash"),
            customdata=[[style.count(v, locale)] for v in pace],
            hovertemplate=text("Expected pace") + ": %{customdata[0]}<extra></extra>"))
        label = text("Target {target}", target=style.count(target, locale)) + (" *" if illustrative else "")
        fig.add_trace(go.Scatter(
            x=ends, y=[target] * len(ends), mode="lines", name=label,
            line=dict(color=TARGET_COLOUR, width=3),
            hovertemplate=label + "<extra></extra>"))
        top = max(top, target)
    end_label = f"<b>{total_text[-1]}</b>"
    if target:
        end_label += " / " + style.count(target, locale)
    if status and target:
        end_label += "<br>" + text(STATUS_WORDS[status])
    fig.add_annotation(x=ends[-1], y=float(total.fillna(0).iloc[-1]), text=end_label, showarrow=False, xanchor="left",
                       xshift=8, align="left", bgcolor="white", font=dict(size=16, color=INK),
                       bordercolor=STATUS_COLOURS.get(status or "", TARGET_COLOUR) if target else TARGET_COLOUR,
                       borderwidth=2)
    if not target:
        fig.add_annotation(text=text("no target for this selection"), x=0.01, y=0.98, xref="paper",
                           yref="paper", showarrow=False, xanchor="left", font=dict(size=14, color=BASELINE_COLOUR))
    # the unified hover's heading: plotly writes month names in English only, so other languages get 12/2021
    fig.update_xaxes(range=[pd.Timestamp(start), pd.Timestamp(end)], title=None,
                     hoverformat="%b %Y" if style.babel_locale(locale) == style.LOCALES["en"] else "%m/%Y",
                     **style.month_ticks(start, end, locale))
    fig.update_yaxes(title=None, range=[0, top * 1.15 if top else 1], tickformat=",.0f")
    return layout(fig, 380, locale, hovermode="x unified", margin=dict(l=10, r=130, t=60, b=10),
                   legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, font=dict(size=15),
                               traceorder="normal"))


def breakdown_bars(df: pd.DataFrame, by: str, labels: Mapping[str, str] | None = None,
                   text: Text = english, locale: str = "en") -> go.Figure:
    """Horizontal bars of a count by category (``by``, such as sector), stacked by country, largest on top.

    ``df`` is ``series.breakdown``: <by>, country, level, n. ``labels`` renames categories for display.
    Category names are shown as typed (``style.html_text``): a sector sent as HTML is not rendered.
    """
    suppressed = "level_shown" in df and bool((df["level"].isna() & df["level_shown"].ne(style.MISSING)).any())
    if df.empty or not (df["level"].any() or suppressed):
        return empty(text("No data for this selection"))
    if "total" in df or "level_shown" in df:  # a viewer's frame: each group's exact total, made safe
        column = "total" if "total" in df else "level"
        first = df.drop_duplicates(by).set_index(by)
        totals = first[column].fillna(0).sort_values(kind="stable")
        total_text = dict(zip(first.index, _texts(first, column, locale=locale), strict=True))
    else:
        totals = df.groupby(by)["level"].sum().sort_values()
        total_text = {k: style.count(float(v), locale) for k, v in totals.items()}
    order = list(totals.index)
    names = {c: style.html_text((labels or {}).get(c, str(c))) for c in order}  # a sector is the partner's text
    fig = go.Figure()
    for country in _countries(df):
        mine = df[df["country"] == country].set_index(by).reindex(order)
        texts = [style.count(0, locale) if t == style.MISSING else t for t in _texts(mine, "level", locale=locale)]
        n_texts = [style.count(0, locale) if t == style.MISSING else t for t in _texts(mine, "n", locale=locale)]
        fig.add_trace(go.Bar(
            y=[names[c] for c in order], x=mine["level"].fillna(0), orientation="h", name=text(COUNTRY_LABELS[country]),
            marker_color=COUNTRY_COLOURS[country], customdata=list(zip(texts, n_texts, strict=True)),
            hovertemplate="<b>%{y}</b><br>" + text(COUNTRY_LABELS[country]) + ": %{customdata[0]} (n = %{customdata[1]})"
            + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        y=[names[c] for c in order], x=totals.to_numpy(), mode="text", text=[f"<b>{total_text[c]}</b>" for c in order],
        textposition="middle right", showlegend=False, hoverinfo="skip", cliponaxis=False,
        textfont=dict(size=16, color=INK)))
    fig.update_xaxes(title=None, range=[0, float(totals.max()) * 1.15], tickformat=",.0f")
    fig.update_yaxes(title=None)
    return layout(fig, 110 + 38 * len(order), locale, barmode="stack", bargap=0.25)


def _attainment_text(att: float | None, value: float | None, relative: bool, status: str, untargeted: bool,
                     text: Text, shown: str | None = None, locale: str = "en") -> str:
    """The cell, short enough for a quarter of a 390 px phone in every language: the status symbol (its words
    are in the legend under the table and in the hover) and the attainment in bold ("✔ <b>122 %</b>"). A
    relative indicator that moved away from its target (negative attainment, such as -330 %) shows its signed
    change instead ("✖ <b>-38.4%</b>"), which reads more plainly; a selection with rows but no target of its own
    (a region) shows its value. No figure: a dash."""
    symbol = text(STATUS_WORDS[status]).split(" ", 1)[0]
    if untargeted and (shown or (value is not None and not pd.isna(value))):
        head = shown or (style.change(value, locale) if relative else style.count(value, locale))
    elif att is None or pd.isna(att):
        head = "—"
    elif att < 0 and relative and value is not None and not pd.isna(value):
        head = style.change(value, locale)
    else:
        head = style.percent(att, locale)
    return f"{symbol} <b>{head}</b>"


MATRIX_ROW, MATRIX_CELL = 78, 44  # px: an indicator's name on its own line, then its row of cells


def attainment_by_country(df: pd.DataFrame, text: Text = english, locale: str = "en") -> go.Figure:
    """A table of every indicator (rows) by country (columns), cells in the status colour, that reads the same
    on a 390 px phone, at 1280 px and on a projector with one figure (Streamlit cannot tell the server the
    screen's width): each indicator's name on a line of its own above its row, so the cells get the whole
    width (four countries: about 75 px each on a phone); a cell holds only what fits there by construction,
    the status symbol and the attainment (``_attainment_text``); a legend line under the table gives the
    words of the statuses shown (colour is never the only carrier), and the hover every figure: value,
    target, attainment, expected pace, status in words and n. ``df`` is ``series.attainment_rows``
    (indicator, country, value, target, attainment, expected, status, n, kind)."""
    countries = _countries(df)
    if not countries:
        return empty(text("No data for this selection"))
    indicators = list(dict.fromkeys(df["indicator"]))
    codes = {s: i for i, s in enumerate(STATUS_WORDS)}
    k = len(codes)
    scale = [step for i, s in enumerate(STATUS_WORDS)
             for step in ([i / k, STATUS_COLOURS[s]], [(i + 1) / k, STATUS_COLOURS[s]])]
    columns = [text(COUNTRY_LABELS[c]) for c in countries]
    z, hover, cells, seen = [], [], [], set()
    for row, ind in enumerate(indicators):
        z_row: list[int | None] = []
        h_row: list[str] = []
        for c_i, country in enumerate(countries):
            cell = df[(df["indicator"] == ind) & (df["country"] == country)]
            if cell.empty:
                z_row.append(None)
                h_row.append("")
                continue
            x = cell.iloc[0]
            relative = x["kind"] == "relative"
            value = style.change(x["value"], locale) if relative else style.count(x["value"], locale)
            if isinstance(x.get("value_shown"), str):  # suppressed for a viewer: "<5"
                value = x["value_shown"]
            n_text = x["n_shown"] if isinstance(x.get("n_shown"), str) else style.count(x["n"], locale)
            untargeted = bool(pd.isna(x["target"]) and n_text != "0")
            target = text("target") + " " + text("none") if pd.isna(x["target"]) else text("target") + " " + (
                style.target_change(x["target"], locale) if relative else style.count(x["target"], locale))
            attained = style.percent(x["attainment"], locale)
            if relative and not pd.isna(x["attainment"]) and x["attainment"] < 0 and not pd.isna(x["value"]):
                attained += " (" + text("change {change}", change=style.change(x["value"], locale)) + ")"
            z_row.append(codes[x["status"]])
            seen.add(x["status"])
            h_row.append(
                f"<b>{ind}</b> · {columns[c_i]}<br>" + text("Value") + f": {value} · "
                + (text("no target") if untargeted else target) + "<br>"
                + text("Attainment") + ": " + attained
                + " · " + text("expected by now") + f" {style.percent(x['expected'], locale)}<br>"
                + text(STATUS_WORDS[x["status"]]) + f" · n = {n_text}")
            cells.append(dict(x=c_i, y=row, text=_attainment_text(
                x["attainment"], x["value"], relative, x["status"], untargeted, text,
                shown=x["value_shown"] if isinstance(x.get("value_shown"), str) else None, locale=locale),
                              showarrow=False, font=dict(size=15, color=ink(STATUS_COLOURS[x["status"]]))))
        z.append(z_row)
        hover.append(h_row)
    # the name of each row in the gap above its cells (centred on the boundary, nudged towards its own row)
    names = [dict(x=0, xref="paper", xanchor="left", y=row - 0.5, yshift=-3, showarrow=False, text=f"<b>{ind}</b>",
                  font=dict(size=15, color=INK)) for row, ind in enumerate(indicators)]
    # the legend: the words of the statuses shown, a line of ~40 characters (a phone's width) each
    words = [text(w) for s, w in STATUS_WORDS.items() if s in seen]
    lines, line = [], ""
    for w in words:
        if line and len(line) + 3 + len(w) > 40:
            lines.append(line)
            line = w
        else:
            line = f"{line}   {w}" if line else w
    lines.append(line)
    legend = dict(x=0, xref="paper", xanchor="left", y=0, yref="paper", yanchor="top", yshift=-8, showarrow=False,
                  align="left", text="<br>".join(lines), font=dict(size=14, color=INK))
    fig = go.Figure()
    fig.update_layout(annotations=cells + names + [legend])
    fig.add_trace(go.Heatmap(
        z=z, x=list(range(len(columns))), y=list(range(len(indicators))), zmin=-0.5, zmax=k - 0.5,
        colorscale=scale, showscale=False, xgap=4, ygap=MATRIX_ROW - MATRIX_CELL,
        customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    # countries on top, wrapped and level (the longest word, "Netherlands", fits a phone's column at 14 px)
    fig.update_xaxes(side="top", title=None, showgrid=False, zeroline=False, tickfont=dict(size=14, color=INK),
                     ticks="", tickangle=0, tickvals=list(range(len(columns))), ticktext=[style.wrapped(c, 10) for c in columns],
                     range=[-0.5, len(columns) - 0.5])
    # reversed: the first indicator on top, with room above it for its name
    fig.update_yaxes(range=[len(indicators) - 0.5, -0.5 - (MATRIX_ROW - MATRIX_CELL) / MATRIX_ROW],
                     showticklabels=False, ticks="", title=None, showgrid=False, zeroline=False)
    legend_height = 12 + 20 * len(lines)
    return layout(fig, 58 + MATRIX_ROW * len(indicators) + legend_height, locale, plot_bgcolor="white",
                  margin=dict(l=10, r=10, t=58, b=legend_height))


# attainment_vs_pace's rows: 66 px each in the figure's height, about 70 px drawn (the margins are shared), bars
# 40 % of a row (about 28 px, 14 px either side of the row's centre, as the pace tick's 26 px marker); the
# name's 15 px line (about 18 px high, 1 px pad) centred 28 px above the centre: 4 px of white above its bar.
PACE_ROW, PACE_BARGAP, PACE_NAME_SHIFT = 66, 0.6, 28


def attainment_vs_pace(df: pd.DataFrame, text: Text = english, locale: str = "en") -> go.Figure:
    """Every indicator's attainment as a horizontal bar in its status colour, with a tick where it should be
    by now (expected pace), the dotted 100 % target line, and a column of attainment and status in words at
    the right edge (always readable, whatever the bar's length).

    ``df`` has one row per indicator: label, attainment (None without data), expected, status; ``n``, when
    present, shows in the hover.
    """
    if df.empty:
        return empty(text("No indicators"))
    labels = list(df["label"])
    att = pd.to_numeric(df["attainment"], errors="coerce")
    pct = (att * 100).fillna(0)
    shown = [style.percent(a, locale) for a in att]
    n = pd.Series(_texts(df, "n", locale=locale), index=df.index) if "n" in df else pd.Series([None] * len(df))
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=labels, x=pct, orientation="h", showlegend=False,
        marker_color=[STATUS_COLOURS[s] for s in df["status"]],
        customdata=[[a, style.percent(e, locale), text(STATUS_WORDS[s]), "" if v is None or v == style.MISSING else v]
                    for a, e, s, v in zip(shown, df["expected"], df["status"], n, strict=True)],
        hovertemplate="<b>%{y}</b><br>" + text("Attainment") + ": %{customdata[0]} · " + text("expected by now")
        + ": %{customdata[1]}<br>%{customdata[2]}" + ("<br>n = %{customdata[3]}" if "n" in df else "")
        + "<extra></extra>"))
    fig.add_trace(go.Scatter(
        y=labels, x=df["expected"] * 100, mode="markers", name=text("Expected by now"),
        marker=dict(symbol="line-ns", size=26, line=dict(width=4, color=TARGET_COLOUR)),
        customdata=[[style.percent(e, locale)] for e in df["expected"]],
        hovertemplate=text("Expected by now") + ": %{customdata[0]}<extra></extra>"))
    top = max(110.0, float(pct.max()) + 5)
    fig.add_trace(go.Scatter(  # the target line, as a trace so the legend names it
        x=[100, 100], y=[labels[0], labels[-1]], mode="lines",
        name=text("Target ({value})", value=style.percent(1, locale)),
        line=dict(color=TARGET_COLOUR, width=2, dash="dot"), hoverinfo="skip"))
    notes = []
    for label, a, status in zip(labels, shown, df["status"], strict=True):
        # the indicator's name above its bar (not beside it), so the bars keep their width in a narrow column;
        # on white, clear of the bar, so the target line and the pace tick that cross it never cross its words
        notes.append(dict(x=0, xref="paper", xanchor="left", y=label, yref="y", yshift=PACE_NAME_SHIFT,
                          showarrow=False, text=label, font=dict(size=15, color=INK), bgcolor="white",
                          borderpad=1))
        notes.append(dict(x=1.0, xref="paper", xanchor="left", xshift=10, y=label, yref="y", showarrow=False,
                          align="left", text=f"<b>{a}</b> {text(STATUS_WORDS[status])}",
                          font=dict(size=16, color=INK)))
    fig.update_layout(annotations=notes, shapes=[dict(
        type="line", x0=100, x1=100, y0=0, y1=1, xref="x", yref="paper",
        line=dict(color=TARGET_COLOUR, width=2, dash="dot"))],
        legend_itemsizing="constant")  # the pace tick's legend symbol in its row (26 px high, it reached above)
    low = min(0.0, float(pct.min()) - 5)
    # ticks chosen by plotly for the axis's width (0/50/100 on a phone, every 20 on a projector)
    fig.update_xaxes(range=[low, top], title=None, tickangle=0, **style.percent_axis(locale))
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], title=None, showticklabels=False)
    return layout(fig, 110 + PACE_ROW * len(labels), locale, bargap=PACE_BARGAP,
                  margin=dict(l=24, r=165, t=50, b=10))  # l: room for half the "0%" under the axis


# Where the map writes each country's name and the seas, in (lat, lon): clear of the region markers.
_MAP_LABELS = {"UK": (52.35, -2.0), "BE": (50.75, 4.9), "NL": (52.55, 5.6), "FR": (49.75, 3.3)}
_SEA_LABELS = (("North Sea", 52.75, 2.3), ("English Channel", 50.2, -1.0))


def region_map(df: pd.DataFrame, figures: Sequence[tuple[str, str, str]] = (), size_by: str = "records",
               text: Text = english, locale: str = "en") -> go.Figure:
    """A schematic map: one marker per NUTS-3 region at its main town, sized by activity, coloured by country.

    ``df`` is ``series.region_activity`` (region, name, country, x, y, records, one column per indicator).
    ``figures`` lists the (column, label, format) lines of the hover, such as ("teachers_trained",
    "Teachers trained", "number"): a measure's format (``style.LEVEL_FORMATS``, written in ``locale``), or a
    ``str.format`` string. Regions with no activity are small grey markers. No tiles, no borders:
    nothing is fetched, so it works offline; positions are approximate.
    """
    if df.empty:
        return empty(text("No regions"))
    scale = math.cos(math.radians(MAP_LATITUDE))
    # a viewer's frame (metrics.suppress) says which regions are active and shows "<5" for small counts
    is_active = df["active"] if "active" in df else df[size_by] > 0
    sizes = df[size_by].fillna(1.0)  # a suppressed count: the smallest dot, whatever it was
    active = df[is_active].assign(**{size_by: sizes[is_active]})
    biggest = float(active[size_by].max()) if not active.empty else 1.0

    def figure(row: pd.Series, column: str, fmt: str) -> str | None:
        shown = row.get(f"{column}_shown")
        value = row.get(column)
        if isinstance(shown, str) and shown != style.MISSING and (value is None or pd.isna(value)):
            return shown
        if value is None or pd.isna(value):
            return None
        # a measure's format (number, share, decimal) in the reader's digits; else a format string as it is
        return style.LEVEL_FORMATS[fmt](value, locale) if fmt in style.LEVEL_FORMATS else fmt.format(value)

    def hover(row: pd.Series) -> str:
        lines = [f"<b>{row['name']}</b> ({row['region']}) · {text(COUNTRY_LABELS[row['country']])}",
                 text("{n} records reported", n=figure(row, "records", "number") or style.count(0, locale))]
        for column, label, fmt in figures:
            value = figure(row, column, fmt)
            if value is not None:
                lines.append(f"{label}: {value}")
        return "<br>".join(lines)

    fig = go.Figure()
    quiet = df[~is_active]
    if not quiet.empty:
        fig.add_trace(go.Scatter(
            x=quiet["x"], y=quiet["y"], mode="markers", name=text("No activity in this selection"),
            marker=dict(size=7, color=INACTIVE_COLOUR, opacity=0.6),
            hovertext=[hover(r) for _, r in quiet.iterrows()], hoverinfo="text"))
    for country in _countries(active):
        mine = active[active["country"] == country]
        fig.add_trace(go.Scatter(
            x=mine["x"], y=mine["y"], mode="markers", name=text(COUNTRY_LABELS[country]),
            marker=dict(size=[12 + 34 * math.sqrt(v / biggest) for v in mine[size_by]], color=COUNTRY_COLOURS[country],
                        opacity=0.85, line=dict(color="white", width=1.5)),
            hovertext=[hover(r) for _, r in mine.iterrows()], hoverinfo="text"))
    notes = [dict(x=lon * scale, y=lat, text=f"<b>{text(COUNTRY_LABELS[country])}</b>", showarrow=False,
                  font=dict(size=17, color=COUNTRY_COLOURS[country]))
             for country, (lat, lon) in _MAP_LABELS.items() if country in set(df["country"])]
    notes += [dict(x=lon * scale, y=lat, text=f"<i>{text(name)}</i>", showarrow=False,
                   font=dict(size=14, color=SEA_INK)) for name, lat, lon in _SEA_LABELS]
    fig.update_layout(annotations=notes)
    fig.update_xaxes(visible=False, range=[float(df["x"].min()) - 0.3, float(df["x"].max()) + 1.4])
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1,
                     range=[float(df["y"].min()) - 0.35, float(df["y"].max()) + 0.25])
    return layout(fig, 520, locale, plot_bgcolor=MAP_BACKGROUND, margin=dict(l=5, r=5, t=40, b=5))


def headline(value: float | None, target: float | None, status: str, relative: bool, illustrative: bool = False,
             text: Text = english, shown: str | None = None, locale: str = "en") -> str:
    """One line of Markdown to stand above an indicator's chart: value, target, status in words. ``shown``
    replaces the value's text (``<5``: a count suppressed for a viewer)."""
    shown_value = shown or (style.change(value, locale) if relative else style.count(value, locale))
    parts = [f"**{shown_value}**"]
    if target is not None and not pd.isna(target):
        shown = style.target_change(target, locale) if relative else style.count(target, locale)
        parts.append(text("target {target}", target=shown) + (" *" if illustrative else ""))
        parts.append(f"**{text(STATUS_WORDS[status])}**")
    elif shown or (value is not None and not pd.isna(value)):
        parts.append(text("no target for a region"))  # the engine says no_data: nothing to compare with
    else:
        parts.append(f"**{text(STATUS_WORDS[status])}**")
    return " · ".join(parts)
