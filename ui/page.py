"""What every page does first: page set-up, the global filters (kept in the URL), the demo label;
and how every chart is shown (figure, "data as of", coverage, the data behind it, CSV download)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from siree_metrics.charts.style import COUNTRY_LABELS
from siree_metrics.downloads import frame_csv
from siree_metrics.ingest import audit
from siree_metrics.metrics.filters import Filters
from siree_metrics.reference import COUNTRIES, load_reference

from . import auth, data, url
from .i18n import t

PARAMS = url.PARAMS
PAGES = (  # (script, link text, icon): the sidebar's links, in order
    ("dashboard.py", "Overview", ":material/dashboard:"),
    ("pages/2_Education.py", "Education", ":material/school:"),
    ("pages/3_Entrepreneurship.py", "Entrepreneurship", ":material/storefront:"),
    ("pages/4_Countries_and_regions.py", "Countries and regions", ":material/public:"),
    ("pages/5_Budget.py", "Budget", ":material/euro:"),
    ("pages/6_Data.py", "Data", ":material/upload_file:"),
    ("pages/7_Method.py", "Method", ":material/menu_book:"),
)
STATE = "siree_filters"
NOTICES = "siree_url_notices"  # (the filters the link asked for, what was done instead of what it asked)


@dataclass(frozen=True)
class View:
    """The filters of the current page: what to show, from when to when, and as of which date."""

    filters: Filters
    start: dt.date
    end: dt.date
    as_of: dt.date
    as_of_chosen: bool = False  # set by the reader (sidebar or ``as_of`` in the URL), not the default rule

    @property
    def as_of_asked(self) -> dt.date | None:
        """The as-of date to pass to the summary: None for the default, so the summary states its rule."""
        return self.as_of if self.as_of_chosen else None

    @property
    def countries(self) -> tuple[str, ...]:
        return self.filters.countries or COUNTRIES

    @property
    def until(self) -> dt.date:
        """The last day shown: the period's end, or the as-of date if earlier."""
        return min(self.end, self.as_of)

    @property
    def period(self) -> tuple[Filters, dt.date, dt.date, dt.date]:
        """The arguments every series query takes after the connection: filters, start, end, as-of."""
        return self.filters, self.start, self.end, self.as_of


def _to_url(state: dict) -> None:
    wanted = {}
    for name in PARAMS:
        value = state.get(name)
        if isinstance(value, list) and value:
            wanted[name] = ",".join(value)
        elif isinstance(value, dt.date):
            wanted[name] = value.isoformat()
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _widget(key: str, value: object) -> str:
    """Seed a widget's state from the shared filters (widget state is dropped when the page changes)."""
    widget_key = f"w_{key}"
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value
    return widget_key


def _sidebar(state: dict, latest: dt.date) -> None:
    ref = load_reference()
    prog = ref.programme
    sb = st.sidebar
    for script, label, icon in PAGES:
        sb.page_link(script, label=t(label), icon=icon)
    sb.divider()
    sb.markdown(f"### {t('Filters')}")
    state["country"] = sb.multiselect(
        t("Country"), list(COUNTRIES), key=_widget("country", state["country"]),
        format_func=lambda c: t(COUNTRY_LABELS[c]))
    countries = state["country"] or list(COUNTRIES)
    regions = [r for r in ref.regions.values() if r.country in countries]
    st.session_state["w_region"] = [r for r in st.session_state.get("w_region", state["region"])
                                    if r in {x.code for x in regions}]
    state["region"] = sb.multiselect(
        t("Region (NUTS-3)"), [r.code for r in regions], key=_widget("region", state["region"]),
        format_func=lambda c: f"{ref.regions[c].name} ({c})")
    partners = [p for p in ref.partners.values() if p.country in countries]
    st.session_state["w_partner"] = [p for p in st.session_state.get("w_partner", state["partner"])
                                     if p in {x.id for x in partners}]
    state["partner"] = sb.multiselect(
        t("Partner"), [p.id for p in partners], key=_widget("partner", state["partner"]),
        format_func=lambda p: ref.partners[p].name)
    earliest = prog.baseline_start
    first = state["from"] or earliest
    period = sb.date_input(
        t("Period"), key=_widget("period", (first, state["to"] or max(latest, first))),
        min_value=prog.earliest_date, max_value=max(latest, prog.end), format="YYYY-MM-DD")
    if isinstance(period, tuple) and len(period) == 2:
        state["from"] = period[0] if period[0] != earliest else None
        state["to"] = period[1] if period[1] != latest else None
    # a date after the project end may be asked for (a link): the summary caps it at the end and says so
    as_of = sb.date_input(t("As of"), key=_widget("as_of", state["as_of"] or latest),
                          min_value=prog.earliest_date, max_value=max(latest, prog.end, state["as_of"] or latest),
                          format="YYYY-MM-DD", help=t("Default: the last month most partners' files have reached, "
                                                      "capped at the project end (see the Method page)."))
    state["as_of"] = as_of if as_of != latest else None


def page(title: str, icon: str = "📊") -> View:
    """Set up a page: config, first-start demo database, the shared filters, the demo label."""
    st.set_page_config(page_title=f"SIREE · {t(title)}", page_icon=icon, layout="wide")
    st.markdown(  # less empty space above the title: a projector has few pixels to spare
        "<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>", unsafe_allow_html=True)
    data.ensure_database()
    latest = data.latest()
    if STATE not in st.session_state:  # a new session: the URL decides (deep links), once checked
        asked = url.parse(st.query_params.to_dict(), load_reference(), latest, t, first_loaded=data.first_loaded())
        st.session_state[STATE] = asked.state()
        st.session_state[NOTICES] = (dict(asked.state()), asked.notices)
    state = st.session_state[STATE]
    if data.as_loaded_on() != state.get("as_loaded_on"):  # the link asked for the data as loaded on a past moment
        st.session_state[data.MOMENT] = state.get("as_loaded_on")
        latest = data.latest()
    if st.session_state.get("siree_page") != title:  # another page: its widgets start from the shared filters
        for name in ("country", "region", "partner", "period", "as_of"):
            st.session_state.pop(f"w_{name}", None)
        st.session_state["siree_page"] = title
    try:
        _sidebar(state, latest)
    except StreamlitAPIException:  # a widget refused a remembered value: start this session's filters afresh
        for name in ("country", "region", "partner", "period", "as_of"):
            st.session_state.pop(f"w_{name}", None)
        state = st.session_state[STATE] = url.Asked(as_loaded_on=data.as_loaded_on()).state()
        st.session_state[NOTICES] = ({}, [])
        st.warning(t("The filters could not be kept and were reset."))
        _sidebar(state, latest)
    auth.login_box()  # below the filters: log in, log out, a login that has expired
    _to_url(state)
    prog = load_reference().programme
    view = View(
        Filters(tuple(state["country"]), tuple(state["region"]), tuple(state["partner"])),
        state["from"] or prog.baseline_start,
        state["to"] or latest,
        state["as_of"] or latest,
        as_of_chosen=state["as_of"] is not None,
    )
    st.title(t(title))
    if (moment := data.as_loaded_on()) is not None:
        st.info(t("Data as loaded on {moment}: files loaded later, and retractions and restorations made later, are "
                  "left out, so the figures are those shown then. Remove as_loaded_on from the link to see the data "
                  "as they are now.", moment=audit.moment_text(moment)))
    asked, notices = st.session_state.get(NOTICES, ({}, []))
    if notices and asked == state:  # said while the reader still looks at what the link asked for
        st.warning(t("The link asked for something this page cannot show:") + "\n\n"
                   + "\n".join(f"- {n}" for n in notices))
    if data.is_demo():
        st.warning(t("DEMO DATA — fictional figures that tell a plausible story; not SIREE's real results."))
    elif data.is_mixed():
        st.warning(t("This database holds the demo's fictional files beside partners' files: its figures mix "
                     "both. Load partners' files into a database of their own (see the Data page)."))
    return view


def show_chart(fig: go.Figure, table: pd.DataFrame, name: str, as_of: dt.date, coverage: str | None = None,
               empty: str | None = None) -> None:
    """A chart with its "data as of" line, coverage, the data behind it, and a CSV download of exactly that.

    With ``empty`` set (what is missing), shows that message instead of a blank chart or a misleading zero.
    """
    if empty:
        st.info(empty)
        return
    st.plotly_chart(fig, width="stretch", theme=None, config={"displaylogo": False})
    caption = t("Data as of {date}", date=as_of.isoformat())
    if (moment := data.as_loaded_on()) is not None:
        caption += " · " + t("as loaded on {moment}", moment=audit.moment_text(moment))
    if coverage:
        caption += " · " + coverage
    st.caption(caption)
    with st.expander(t("Data behind this chart")):
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button(t("Download CSV"), lambda: frame_csv(table),  # made on click; formulas neutralised
                           file_name=f"siree_{name}_{as_of.isoformat()}.csv", mime="text/csv", key=f"dl_{name}")
