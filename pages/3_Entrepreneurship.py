"""Entrepreneurship: new self-employed entrepreneurs, jobs created and support networks against their targets,
and the sectors the new businesses work in."""

from __future__ import annotations

import streamlit as st

from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics import series
from siree_metrics.metrics.summary import target_for
from siree_metrics.reference import load_reference
from ui import data
from ui.figures import charts
from ui.i18n import t
from ui.page import page, show_chart

view = page("Entrepreneurship", "🚀")
ref = load_reference()
prog = ref.programme
results = {r.id: r for r in data.get_summary(view.as_of, view.filters).indicators}
until, period = view.until, view.period
countries = tuple(c for c in view.countries if series.country_filters(view.filters, c) is not None)


def coverage(df, rows: str = "rows") -> str:
    return t("{k} of {n} countries reported for this period",
             k=series.countries_reported(df, countries, rows), n=len(countries))


def missing(indicator_id: str) -> str:
    label = load_contract()[ref.indicator(indicator_id).dataset].label
    return t("Nothing reported for this selection from {start} to {end}: partners send these figures as the "
             "“{dataset}” dataset (see the Data page).", start=view.start.isoformat(), end=until.isoformat(),
             dataset=t(label))


def section(indicator_id: str, caption: str) -> None:
    ind = ref.indicator(indicator_id)
    r = results[indicator_id]
    st.subheader(ind.label())
    st.markdown(charts.headline(r.value, r.target, r.status, False, r.target_illustrative, t))
    st.caption(caption)
    df = data.frame(series.cumulative, indicator_id, *period)
    target, illustrative = target_for(ind, view.filters, ref)
    fig = charts.cumulative_vs_target(df, view.start, until, target, (prog.start, prog.end), r.status,
                                      illustrative, t)
    show_chart(fig, df, indicator_id, view.as_of, coverage(df), empty=missing(indicator_id) if df.empty else None)


section("new_entrepreneurs", t("Refugees and migrants registered as self-employed with the partners' support, "
                               "running total by country, against the target and the straight-line pace to it "
                               "(dashed)."))
section("jobs_created", t("Jobs the new businesses created beyond the entrepreneurs' own self-employment, as last "
                          "reported, running total by country."))
section("support_networks", t("Support networks for refugee and migrant entrepreneurs launched, running total "
                              "by country."))

st.subheader(t("Sectors of the new businesses"))
st.caption(t("Entrepreneurs registered from {start} to {end}, by sector as the partners wrote it.",
             start=view.start.isoformat(), end=until.isoformat()))
sectors = data.frame(series.breakdown, "new_entrepreneurs", "sector", *period)
show_chart(charts.breakdown_bars(sectors, "sector", text=t), sectors, "entrepreneurs_by_sector", view.as_of,
           coverage(sectors, "n"), empty=missing("new_entrepreneurs") if sectors.empty else None)
if any(results[i].target_illustrative for i in ("new_entrepreneurs", "jobs_created", "support_networks")):
    st.caption(t("* Illustrative target: the sum of the selected partners' shares, which are not published."))
