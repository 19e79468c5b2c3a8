"""Education: the catalogue's indicators for this page (children in school, parent involvement, adult-education
inflow, teachers trained, learning communities) by country, over time, each against its baseline and target,
one tab each after "At a glance" (ui/topic.py); beside them, two charts that are not indicators: the attendance
rate and learning communities by setting, on the tab of the indicator they detail."""

from __future__ import annotations

import streamlit as st

from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics import series
from ui import data
from ui.figures import charts
from ui.i18n import t
from ui.page import page, show_chart
from ui.topic import Extra, Topic

view = page("Education", "🎓", tabs=True)
topic = Topic(view, "education")
until, period = view.until, view.period


def attendance_rate() -> None:
    rate = data.frame(series.monthly_rate, "school_attendance", "sessions_attended", "sessions_possible", *period)
    st.markdown("#### " + t("Attendance rate: half-day sessions attended of those possible"))
    show_chart(charts.monthly_by_country(rate, view.start, until, text=t, locale=view.lang), rate, "attendance_rate", view.as_of,
               t("{k} of {n} countries send half-day sessions",
                 k=series.countries_reported(rate, tuple(topic.by_country)), n=len(topic.by_country)),
               empty=t("No school in this selection sends half-day sessions (the optional columns "
                       "sessions_possible and sessions_attended), so there is no attendance rate.")
               if rate.empty else None)


def communities_by_setting() -> None:
    settings = data.frame(series.breakdown, "learning_communities", "setting", *period)
    st.markdown("#### " + t("Learning communities by setting, established from {start} to {end}",
                            start=view.date(view.start), end=view.date(until)))
    setting_values = load_contract()["learning_communities"].columns["setting"].values
    show_chart(charts.breakdown_bars(settings, "setting", {s: t(s.capitalize()) for s in setting_values}, t,
                                     view.lang),
               settings, "learning_communities_by_setting", view.as_of, topic.coverage(settings),
               empty=topic.missing(topic.ref.indicator("learning_communities")) if settings.empty else None)


# charts that are not indicators, each on the tab of the indicator it details (on a tab of its own if that one
# is not on the page)
topic.draw([Extra("attendance_rate", t("Attendance rate"), "children_in_school", attendance_rate),
            Extra("learning_communities_by_setting", t("Communities by setting"), "learning_communities",
                  communities_by_setting)])
