"""Budget: spending against the (illustrative) partner budgets, by partner and cost category, and its pace."""

from __future__ import annotations

from functools import partial

import streamlit as st

from siree_metrics.charts import style
from siree_metrics.charts.style import BUDGET_STATUS_WORDS
from siree_metrics.metrics import history
from siree_metrics.reference import load_reference
from ui import data
from ui.figures import budget_charts
from ui.i18n import t
from ui.page import page, show_chart

view = page("Budget", "💶")
# the style's formats in the reader's convention (EUR 1,234 / € 1.234 / 1 234 €)
euros, euros_exact = partial(style.euros, locale=view.lang), partial(style.euros_exact, locale=view.lang)
euros_short, percent = partial(style.euros_short, locale=view.lang), partial(style.percent, locale=view.lang)
summary = data.get_summary(view.as_of, view.filters)
prog = load_reference().programme
budget = summary.budget
monthly = data.frame(history.budget_by_month, view.as_of, view.filters)
partners = data.frame(history.budget_by_partner, view.as_of, view.filters)
categories = data.frame(history.budget_by_category, view.as_of, view.filters)

own = history.has_budget(budget)
pace = budget.status if own else None  # the budget status colours the spend line
star = " *" if budget.illustrative else ""
paying, listed = history.paying_partners(partners)
coverage = t("{k} of {n} partners have payments up to this date", k=paying, n=listed)
nothing = t("No expenditure has been loaded for this selection up to {date}. Partners send it as the "
            "expenditure dataset (see the Data page).", date=view.date(view.as_of)) if monthly.empty else None

st.markdown(t("{start} to {end} · data as of **{as_of}** · time elapsed **{f}**",
              start=view.date(prog.start), end=view.date(prog.end), as_of=view.date(view.as_of), f=percent(summary.expected)))
if budget.status == "empty_selection":
    st.info(t("This selection is empty: no partner matches all the filters chosen (for example a country and a "
              "partner of another country), so there is no budget and no spending to show. Change the filters "
              "in the sidebar."))
    st.stop()
cols = st.columns(4 if own else [1, 3])
cols[0].metric(t("Spent"), euros_short(budget.spent_eur),
               help=t("Payments dated on or before the as-of date: {exact}", exact=euros_exact(budget.spent_eur)))
if own:
    cols[1].metric(t("Budget") + star, euros_short(budget.total_eur), help=euros_exact(budget.total_eur))
    cols[2].metric(t("Share of budget spent"), percent(budget.share_spent), t(BUDGET_STATUS_WORDS[budget.status]),
                   delta_color="off", delta_arrow="off",
                   help=t("Spending against the plan and the time elapsed ({e}): at an even pace {plan} would "
                          "be spent by now. Under-spending is the risk (funds not claimed in time are lost); "
                          "spending more than the budget is flagged. See the Method page.",
                          e=percent(summary.expected), plan=euros_exact(budget.planned_eur)))
    cols[3].metric(t("Interreg/ERDF co-funding") + star, euros_short(budget.erdf_eur),
                   t("{p} of the budget", p=percent(history.erdf_share(budget.total_eur, budget.erdf_eur))),
                   delta_color="off", delta_arrow="off",
                   help=t("{erdf}; ERDF part of the spending so far: {spent}", erdf=euros_exact(budget.erdf_eur),
                          spent=euros_exact(history.erdf_spent(budget))))
else:
    cols[1].info(t("A region has no budget of its own: budgets belong to partners. Choose a country or a "
                   "partner to compare spending with a budget."))

st.subheader(t("Pace of spending"))
show_chart(budget_charts.pace_of_spend(monthly, pace, view.start, view.end, prog.start, prog.end, t,
                                        view.lang), monthly, "spend_by_month",
           view.as_of, coverage=coverage, empty=nothing)

st.subheader(t("Spending by partner") + (t(" (share of its budget *)") if own else ""))
show_chart(budget_charts.spend_by_partner(partners, summary.expected, t, view.lang), partners, "spend_by_partner",
           view.as_of, coverage=coverage, empty=nothing)

st.subheader(t("Spending by cost category"))
show_chart(budget_charts.spend_by_category(categories, t, view.lang), categories, "spend_by_category", view.as_of,
           coverage=coverage, empty=nothing)

st.caption(t("* Illustrative: per-partner budgets (and so the budget and ERDF part of any country or partner) "
             "are not published; the figures in data/reference/partners.csv add up to the programme's "
             "{total}, of which ERDF {erdf} ({p}). See the Method page.", total=euros(prog.budget_eur),
             erdf=euros(prog.erdf_eur), p=percent(history.erdf_share(prog.budget_eur, prog.erdf_eur))))
