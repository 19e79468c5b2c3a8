"""The page's URL parameters, checked: what a link asks for, what is shown instead, and why.

A link may come from anywhere (a bookmark, a minute, an attacker), so nothing in it reaches a widget, a query
or the page unchecked: unknown codes are dropped, dates must be real ``YYYY-MM-DD`` dates inside the allowed
range (else the nearest allowed date is used), a reversed period is put the right way round, an unknown
``lang`` reads as English. Each change is
reported as a plain sentence (``notices``) that the page shows; the values quoted in it are shortened and
shown as text, never as Markdown or HTML. Pure functions, no Streamlit: tested directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from siree_metrics.ingest import audit
from siree_metrics.meetings import Snapshot
from siree_metrics.reference import COUNTRIES, Reference

PARAMS = ("country", "region", "partner", "from", "to", "as_of", "as_loaded_on", "lang", "snapshot", "present", "slide",
          "show")
MAX_NAME = 60  # characters of a tab's name (``show``): an indicator id
MAX_SLIDE = 99  # more slides than any view has; a larger ``slide`` shows the last one
LANGUAGES = ("en", "nl", "fr")  # ui.i18n.LANGUAGES; English is the default and is left out of links
MAX_QUOTED = 40  # characters of a rejected value quoted back to the reader


@dataclass
class Asked:
    """The filters a URL asks for, after checking, and what was done instead of what it asked."""

    country: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    partner: list[str] = field(default_factory=list)
    start: dt.date | None = None  # the URL's ``from``
    end: dt.date | None = None  # the URL's ``to``
    as_of: dt.date | None = None
    as_loaded_on: dt.datetime | None = None  # show the data as loaded on this moment (None: as they are now)
    lang: str = "en"  # the reader's language (kept by ui.page beside the filters, not in ``state``)
    snapshot: int | None = None  # a snapshot frozen for a meeting (siree_metrics.meetings), reopened
    present: bool = False  # presentation mode (ui.present)
    slide: int | None = None  # its slide, from 1
    show: str | None = None  # the open tab of a topic page (an indicator id; ui.topic checks it against the page)
    notices: list[str] = field(default_factory=list)

    def state(self) -> dict:
        """The shape ui.page keeps in the session; ``as_loaded_on`` only when a link asks for a past moment."""
        state: dict[str, object] = {"country": self.country, "region": self.region, "partner": self.partner,
                 "from": self.start, "to": self.end, "as_of": self.as_of}
        if self.as_loaded_on is not None:
            state["as_loaded_on"] = self.as_loaded_on
        if self.snapshot is not None:
            state["snapshot"] = self.snapshot
        if self.present:
            state["present"] = 1
            state["slide"] = self.slide or 1
        if self.show is not None:
            state["show"] = self.show
        return state


def snapshot_state(snap: Snapshot) -> dict:
    """The session state of a reopened snapshot: its filters, period and as-of date, and the data as loaded on
    its moment (``Asked.state``'s shape)."""
    f = snap.filters
    return Asked(list(f.countries), list(f.regions), list(f.partners), snap.start, snap.end, snap.as_of,
                 snap.moment, snapshot=snap.id).state()


def _whole(query: Mapping[str, object], name: str, top: int, notices: list[str], t: Callable[..., str]) -> int | None:
    """A whole number from 1 to ``top`` (a larger one is ``top``), or None with a notice."""
    raw = _one(query, name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        notices.append(t("{name} {value} in the link is not a number from 1 up: ignored", name=name,
                         value=shown(raw)))
        return None
    return min(int(raw), top)


def _name(query: Mapping[str, object], notices: list[str], t: Callable[..., str]) -> str | None:
    """``show``: a tab's name as the catalogue writes ids (lower-case letters, digits, ``_``), or None with a
    notice. Whether the page has that tab is the page's to say (ui.topic)."""
    raw = _one(query, "show")
    if not raw:
        return None
    if len(raw) > MAX_NAME or not all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == "_") for ch in raw):
        notices.append(t("show {value} in the link is not the name of a tab: ignored", value=shown(raw)))
        return None
    return raw


def shown(value: str) -> str:
    """A value from the URL, quoted for a sentence: shortened, and with nothing Markdown or HTML would read."""
    text = "".join(ch if ch.isalnum() or ch in " -_.,:/@" else "·" for ch in value[:MAX_QUOTED])
    return "'" + text + ("…" if len(value) > MAX_QUOTED else "") + "'"  # the ellipsis after the filter, kept


def _english(text: str, **values: object) -> str:
    return text.format(**values) if values else text


def _one(query: Mapping[str, object], name: str) -> str | None:
    """The parameter's value; a parameter given twice counts once (its last value), as Streamlit reads it."""
    value = query.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _codes(query: Mapping[str, object], name: str, allowed: Callable[[str], bool], notices: list[str],
           what: str, t: Callable[..., str]) -> list[str]:
    raw = _one(query, name)
    if not raw:
        return []
    kept: list[str] = []
    for code in (c.strip().upper() for c in raw.split(",")):
        if not code or code in kept:
            continue
        if allowed(code):
            kept.append(code)
        else:
            notices.append(t("{what} {value} in the link is not known here: ignored", what=t(what), value=shown(code)))
    return kept


def _date(query: Mapping[str, object], name: str, lo: dt.date, hi: dt.date, notices: list[str],
          t: Callable[..., str], after_end: str | None = None) -> dt.date | None:
    raw = _one(query, name)
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        notices.append(t("{name} {value} in the link is not a date (write YYYY-MM-DD): ignored", name=name,
                         value=shown(raw)))
        return None
    if day < lo:
        notices.append(t("{name} {day} is before the earliest date with data ({lo}): showing {lo}", name=name,
                         day=day.isoformat(), lo=lo.isoformat()))
        return lo
    if day > hi:
        notices.append(t(after_end or "{name} {day} is after the last date there is ({hi}): showing {hi}",
                         name=name, day=day.isoformat(), hi=hi.isoformat()))
        return hi
    return day


def _moment(query: Mapping[str, object], first: dt.datetime | None, now: dt.datetime, notices: list[str],
            t: Callable[..., str]) -> dt.datetime | None:
    """``as_loaded_on``: a moment between the first load and now (audit.parse_moment); before the first load,
    that load's moment; in the future, or with nothing loaded yet, none (the data as they are now)."""
    raw = _one(query, "as_loaded_on")
    if not raw:
        return None
    try:
        moment = audit.parse_moment(raw)
    except ValueError:
        notices.append(t("as_loaded_on {value} in the link is not a moment (write YYYY-MM-DD or YYYY-MM-DD HH:MM): "
                         "ignored", value=shown(raw)))
        return None
    if first is None:
        notices.append(t("as_loaded_on {moment}: no file has been loaded yet: ignored",
                         moment=audit.moment_text(moment)))
        return None
    if moment >= now:
        notices.append(t("as_loaded_on {moment} is not in the past: showing the data as they are now",
                         moment=audit.moment_text(moment)))
        return None
    if moment < first:
        first = first.replace(microsecond=0)
        notices.append(t("as_loaded_on {moment} is before the first file was loaded: showing the data as loaded "
                         "on {first}", moment=audit.moment_text(moment), first=audit.moment_text(first)))
        return first
    return moment


def language(query: Mapping[str, object]) -> str:
    """The link's ``lang``: en, nl or fr, in any case; anything else (or none) is English. The page reads it
    first, so the notices about the other parameters are written in that language."""
    raw = (_one(query, "lang") or "").strip().lower()
    return raw if raw in LANGUAGES else "en"


def _lang(query: Mapping[str, object], notices: list[str], t: Callable[..., str]) -> str:
    """``language``, with a notice when the link asked for a language this dashboard does not have."""
    raw = _one(query, "lang")
    if not raw or language(query) != "en" or raw.strip().lower() == "en":
        return language(query)
    notices.append(t("lang {value} in the link is not a language of this dashboard (en, nl or fr): showing English",
                     value=shown(raw)))
    return "en"


def parse(query: Mapping[str, object], ref: Reference, latest: dt.date,
          t: Callable[..., str] = _english, first_loaded: dt.datetime | None = None,
          now: dt.datetime | None = None, snapshots: Mapping[int, Snapshot] | None = None) -> Asked:
    """Check a page's URL parameters against the reference data and the allowed dates.

    Dates run from the earliest date data may have to the later of the project end and ``latest`` (the
    default as-of); ``as_of`` stops at the project end (figures are final then). Regions outside the chosen
    countries, and partners of other countries, are dropped with a notice. A ``from`` after ``to`` is swapped.
    ``as_loaded_on`` must lie between ``first_loaded`` (the first file's load; None: none yet) and ``now``
    (by default the clock's): see ``_moment``. ``lang`` is en, nl or fr (else English, with a notice). A
    parameter given more than once (a list in ``query``) counts once, with its last value, and a notice.
    ``snapshot`` must be the id of one of ``snapshots``: its filters, period, as-of date and moment then
    replace the link's (``snapshot_state``). ``present=1`` turns presentation mode on (anything else is
    ignored, with a notice); ``slide`` is its slide, a whole number from 1. ``show`` names a topic page's open
    tab (an indicator id: lower-case letters, digits and ``_``; else ignored, with a notice).
    """
    prog = ref.programme
    notices: list[str] = []
    asked = Asked(notices=notices)
    for name in PARAMS:  # a parameter given twice counts once, its last value (as Streamlit reads it): say so
        values = query.get(name)
        if isinstance(values, list | tuple) and len(values) > 1:
            notices.append(t("{name} is in the link {n} times: only the last one, {value}, is used", name=name,
                             n=len(values), value=shown(str(values[-1]))))
    asked.country = _codes(query, "country", lambda c: c in COUNTRIES, notices, "Country", t)
    countries = asked.country or list(COUNTRIES)
    region_ok = {code for code, r in ref.regions.items() if r.country in countries}
    asked.region = _codes(query, "region", lambda c: c in region_ok, notices, "Region", t)
    partner_ok = {pid for pid, p in ref.partners.items() if p.country in countries}
    asked.partner = _codes(query, "partner", lambda c: c in partner_ok, notices, "Partner", t)
    last = max(latest, prog.end)
    asked.start = _date(query, "from", prog.earliest_date, last, notices, t)
    asked.end = _date(query, "to", prog.earliest_date, last, notices, t)
    if asked.start and asked.end and asked.start > asked.end:
        notices.append(t("the period was the wrong way round (from {a} to {b}): showing {b} to {a}",
                         a=asked.start.isoformat(), b=asked.end.isoformat()))
        asked.start, asked.end = asked.end, asked.start
    asked.as_of = _date(query, "as_of", prog.earliest_date, prog.end, notices, t,
                        after_end="{name} {day} is after the project end: showing the final figures, as of {hi}")
    asked.as_loaded_on = _moment(query, first_loaded, now or dt.datetime.now(), notices, t)
    asked.lang = _lang(query, notices, t)
    if (chosen := _whole(query, "snapshot", 10**9, notices, t)) is not None:
        snap = (snapshots or {}).get(chosen)
        if snap is None:
            notices.append(t("snapshot {value} in the link is not known here: ignored", value=shown(str(chosen))))
        else:  # the snapshot's own view: exactly what was frozen
            f = snap.filters
            asked.country, asked.region, asked.partner = list(f.countries), list(f.regions), list(f.partners)
            asked.start, asked.end, asked.as_of, asked.as_loaded_on = snap.start, snap.end, snap.as_of, snap.moment
            asked.snapshot = snap.id
    present = _one(query, "present")
    if present not in (None, "", "0", "1"):
        notices.append(t("present {value} in the link is not 1 or 0: ignored", value=shown(present)))
    asked.present = present == "1"
    asked.slide = _whole(query, "slide", MAX_SLIDE, notices, t)
    asked.show = _name(query, notices, t)
    return asked
