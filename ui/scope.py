"""What a view shows, in words: the scope line under every page title, what the filters do not change, a
chart's title and the lines its image carries, and the name of every downloaded file.

Pure functions (no Streamlit), so the tests check the very strings a reader sees. Dates are written by
``english_date`` ("1 Jan 2019") until the style module gives a locale-aware one: every function takes the
date writer as an argument, so the swap is one line in ``ui/page.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from siree_metrics.charts.style import COUNTRY_LABELS, INK, MUTED_INK, english, html_text
from siree_metrics.i18n import t
from siree_metrics.ingest.contract import load_contract
from siree_metrics.metrics.filters import Filters
from siree_metrics.reference import Reference

if TYPE_CHECKING:
    import plotly.graph_objects as go

Text = Callable[..., str]
DateText = Callable[[dt.date], str]
SEPARATOR = " · "
SOURCE = "Source: SIREE partners' files"
DEMO_MARK = "DEMO DATA (fictional figures)"
DEMO_INK = "#882255"

# What the filters do not change, per page (the page's title as ``ui.page.page`` receives it).
UNCHANGED = {
    "SIREE impact at a glance": "The period does not change these figures: every value, target and status is as of "
                                "the as-of date, and counts are cumulative from the project start.",
    "Education": "The period sets the charts' time span only: counts are cumulative to the as-of date whatever the "
                 "period, and the figures above each chart are as of the as-of date.",
    "Entrepreneurship": "The period sets the charts' time span only: counts are cumulative to the as-of date "
                        "whatever the period, and the figures above each chart are as of the as-of date.",
    "Countries and regions": "The table of targets is as of the as-of date whatever the period; the map counts "
                             "what was reported within the period.",
    "Budget": "Spending is cumulative from the project start to the as-of date whatever the period; budgets "
              "belong to partners, so a region filter shows spending without a budget.",
    "Method": "The filters do not change this page.",
}
# Chart titles for the charts that are not an indicator (an indicator's chart takes its label).
CHART_TITLES = {
    "attainment": "Attainment against expected pace",
    "attendance_rate": "Attendance rate",
    "learning_communities_by_setting": "Learning communities by setting",
    "attainment_by_country": "Every target by country",
    "activity_by_region": "Activity by region",
    "regions_ranked": "Regions with activity, by records reported",
    "spend_by_month": "Pace of spending",
    "spend_by_partner": "Spending by partner",
    "spend_by_category": "Spending by cost category",
    "entrepreneurs_by_sector": "Sectors of the new businesses",
    "submissions_all": "All datasets: quarters sent so far",
}


@functools.cache
def stylesheet() -> str:
    """The page's own CSS (ui/print.css): the scope line, and what Ctrl+P prints."""
    return (Path(__file__).parent / "print.css").read_text(encoding="utf-8")


def english_date(day: dt.date) -> str:
    """A date as an English reader writes it: 2019-01-01 -> "1 Jan 2019"."""
    return f"{day.day} {day:%b %Y}"


def selection(filters: Filters, ref: Reference, text: Text = english) -> str:
    """The filters in words, country, region, partner in that order: "Arr. Mechelen (BE212) · partner City of
    Mechelen", "Belgium (Flanders), Netherlands", or "Whole programme" with no filter. An unknown code (an old
    link) is written as it is."""
    parts = []
    if filters.countries:
        parts.append(", ".join(text(COUNTRY_LABELS.get(c, c)) for c in filters.countries))
    if filters.regions:
        parts.append(", ".join(f"{ref.regions[r].name} ({r})" if r in ref.regions else r for r in filters.regions))
    if filters.partners:
        names = ", ".join(ref.partners[p].name if p in ref.partners else p for p in filters.partners)
        parts.append(text("partners {names}" if len(filters.partners) > 1 else "partner {names}", names=names))
    return SEPARATOR.join(parts) or text("Whole programme")


def period(start: dt.date, end: dt.date, date: DateText = english_date) -> str:
    """The period shown: "1 Jan 2019 – 31 Dec 2020" (one day: that day)."""
    return date(start) if start == end else f"{date(start)} – {date(end)}"


def scope_line(filters: Filters, start: dt.date, end: dt.date, as_of: dt.date, ref: Reference,
               text: Text = english, date: DateText = english_date) -> str:
    """The scope under a page title: "Arr. Mechelen (BE212) · partner City of Mechelen · 1 Jan 2019 – 31 Dec 2020
    · as of 30 Jun 2021". ``end`` is the period's last day as the charts draw it (the earlier of the period's
    end and the as-of date). Plain text: write it with ``st.text``/``st.caption`` or ``html_line``."""
    return SEPARATOR.join([selection(filters, ref, text), period(start, end, date),
                           text("as of {date}", date=date(as_of))])


def html_line(line: str) -> str:
    """``line`` escaped for an HTML block (names and codes come from reference files and links)."""
    return html.escape(line, quote=True)


def unchanged(page_title: str, text: Text = english) -> str | None:
    """What the filters do not change on the page titled ``page_title``, or None where nothing needs saying."""
    note = UNCHANGED.get(page_title)
    return text(note) if note else None


def chart_title(name: str, ref: Reference, text: Text = english) -> str:
    """A chart's title from its download name: an indicator's label, a known chart's title, else the name in
    words ("spend_by_month" -> "Pace of spending", "children_in_school" -> "Children in school")."""
    known = {ind.id: ind.label() for ind in ref.indicators}
    if name in known:
        return text(known[name])
    if name in CHART_TITLES:
        return text(CHART_TITLES[name])
    family, _, of = name.partition("_of_")  # a chart of one indicator or dataset: "status_history_of_<id>"
    if family == "status_history" and of in known:
        return text("Status history: {indicator}", indicator=text(known[of]))
    if family == "submissions" and of in load_contract():
        return text("Quarters sent: {dataset}", dataset=text(load_contract()[of].label))
    return name.replace("_", " ").capitalize()


def wrap(line: str, width: int) -> list[str]:
    """``line`` broken at spaces into lines of at most ``width`` characters (a longer word stays whole)."""
    return textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""]


def file_name(name: str, filters: Filters, as_of: dt.date, extension: str) -> str:
    """The name of a downloaded file: "siree_children_in_school_BE212_2021-06-30.png"; the scope is the filter
    codes joined by "-" (as the meeting pack names its files) or "programme". Only letters, digits, "_", "-"
    and "." survive, so a name is safe on every system."""
    codes = "-".join([*filters.countries, *filters.regions, *filters.partners])
    scope = re.sub(r"[^A-Za-z0-9-]", "", codes) or "programme"
    stem = re.sub(r"[^A-Za-z0-9_-]", "", name) or "chart"
    return f"siree_{stem}_{scope}_{as_of.isoformat()}.{extension}"


def facts(as_of: dt.date, demo: bool, moment: str | None = None, text: Text = english,
          date: DateText = english_date) -> str:
    """What a chart's image and a data file carry beside the scope: "Data as of 30 Jun 2021 · Source: … · DEMO
    DATA (fictional figures)"; ``moment`` (the data as loaded on a past moment) adds "as loaded on …"."""
    parts = [text("Data as of {date}", date=date(as_of))]
    if moment:
        parts.append(text("as loaded on {moment}", moment=moment))
    parts.append(text(SOURCE))
    if demo:
        parts.append(text(DEMO_MARK))
    return SEPARATOR.join(parts)


TITLE_SIZE, LINE_SIZE = 17, 13
TITLE_HEIGHT, LINE_HEIGHT, WRAP = 26, 18, 55  # pixels; characters of a 13 px line that fit a 390 px phone
TITLE_WRAP = 38  # characters of the 17 px bold title that fit a 390 px phone


def stamp(fig: go.Figure, title: str, lines: list[str], demo: bool = False) -> go.Figure:
    """Write ``title`` (bold) and ``lines`` (the scope, the facts; both wrapped to fit a phone) at the top of
    ``fig``, so the page and a downloaded image say what the chart shows. The figure grows by the block's
    height and everything under it keeps its place (the top margin and a legend placed on the figure's
    frame move down). The words are escaped: plotly renders HTML in titles. ``demo`` adds the DEMO DATA mark
    as a last line of its own, bold, in the wine colour of a warning. Changes and returns ``fig``."""
    heading = wrap(title, TITLE_WRAP)
    wrapped = [piece for line in lines for piece in wrap(line, WRAP)]
    if demo:
        wrapped.append(t(DEMO_MARK))  # in the reader's language, as the facts above it
    block = 8 + TITLE_HEIGHT * len(heading) + LINE_HEIGHT * len(wrapped)
    height = int(fig.layout.height or 450)
    new_height = height + block
    legend = fig.layout.legend
    if legend.orientation == "h":  # a legend above the plot hangs under the block: wrapped on a phone, it
        # grows down and plotly makes room for it (a legend on the figure's frame widens the margin)
        legend.update(yref="container", yanchor="top", y=1 - (block + 4) / new_height)
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 30
    small = [f"<span style='font-size:{LINE_SIZE}px;color:{MUTED_INK}'>{html_text(w)}</span>" for w in wrapped]
    if demo:
        small[-1] = small[-1].replace(f"color:{MUTED_INK}'>", f"color:{DEMO_INK};font-weight:bold'>")
    fig.update_layout(
        height=new_height, margin_t=top + block,
        title=dict(text="<br>".join([*(f"<b>{html_text(h)}</b>" for h in heading), *small]), x=0, xref="container",
                   xanchor="left",
                   pad=dict(l=10),
                   # plotly anchors a title of several lines by its first line (the others hang below it),
                   # and "top" pushes that line off the figure: the first line's foot sits 6 + 22 px down
                   y=1 - (6 + TITLE_HEIGHT - 4) / new_height, yref="container", yanchor="bottom",
                   font=dict(size=TITLE_SIZE, color=INK)))
    return fig
