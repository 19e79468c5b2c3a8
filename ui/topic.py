"""A topic page (Education, Entrepreneurship) drawn from the catalogue: the indicators whose ``page`` is that
page, in their ``order``, each with its headline, its caption (the catalogue's template, filled from the
entry) and the chart its kind calls for. Nothing here names an indicator, a target or a window.

The page is a row of tabs: "At a glance" first (every indicator's headline and caption, no chart), then one tab
per indicator (its headline, caption and chart, and the charts that detail it). Only the open tab is built and
sent (lazy tabs), so a filter change redraws one or two charts instead of seven, and a link opens on a screen
without charts, before the browser has loaded its plotly bundle. The open tab is kept in the link: ``show=<id>``
(docs/performance.md, "Filters")."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import streamlit as st

from siree_metrics.charts import style
from siree_metrics.charts.style import COUNTRY_LABELS, STATUS_WORDS
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics import series, suppress
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import IndicatorResult, Summary, target_for
from siree_metrics.reference import Indicator, Reference, load_reference

from . import data
from .figures import charts
from .i18n import language, t
from .page import View, asked_tab, keep_tab, show_chart
from .url import shown

GLANCE = "glance"  # the first tab's name: every indicator's headline, no chart


def on_page(ref: Reference, page: str) -> list[Indicator]:
    """The catalogue's indicators for the topic page ``page``, in their ``order`` (then catalogue order)."""
    return sorted((ind for ind in ref.indicators if ind.page == page), key=lambda ind: ind.order)


def target_text(ind: Indicator) -> str:
    """The catalogue's target as a caption writes it: "+20 %" for a change, else as its measure shows a level
    ("450" for a count, "12.5" for an average)."""
    return f"{ind.target * 100:+.0f} %" if ind.kind == "relative" else ind.measure_spec.show(ind.target)


def caption(ind: Indicator) -> str:
    """The indicator's caption template, translated, filled with its label, unit and target."""
    return t(ind.caption, label=ind.label(language()), unit=t(ind.unit), target=target_text(ind))


def _is_share(ind: Indicator) -> bool:
    """Whether the indicator's level is a share (drawn in per cent), as its measure declares."""
    return ind.measure_spec.format == "share"


@dataclass(frozen=True)
class Extra:
    """A chart that is not an indicator (the attendance rate, communities by setting): drawn on the tab of the
    indicator it details (``after``), or, when that indicator is not on the page, on a tab of its own named
    ``name`` (in links) and ``label`` (on the page)."""

    name: str
    label: str
    after: str
    draw: Callable[[], None]


@dataclass
class Topic:
    """The current selection's figures for one topic page, and how to draw each of its indicators."""

    view: View
    page: str

    @cached_property
    def ref(self) -> Reference:
        return load_reference()

    @cached_property
    def indicators(self) -> list[Indicator]:
        return on_page(self.ref, self.page)

    @cached_property
    def summary(self) -> Summary:
        return data.get_summary(self.view.as_of, self.view.filters)

    @cached_property
    def results(self) -> dict[str, IndicatorResult]:
        return {r.id: r for r in self.summary.indicators}

    @cached_property
    def by_country(self) -> dict[str, Filters]:
        """The filters of each country of the selection (a country the filters leave out is not there)."""
        return {c: f for c in self.view.countries if (f := series.country_filters(self.view.filters, c)) is not None}

    @cached_property
    def country_results(self) -> dict[str, dict[str, IndicatorResult]]:
        return {c: {r.id: r for r in data.get_summary(self.view.as_of, f).indicators}
                for c, f in self.by_country.items()}

    def coverage(self, df: pd.DataFrame, rows: str = "n") -> str:
        return t("{k} of {n} countries reported for this period",
                 k=series.countries_reported(df, tuple(self.by_country), rows), n=len(self.by_country))

    def missing(self, ind: Indicator) -> str:
        """What an empty chart lacks: the dataset partners send the indicator's figures in."""
        return t("Nothing reported for this selection from {start} to {end}: partners send these figures as the "
                 "“{dataset}” dataset (see the Data page).", start=self.view.date(self.view.start),
                 end=self.view.date(self.view.until), dataset=t(load_contract()[ind.dataset].label))

    def _headline(self, ind: Indicator) -> str:
        """The indicator's headline, Markdown: value, target, status in words."""
        r = self.results[ind.id]
        hidden = suppress.mark(self.summary) if "value" in r.suppressed else None  # "<5" for a viewer
        return charts.headline(r.value, r.target, r.status, ind.kind == "relative", r.target_illustrative, t,
                               shown=hidden, locale=self.view.lang)

    def section(self, ind: Indicator) -> None:
        """Heading, headline figure, caption and chart of one indicator."""
        st.subheader(ind.label(self.view.lang))  # the catalogue's name in the reader's language
        st.markdown(self._headline(ind))
        st.caption(caption(ind))
        chart_for(ind)(self, ind)

    def glance(self) -> None:
        """The first tab: every indicator's heading, headline and caption as ``section`` writes them, in one
        block of Markdown (one element for the browser to draw instead of fifteen: the first screen of every
        link to the page), and where the charts are."""
        small = lambda text: ":small[:gray[" + text.replace("[", "\\[").replace("]", "\\]") + "]]"  # noqa: E731
        blocks = [f"### {ind.label(self.view.lang)}\n\n{self._headline(ind)}\n\n{small(caption(ind))}"
                  for ind in self.indicators]
        st.markdown("\n\n".join([*blocks, small(t("Each indicator's charts are on its own tab, above."))]))

    def draw(self, extras: Sequence[Extra] = ()) -> None:
        """The page's tabs (module docstring), the one the link or the reader chose open, and the footnote. A
        ``show`` this page has no tab for opens "At a glance", and says so."""
        tabs: dict[str, tuple[str, list[Callable[[], None]]]] = {GLANCE: (t("At a glance"), [self.glance])}
        for ind in self.indicators:
            tabs[ind.id] = (ind.label(self.view.lang), [functools.partial(self.section, ind)])
        for extra in extras:
            if extra.after in tabs and extra.after != GLANCE:
                tabs[extra.after][1].append(extra.draw)
            else:
                tabs[extra.name] = (extra.label, [extra.draw])
        asked = asked_tab()
        if asked is not None and asked not in tabs:
            st.warning(t("show {value} in the link is not a tab of this page: showing “{tab}”", value=shown(asked),
                         tab=tabs[GLANCE][0]))
            keep_tab(asked := None)
        names, labels = list(tabs), [label for label, _ in tabs.values()]
        if st.session_state.get("w_show") not in labels:  # seeded once from the link (a changing ``default``
            st.session_state["w_show"] = tabs[asked or GLANCE][0]  # would make a new widget that loses a click)
        opened = st.tabs(labels, key="w_show", on_change="rerun")
        for name, tab in zip(names, opened, strict=True):
            if tab.open:
                if name != (asked or GLANCE):  # the reader opened another tab: the link says which
                    keep_tab(None if name == GLANCE else name)
                with tab:
                    for part in tabs[name][1]:
                        part()
        self.footnote()

    def footnote(self) -> None:
        """The note an asterisk on the page points to, once, if any of its targets is illustrative."""
        if any(self.results[ind.id].target_illustrative for ind in self.indicators):
            st.caption(t("* Illustrative target: the sum of the selected partners' shares, which are not published."))

    def notes(self, ind: Indicator) -> dict[str, str]:
        """Each country's change against its baseline and its status, for the panel titles: the change in the
        digits of the cards and the headline (style.change, "+27.7%")."""
        out = {}
        for country, rs in self.country_results.items():
            r = rs[ind.id]
            out[country] = ("" if r.value is None else style.change(r.value, self.view.lang) + " · ") \
                + t(STATUS_WORDS[r.status])
        return out


def _monthly(topic: Topic, ind: Indicator) -> None:
    """A relative indicator: its level each month by country, against the baseline and the target on it."""
    view, prog = topic.view, topic.ref.programme
    df = data.frame(series.monthly, ind.id, *view.period)
    fig = charts.monthly_vs_baseline(df, view.start, view.until, ind.target, (prog.baseline_start, prog.baseline_end),
                                     percent=_is_share(ind), notes=topic.notes(ind), text=t, locale=view.lang)
    show_chart(fig, df, ind.id, view.as_of, topic.coverage(df), empty=topic.missing(ind) if df.empty else None)


def _cumulative(topic: Topic, ind: Indicator) -> None:
    """A count indicator: its running total by country, against the selection's target and the pace to it."""
    view, prog = topic.view, topic.ref.programme
    df = data.frame(series.cumulative, ind.id, *view.period)
    target, illustrative = target_for(ind, view.filters, topic.ref)
    fig = charts.cumulative_vs_target(df, view.start, view.until, target, (prog.start, prog.end),
                                      topic.results[ind.id].status, illustrative, t, view.lang)
    show_chart(fig, df, ind.id, view.as_of, topic.coverage(df, "rows"), empty=topic.missing(ind) if df.empty else None)


def _by_country(topic: Topic, ind: Indicator) -> None:
    """A count that does not accumulate (an average such as hours per teacher): its level over the period by
    country."""
    view = topic.view
    df = data.frame(series.breakdown, ind.id, "country", *view.period)
    fig = charts.breakdown_bars(df, "country", {c: t(COUNTRY_LABELS[c]) for c in COUNTRY_LABELS}, t, view.lang)
    show_chart(fig, df, ind.id, view.as_of, topic.coverage(df), empty=topic.missing(ind) if df.empty else None)


def chart_for(ind: Indicator) -> Callable[[Topic, Indicator], None]:
    """The chart an indicator's measure family calls for, from the SQL its measure declares (measures.toml):
    a level by month against the baseline (``monthly``), a running total against the target (``cumulative``),
    else the level over the period by country."""
    sql = ind.measure_spec.sql
    return _monthly if "monthly" in sql else _cumulative if "cumulative" in sql else _by_country
