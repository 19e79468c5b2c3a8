"""Education: children in school, parent involvement, adult-education inflow, teachers trained and learning
communities — by country, over time, each against its baseline and target."""

from __future__ import annotations

import streamlit as st

from siree_metrics.charts.style import STATUS_WORDS
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics import series
from siree_metrics.metrics.summary import target_for
from siree_metrics.reference import load_reference
from ui import data
from ui.figures import charts
from ui.i18n import t
from ui.page import page, show_chart

view = page("Education", "🎓")
ref = load_reference()
prog = ref.programme
results = {r.id: r for r in data.get_summary(view.as_of, view.filters).indicators}
until, period = view.until, view.period
by_country = {c: f for c in view.countries if (f := series.country_filters(view.filters, c)) is not None}
country_results = {c: {r.id: r for r in data.get_summary(view.as_of, f).indicators} for c, f in by_country.items()}


def heading(indicator_id: str) -> None:
    ind = ref.indicator(indicator_id)
    r = results[indicator_id]
    st.subheader(ind.label())
    st.markdown(charts.headline(r.value, r.target, r.status, ind.kind == "relative", r.target_illustrative, t))


def coverage(df, rows: str = "n") -> str:
    return t("{k} of {n} countries reported for this period",
             k=series.countries_reported(df, tuple(by_country), rows), n=len(by_country))


def missing(indicator_id: str) -> str:
    label = load_contract()[ref.indicator(indicator_id).dataset].label
    return t("Nothing reported for this selection from {start} to {end}: partners send these figures as the "
             "“{dataset}” dataset (see the Data page).", start=view.start.isoformat(), end=until.isoformat(),
             dataset=t(label))


def notes(indicator_id: str) -> dict[str, str]:
    """Each country's change against its baseline and its status, for the panel titles."""
    out = {}
    for country, rs in country_results.items():
        r = rs[indicator_id]
        change = "" if r.value is None else f"{r.value:+.0%} · "
        out[country] = change + t(STATUS_WORDS[r.status])
    return out


def relative_chart(indicator_id: str, percent: bool) -> None:
    ind = ref.indicator(indicator_id)
    df = data.frame(series.monthly, indicator_id, *period)
    fig = charts.monthly_vs_baseline(df, view.start, until, ind.target, (prog.baseline_start, prog.baseline_end),
                                     percent=percent, notes=notes(indicator_id), text=t)
    why = missing(indicator_id)
    if ind.measure == "window_sum":
        why += " " + t("A 12-month total is shown once a country has reported for 12 months.")
    show_chart(fig, df, indicator_id, view.as_of, coverage(df), empty=why if df.empty else None)


def cumulative_chart(indicator_id: str) -> None:
    ind = ref.indicator(indicator_id)
    df = data.frame(series.cumulative, indicator_id, *period)
    target, illustrative = target_for(ind, view.filters, ref)
    fig = charts.cumulative_vs_target(df, view.start, until, target, (prog.start, prog.end),
                                      results[indicator_id].status, illustrative, t)
    show_chart(fig, df, indicator_id, view.as_of, coverage(df, "rows"),
               empty=missing(indicator_id) if df.empty else None)
    if illustrative:
        st.caption(t("* Illustrative target: the sum of the selected partners' shares, which are not published."))


heading("children_in_school")
st.caption(t("Refugee and migrant children attending school each month (sum over the schools), against the "
             "baseline year's monthly average (dashed) and the target of +20 % (dotted)."))
relative_chart("children_in_school", percent=False)
rate = data.frame(series.monthly_rate, "school_attendance", "sessions_attended", "sessions_possible", *period)
st.markdown("#### " + t("Attendance rate: half-day sessions attended of those possible"))
show_chart(charts.monthly_by_country(rate, view.start, until, text=t), rate, "attendance_rate", view.as_of,
           t("{k} of {n} countries send half-day sessions", k=series.countries_reported(rate, tuple(by_country)),
             n=len(by_country)),
           empty=t("No school in this selection sends half-day sessions (the optional columns sessions_possible "
                   "and sessions_attended), so there is no attendance rate.") if rate.empty else None)

heading("parent_involvement")
st.caption(t("Share of parents engaged each month, against the baseline year's share (dashed) and +10 % on it "
             "(dotted)."))
relative_chart("parent_involvement", percent=True)

heading("adult_education_inflow")
st.caption(t("New enrolments in adult education over the last 12 months (a rolling sum), against the baseline "
             "year's total (dashed) and +10 % on it (dotted). A country's line starts once it has reported for "
             "12 months."))
relative_chart("adult_education_inflow", percent=False)

heading("teachers_trained")
st.caption(t("Teachers who completed a SIREE training, counted once each, running total by country, against "
             "the target and the straight-line pace to it (dashed)."))
cumulative_chart("teachers_trained")

heading("learning_communities")
st.caption(t("Learning communities established, running total by country, against the target; below, by "
             "setting."))
cumulative_chart("learning_communities")
settings = data.frame(series.breakdown, "learning_communities", "setting", *period)
st.markdown("#### " + t("Learning communities by setting, established from {start} to {end}",
                        start=view.start.isoformat(), end=until.isoformat()))
setting_values = load_contract()["learning_communities"].columns["setting"].values
show_chart(charts.breakdown_bars(settings, "setting", {s: t(s.capitalize()) for s in setting_values}, t), settings,
           "learning_communities_by_setting", view.as_of, coverage(settings),
           empty=missing("learning_communities") if settings.empty else None)
