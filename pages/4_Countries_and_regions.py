"""Countries and regions: every indicator's attainment by country side by side, and a schematic map of the
programme area's NUTS-3 regions with what each reported."""

from __future__ import annotations

import streamlit as st

from siree_metrics.metrics import series
from siree_metrics.reference import load_reference
from ui import data
from ui.figures import charts
from ui.i18n import t
from ui.page import page, show_chart

view = page("Countries and regions", "🗺️")
ref = load_reference()
until = view.until
by_country = {c: f for c in view.countries if (f := series.country_filters(view.filters, c)) is not None}

st.subheader(t("Every target by country"))
st.caption(t("Attainment of each indicator in each country as of {date}, with its status against the pace "
             "expected by now. Country targets are the sum of their partners' (illustrative) shares; relative "
             "targets apply unchanged.", date=view.date(view.as_of)))
table = series.attainment_rows({c: data.get_summary(view.as_of, f) for c, f in by_country.items()})
# n is NaN only where a viewer's figure rests on 1-4 rows (suppressed): that country reported
reported = int(table.assign(n=table["n"].fillna(1)).groupby("country")["n"].sum().gt(0).sum()) if not table.empty else 0
show_chart(charts.attainment_by_country(table, t, view.lang), table, "attainment_by_country", view.as_of,
           t("{k} of {n} countries reported for this period", k=reported, n=len(by_country)),
           empty=None if reported else t("No country in this selection has reported anything up to {date}.",
                                         date=view.date(view.as_of)))

st.subheader(t("Activity by region"))
st.caption(t("Schematic map, not to scale for borders: each dot is a NUTS-3 region of the programme area, placed "
             "at its main town (approximate). Dot size: records reported from {start} to {end}; grey: nothing "
             "reported under the current filters. Hover over a dot for its figures.",
             start=view.date(view.start), end=view.date(until)))
regions = data.frame(series.region_activity, *view.period)
# every indicator of the catalogue, in its measure's words and digits ("Teachers trained: new in the period")
figures = [(ind.id, t("{label}: {words}", label=ind.label(view.lang), words=t(ind.measure_spec.period_words)),
            ind.measure_spec.format) for ind in ref.indicators]
is_active = regions["active"] if "active" in regions else regions["records"] > 0  # a viewer's frame says
active = int(is_active.sum())
table = regions.drop(columns=["x", "y"])
show_chart(charts.region_map(regions, figures, text=t, locale=view.lang), table, "activity_by_region", view.as_of,
           t("{k} of {n} programme-area regions reported activity in this period", k=active, n=len(regions)),
           empty=None if active else t("Nothing was reported for this selection from {start} to {end}.",
                                       start=view.date(view.start), end=view.date(until)))
if active:
    st.markdown("#### " + t("Regions with activity, by records reported"))
    ranked = regions[is_active].assign(level=regions["records"], n=regions["records"])
    shown = ["level_shown", "n_shown"] if "records_shown" in regions else []  # "<5" for a viewer
    if shown:
        ranked = ranked.assign(level_shown=ranked["records_shown"], n_shown=ranked["records_shown"])
    ranked = ranked.assign(place=ranked["name"] + " (" + ranked["region"] + ")")
    show_chart(charts.breakdown_bars(ranked[["place", "country", "level", "n", *shown]], "place", text=t,
                                     locale=view.lang),
               table[is_active], "regions_ranked", view.as_of)
