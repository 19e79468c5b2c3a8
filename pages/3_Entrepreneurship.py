"""Entrepreneurship: the catalogue's indicators for this page (new self-employed entrepreneurs, jobs created,
support networks) against their targets, one tab each after "At a glance" (ui/topic.py), and the sectors the
new businesses work in, on the new entrepreneurs' tab."""

from __future__ import annotations

import streamlit as st

from siree_metrics.metrics import series
from ui import data
from ui.figures import charts
from ui.i18n import t
from ui.page import page, show_chart
from ui.topic import Extra, Topic

view = page("Entrepreneurship", "🚀", tabs=True)
topic = Topic(view, "entrepreneurship")



def sectors() -> None:
    """Not an indicator: the new entrepreneurs' businesses by the sector the partners wrote."""
    st.subheader(t("Sectors of the new businesses"))
    st.caption(t("Entrepreneurs registered from {start} to {end}, by sector as the partners wrote it.",
                 start=view.date(view.start), end=view.date(view.until)))
    table = data.frame(series.breakdown, "new_entrepreneurs", "sector", *view.period)
    show_chart(charts.breakdown_bars(table, "sector", text=t, locale=view.lang), table, "entrepreneurs_by_sector",
               view.as_of, topic.coverage(table, "n"),
               empty=topic.missing(topic.ref.indicator("new_entrepreneurs")) if table.empty else None)


topic.draw([Extra("entrepreneurs_by_sector", t("Sectors of the new businesses"), "new_entrepreneurs", sectors)])
