"""Method: how every figure is computed, generated from the indicator catalogue and the programme facts
(the same text as docs/method.md, which ``python -m siree_metrics docs`` writes), and what is illustrative."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siree_metrics.charts.style import COUNTRY_LABELS
from siree_metrics.docs import indicator_markdown, method_markdown
from siree_metrics.ingest.contract import load_contract
from siree_metrics.reference import load_reference
from ui.i18n import t
from ui.page import page

view = page("Method", "📐")
ref = load_reference()
prog = ref.programme
contract = load_contract()

# docs/method.md, generated from the catalogue, split into its sections; each indicator's text comes from
# the same function (siree_metrics.docs.indicator_markdown, with its one formula) as docs/method.md
method = method_markdown()
sections = {part.split("\n", 1)[0].strip(): part.split("\n", 1)[1].strip() for part in method.split("\n## ")[1:]}

st.markdown(t("**{name}**, {start} to {end}; budget EUR {budget:,.0f}, of which Interreg/ERDF co-funding "
              "EUR {erdf:,.0f} ({p:.0%}). Every figure in this dashboard is computed from the partners' files "
              "with the rules below.", name=prog.name, start=prog.start, end=prog.end, budget=prog.budget_eur,
              erdf=prog.erdf_eur, p=prog.erdf_eur / prog.budget_eur))

st.header(t("Indicators"))
for i, ind in enumerate(ref.indicators):
    if i % 2 == 0:
        columns = st.columns(2)  # one row per pair, so neighbouring cards line up
    ds = contract[ind.dataset]
    with columns[i % 2].container(border=True, height="stretch"):
        st.subheader(ind.label())
        st.caption(f"NL: {ind.label('nl')} · FR: {ind.label('fr')} · `{ind.id}`")
        st.markdown(t(ind.description))
        st.markdown(indicator_markdown(ind) + "\n" + f"- **{t('Rows')}:** " + t(
            "the partners' {label} files (one row is {row})", label=t(ds.label).lower(), row=t(ds.row)))

st.header(t("Windows, attainment and status"))
st.markdown(sections.get("Windows, attainment and status", ""))

st.header(t("The as-of date"))
st.markdown(sections.get("The as-of date", ""))

st.header(t("Illustrative figures"))
st.markdown(sections.get("Illustrative figures", ""))
partners = pd.DataFrame([{
    t("Partner"): p.name, t("Country"): t(COUNTRY_LABELS[p.country]),
    t("Budget (EUR, illustrative)"): p.budget_eur,
    t("Home region"): f"{ref.regions[p.home_region].name} ({p.home_region})",
    t("Home region verified"): t("yes") if p.home_region_verified else t("no: unverified"),
    t("Note"): p.note,
} for p in ref.partners.values()])
st.dataframe(partners, hide_index=True, width="stretch",
             column_config={t("Budget (EUR, illustrative)"): st.column_config.NumberColumn(format="localized")})
unverified = [r for r in ref.regions.values() if not r.verified]
st.markdown(t("**Regions.** The programme describes its area as 59 NUTS-3 regions; written with the NUTS 2016 "
              "codes the same area is {n} regions (BE {be}, FR {fr}, NL {nl}, UK {uk}), listed in "
              "data/reference/regions.csv with their sources in regions.md. {k} of them are marked unverified"
              "{which}. NUTS 2013 codes in partners' files are translated to 2016 codes.",
              n=len(ref.regions), k=len(unverified),
              which=(": " + ", ".join(f"{r.name} ({r.code})" for r in unverified)) if unverified else "",
              **{c.lower(): sum(r.country == c for r in ref.regions.values()) for c in ("BE", "FR", "NL", "UK")}))

st.header(t("Context"))
st.markdown(sections.get("Context", ""))
st.caption(t("This page is generated from data/reference/indicators.toml and programme.toml, like "
             "docs/method.md; change those files, not this page."))
