"""Meetings on every page: the toolbar under the title (present, meeting pack, freeze for meeting, add a note),
the banner of a reopened snapshot, committee notes on and under an indicator's chart, and the status history.

The work is done by siree_metrics.meetings and siree_metrics.pack; this module reads the session (filters,
role, the moment the data are shown as loaded on) and draws. Every text a person typed (a meeting's name, a
note, a file name, an account name) is shown as plain text (``auth.plain``) or escaped for a chart.
"""

from __future__ import annotations

import datetime as dt
import html
import tempfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from siree_metrics import meetings
from siree_metrics.charts import style
from siree_metrics.ingest import audit, store
from siree_metrics.metrics import timeline
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.suppress import Policy
from siree_metrics.pack.content import scope_slug
from siree_metrics.reference import Reference, load_reference

from . import auth, data, i18n
from .i18n import t
from .scope import selection

NOTE_FILL = "rgba(120, 120, 120, 0.12)"  # the shaded months a note is about: grey, never a status colour


def lang() -> str:
    """The session's language (``lang=en|nl|fr`` in the link, or the sidebar's switch)."""
    return i18n.language()


def may_write() -> bool:
    """Admins and partners may freeze a snapshot and write a note; a viewer may only open them."""
    return auth.current_user().role in ("admin", "partner")


# -- reading (the database as it is now, whatever moment this session shows) ------------------------------------

@st.cache_data(**data.CACHE)
def _snapshots(version: tuple[int, int]) -> dict[int, meetings.Snapshot]:
    with data._reader.cursor(data.db_path()) as con:  # as it is: a snapshot made later is still known
        return {s.id: s for s in meetings.snapshots(con)}


def snapshots_by_id() -> dict[int, meetings.Snapshot]:
    """Every snapshot by id (for ui.url's check of ``snapshot=<id>``)."""
    return _snapshots(store.data_version(data.db_path()))


@st.cache_data(**data.CACHE)
def _changes(snapshot_id: int, version: tuple[int, int]) -> list[meetings.Change]:
    snap = _snapshots(version).get(snapshot_id)
    if snap is None:
        return []
    with data._reader.cursor(data.db_path()) as con:  # as it is now: what came after the snapshot
        return meetings.changes_since(con, snap)


@st.cache_data(**data.CACHE)
def _notes(indicator: str | None, until: dt.date | None, version: tuple[int, int]) -> list[meetings.Note]:
    with data._reader.cursor(data.db_path()) as con:
        return meetings.notes(con, indicator, until)


def notes(indicator: str | None, until: dt.date | None = None) -> list[meetings.Note]:
    """The committee notes of ``indicator`` (None: all) whose period starts by ``until``."""
    return _notes(indicator, until, store.data_version(data.db_path()))


@st.cache_data(**data.CACHE)
def _history(as_of: dt.date, filters: Filters, policy: Policy | None, version: tuple) -> pd.DataFrame:
    with data.reading() as con:
        return timeline.quarterly(con, as_of, filters, policy)


def status_history(as_of: dt.date, filters: Filters) -> pd.DataFrame:
    """Each indicator's attainment and status at every quarter end, as this session may see it."""
    return _history(as_of, filters, data.policy(filters), data.version())


def current_snapshot() -> meetings.Snapshot | None:
    """The snapshot this session shows (``snapshot=<id>``), if any."""
    from .page import STATE

    chosen = st.session_state.get(STATE, {}).get("snapshot")
    return None if chosen is None else snapshots_by_id().get(chosen)


# -- notes on a chart ----------------------------------------------------------------------------------------

def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _date_axis(fig: go.Figure) -> bool:
    """Whether the figure's x axis holds dates (a monthly or cumulative chart), not categories."""
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is not None and len(xs):
            first = xs[0]
            if isinstance(first, int | float):
                return False
            try:
                return not pd.isna(pd.Timestamp(first))
            except (ValueError, TypeError):
                return False
    return False


PRESENT_HEIGHT = 430  # px: a chart, its title and the slide's foot within a 1280x720 screen


def annotate(fig: go.Figure, found: list[meetings.Note]) -> go.Figure:
    """``fig`` with each note's months shaded and numbered ("note 1") on a date axis (every panel of a chart
    with several), as a copy; a chart without a date axis is left as it is (its notes are listed under it).
    In presentation mode the chart is made to fit a 1280x720 screen."""
    from .page import STATE

    presenting = bool(st.session_state.get(STATE, {}).get("present"))
    if not (found and _date_axis(fig)) and not presenting:
        return fig
    out = go.Figure(fig)
    if presenting:
        out.update_layout(height=min(out.layout.height or PRESENT_HEIGHT, PRESENT_HEIGHT))
    if not (found and _date_axis(fig)):
        return out
    layout = out.layout.to_plotly_json()
    panels = sorted(k for k in layout if k.startswith("xaxis")) or ["xaxis"]  # one per panel of a grid
    for axis in panels:
        xref = "x" + axis.removeprefix("xaxis")
        yref = (layout.get(axis, {}).get("anchor") or "y" + axis.removeprefix("xaxis")) + " domain"
        for i, n in enumerate(found, 1):
            out.add_shape(type="rect", xref=xref, yref=yref, x0=n.start, x1=_month_end(n.end), y0=0, y1=1,
                          fillcolor=NOTE_FILL, line_width=0, layer="below")
            out.add_annotation(xref=xref, yref=yref, x=n.start, y=1, xanchor="left", yanchor="top",
                               showarrow=False, text=html.escape(t("note {n}", n=i)), font=dict(size=11))
    return out


def notes_under(found: list[meetings.Note], large: bool | None = None) -> None:
    """The notes as numbered lines under a chart: "Note 1 · 2020-03 – 2020-06: text (who, when)"; with
    ``large``, in large type (presentation mode, beside the chart). ``large`` None: small, and nothing in
    presentation mode (the slide shows them beside the chart, within the screen)."""
    from .page import STATE

    if large is None:
        if st.session_state.get(STATE, {}).get("present"):
            return
        large = False
    for i, n in enumerate(found, 1):
        line = t("Note {n}", n=i) + " · " + n.line
        if large:
            st.markdown(f"<div class='siree-note'>{html.escape(line)}</div>", unsafe_allow_html=True)
        else:
            st.caption("🗒 " + auth.plain(line))


# -- the banner of a reopened snapshot -----------------------------------------------------------------------

def banner() -> None:
    """Which snapshot this page shows, and what was loaded, retracted or restored since it was frozen."""
    snap = current_snapshot()
    if snap is None:
        return
    since = _changes(snap.id, store.data_version(data.db_path()))
    text = t("Snapshot {label}, frozen by {by}: the figures exactly as they were then (data as loaded on {moment}, "
             "as of {as_of}).", label=auth.plain(snap.label), by=auth.plain(snap.made_by),
             moment=audit.moment_text(snap.moment), as_of=style.date(snap.as_of, lang()))
    if since:
        text += "\n\n" + t("Changed since ({n}):", n=len(since)) + "\n" + "\n".join(
            f"- {auth.plain(c.line)}" for c in since)
    else:
        text += " " + t("Nothing has been loaded, retracted or restored since.")
    st.info(text, icon=":material/ac_unit:")


# -- the toolbar under every page's title ----------------------------------------------------------------------

def _start_presenting() -> None:
    from .page import STATE

    st.session_state[STATE]["present"] = 1
    st.session_state[STATE]["slide"] = 1


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _pack_files(lang_: str, filters: Filters, as_of: dt.date | None, policy: Policy | None, snapshot_id: int | None,
                version: tuple) -> tuple[str, bytes, bytes]:
    """The pack of the view as (file stem, PowerPoint bytes, HTML bytes), built once per view and data."""
    from siree_metrics.pack import build_pack, write_pack

    snap = None if snapshot_id is None else snapshots_by_id().get(snapshot_id)
    since = None if snap is None else _changes(snap.id, store.data_version(data.db_path()))
    with data.reading() as con:  # this session's moment: a snapshot's data as loaded then
        pack = build_pack(con, lang_, filters, as_of, policy=policy, snapshot=snap, changes=since)
    with tempfile.TemporaryDirectory(prefix="siree_pack_") as folder:
        pptx_path, html_path = write_pack(pack, Path(folder))
        return pack.file_stem, pptx_path.read_bytes(), html_path.read_bytes()


def pack_buttons(filters: Filters, as_of: dt.date | None, view_as_of: dt.date) -> None:
    """Two downloads of the meeting pack of this view and language (made on the first click): a viewer gets
    the published figures (small numbers suppressed), as on the page."""
    snap = current_snapshot()
    args = (lang(), filters, as_of, data.policy(filters), None if snap is None else snap.id, data.version())

    def files() -> tuple[str, bytes, bytes]:
        return _pack_files(*args)

    prog = load_reference().programme
    stem = f"siree_pack_{scope_slug(filters)}_{min(as_of or view_as_of, prog.end).isoformat()}"  # as the pack names it
    st.download_button(t("PowerPoint (.pptx)"), lambda: files()[1], file_name=f"{stem}.pptx", key="pack_pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       icon=":material/slideshow:")
    st.download_button(t("Report (.html, prints to PDF)"), lambda: files()[2], file_name=f"{stem}.html",
                       key="pack_html", mime="text/html", icon=":material/description:")
    st.caption(t("The pack of this view: the same filters, as-of date and figures as the page."))


def _freeze_form(filters: Filters, as_of: dt.date, start: dt.date | None, end: dt.date | None) -> None:
    with st.form("freeze_form", clear_on_submit=True, border=False):
        name = st.text_input(t("Meeting"), placeholder=t("Steering committee 2020-11-19"), max_chars=meetings.MAX_NAME)
        done = st.form_submit_button(t("Freeze"))
    if done:
        data.release()  # the freeze writes: let go of the shared reader first
        try:
            snap = meetings.freeze(data.db_path(), name, filters, as_of, auth.current_user().name or "?", lang(),
                                   start, end)
        except (meetings.MeetingError, store.Busy) as e:
            st.error(auth.plain(str(e)))
            return
        st.success(t("Frozen as snapshot {id}. Its link: add snapshot={id} to this page's address "
                     "(or press Open).", id=snap.id))
        st.session_state["meeting_frozen"] = snap.id


def _open_snapshot(snapshot_id: int) -> None:
    """Reopen a snapshot in this session: its filters, period, as-of date and data as loaded then."""
    from ui import url

    from .page import NOTICES, STATE

    snap = snapshots_by_id().get(snapshot_id)
    if snap is None:
        return
    state = url.snapshot_state(snap)
    for name in ("country", "region", "partner", "period", "as_of"):
        st.session_state.pop(f"w_{name}", None)
    st.session_state[STATE] = state
    st.session_state[NOTICES] = ({}, [])


def _note_form(as_of: dt.date) -> None:
    ref = load_reference()
    with st.form("note_form", clear_on_submit=True, border=False):
        indicator = st.selectbox(t("Indicator"), [ind.id for ind in ref.indicators],
                                 format_func=lambda i: t(ref.indicator(i).label(lang())))
        period = st.date_input(t("Months the note is about"), (as_of.replace(day=1), as_of),
                               min_value=ref.programme.earliest_date, max_value=ref.programme.end,
                               format=style.date_input_format(lang()))
        text = st.text_area(t("Note"), max_chars=meetings.MAX_NOTE)
        done = st.form_submit_button(t("Add the note"))
    if done:
        first, last = (period[0], period[-1]) if isinstance(period, tuple | list) and period else (as_of, as_of)
        data.release()
        try:
            meetings.add_note(data.db_path(), indicator, first, last, text, auth.current_user().name or "?")
        except (meetings.MeetingError, store.Busy) as e:
            st.error(auth.plain(str(e)))
            return
        st.success(t("Note added: it shows beside the indicator's chart, in presentation mode and in the pack."))


def snapshot_lines(found: list[meetings.Snapshot], ref: Reference, lang_: str) -> list[str]:
    """One Markdown line per snapshot, as listed: its name as a link that opens it (``?snapshot=<id>`` on the
    page the reader is on), when it was frozen and by whom, its as-of date and its scope in words. The name
    and the person are user text: Markdown-escaped, so they can never become a link or formatting."""
    lines = []
    for snap in found:
        with i18n.using(lang_):
            about = t("frozen {moment} by {by} · as of {as_of} · {scope}", moment=audit.moment_text(snap.moment),
                      by=auth.plain(snap.made_by), as_of=style.date(snap.as_of, lang_),
                      scope=auth.plain(selection(snap.filters, ref, t)))
        lines.append(f"- [#{snap.id} {auth.plain(snap.name)}](?snapshot={snap.id}) · {about}")
    return lines


def _snapshot_list() -> None:
    """Every snapshot, newest first, each a link that reopens it (anyone may open one, viewers too)."""
    found = sorted(snapshots_by_id().values(), key=lambda s: s.id, reverse=True)
    if not found:
        st.caption(t("No meeting has been frozen yet."))
        return
    st.caption(t("Each link opens this page as it was frozen for that meeting."))
    st.markdown("\n".join(snapshot_lines(found, load_reference(), lang())))


def _remove_note(note_id: int, confirmed: bool) -> None:
    """Remove note ``note_id`` if this session is an admin's and the box was ticked (checked again here, at
    the click, not only when the form was drawn)."""
    if not auth.current_user().is_admin:
        st.session_state["meeting_message"] = ("error", t("Only an admin can remove a note."))
        return
    if not confirmed:
        st.session_state["meeting_message"] = ("warning", t("Tick the box to confirm, then press Remove again."))
        return
    data.release()  # the removal writes: let go of the shared reader first
    try:
        gone = meetings.remove_note(data.db_path(), note_id)
    except store.Busy as e:
        st.session_state["meeting_message"] = ("error", auth.plain(str(e)))
        return
    st.session_state["meeting_message"] = (
        ("success", t("Note {id} removed.", id=note_id)) if gone else
        ("warning", t("Note {id} was already removed.", id=note_id)))


def _remove_form() -> None:
    """The admin's removal of a note: pick it, tick the confirmation, press Remove."""
    found = notes(None)
    if not found:
        st.caption(t("There are no notes to remove."))
        return
    ref = load_reference()
    by_id = {n.id: n for n in found}
    with st.form("note_remove_form", clear_on_submit=True, border=False):
        chosen = st.selectbox(t("Note to remove"), list(by_id), key="note_remove_id",
                              format_func=lambda i: f"{t(ref.indicator(by_id[i].indicator).label(lang()))} · "
                                                    f"{by_id[i].line}"[:160])
        sure = st.checkbox(t("Yes, remove this note for everyone"), key="note_remove_sure")
        pressed = st.form_submit_button(t("Remove"), type="secondary")
    if pressed and chosen is not None:
        _remove_note(int(chosen), sure)
        st.rerun()


def _message() -> None:
    kind, text = st.session_state.pop("meeting_message", (None, ""))
    if kind is not None:
        getattr(st, kind)(text)


def toolbar(filters: Filters, as_of: dt.date, as_of_asked: dt.date | None, start: dt.date | None,
            end: dt.date | None) -> None:
    """Under the title of every page: Present, Meeting pack and Snapshots (the list, each a link that reopens
    it) for everyone; for admins and partners, Freeze for meeting and Notes (add a note; an admin also removes
    one, after a confirmation). A popover's content is built only while it is open (keys ``pop_pack``,
    ``pop_snapshots``, ``pop_freeze``, ``pop_notes``: a test opens one with ``at.session_state[key] = True``),
    so a filter change does not rebuild four hidden forms."""
    # one row of buttons each as wide as its label (in every language: "Dossier de réunion" is cut in a column
    # sized for "Meeting pack"), wrapping on a phone; hidden in print (ui/print.css)
    bar = st.container(horizontal=True, key="siree_toolbar")
    bar.button(t("Present"), icon=":material/co_present:", key="present_start", on_click=_start_presenting,
                   help=t("One indicator per screen, large type; arrow keys for next and previous."))
    with bar.popover(t("Meeting pack"), icon=":material/download:", key="pop_pack", on_change="rerun") as box:
        if box.open:
            pack_buttons(filters, as_of_asked, as_of)
    with bar.popover(t("Snapshots"), icon=":material/history:", key="pop_snapshots", on_change="rerun") as box:
        if box.open:
            _snapshot_list()
    if not may_write():
        return
    _freeze_popover(bar, filters, as_of, start, end)
    _notes_popover(bar, as_of)


def _freeze_popover(bar, filters: Filters, as_of: dt.date, start: dt.date | None,  # noqa: ANN001 (a container)
                    end: dt.date | None) -> None:
    """The toolbar's Freeze for meeting (built only while open)."""
    with bar.popover(t("Freeze for meeting"), icon=":material/ac_unit:", key="pop_freeze",
                        on_change="rerun") as box:
        if not box.open:
            return
        st.caption(t("Keeps this view's figures as they are now: reopened later, it shows exactly these numbers, "
                     "with what changed since."))
        _freeze_form(filters, as_of, start, end)
        frozen = st.session_state.get("meeting_frozen")
        if frozen is not None:
            st.button(t("Open snapshot {id}", id=frozen), key="open_frozen", on_click=_open_snapshot, args=(frozen,))


def _notes_popover(bar, as_of: dt.date) -> None:  # noqa: ANN001 (the toolbar's container)
    """The toolbar's Notes: add a note; an admin also removes one (built only while open)."""
    with bar.popover(t("Notes"), icon=":material/sticky_note_2:", key="pop_notes", on_change="rerun") as box:
        if not box.open:
            return
        _message()
        st.markdown("**" + t("Add a note") + "**")
        _note_form(as_of)
        if auth.current_user().is_admin:
            st.markdown("**" + t("Remove a note") + "**")
            _remove_form()


def keep_snapshot(state: dict, defaults: dict[str, dt.date]) -> None:
    """Forget the snapshot when the reader has changed its filters, period or as-of date since opening it (the
    page no longer shows what was frozen; the data stay as loaded on its moment, as the link then says).
    ``defaults``: what a date left at None means (the sidebar keeps a date at its default as None)."""
    snap = snapshots_by_id().get(state.get("snapshot"))  # type: ignore[arg-type]
    if snap is None:
        state.pop("snapshot", None)
        return
    from ui import url

    frozen = url.snapshot_state(snap)
    def same(k: str) -> bool:
        return (state.get(k) or defaults.get(k)) == (frozen.get(k) or defaults.get(k))

    if not all(same(k) for k in ("country", "region", "partner", "from", "to", "as_of")):
        state.pop("snapshot", None)


# -- the status history --------------------------------------------------------------------------------------

def history_figure(df: pd.DataFrame, found: list[meetings.Note]) -> go.Figure:
    """One indicator's attainment at each quarter end (``status_history``'s rows of it) against the expected
    pace, each point coloured and labelled with its status (the word in the hover: colour is never the only
    carrier), the notes' months shaded. A quarter with no attainment (no data, too early) has no point."""
    lang = i18n.language()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df["quarter_end"], y=df["expected"], mode="lines", name=t("Expected pace"),
                             line=dict(color=style.TARGET_COLOUR, dash="dot", width=2), hoverinfo="skip"))
    hovers = [[style.date(d, lang), style.percent(a, lang), t(style.STATUS_WORDS[s])]  # the reader's words
              for d, a, s in zip(df["quarter_end"], df["attainment"], df["status"], strict=True)]
    fig.add_trace(go.Scatter(
        x=df["quarter_end"], y=df["attainment"], mode="lines+markers", name=t("Attained"),
        line=dict(color="#555", width=2), marker=dict(size=11, color=[style.STATUS_COLOURS[s] for s in df["status"]],
                                                       line=dict(color="#333", width=1)),
        customdata=hovers, hovertemplate="%{customdata[0]}: %{customdata[1]} · %{customdata[2]}<extra></extra>"))
    style.layout(fig, 260, lang, yaxis=dict(tickformat=style.D3_PERCENT, rangemode="tozero"),
                 legend=dict(orientation="h", y=-0.25))
    if len(df):  # the reader's month names (plotly writes English ones)
        fig.update_xaxes(type="date", **style.month_ticks(min(df["quarter_end"]), max(df["quarter_end"]), lang))
    return annotate(fig, found)
