"""Presentation mode (``present=1`` in the link, or the Present button): for a projector, one screen at a time.

Slide 1 lists every target's status; then one slide per indicator, in catalogue order: its name, status,
the one-line takeaway written from the figures (``pack.content.takeaway``, as in the meeting pack), target and
pace (``pack.content.detail_lines``), its chart (the topic page's, so the same digits) with the committee's
notes, and at the foot the scope, the as-of date and the DEMO DATA mark. No sidebar, large type. Next and
previous: the buttons, or the arrow keys (→, ←, Page Down, Page Up; Esc leaves) through a few lines of
inline script, no external resource. The slide is kept in the link (``slide=N``) beside the scope and
language, so a link opens on the same screen.
"""

from __future__ import annotations

import functools
import html

import streamlit as st

from siree_metrics.charts import style
from siree_metrics.metrics import suppress
from siree_metrics.metrics.summary import IndicatorResult, Summary
from siree_metrics.pack.content import detail_lines, takeaway
from siree_metrics.reference import load_reference

from . import data, meeting, scope
from .i18n import t

# Large type for a projector, and no sidebar, header or "data behind this chart" (Streamlit's own test ids).
CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stExpander"], [data-testid="stToolbar"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.2rem 2.5rem 0.5rem !important; max-width: 100% !important; }
.siree-slide-title { font-size: 2.4rem; font-weight: 700; line-height: 1.15; margin: 0; }
.siree-takeaway { font-size: 2.0rem; font-weight: 700; line-height: 1.25; margin: 0.6rem 0; }
.siree-line { font-size: 1.3rem; line-height: 1.4; margin: 0.3rem 0; }
.siree-note { font-size: 1.2rem; line-height: 1.35; margin: 0.3rem 0; padding: 0.3rem 0.6rem;
              border-left: 5px solid #888; background: #f4f4f4; }
.siree-status { display: inline-block; border-radius: 6px; padding: 0.15rem 0.8rem; font-size: 1.4rem;
                font-weight: 700; }
.siree-foot { font-size: 1.05rem; color: #444; margin: 0 0 0.6rem; }
.siree-demo { background: #B00020; color: #fff; font-weight: 700; padding: 0.1rem 0.5rem; }
table.siree-overview { font-size: 1.35rem; border-collapse: collapse; width: 100%; }
table.siree-overview td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #ddd; }
[data-testid="stBaseButton-secondary"] p { font-size: 1.1rem; }
"""

# Arrow keys click the Previous / Next / Leave buttons of the page that holds this (same-origin) frame; the
# handler replaces the one a previous slide installed, so a key never acts twice.
KEYS = """<script>
const doc = window.parent.document;
const press = (key) => { const b = doc.querySelector(".st-key-" + key + " button"); if (b) { b.click(); } };
const handler = (e) => {
  const tag = (e.target && e.target.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag)) { return; }
  if (["ArrowRight", "PageDown"].includes(e.key)) { press("present_next"); e.preventDefault(); }
  else if (["ArrowLeft", "PageUp"].includes(e.key)) { press("present_prev"); e.preventDefault(); }
  else if (e.key === "Escape") { press("present_exit"); }
};
if (window.parent.sireeKeys) { doc.removeEventListener("keydown", window.parent.sireeKeys); }
window.parent.sireeKeys = handler;
doc.addEventListener("keydown", handler);
</script>"""


def slide_count(summary: Summary) -> int:
    """The overview, then one slide per indicator."""
    return 1 + len(summary.indicators)


def _go(state: dict, slide: int) -> None:
    state["slide"] = slide


def _leave(state: dict) -> None:
    state.pop("present", None)
    state.pop("slide", None)


def _status(r: IndicatorResult) -> str:
    colour = style.STATUS_COLOURS[r.status]
    return (f"<span class='siree-status' style='background:{colour};color:{style.STATUS_TEXT_COLOURS[r.status]}'>"
            f"{html.escape(t(style.STATUS_WORDS[r.status]))}</span>")


def _overview(summary: Summary, mark: str | None, lang: str) -> None:
    ref = load_reference()
    rows = "".join(f"<tr><td>{html.escape(ref.indicator(r.id).label(lang))}</td>"
                   f"<td>{html.escape(takeaway(r, mark).rsplit(': ', 1)[0])}</td><td>{_status(r)}</td></tr>"
                   for r in summary.indicators)
    st.markdown(f"<table class='siree-overview'>{rows}</table>", unsafe_allow_html=True)


def _indicator(view, summary: Summary, r: IndicatorResult, mark: str | None) -> None:  # noqa: ANN001 (page.View)
    from .topic import Topic, chart_for

    ref = load_reference()
    ind = ref.indicator(r.id)
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.markdown(_status(r), unsafe_allow_html=True)
        st.markdown(f"<div class='siree-takeaway'>{html.escape(takeaway(r, mark))}</div>", unsafe_allow_html=True)
        for line in detail_lines(r, summary)[:3]:  # target, pace, forecast or change: coverage is on the page
            st.markdown(f"<div class='siree-line'>{html.escape(line)}</div>", unsafe_allow_html=True)
        meeting.notes_under(meeting.notes(r.id, view.as_of), large=True)  # numbered as on the chart
    with right:
        chart_for(ind)(Topic(view, ind.page or ""), ind)  # the topic page's chart, with its notes under it


def show(view, state: dict) -> None:  # noqa: ANN001 (page.View: ui.page imports this module)
    """Draw the slide ``state["slide"]`` (from 1; past the last, the last) of this view, with the buttons and
    keys that move between slides."""
    st.markdown(f"<style>{CSS}</style>", unsafe_allow_html=True)
    summary = data.get_summary(view.as_of_asked, view.filters)
    mark = suppress.mark(summary)
    last = slide_count(summary)
    slide = min(max(int(state.get("slide") or 1), 1), last)
    state["slide"] = slide
    ref = load_reference()
    title = t("Where every target stands") if slide == 1 else ref.indicator(summary.indicators[slide - 2].id).label(
        view.lang)
    # the title and the buttons first: always on screen, whatever the slide's height
    head, prev, where, nxt, leave = st.columns([5.4, 1.2, 0.6, 1.2, 1.8], vertical_alignment="center")
    head.markdown(f"<div class='siree-slide-title'>{html.escape(title)}</div>", unsafe_allow_html=True)
    prev.button(t("← Previous"), key="present_prev", on_click=_go, args=(state, slide - 1), disabled=slide == 1,
                width="stretch")
    where.markdown(f"<div class='siree-line' style='text-align:center'>{slide} / {last}</div>",
                   unsafe_allow_html=True)
    nxt.button(t("Next →"), key="present_next", on_click=_go, args=(state, slide + 1), disabled=slide == last,
               width="stretch")
    leave.button(t("Leave presentation"), key="present_exit", on_click=_leave, args=(state,), width="stretch")
    line = scope.scope_line(view.filters, view.start, view.until, view.as_of, ref, t,
                            functools.partial(style.date, locale=view.lang))
    demo = f" · <span class='siree-demo'>{html.escape(t('DEMO DATA'))}</span>" if data.is_demo() else ""
    snap = meeting.current_snapshot()
    frozen = " · " + html.escape(t("snapshot {label}", label=snap.label)) if snap is not None else ""
    st.markdown(f"<div class='siree-foot'>{scope.html_line(line)}{frozen}{demo}</div>", unsafe_allow_html=True)
    if slide == 1:
        _overview(summary, mark, view.lang)
    else:
        _indicator(view, summary, summary.indicators[slide - 2], mark)
    st.iframe(KEYS, height=1)  # a frame of its own: st.markdown runs no script
