"""Entrepreneurship: the catalogue's indicators for this page (new self-employed entrepreneurs, jobs created,
support networks) against their targets, and the sectors the new businesses work in."""

from __future__ import annotations

import streamlit as st

from siree_metrics.metrics import series
from ui import data
from ui.figures import charts
from ui.i18n import t
from ui.page import page, show_chart
from ui.topic import Topic

view = page("Entrepreneurship", "🚀")
topic = Topic(view, "entrepreneurship")

for ind in topic.indicators:
    topic.section(ind)

# not an indicator: the new entrepreneurs' businesses by the sector the partners wrote
st.subheader(t("Sectors of the new businesses"))
st.caption(t("Entrepreneurs registered from {start} to {end}, by sector as the partners wrote it.",
             start=view.date(view.start), end=view.date(view.until)))
sectors = data.frame(series.breakdown, "new_entrepreneurs", "sector", *view.period)
show_chart(charts.breakdown_bars(sectors, "sector", text=t, locale=view.lang), sectors, "entrepreneurs_by_sector", view.as_of,
           topic.coverage(sectors, "n"),
           empty=topic.missing(topic.ref.indicator("new_entrepreneurs")) if sectors.empty else None)
topic.footnote()
