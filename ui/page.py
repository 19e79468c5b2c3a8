"""What every page does first: page set-up, the language and the global filters (kept in the URL), the demo label;
and how every chart is shown (figure, "data as of", coverage, the data behind it, CSV download)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from siree_metrics.charts import style
from siree_metrics.charts.style import COUNTRY_LABELS
from siree_metrics.downloads import frame_csv, frame_xlsx
from siree_metrics.ingest import audit
from siree_metrics.metrics.filters import Filters
from siree_metrics.reference import COUNTRIES, load_reference

from . import auth, data, figures, i18n, meeting, present, scope, url
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
    ("pages/8_History.py", "Status history", ":material/timeline:"),
)
STATE = "siree_filters"
VIEW = "siree_view"  # the current page's View, which show_chart names in titles and files
NOTICES = "siree_url_notices"  # (the filters the link asked for, what was done instead of what it asked)
IMAGE_FORMAT = "siree_image_format"  # "png" or "svg": what every chart's camera button downloads
IMAGE_FORMATS = ("png", "svg")
# The main area's keyed choices whose options are written in words of the reader's language (ui/upload.py,
# pages/6_Data.py, ui/corrections.py, ui/meeting.py): shown anew after a language switch (``_chose_language``).
TRANSLATED_CHOICES = ("data_dataset", "data_grid_dataset", "corrections_compare", "corrections_action",
                      "corrections_batch", "note_remove_id")
WIDGETS = ("country", "region", "partner", "period", "as_of", "image_format", "show")  # keys w_<name>, seeded from
# the shared filters (``_widget``) when a page opens and when the language changes


@dataclass(frozen=True)
class View:
    """The filters of the current page: what to show, from when to when, and as of which date."""

    filters: Filters
    start: dt.date
    end: dt.date
    as_of: dt.date
    as_of_chosen: bool = False  # set by the reader (sidebar or ``as_of`` in the URL), not the default rule
    lang: str = "en"  # the reader's language: pass it as ``locale`` to the style's formats and the charts

    def date(self, day: dt.date) -> str:
        """A day as the reader writes it ("31 Dec 2021" / "31 dec 2021" / "31 déc. 2021"): every date shown."""
        return style.date(day, self.lang)

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
        elif isinstance(value, int) and not isinstance(value, bool):  # snapshot, present, slide
            wanted[name] = str(value)
        elif isinstance(value, str) and value:  # show: a topic page's open tab
            wanted[name] = value
    if (lang := i18n.language()) != "en":  # English, the default, is left out of links
        wanted["lang"] = lang
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def asked_tab() -> str | None:
    """The topic page's tab the link or the reader asked for (``show``; None: the first tab)."""
    return st.session_state[STATE].get("show")


def keep_tab(name: str | None) -> None:
    """Remember a topic page's open tab in the session and the link (None: the first tab, left out of links)."""
    state = st.session_state[STATE]
    if name is None:
        state.pop("show", None)
    else:
        state["show"] = name
    _to_url(state)


def _widget(key: str, value: object) -> str:
    """Seed a widget's state from the shared filters (widget state is dropped when the page changes)."""
    widget_key = f"w_{key}"
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value
    return widget_key


def _chose_language() -> None:
    """The language switch's callback: runs before the script, so the whole rerun is in the new language."""
    st.session_state[i18n.SESSION_KEY] = st.session_state["w_lang"]
    # Every other widget's label changes with the language, which makes it a new widget that would start empty
    # on the next rerun (the filters were lost after a language switch): seed them anew from the shared filters,
    # as a page change does. A topic page's open tab is kept by name (``show``).
    for name in WIDGETS:
        st.session_state.pop(f"w_{name}", None)
    # A keyed choice whose label reads the same in both languages ("Dataset") stays the same widget, and the
    # browser would go on showing its choice in the old language: set it again, so it is shown in the new one.
    for key in TRANSLATED_CHOICES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _language_switch() -> None:
    """The sidebar's language switch: each language named in its own words, the label in all three."""
    st.sidebar.radio("Language · Taal · Langue", i18n.LANGUAGES, key=_widget("lang", i18n.language()),
                     horizontal=True, format_func=i18n.NAMES.__getitem__, on_change=_chose_language)


def _chose_image_format() -> None:
    st.session_state[IMAGE_FORMAT] = st.session_state["w_image_format"]


def _image_format_switch() -> None:
    """The sidebar's choice of what the charts' camera buttons download: PNG or SVG, both with the chart's title,
    scope, as-of date, source and DEMO DATA mark, named alike. One choice for every chart (a plotly modebar can
    hold only one download button without scripts of its own, which a Streamlit chart cannot carry)."""
    st.sidebar.radio(t("Chart downloads (camera button)"), IMAGE_FORMATS, horizontal=True, format_func=str.upper,
                     key=_widget("image_format", st.session_state.get(IMAGE_FORMAT, "png")),
                     on_change=_chose_image_format,
                     help=t("PNG is a picture; SVG is a drawing that stays sharp at any size and that slide and "
                            "drawing programs can edit."))


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
        format_func=lambda c: t(COUNTRY_LABELS[c]), placeholder=t("All"))
    countries = state["country"] or list(COUNTRIES)
    regions = [r for r in ref.regions.values() if r.country in countries]
    st.session_state["w_region"] = [r for r in st.session_state.get("w_region", state["region"])
                                    if r in {x.code for x in regions}]
    state["region"] = sb.multiselect(
        t("Region (NUTS-3)"), [r.code for r in regions], key=_widget("region", state["region"]),
        format_func=lambda c: f"{ref.regions[c].name} ({c})", placeholder=t("All"))
    partners = [p for p in ref.partners.values() if p.country in countries]
    st.session_state["w_partner"] = [p for p in st.session_state.get("w_partner", state["partner"])
                                     if p in {x.id for x in partners}]
    state["partner"] = sb.multiselect(
        t("Partner"), [p.id for p in partners], key=_widget("partner", state["partner"]),
        format_func=lambda p: ref.partners[p].name, placeholder=t("All"))
    earliest = prog.baseline_start
    first = state["from"] or earliest
    written = style.date_input_format(i18n.language())  # 31/12/2021: the reader's order of day, month, year
    period = sb.date_input(
        t("Period"), key=_widget("period", (first, state["to"] or max(latest, first))),
        min_value=prog.earliest_date, max_value=max(latest, prog.end), format=written)
    if isinstance(period, tuple) and len(period) == 2:
        state["from"] = period[0] if period[0] != earliest else None
        state["to"] = period[1] if period[1] != latest else None
    # a date after the project end may be asked for (a link): the summary caps it at the end and says so
    as_of = sb.date_input(t("As of"), key=_widget("as_of", state["as_of"] or latest),
                          min_value=prog.earliest_date, max_value=max(latest, prog.end, state["as_of"] or latest),
                          format=written, help=t("Default: the last month most partners' files have reached, "
                                                 "capped at the project end (see the Method page)."))
    state["as_of"] = as_of if as_of != latest else None


def page(title: str, icon: str = "📊", tabs: bool = False) -> View:
    """Set up a page: config, first-start demo database, the language and the shared filters, the demo label.
    ``tabs``: the page has tabs that ``show`` in its link may open (ui/topic.py); on another page ``show`` is
    dropped, and the page says so."""
    if i18n.SESSION_KEY not in st.session_state:  # a new session: the link's language, before the first word
        st.session_state[i18n.SESSION_KEY] = url.language(st.query_params.to_dict())
    st.set_page_config(page_title=f"SIREE · {t(title)}", page_icon=icon, layout="wide")
    st.markdown(  # less empty space above the title (a projector has few pixels to spare); the print stylesheet
        "<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}" + scope.stylesheet() + "</style>",
        unsafe_allow_html=True)
    data.ensure_database()
    latest = data.latest()
    if STATE not in st.session_state:  # a new session: the URL decides (deep links), once checked
        query = {name: st.query_params.get_all(name) for name in st.query_params}  # repeated ones too
        lang = url.language(query)  # first, so the notices about the link are in its language
        asked = url.parse(query, load_reference(), latest, functools.partial(t, lang=lang),
                          first_loaded=data.first_loaded(), snapshots=meeting.snapshots_by_id())
        st.session_state[i18n.SESSION_KEY] = asked.lang
        st.session_state[STATE] = asked.state()
        st.session_state[NOTICES] = (None, asked.notices)  # None: the filters as the sidebar first draws them
    state = st.session_state[STATE]
    if data.as_loaded_on() != state.get("as_loaded_on"):  # the link asked for the data as loaded on a past moment
        st.session_state[data.MOMENT] = state.get("as_loaded_on")
        latest = data.latest()
    if st.session_state.get("siree_page") != title:  # another page: its widgets start from the shared filters
        for name in (*WIDGETS, "lang"):
            st.session_state.pop(f"w_{name}", None)
        if "siree_page" in st.session_state:  # not the session's first page: the last page's tab is not this one's
            state.pop("show", None)
        st.session_state["siree_page"] = title
    _language_switch()  # first in the sidebar, outside the reset below (a widget is drawn once per run)
    try:
        _sidebar(state, latest)
    except StreamlitAPIException:  # a widget refused a remembered value: start this session's filters afresh
        for name in ("country", "region", "partner", "period", "as_of"):
            st.session_state.pop(f"w_{name}", None)
        state = st.session_state[STATE] = url.Asked(as_loaded_on=data.as_loaded_on()).state()
        st.session_state[NOTICES] = ({}, [])
        st.warning(t("The filters could not be kept and were reset."))
        _sidebar(state, latest)
    _image_format_switch()
    auth.login_box()  # below the filters: log in, log out, a login that has expired
    if st.session_state.get(NOTICES, ({}, []))[0] is None:  # the sidebar puts a date at its default to None
        st.session_state[NOTICES] = (dict(state), st.session_state[NOTICES][1])
    meeting.keep_snapshot(state, {"from": load_reference().programme.baseline_start, "to": latest, "as_of": latest})
    _to_url(state)
    prog = load_reference().programme
    view = View(
        Filters(tuple(state["country"]), tuple(state["region"]), tuple(state["partner"])),
        state["from"] or prog.baseline_start,
        state["to"] or latest,
        state["as_of"] or latest,
        as_of_chosen=state["as_of"] is not None,
        lang=i18n.language(),
    )
    st.session_state[VIEW] = view
    if state.get("present"):  # presentation mode: one indicator per screen, no sidebar (ui.present)
        present.show(view, state)
        st.stop()
    st.title(t(title))
    line = scope.scope_line(view.filters, view.start, view.until, view.as_of, load_reference(), t,
                            functools.partial(style.date, locale=view.lang))
    st.markdown(f"<div class='siree-scope'>{scope.html_line(line)}</div>", unsafe_allow_html=True)  # escaped
    if (note := scope.unchanged(title, t)) is not None:
        st.caption(note)
    meeting.banner()  # a reopened snapshot: which, and what changed since
    if (moment := data.as_loaded_on()) is not None and state.get("snapshot") is None:
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
    if not tabs and state.get("show") is not None:
        st.warning(t("show {value} in the link opens a tab of the Education or Entrepreneurship page; this page has "
                     "no tabs: ignored", value=url.shown(state["show"])))
        keep_tab(None)
    meeting.toolbar(view.filters, view.as_of, view.as_of_asked, state["from"], state["to"])  # present, pack, freeze
    return view


def _stamped(fig: go.Figure, name: str, as_of: dt.date) -> tuple[go.Figure, list[tuple[str, object]], Filters]:
    """``fig`` titled with what it shows (its title, the page's scope and period, as-of date, source, DEMO DATA
    mark), the same facts as (label, value) rows for a data file's About sheet, and the files' scope filters."""
    view: View | None = st.session_state.get(VIEW)
    ref = load_reference()
    date = functools.partial(style.date, locale=i18n.language())
    title = scope.chart_title(name, ref, t)
    moment = audit.moment_text(m) if (m := data.as_loaded_on()) is not None else None
    demo = data.is_demo() or data.is_mixed()
    lines = [scope.facts(as_of, False, moment, t, date)]
    about: list[tuple[str, object]] = [(t("Title"), title)]
    if view is not None:
        selection = scope.selection(view.filters, ref, t)
        lines.insert(0, scope.SEPARATOR.join([selection, scope.period(view.start, view.until, date)]))
        about += [(t("Scope"), selection), (t("Period from"), view.start), (t("Period to"), view.until)]
    about += [(t("Data as of"), as_of), (t("Source"), t(scope.SOURCE))]
    if moment:
        about.append((t("As loaded on"), moment))
    if demo:
        about.append((t("Demo data"), t(scope.DEMO_MARK)))
    return scope.stamp(fig, title, lines, demo), about, view.filters if view is not None else Filters()


def show_chart(fig: go.Figure, table: pd.DataFrame, name: str, as_of: dt.date, coverage: str | None = None,
               empty: str | None = None) -> None:
    """A chart with its "data as of" line, coverage, the data behind it, and CSV and XLSX downloads of exactly
    that. The chart is titled with what it shows (``scope.stamp``), so its PNG or SVG download (the chart's
    camera button, the format chosen in the sidebar, laid out at 1280 px whatever the screen) carries the
    title, scope, as-of date, source and the DEMO DATA mark; every file is named
    ``siree_<name>_<scope>_<as-of>.<ext>``. The chart has a stable key (``fig_<name>``): it keeps its identity
    across reruns (plotly still draws it anew when its scope, and so its file name in the config, changes), and
    it is sent without template defaults it does not use (``figures.slim``). The table and its downloads are
    sent only while "Data behind this chart" is open (``_data_behind``).

    With ``empty`` set (what is missing), shows that message instead of a blank chart or a misleading zero.
    """
    if empty:
        st.info(empty)
        return
    noted = meeting.notes(name, as_of) if name in {ind.id for ind in load_reference().indicators} else []
    fig, about, filters = _stamped(meeting.annotate(fig, noted), name, as_of)  # committee notes shaded, numbered
    stem = scope.file_name(name, filters, as_of, "png").removesuffix(".png")
    image = st.session_state.get(IMAGE_FORMAT, "png")
    with st.container(key=f"chart_{name}"):  # a class ("st-key-chart_…") the print stylesheet keeps whole
        st.plotly_chart(figures.slim(fig), width="stretch", theme=None, key=f"fig_{name}", config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": image, "filename": stem, "width": 1280,
                                     "height": int(fig.layout.height or 450), "scale": 2 if image == "png" else 1}})
    caption = t("Data as of {date}", date=style.date(as_of, i18n.language()))
    if (moment := data.as_loaded_on()) is not None:
        caption += " · " + t("as loaded on {moment}", moment=audit.moment_text(moment))
    if coverage:
        caption += " · " + coverage
    st.caption(caption)
    meeting.notes_under(noted)
    _data_behind(table, name, stem, about)


@st.fragment
def _data_behind(table: pd.DataFrame, name: str, stem: str, about: list[tuple[str, object]]) -> None:
    """The "Data behind this chart" expander (key ``data_<name>``): its table and the CSV and XLSX downloads
    are sent only while it is open (a closed one costs the browser nothing: no data grid to build, and no
    data-grid bundle to fetch on a fresh page); opening or closing it reruns only this fragment. A test that
    reads the table opens it first: ``at.session_state["data_<name>"] = True``."""
    with st.expander(t("Data behind this chart"), key=f"data_{name}", on_change="rerun") as box:
        if not box.open:
            return
        st.dataframe(table, hide_index=True, width="stretch")
        left, right = st.columns(2)
        left.download_button(t("Download CSV"), lambda: frame_csv(table, about),  # made on click; what it holds first
                             file_name=f"{stem}.csv", mime="text/csv", key=f"dl_{name}")
        right.download_button(t("Download Excel (XLSX)"), lambda: frame_xlsx(table, about),  # typed cells
                              file_name=f"{stem}.xlsx", key=f"dlx_{name}",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
