"""The figure cache of the pages (ui.figures) and the one set of number formats (charts.style)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from helpers import ROOT  # noqa: F401  (puts the checkout on sys.path)

from siree_metrics.charts import indicators as plain_charts
from siree_metrics.charts import style
from ui import figures
from ui.figures import budget_charts, charts

# Three categories, one country: the bars are drawn in the frame's order of categories after sorting by total,
# so the figure itself does not change with the row order; breakdown_bars's ``labels`` and the hover follow the
# rows. attainment_vs_pace draws its bars in the frame's order: a reordered frame is a different figure.
PACE = pd.DataFrame({"label": ["A", "B", "C"], "attainment": [0.9, 0.5, 0.2], "expected": [0.5] * 3,
                     "status": ["on_track", "at_risk", "behind"], "n": [10, 5, 3]})


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    figures._figures.clear()


def test_a_reordered_frame_gives_a_different_figure() -> None:
    first = charts.attainment_vs_pace(PACE)
    reordered = PACE.iloc[::-1].reset_index(drop=True)  # the same rows, C B A: the sum of row hashes is equal
    second = charts.attainment_vs_pace(reordered)
    assert list(first.data[0].y) == ["A", "B", "C"]
    assert list(second.data[0].y) == ["C", "B", "A"]  # not the cached A B C
    assert list(second.data[0].y) == list(plain_charts.attainment_vs_pace(reordered).data[0].y)
    assert len(figures._figures) == 2


def test_the_same_frame_is_drawn_once() -> None:
    charts.attainment_vs_pace(PACE)
    charts.attainment_vs_pace(PACE.copy())  # equal content, another object: the cached figure
    assert len(figures._figures) == 1


def test_changing_a_returned_figure_does_not_change_the_next_one() -> None:
    first = charts.attainment_vs_pace(PACE)  # built (a cache miss)
    first.update_layout(title="changed by one session", height=999)
    first.data[0].marker.color = ["red"] * 3
    first.layout.annotations[0].text = "changed"
    second = charts.attainment_vs_pace(PACE)  # from the cache
    second.data[0].y = ("x", "y", "z")
    third = charts.attainment_vs_pace(PACE)
    fresh = plain_charts.attainment_vs_pace(PACE)
    for fig in (second, third):
        assert fig.layout.title.text is None and fig.layout.height == fresh.layout.height
        assert fig.layout.annotations[0].text == fresh.layout.annotations[0].text == "A"
        assert list(fig.data[0].marker.color) == list(fresh.data[0].marker.color)
    assert list(third.data[0].y) == ["A", "B", "C"]
    assert second is not third
    assert third.to_dict() == fresh.to_dict()  # the cached figure is the figure, not an approximation


def test_budget_charts_are_cached_too_and_text_is_returned_as_it_is() -> None:
    empty = budget_charts.spend_by_category(pd.DataFrame({"cost_category": [], "spent_eur": []}))
    assert "No expenditure" in empty.layout.annotations[0].text
    line = charts.headline(0.2768, 0.1, "on_track", relative=True)
    assert line == charts.headline(0.2768, 0.1, "on_track", relative=True)
    assert line.startswith("**+27.7%** · target +10%")  # the same digits as the Overview card


# -- number formats --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fn", "value", "shown"), [
    (style.count, 1234.4, "1,234"),
    (style.count, 2.5, "2"),  # Python rounds half to even
    (style.count, None, "—"),
    (style.count, float("nan"), "—"),
    (style.count, pd.NA, "—"),
    (style.percent, 0.454, "45%"),
    (style.percent, 1.0, "100%"),
    (style.rate, 0.3174, "31.7%"),
    (style.change, 0.27684, "+27.7%"),  # 27.684 % to one decimal
    (style.change, -0.05, "-5.0%"),
    (style.change, 0.0, "+0.0%"),
    (style.target_change, 0.1, "+10%"),
    (style.points, 3.0, "+3.0 points"),
    (style.points, -0.04, "-0.0 points"),
    (style.euros, Decimal("4880802.00"), "EUR 4,880,802"),
    (style.euros, Decimal("1500.50"), "EUR 1,500"),  # half to even: 1,500, as the Budget page always showed
    (style.euros_short, 1_234_567, "EUR 1.23 M"),
    (style.euros_short, Decimal("540000.00"), "EUR 540 k"),
    (style.euros_short, 9_999, "EUR 9,999"),
    (style.euros_short, None, "—"),
    (style.euros_exact, Decimal("3500.50"), "EUR 3,500.50"),
    (style.euros_exact, Decimal("NaN"), "—"),
])
def test_number_formats(fn, value, shown) -> None:  # noqa: ANN001
    assert fn(value) == shown


def test_the_chart_and_the_card_show_the_same_change() -> None:
    # a relative indicator at +27.684 %: the attainment table's hover, the headline and the card all say +27.7%
    df = pd.DataFrame({"indicator": ["Children in school"], "country": ["FR"], "value": [0.27684], "target": [0.1],
                       "attainment": [2.7684], "expected": [0.5], "status": ["achieved"], "n": [40],
                       "kind": ["relative"]})
    fig = plain_charts.attainment_by_country(df)
    assert "Value: +27.7% · target +10%" in fig.data[0].customdata[0][0]
    assert style.change(0.27684) == "+27.7%"


@pytest.mark.parametrize(("lang", "babel_locale", "written"), [
    ("en", "en_GB", "DD/MM/YYYY"), ("nl", "nl_BE", "DD/MM/YYYY"), ("fr", "fr_FR", "DD/MM/YYYY"),
    ("nl", "nl_NL", "DD-MM-YYYY"),  # Babel: dd-MM-y
    ("en", "en_US", "MM/DD/YYYY"),  # Babel: M/d/yy
])
def test_date_pickers_write_the_readers_order_of_day_month_and_year(monkeypatch: pytest.MonkeyPatch, lang: str,
                                                                     babel_locale: str, written: str) -> None:
    """The sidebar's date pickers (ui/page.py) follow Babel's short date pattern, in Streamlit's formats."""
    monkeypatch.setattr(style, "babel_locale", lambda _: babel_locale)
    assert style.date_input_format(lang) == written


def test_cost_category_labels_read_white_inside_the_dark_bars_and_ink_beside_them() -> None:
    """On a projector "EUR 2.64 M · 61%" in dark grey on the dark bar could not be read (docs/screenshots)."""
    from siree_metrics.charts import budget

    categories = pd.DataFrame({"cost_category": ["staff", "equipment"], "spent_eur": [2_640_000.0, 120_000.0],
                               "share": [0.61, 0.03], "n": [40, 3], "partners": [9, 2]})
    bar = budget.spend_by_category(categories).data[0]
    assert bar.textposition == "auto" and bar.marker.color == budget.TARGET_COLOUR
    assert bar.insidetextfont.color == "white" and bar.outsidetextfont.color == style.INK


def test_share_axes_are_ticked_as_the_reader_writes_percentages() -> None:
    """d3 writes "40%"; French writes "40 %" (style.percent): a share axis gets ticks of its own there, 0 to the
    highest value drawn + 5 % (0.42 -> 0.441) in steps of 10 points (at most six ticks); English keeps d3's."""
    import plotly.graph_objects as go

    def share_chart(locale: str) -> go.Figure:
        fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[0.31, None, 0.42]))
        fig.update_yaxes(tickformat=style.D3_PERCENT)
        return style.layout(fig, 300, locale)

    fr = share_chart("fr").layout.yaxis
    assert [round(v, 2) for v in fr.tickvals] == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert list(fr.ticktext) == [style.percent(v, "fr") for v in (0, 0.1, 0.2, 0.3, 0.4)]
    assert fr.ticktext[-1] == "40\u00a0%"
    assert share_chart("en").layout.yaxis.tickvals is None  # "40%": d3's own ticks
