"""Method: how every figure is computed, generated from the indicator catalogue and the programme facts
(the same text as docs/method.md, which ``python -m siree_metrics docs`` writes in English), in the reader's
language, and what is illustrative."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siree_metrics.charts import style
from siree_metrics.charts.style import COUNTRY_LABELS
from siree_metrics.docs import as_of_markdown, context_markdown, illustrative_markdown, indicator_markdown, windows_markdown
from siree_metrics.ingest.contract import load_contract
from siree_metrics.reference import load_reference
from ui.i18n import language, t
from ui.page import page

view = page("Method", "📐")
ref = load_reference()
prog = ref.programme
contract = load_contract()

# The sections of docs/method.md, from the same functions (siree_metrics.docs; each indicator's text with its
# one formula), in the session's language (siree_metrics.i18n.language, registered by ui.i18n)

st.markdown(t("**{name}**, {start} to {end}; budget {budget}, of which Interreg/ERDF co-funding "
              "{erdf} ({p}). Every figure in this dashboard is computed from the partners' files "
              "with the rules below.", name=prog.name, start=style.date(prog.start, language()), end=style.date(prog.end, language()),
              budget=style.euros(prog.budget_eur, language()), erdf=style.euros(prog.erdf_eur, language()),
              p=style.percent(prog.erdf_eur / prog.budget_eur, language())))

st.header(t("Indicators"))
for i, ind in enumerate(ref.indicators):
    if i % 2 == 0:
        columns = st.columns(2)  # one row per pair, so neighbouring cards line up
    ds = contract[ind.dataset]
    with columns[i % 2].container(border=True, height="stretch"):
        st.subheader(ind.label(language()))
        st.caption(f"NL: {ind.label('nl')} · FR: {ind.label('fr')} · `{ind.id}`")
        st.markdown(t(ind.description))
        st.markdown(indicator_markdown(ind, ref) + "\n" + f"- **{t('Rows')}:** " + t(
            "the partners' {label} files (one row is {row})", label=t(ds.label).lower(), row=t(ds.row)))

st.header(t("Windows, attainment and status"))
st.markdown(windows_markdown(ref))

st.header(t("The as-of date"))
st.markdown(as_of_markdown(ref))

st.header(t("Illustrative figures"))
st.markdown(illustrative_markdown())
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
st.markdown(context_markdown(ref))
st.caption(t("This page is generated from data/reference/indicators.toml and programme.toml, like "
             "docs/method.md; change those files, not this page."))
