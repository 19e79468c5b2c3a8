"""SIREE impact dashboard — Overview: every target at a glance. Run: streamlit run dashboard.py

The other views are in pages/ (Streamlit's classic multipage mode, so a deep link to any page works as
the very first request). Every figure comes from siree_metrics; this file only reads filters and draws.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from siree_metrics.charts import style
from siree_metrics.charts.style import (
    BUDGET_STATUS_COLOURS,
    BUDGET_STATUS_TEXT_COLOURS,
    BUDGET_STATUS_WORDS,
    STATUS_COLOURS,
    STATUS_TEXT_COLOURS,
    STATUS_WORDS,
)
from siree_metrics.metrics import history, suppress
from siree_metrics.metrics.summary import IndicatorResult
from siree_metrics.reference import load_reference
from ui import data, story
from ui.figures import charts
from ui.i18n import t
from ui.page import page, show_chart

view = page("SIREE impact at a glance", "🎯")
summary = data.get_summary(view.as_of_asked, view.filters)  # None: the default rule, with its reason
ref = load_reference()
prog = ref.programme
lang = view.lang  # the reader's language: the catalogue's labels and the style's formats in its convention


def _label(r: IndicatorResult) -> str:
    """The indicator's name in the reader's language, from the catalogue."""
    return ref.indicator(r.id).label(lang)


def _shown(r: IndicatorResult, x: float | None) -> str:
    """A value or target of ``r`` in the same digits as its chart and the command line (see charts.style)."""
    return style.LEVEL_FORMATS[r.spec.format if r.spec else "number"](x, lang)


def _field(r: IndicatorResult, name: str, fmt: object) -> str:
    """A figure of ``r`` as text; ``<5`` where it is suppressed for this viewer (suppress.summary)."""
    return suppress.shown_field(r, name, summary, fmt)


def count(x: float | None) -> str:
    return style.count(x, lang)


def _value(r: IndicatorResult) -> str:
    return _field(r, "value", (lambda x: style.change(x, lang)) if r.kind == "relative" else lambda x: _shown(r, x))


def _target(r: IndicatorResult) -> str:
    if r.status == "empty_selection":
        return t("empty selection")
    if r.target is None:
        return t("no target for a region")
    text = style.target_change(r.target, lang) if r.kind == "relative" else _shown(r, r.target)
    return t("target {target}", target=text) + (" *" if r.target_illustrative else "")


def _detail(r: IndicatorResult) -> str:
    if r.status in ("baseline_missing", "no_data", "not_started", "too_early", "empty_selection"):
        return r.note  # already in the reader's language (the summary is computed in it)
    parts = []
    if r.incomplete:
        parts.append("⚠ " + t("window incomplete"))
    if r.attainment is not None:
        parts.append(t("{a} of target", a=style.percent(r.attainment, lang)))
    parts.append(t("pace: {e} expected by now", e=style.percent(r.expected, lang)))
    if r.kind == "relative":
        spec = ref.indicator(r.id).measure_spec  # as its measure declares: a share as a percentage

        def level(x: float) -> str:
            return style.LEVEL_FORMATS[spec.format](x, lang)
        parts.append(r.change_text() if r.change_text() else
                     t("baseline {b} → now {c}", b=_field(r, "baseline", lambda x: style.MISSING if x is None else level(x)),
                       c=_field(r, "current", lambda x: style.MISSING if x is None else level(x))))
        if r.coverage:
            parts.append(r.coverage.text())
        if r.alternative and r.alternative.change is not None:
            a = r.alternative
            parts.append(t("not the target: {label} {b} → {c}", label=t(a.label), b=style.rate(a.baseline, lang),
                           c=style.rate(a.current, lang)))
        parts.append(f"n = {_field(r, 'n_baseline', count)} / {_field(r, 'n', count)}")
    else:
        if r.forecast is not None and summary.as_of < prog.end:
            parts.append(t("forecast at end: {f}", f=_shown(r, r.forecast)))
        parts.append(f"n = {_field(r, 'n', count)}")
    return " · ".join(parts)


def card(r: IndicatorResult) -> str:
    colour = STATUS_COLOURS[r.status]
    return f"""
<div style="border:1px solid #ddd;border-left:8px solid {colour};border-radius:6px;padding:10px 14px;
            margin-bottom:12px;min-height:212px">
  <div style="font-size:1.0rem;color:#333;font-weight:600">{html.escape(_label(r))}</div>
  <div style="font-size:2.3rem;font-weight:700;line-height:1.15">{html.escape(_value(r))}</div>
  <div style="font-size:1rem;color:#444;margin-bottom:4px">{html.escape(_target(r))}</div>
  <div style="display:inline-block;background:{colour};color:{STATUS_TEXT_COLOURS[r.status]};border-radius:4px;padding:1px 8px;
              font-weight:600;font-size:0.95rem">{html.escape(t(STATUS_WORDS[r.status]))}</div>
  <div style="font-size:0.85rem;color:#444;margin-top:6px">{html.escape(_detail(r))}</div>
</div>"""


st.markdown(
    t("**{name}** · {start} to {end} · data as of **{as_of}** · time elapsed **{f}**",
      name=t("Interreg 2 Seas project SIREE"), start=view.date(prog.start), end=view.date(prog.end), as_of=view.date(summary.as_of),
      f=style.percent(summary.expected, lang)))
st.caption(t("Why this date: {reason}.", reason=summary.as_of_reason)
           + (" " + t("The project has ended: these are the final figures.") if summary.final else ""))
if summary.empty_selection:
    st.warning(t("This selection is empty: no partner matches all the filters together (for example a country "
                 "and a partner of another country)."))
if data.is_demo():  # the funder's guided story, on the demo data only (its sentences are about the demo)
    with st.expander(t("Five-minute tour for funders")):
        story.show(lang)

columns = st.columns(4)
for i, result in enumerate(summary.indicators):
    with columns[i % 4]:
        st.markdown(card(result), unsafe_allow_html=True)
if any(r.target_illustrative for r in summary.indicators):
    st.caption(t("* Illustrative target: the sum of the selected partners' shares, which are not published."))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("Attainment against expected pace"))
    table = pd.DataFrame([{
        "indicator": _label(r), "label": _label(r) + (" ⚠ " + t("incomplete") if r.incomplete else ""),
        "value": r.value, "target": r.target,
        "attainment": r.attainment, "expected": r.expected, "status": r.status, "n": r.n,
        "complete": None if r.coverage is None else r.coverage.complete,
        **({"value_shown": _value(r), "n_shown": _field(r, "n", count)} if summary.suppression else {}),
    } for r in summary.indicators])
    missing = table["attainment"].isna().all()
    # n is None where a viewer's figure rests on 1-4 rows (suppressed): it has rows
    with_rows = sum(r.status not in ("no_data", "empty_selection")
                    and (r.n is None or r.n > 0 or r.status == "baseline_missing")
                    for r in summary.indicators)
    incomplete = [_label(r) for r in summary.indicators if r.incomplete]
    show_chart(charts.attainment_vs_pace(table, t, lang), table.drop(columns="label"), "attainment", summary.as_of,
               coverage=t("{k} of {n} indicators have data for this selection", k=with_rows, n=len(table))
               + ("; " + t("window incomplete: {names}", names=", ".join(incomplete)) if incomplete else ""),
               empty=t("No indicator has data for this selection yet.") if missing else None)

with right:
    st.subheader(t("Budget"))
    b = summary.budget
    if b.status == "empty_selection":
        st.markdown(t("This selection is empty: no partner matches all the filters, so there is no budget and no "
                      "spending to show."))
    elif history.has_budget(b) and b.share_spent is not None:
        share = b.share_spent
        spent_of = t("spent of {total} ({share})", total=style.euros(b.total_eur, lang),
                   share=style.percent(share, lang))
        st.markdown(
            f"<div style='font-size:2.1rem;font-weight:700'>{style.euros(b.spent_eur, lang)}</div>"
            f"<div style='font-size:1rem'>{html.escape(spent_of)}"
            f"{' *' if b.illustrative else ''}</div>"
            f"<div style='display:inline-block;background:{BUDGET_STATUS_COLOURS[b.status]};"
            f"color:{BUDGET_STATUS_TEXT_COLOURS[b.status]};border-radius:4px;padding:1px 8px;margin:4px 0;"
            f"font-weight:600;font-size:0.95rem'>{html.escape(t(BUDGET_STATUS_WORDS[b.status]))}</div>",
            unsafe_allow_html=True)
        st.progress(min(1.0, share), text=t("Spent: {s} of budget", s=style.percent(share, lang)))
        st.progress(summary.expected, text=t("Time elapsed: {e} of the project", e=style.percent(summary.expected, lang)))
        st.markdown(t("Interreg/ERDF co-funding: **{erdf}** ({p} of the budget)", erdf=style.euros(b.erdf_eur, lang),
                      p=style.percent(history.erdf_share(b.total_eur, b.erdf_eur), lang)))
        if b.illustrative:
            st.caption(t("* Illustrative: per-partner budgets are not published; see the Method page."))
    else:
        st.markdown(t("Spent in this selection: **{s}** (a region has no budget of its own).",
                      s=style.euros(b.spent_eur, lang)))

    st.subheader(t("Context"))
    ctx = prog.context
    total = sum(ctx["first_time_applicants"].values())
    st.markdown(t(
        "In {year}, **{total}** people applied for asylum for the first time in Belgium, France, the "
        "Netherlands and the United Kingdom together (national totals, not only the 2 Seas area; EU-28: "
        "about {eu}).", year=ctx["year"], total=style.count(total, lang), eu=style.count(ctx["eu28_total"], lang)))
    st.caption(t("Source: {source}.", source=ctx["source"]) + " " + ", ".join(
        f"{c} {style.count(n, lang)}" for c, n in ctx["first_time_applicants"].items()))
