"""Charts of the Budget and Data pages: pure functions from a query's DataFrame to a plotly Figure.

No I/O; colours, layout, the empty state and number formats only from ``style``; status always in words as
well as colour; sized for a projector at 1280×720 (big fonts, few words). Every user-facing word goes
through ``text`` — the pages pass ``ui.i18n.t``; the default writes English — so the package stays free of
Streamlit; every figure and month is written by ``style`` in ``locale``'s convention (hovers and labels get
texts, not d3 formats). Euro amounts arrive as exact Decimals (``history``) and become floats only where they are handed
to plotly; a hover that shows cents shows the exact text of the Decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from siree_metrics.charts import style
from siree_metrics.charts.style import (
    BASELINE_COLOUR,
    BUDGET_STATUS_COLOURS,
    BUDGET_STATUS_WORDS,
    COUNTRY_COLOURS,
    INK,
    SUBMISSION,
    TARGET_COLOUR,
    empty,
    english,
    euros_exact,
    euros_short,
    layout,
    percent,
)

Text = Callable[..., str]
CATEGORY_LABELS = {
    "staff": "Staff", "office_admin": "Office and administration", "travel": "Travel and accommodation",
    "external_expertise": "External expertise and services", "equipment": "Equipment",
}


def _floats(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy with the Decimal amount ``columns`` as floats (missing as NaN): the hand-over to plotly."""
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(pd.Series([None if v is None else float(v) for v in out[column]],
                                              index=out.index, dtype="float64"))
    return out


def pace_of_spend(monthly: pd.DataFrame, status: str | None, start: dt.date, end: dt.date,
                  programme_start: dt.date, programme_end: dt.date, text: Text = english,
                  locale: str = "en") -> go.Figure:
    """Cumulative spend by month against budget × time elapsed (the pace line) and the budget.

    ``monthly`` is ``history.budget_by_month``; ``status`` (``attainment.budget_status``'s vocabulary; None
    without a budget) colours the spend line and is written at its end; the time axis shows
    ``start``..``end``. The pace line runs straight from 0 at the programme start to the budget at its end.
    Without a budget (a region) only the spend line is drawn.
    """
    if monthly.empty:
        return empty(text("No expenditure for this selection"))
    exact = monthly
    monthly = _floats(monthly, "spent_eur", "cumulative_eur", "budget_eur")
    fig = go.Figure()
    months = pd.to_datetime(monthly["month"])
    budget = monthly["budget_eur"].iloc[0]
    has_budget = budget is not None and not pd.isna(budget)
    if has_budget:
        span = [pd.Timestamp(programme_start), pd.Timestamp(programme_end)]
        budget_text = style.euros(exact["budget_eur"].iloc[0], locale)
        fig.add_trace(go.Scatter(
            x=span, y=[budget, budget], mode="lines", name=text("Budget"),
            line=dict(color=TARGET_COLOUR, width=3),
            hovertemplate=text("Budget") + ": " + budget_text + "<extra></extra>"))
        # plotly writes month names in English: the month goes in as text (customdata), in the reader's words
        fig.add_trace(go.Scatter(
            x=span, y=[0, budget], mode="lines", name=text("Budget × time elapsed"),
            line=dict(color=BASELINE_COLOUR, width=3, dash="dash"),
            customdata=[[style.month(d, locale), style.euros(v, locale)] for d, v in zip(span, (0, budget), strict=True)],
            hovertemplate=text("Even pace by %{x|%b %Y}").replace("%{x|%b %Y}", "%{customdata[0]}")
            + ": %{customdata[1]}<extra></extra>"))
    colour = BUDGET_STATUS_COLOURS[status] if status else TARGET_COLOUR
    fig.add_trace(go.Scatter(
        x=months, y=monthly["cumulative_eur"], mode="lines", name=text("Spent (cumulative)"),
        line=dict(color=colour, width=5, shape="hv"),
        customdata=list(zip([euros_exact(v, locale) for v in exact["cumulative_eur"]],
                            [euros_exact(v, locale) for v in exact["spent_eur"]],
                            [style.count(v, locale) for v in monthly["n"]],
                            [style.month(m, locale) for m in months], strict=True)),
        hovertemplate=text("Spent by %{x|%b %Y}").replace("%{x|%b %Y}", "%{customdata[3]}") + ": %{customdata[0]}<br>" + text("that month")
        + ": %{customdata[1]} (n = %{customdata[2]} " + text("payments") + ")<extra></extra>"))
    last = monthly.iloc[-1]
    label = euros_short(last["cumulative_eur"], locale)
    if has_budget and budget:
        label = text("{share} spent", share=percent(last["cumulative_eur"] / budget, locale))
        if status:  # on a line of its own: the label stays whole on a phone
            label += "<br>" + text(BUDGET_STATUS_WORDS[status])
    # The label goes where nothing is drawn: at half the line's height, in the empty months to the right of
    # its end when there are enough of them, else under the rising line.
    end_x, end_y = months.iloc[-1], last["cumulative_eur"]
    room = (pd.Timestamp(end) - end_x) / (pd.Timestamp(end) - pd.Timestamp(start))
    right = room > 0.3
    # Under the line, the label ends where the line does, so a phone's narrow chart never cuts it.
    fig.add_annotation(x=end_x, y=end_y, text=f"<b>{label}</b>", showarrow=True, arrowhead=0, axref="x", ayref="y",
                       ax=end_x + pd.DateOffset(months=2 if right else -2), ay=end_y * 0.5,
                       xanchor="left" if right else "right", font=dict(size=17, color=INK), bgcolor="white",
                       bordercolor=colour, borderwidth=2)
    fig.update_xaxes(range=[pd.Timestamp(start), pd.Timestamp(end)], title=None,
                     **style.month_ticks(start, end, locale))
    fig.update_yaxes(title=None, tickformat="~s", rangemode="tozero", **style.money_axis(locale))
    return layout(fig, 420, locale)


def spend_by_partner(partners: pd.DataFrame, elapsed: float, text: Text = english,
                     locale: str = "en") -> go.Figure:
    """Each partner's spending as a share of its (illustrative) budget, coloured by country.

    A solid line marks the budget (100 %) and, before the project end, a dashed one the share of the
    programme's time elapsed (where spending would be at an even pace); the share is written beside each
    bar. Without budgets (a region filter) the bars show EUR spent.
    """
    if partners.empty:
        return empty(text("No partner in this selection"))
    exact = partners
    partners = _floats(partners, "spent_eur", "budget_eur")
    share = bool(partners["budget_eur"].notna().all())
    labels = [style.wrapped(f"{p} ({c})") for p, c in zip(partners["partner"], partners["country"], strict=True)]
    x = partners["share_spent"] * 100 if share else partners["spent_eur"]
    fig = go.Figure(go.Bar(
        y=labels, x=x, orientation="h", marker_color=[COUNTRY_COLOURS[c] for c in partners["country"]],
        customdata=list(zip([euros_exact(v, locale) for v in exact["spent_eur"]],
                            [euros_exact(v, locale) for v in exact["budget_eur"]],
                            [style.count(v, locale) for v in partners["n"]], strict=True)), showlegend=False,
        hovertemplate="<b>%{y}</b><br>" + text("Spent") + ": %{customdata[0]}<br>"
        + (text("Budget (illustrative)") + ": %{customdata[1]}<br>" if share else "")
        + "n = %{customdata[2]} " + text("payments") + "<extra></extra>"))
    if share:  # the share written in the bar (beside it when the bar is too short), never past the chart's edge
        right = max(100.0, float(x.max()))
        fig.update_traces(text=[f"<b>{percent(s, locale)}</b>" for s in partners["share_spent"]], textposition="auto",
                          insidetextanchor="end", textfont=dict(size=16), cliponaxis=False)
        fig.add_vline(x=100, line=dict(color=TARGET_COLOUR, width=3))
        fig.add_annotation(x=100, y=1, yref="paper", yanchor="bottom", text=text("budget"), showarrow=False,
                           font=dict(size=15))
        if elapsed < 0.995:
            fig.add_vline(x=elapsed * 100, line=dict(color=BASELINE_COLOUR, width=3, dash="dash"))
            fig.add_annotation(x=elapsed * 100, y=1, yref="paper", yanchor="bottom", showarrow=False,
                               text=text("time elapsed {e}", e=percent(elapsed, locale)), font=dict(size=15))
        fig.update_xaxes(range=[0, right + 4], title=None, tickvals=[0, 25, 50, 75, 100],
                         ticktext=[percent(v / 100, locale) for v in (0, 25, 50, 75, 100)])
    else:
        fig.update_traces(text=[euros_short(v, locale) for v in partners["spent_eur"]], textposition="outside",
                          cliponaxis=False, textfont=dict(size=16, color=INK))
        fig.update_xaxes(tickformat="~s", title=None, **style.money_axis(locale),
                         range=[0, float(partners["spent_eur"].max()) * 1.3])
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], title=None)
    return layout(fig, 90 + 40 * len(partners), locale, bargap=0.25, margin=dict(l=10, r=30, t=40, b=10))


def spend_by_category(categories: pd.DataFrame, text: Text = english, locale: str = "en") -> go.Figure:
    """Spending per Interreg cost category, largest first, with amount and share written on each bar."""
    if categories.empty or not categories["spent_eur"].any():
        return empty(text("No expenditure for this selection"))
    exact = categories.assign(exact=[euros_exact(v, locale) for v in categories["spent_eur"]],
                              n_text=[style.count(v, locale) for v in categories["n"]])
    ordered = _floats(exact, "spent_eur").sort_values("spent_eur", kind="stable")
    labels = [style.wrapped(text(CATEGORY_LABELS.get(c, c))) for c in ordered["cost_category"]]
    shares = ordered["share"].fillna(0)
    fig = go.Figure(go.Bar(
        y=labels, x=ordered["spent_eur"], orientation="h", marker_color=TARGET_COLOUR,
        text=[f"{euros_short(v, locale)} · {percent(s, locale)}" for v, s in zip(ordered["spent_eur"], shares, strict=True)],
        textposition="auto",  # in the bar where it fits (white on the dark bar), beside it otherwise (ink)
        insidetextfont=dict(size=16, color="white"), outsidetextfont=dict(size=16, color=INK),
        cliponaxis=False, customdata=ordered[["exact", "n_text", "partners"]].to_numpy(),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]}<br>n = %{customdata[1]} " + text("payments")
        + ", %{customdata[2]} " + text("partners") + "<extra></extra>", showlegend=False))
    fig.update_xaxes(title=None, range=[0, float(ordered["spent_eur"].max()) * 1.35], showticklabels=False)
    fig.update_yaxes(title=None)
    return layout(fig, 80 + 50 * len(ordered), locale, bargap=0.3)


def submissions(grid: pd.DataFrame, across: str = "quarter", text: Text = english,
                locale: str = "en") -> go.Figure:
    """Partners down, ``across`` (quarter or dataset_label) along: submission status in every cell.

    ``grid`` is ``history.submission_grid`` or ``history.submission_overview``: partner, the ``across``
    column, status (a key of ``SUBMISSION``), detail, and ``mark``, written in the cell instead of the status
    symbol where given. The status is in the cell (symbol or mark), its colour, the legend and the hover.
    """
    if grid.empty:
        return empty(text("No partner in this selection"))
    quarters = list(dict.fromkeys(grid[across]))
    partners = list(dict.fromkeys(grid["partner"]))

    def wide(column: str) -> pd.DataFrame:
        return grid.pivot(index="partner", columns=across, values=column).reindex(index=partners,
                                                                                  columns=quarters)

    status, detail = wide("status"), wide("detail")
    marks = wide("mark")
    symbols = status.map(lambda s: SUBMISSION[s][1])
    cell_text = marks.where(marks.notna(), symbols)
    codes = {s: i for i, s in enumerate(SUBMISSION)}
    words = {s: text(w) for s, (_, _, w) in SUBMISSION.items()}
    n = len(SUBMISSION)
    scale = [step for i, (colour, _, _) in enumerate(SUBMISSION.values())
             for step in ([i / n, colour], [(i + 1) / n, colour])]
    fig = go.Figure(go.Heatmap(
        z=status.map(codes.get).to_numpy(), x=quarters, y=partners, zmin=-0.5, zmax=n - 0.5,
        colorscale=scale, showscale=False, xgap=3, ygap=3,
        text=cell_text.to_numpy(), texttemplate="%{text}",
        textfont=dict(size=16 if marks.isna().all().all() else 13, color="white"),
        customdata=(status.map(words.get) + " · " + detail.fillna("")).to_numpy(),
        hovertemplate="<b>%{y}</b> · %{x}<br>%{customdata}<extra></extra>"))
    for key in SUBMISSION:
        if (grid["status"] == key).any():
            colour, symbol, _ = SUBMISSION[key]
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{symbol} {words[key]}",
                                     marker=dict(color=colour, size=16, symbol="square")))
    fig.update_xaxes(title=None, tickangle=-45 if across == "quarter" else -30, showgrid=False, side="bottom")
    fig.update_yaxes(title=None, autorange="reversed", showgrid=False)
    return layout(fig, 220 + 40 * len(partners), locale, plot_bgcolor="white", margin=dict(l=10, r=30, t=50, b=10))
