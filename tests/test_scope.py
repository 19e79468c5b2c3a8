"""What a view says it shows (ui.scope): the scope line, chart titles, file names and the stamp on a chart.

Names come from data/reference (regions.csv: BE212 "Arr. Mechelen", NL342 "Overig Zeeland", FRE11 "Nord";
partners.csv: MECHELEN "City of Mechelen", UCR "University College Roosevelt"); every expected string is
written out by hand.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import pytest

from siree_metrics.charts.style import layout
from siree_metrics.i18n import t, using
from siree_metrics.metrics.filters import Filters
from siree_metrics.reference import load_reference
from ui import scope

D = dt.date


@pytest.mark.parametrize(("filters", "start", "end", "as_of", "expected"), [
    # the issue's own example: a region and a partner, a two-year period, an as-of date after it
    (Filters(regions=("BE212",), partners=("MECHELEN",)), D(2019, 1, 1), D(2020, 12, 31), D(2021, 6, 30),
     "Arr. Mechelen (BE212) · partner City of Mechelen · 1 Jan 2019 – 31 Dec 2020 · as of 30 Jun 2021"),
    # no filter: the whole programme, from the baseline start
    (Filters(), D(2017, 3, 1), D(2021, 12, 31), D(2021, 12, 31),
     "Whole programme · 1 Mar 2017 – 31 Dec 2021 · as of 31 Dec 2021"),
    # two countries, in the order chosen, with their display names
    (Filters(countries=("BE", "NL")), D(2018, 3, 1), D(2021, 6, 30), D(2021, 6, 30),
     "Belgium (Flanders), Netherlands · 1 Mar 2018 – 30 Jun 2021 · as of 30 Jun 2021"),
    # country, two regions and two partners: each kind once, in the order country, region, partner
    (Filters(("FR",), ("FRE11", "NL342"), ("ADICE", "UCR")), D(2020, 1, 1), D(2020, 1, 1), D(2020, 3, 31),
     "France · Nord (FRE11), Overig Zeeland (NL342) · partners ADICE (Roubaix), University College Roosevelt · "
     "1 Jan 2020 · as of 31 Mar 2020"),
    # an unknown code (an old link) is written as it is, never dropped silently
    (Filters(regions=("XX999",)), D(2019, 1, 1), D(2019, 12, 31), D(2019, 12, 31),
     "XX999 · 1 Jan 2019 – 31 Dec 2019 · as of 31 Dec 2019"),
])
def test_scope_line_says_every_filter_the_period_and_the_as_of_date(filters: Filters, start: dt.date, end: dt.date,
                                                                     as_of: dt.date, expected: str) -> None:
    assert scope.scope_line(filters, start, end, as_of, load_reference()) == expected


def test_the_date_writer_can_be_swapped_for_another_language() -> None:
    iso = dt.date.isoformat
    line = scope.scope_line(Filters(countries=("UK",)), D(2019, 1, 1), D(2019, 6, 30), D(2019, 6, 30),
                            load_reference(), date=iso)
    assert line == "England (UK) · 2019-01-01 – 2019-06-30 · as of 2019-06-30"


def test_what_the_filters_do_not_change_is_said_on_the_topic_pages() -> None:
    assert scope.unchanged("Education") == ("The period sets the charts' time span only: counts are cumulative to "
                                            "the as-of date whatever the period, and the figures above each chart "
                                            "are as of the as-of date.")
    assert scope.unchanged("Data") is None


@pytest.mark.parametrize(("name", "filters", "ext", "expected"), [
    ("children_in_school", Filters(regions=("BE212",)), "png", "siree_children_in_school_BE212_2021-06-30.png"),
    ("spend_by_partner", Filters(), "xlsx", "siree_spend_by_partner_programme_2021-06-30.xlsx"),
    ("attainment", Filters(("BE",), (), ("MECHELEN",)), "csv", "siree_attainment_BE-MECHELEN_2021-06-30.csv"),
    # anything but letters, digits, "_" and "-" is dropped: a code from a link cannot make a path
    ("../x y", Filters(regions=("../BE 2",)), "svg", "siree_xy_BE2_2021-06-30.svg"),
])
def test_file_names_say_what_the_file_is(name: str, filters: Filters, ext: str, expected: str) -> None:
    assert scope.file_name(name, filters, D(2021, 6, 30), ext) == expected


def test_chart_titles_from_the_catalogue_or_the_chart_list() -> None:
    ref = load_reference()
    assert scope.chart_title("children_in_school", ref) == ref.indicator("children_in_school").label()
    assert scope.chart_title("spend_by_month", ref) == "Pace of spending"
    assert scope.chart_title("something_new", ref) == "Something new"
    # a chart of one indicator or dataset, in the reader's language (the pages' names for them)
    assert scope.chart_title("status_history_of_children_in_school", ref, t) == (
        "Status history: " + ref.indicator("children_in_school").label())
    with using("fr"):
        assert scope.chart_title("submissions_of_school_attendance", ref, t) == (
            "Trimestres envoyés : Présence scolaire")
        assert scope.chart_title("entrepreneurs_by_sector", ref, t) == "Secteurs des nouvelles entreprises"


def test_facts_carry_the_as_of_date_the_source_and_the_demo_mark() -> None:
    assert scope.facts(D(2021, 6, 30), demo=True) == (
        "Data as of 30 Jun 2021 · Source: SIREE partners' files · DEMO DATA (fictional figures)")
    assert scope.facts(D(2021, 6, 30), demo=False, moment="2021-03-01 14:05") == (
        "Data as of 30 Jun 2021 · as loaded on 2021-03-01 14:05 · Source: SIREE partners' files")


def test_the_stamp_titles_the_figure_escaped_and_grows_it_without_moving_the_plot() -> None:
    fig = layout(go.Figure(go.Bar(x=[1], y=["a"])), 300)  # the style's legend: across, above the plot
    lines = ["<b>Mechelen</b> · 1 Jan 2019 – 31 Dec 2020", "Data as of 30 Jun 2021 · Source: SIREE partners' files"]
    scope.stamp(fig, "Children & school", lines, demo=True)
    title = fig.layout.title.text
    assert title.startswith("<b>Children &amp; school</b><br>")
    assert "&lt;b&gt;Mechelen&lt;/b&gt;" in title and "<b>Mechelen</b>" not in title  # user text shown as typed
    assert title.endswith("#882255;font-weight:bold'>DEMO DATA (fictional figures)</span>")
    # two lines of at most 55 characters and the demo mark: block = 8 + 26 + 3 x 18 = 88 px, added to the
    # height and to the top margin
    assert fig.layout.height == 388 and fig.layout.margin.t == 30 + 88
    # the legend hangs 4 px under the block, on the figure's frame (so a legend wrapped on a phone grows down)
    assert (fig.layout.legend.yref, fig.layout.legend.yanchor) == ("container", "top")
    assert fig.layout.legend.y == pytest.approx(1 - 92 / 388)


def test_long_scopes_wrap_for_a_phone() -> None:
    line = "Belgium (Flanders), Netherlands · partners ADICE (Roubaix), University College Roosevelt"
    # 55 characters at most per line, broken at a space
    assert scope.wrap(line, 55) == ["Belgium (Flanders), Netherlands · partners ADICE",
                                    "(Roubaix), University College Roosevelt"]


def test_a_long_title_wraps_for_a_phone_and_the_block_grows_by_its_lines() -> None:
    fig = layout(go.Figure(go.Bar(x=[1], y=["a"])), 300)
    scope.stamp(fig, "Verloop van de status: Nieuwe leergemeenschappen", ["Volledig programma"])
    # 48 characters: two bold lines of at most 38; block = 8 + 2 x 26 + 1 x 18 = 78 px
    assert fig.layout.title.text.startswith("<b>Verloop van de status: Nieuwe</b><br><b>leergemeenschappen</b><br>")
    assert fig.layout.height == 378 and fig.layout.margin.t == 30 + 78


def test_the_demo_mark_is_in_the_readers_language() -> None:
    from siree_metrics.i18n import using

    with using("fr"):
        fig = scope.stamp(layout(go.Figure(go.Bar(x=[1], y=["a"])), 300), "Enfants", ["Programme entier"], demo=True)
    assert fig.layout.title.text.endswith("font-weight:bold'>DONNÉES DE DÉMONSTRATION (chiffres fictifs)</span>")
