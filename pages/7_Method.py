"""Method: how every figure is computed, generated from the indicator catalogue and the programme facts
(the same text as docs/method.md, which ``python -m siree_metrics docs`` writes), and what is illustrative."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from siree_metrics.contract import load_contract
from siree_metrics.docs import method_markdown
from siree_metrics.reference import load_reference
from siree_metrics.theme import COUNTRY_LABELS
from ui.i18n import t
from ui.page import page

view = page("Method", "📐")
ref = load_reference()
prog = ref.programme
contract = load_contract()

# docs/method.md, generated from the catalogue, split into its sections; the indicator table gives formulas
method = method_markdown()
sections = {part.split("\n", 1)[0].strip(): part.split("\n", 1)[1].strip() for part in method.split("\n## ")[1:]}
formulas = {m.group(1): m.group(2).strip() for m in re.finditer(
    r"^\| .*?\(`([a-z_]+)`\) — .*? \| [a-z]+ \| [^|]+ \| (.+?) \| `[a-z_]+` \|$", method, re.MULTILINE)}

st.markdown(t("**{name}**, {start} to {end}; budget EUR {budget:,.0f}, of which Interreg/ERDF co-funding "
              "EUR {erdf:,.0f} ({p:.0%}). Every figure in this dashboard is computed from the partners' files "
              "with the rules below.", name=prog.name, start=prog.start, end=prog.end, budget=prog.budget_eur,
              erdf=prog.erdf_eur, p=prog.erdf_eur / prog.budget_eur))

st.header(t("Indicators"))
for i, ind in enumerate(ref.indicators):
    if i % 2 == 0:
        columns = st.columns(2)  # one row per pair, so neighbouring cards line up
    ds = contract[ind.dataset]
    relative = ind.kind == "relative"
    with columns[i % 2].container(border=True, height="stretch"):
        st.subheader(ind.label())
        st.caption(f"NL: {ind.label('nl')} · FR: {ind.label('fr')} · `{ind.id}`")
        st.markdown(t(ind.description))
        target = f"{ind.target:+.0%}" if relative else f"{ind.target:,.0f} {t(ind.unit)}"
        window = (t("Baseline {start} to {end}, compared with the {months} calendar months ending with the as-of "
                    "month", start=prog.baseline_start, end=prog.baseline_end, months=prog.current_months)
                  if relative else t("No baseline: counted from the start, up to the as-of date"))
        st.markdown(
            f"- **{t('Target')}:** {target} ({t('change against the baseline year') if relative else t('by the project end')})\n"
            f"- **{t('Formula')}:** {formulas.get(ind.id, '—')}\n"
            f"- **{t('Time window')}:** {window}\n"
            f"- **{t('Source')}:** " + t("the partners' {label} files (dataset `{name}`; one row is {row})",
                                        label=t(ds.label).lower(), name=ds.name, row=t(ds.row)))

st.header(t("Windows, attainment and status"))
st.markdown(sections.get("Windows, attainment and status", ""))

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
