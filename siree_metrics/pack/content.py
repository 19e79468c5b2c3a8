"""What the meeting pack says, built from the summary: the words, the figures and the data of every chart.

The PowerPoint and the HTML report lay out the same :class:`Pack`, so they cannot disagree. Indicator names
come from the catalogue in the pack's language (en, nl, fr); every other sentence goes through ``i18n.t`` (its
English text is the key; the Dutch and French are in locales/<lang>/pack.toml), in the current language
(``build_pack`` sets the pack's, ``ui.present`` reads the session's); status words and number formats come
from ``charts.style`` in that language, as on the pages.

Charts (their figures are the summary's, never recomputed here):

- a count indicator: one bar per country in the selection, what was reached by the as-of date and the
  country's target (the sum of its partners' shares; none under a region filter), each from the summary of
  that country's part of the selection;
- a relative indicator: the baseline year's level, the last 12 months' level and the target level
  (baseline × (1 + target change)), from the selection's summary;
- the budget: spent, the even-pace spend by the as-of date and the budget;
- two breakdowns the topic pages also show (communities by setting, entrepreneurs by sector), from the
  earliest date the data may hold to the as-of date, when they have rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb

from siree_metrics.charts import style
from siree_metrics.i18n import language, t, using
from siree_metrics.ingest import store
from siree_metrics.metrics import series, suppress
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import Budget, IndicatorResult, Summary, summarize
from siree_metrics.reference import COUNTRIES, Reference, load_reference

if TYPE_CHECKING:
    from siree_metrics.meetings import Change, Snapshot

LANGUAGES = ("en", "nl", "fr")
BREAKDOWNS = {"learning_communities": "setting", "new_entrepreneurs": "sector"}  # as on the topic pages

@dataclass
class Chart:
    """The data of one chart: a value per category and series, the Excel number format of its axis and
    labels (PowerPoint) and the style function that writes its figures (HTML, tables)."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    number_format: str
    show: Callable[[float | None], str] = field(repr=False)

    @property
    def empty(self) -> bool:
        return not any(v for _, values in self.series for v in values if v is not None)


@dataclass
class IndicatorPage:
    """One indicator's slide or section."""

    id: str
    label: str
    status: str
    status_word: str
    status_colour: str
    takeaway: str
    lines: list[str]  # target, pace, coverage or note, in that order
    chart: Chart
    value: float | None  # the summary's figures, kept for the summary table
    breakdown: Chart | None = None
    breakdown_caption: str = ""


@dataclass
class BudgetPage:
    status: str
    status_word: str
    status_colour: str
    lines: list[str]
    chart: Chart | None  # None where there is no budget (a region, an empty selection)
    by_category: list[tuple[str, str]]  # (category, EUR to the cent), sorted by category


@dataclass
class Pack:
    lang: str
    title: str
    subtitle: str  # the programme's name
    scope: str  # the selection in words
    scope_slug: str  # the selection in a file name: "programme", "BE", "BE212", "BE-MECHELEN"
    as_of: dt.date
    as_of_line: str  # "Data as of 2021-06-30"
    notes: list[str]  # why this date, final, empty selection
    demo: str | None  # the DEMO DATA note, or the mixed-data note; None for partners' data only
    summary_head: list[str]
    summary_rows: list[list[str]]
    summary_status: list[str]  # each summary row's status, for its colour
    indicators: list[IndicatorPage]
    budget: BudgetPage
    footnote: str  # the illustrative note, or ""

    @property
    def file_stem(self) -> str:
        return f"siree_pack_{self.scope_slug}_{self.as_of.isoformat()}"

    @property
    def footer(self) -> str:
        """The line on every slide: "Data as of 2021-06-30 · Whole programme"."""
        return f"{self.as_of_line} · {self.scope}"


def scope_words(filters: Filters, ref: Reference) -> str:
    """The selection in words in the current language: "Whole programme", or "Belgium (Flanders) · Arr. Mechelen
    (BE212) · partner City of Mechelen" (each filter in the order country, region, partner)."""
    parts = [t(style.COUNTRY_LABELS[c]) if c in style.COUNTRY_LABELS else c for c in filters.countries]
    parts += [t("{name} ({code})", name=ref.regions[r].name, code=r) if r in ref.regions else r for r in filters.regions]
    parts += [t("partner {name}", name=ref.partners[p].name if p in ref.partners else p) for p in filters.partners]
    return " · ".join(parts) or t("Whole programme")


def scope_slug(filters: Filters) -> str:
    """The selection for a file name: the codes joined by "-" (only letters, digits and "-"), or "programme"."""
    codes = [*filters.countries, *filters.regions, *filters.partners]
    return re.sub(r"[^A-Za-z0-9-]", "", "-".join(codes)) or "programme"


def _in_language(show: Callable[..., str]) -> Callable[[float | None], str]:
    """A style function fixed to the current language (a chart's figures are written after ``build_pack``)."""
    return functools.partial(show, locale=language())


def _level_format(r: IndicatorResult) -> tuple[Callable[[float | None], str], str]:
    """The style function (in the current language) and Excel number format of an indicator's levels (as its
    measure declares)."""
    fmt = r.spec.format if r.spec else "number"
    excel = {"number": "#,##0", "share": "0.0%", "decimal": "#,##0.0"}[fmt]
    return _in_language(style.LEVEL_FORMATS[fmt]), excel


def _shown(r: IndicatorResult, mark: str | None = None) -> tuple[str, str]:
    """An indicator's value and target as the cards write them: "+27.7%" / "+20%", or "44" / "40"; the value
    as ``mark`` ("<5") where it is suppressed for a viewer (``suppress.summary``)."""
    if r.kind == "relative":
        value, target = style.change(r.value, language()), style.target_change(r.target, language())
    else:
        show, _ = _level_format(r)
        value, target = show(r.value), show(r.target)
    return (mark if mark and "value" in r.suppressed else value), target


MEASURED = ("achieved", "on_track", "at_risk", "behind", "not_achieved")  # statuses with an attainment


def takeaway(r: IndicatorResult, mark: str | None = None) -> str:
    """One line from the figures, in the current language: "44 of 40 communities: ✔ Achieved", "+27.7% against
    a target of +20%: ● On track", "12 jobs: ○ No target for a region", or the status and why ("○ No data: no
    rows ..."). A value suppressed for a viewer is written ``mark`` ("<5 of 40 communities: ...")."""
    word = t(style.STATUS_WORDS[r.status])
    value, target = _shown(r, mark)
    if r.value is None and not (mark and "value" in r.suppressed):
        return t("{status}: {note}", status=word, note=r.note or t("No data for this selection"))
    if r.kind == "relative":
        return t("{value} against a target of {target}: {status}", value=value, target=target, status=word)
    if r.target is None:
        return t("{value} {unit}: {status}", value=value, unit=t(r.unit), status=word)
    return t("{value} of {target} {unit}: {status}", value=value, target=target + ("*" if r.target_illustrative else ""),
             unit=t(r.unit), status=word)


def detail_lines(r: IndicatorResult, s: Summary) -> list[str]:
    """Target, pace (and forecast), and coverage or the note, each as one line in the current language."""
    lang = language()
    value, target = _shown(r)
    star = "*" if r.target_illustrative else ""
    attained = style.percent(r.attainment, lang)
    if r.target is None:
        lines = [t("Target: none for this selection")]
    elif r.kind == "relative":
        lines = [t("Target: {target} on the baseline ({unit})", target=target, unit=t(r.unit))]
    else:
        lines = [t("Target: {target} {unit}", target=target + star, unit=t(r.unit))]
    if r.status not in MEASURED:
        lines.append(t("Pace: not measured ({note})", note=r.note or t(style.STATUS_WORDS[r.status])))
    elif s.final:
        lines.append(t("Final: the project has ended; attained {attained} of the target", attained=attained))
    elif r.kind == "relative" or r.target is None:  # a measured count always has a target
        lines.append(t("Pace: {elapsed} of the project time has passed; attained {attained} of the target",
                       elapsed=style.percent(s.expected, lang), attained=attained))
    else:
        show, _ = _level_format(r)
        lines.append(t("Pace: {elapsed} of the project time has passed; on a straight line {expected} by now; "
                       "attained {attained} of the target", elapsed=style.percent(s.expected, lang),
                       expected=show(r.target * s.expected), attained=attained))
        if r.forecast is not None:
            lines.append(t("At this pace: {forecast} by the project end", forecast=show(r.forecast)))
    change = r.change_text()
    if change:
        lines.append(change)
    if r.coverage and r.status not in ("not_started", "too_early", "empty_selection"):
        lines.append(t("Coverage: {coverage}", coverage=r.coverage.text()))
    return lines


def count_chart(r: IndicatorResult, by_country: dict[str, Summary], as_of: dt.date) -> Chart:
    """Reached and target by country, each country's figures from its own summary (see the module doc)."""
    show, excel = _level_format(r)
    results = {c: next(x for x in s.indicators if x.id == r.id) for c, s in by_country.items()}
    reached = [results[c].value for c in by_country]
    targets = [results[c].target for c in by_country]
    data = [(t("Reached by {date}", date=style.sentence_date(as_of, language())), reached)]
    if any(x is not None for x in targets):
        data.append((t("Target"), targets))
    return Chart(t("{label}: reached and target, by country", label=r.label),
                 [t(style.COUNTRY_LABELS[c]) for c in by_country], data, excel, show)


def relative_chart(r: IndicatorResult) -> Chart:
    """Baseline year, last 12 months and target level of a relative indicator (None where unknown)."""
    show, excel = _level_format(r)
    target_level = None if r.baseline is None or r.target is None else r.baseline * (1 + r.target)
    return Chart(t("{label}: baseline year, last 12 months and target level ({unit})", label=r.label, unit=t(r.unit)),
                 [t("Baseline year"), t("Last 12 months"), t("Target level")],
                 [(t("Level"), [r.baseline, r.current, target_level])], excel, show)


# A breakdown's title ("New learning communities, by setting") and the line under it, by column of BREAKDOWNS
BY_TITLES = {"setting": "{label}, by setting", "sector": "{label}, by sector"}
BY_CAPTIONS = {"setting": "Up to {date}, by setting as the partners wrote it.",
               "sector": "Up to {date}, by sector as the partners wrote it."}


def breakdown_chart(con: duckdb.DuckDBPyConnection, r: IndicatorResult, by: str, filters: Filters,
                    as_of: dt.date, ref: Reference, policy: suppress.Policy | None = None) -> Chart | None:
    """The indicator's count by ``by`` (a column such as sector) up to ``as_of``, largest first (ties by name);
    None when nothing was reported. For a viewer (``policy``) each total is summed from the exact counts, then
    made safe (``suppress.count``: rounded, ``<5`` for 1-4 people), as the topic pages do."""
    df = series.breakdown(con, r.id, by, filters, ref.programme.earliest_date, as_of, as_of)
    if df.empty:
        return None
    totals = sorted(df.groupby(by)["level"].sum().items(), key=lambda kv: (-kv[1], str(kv[0])))
    show, excel = _level_format(r)
    values: list[float | None] = [float(v) for _, v in totals]
    if policy is not None and ref.indicator(r.id).people:
        values = [suppress.count(v, policy) for v in values]
        plain, mark = show, policy.mark
        show = lambda v: mark if v is None else plain(v)  # noqa: E731 (a category with no figure is suppressed)
    return Chart(t(BY_TITLES[by], label=r.label), [str(k) for k, _ in totals], [(t("Level"), values)], excel, show)


def budget_page(b: Budget) -> BudgetPage:
    """The budget's lines, chart (spent, even pace, budget) and spending by cost category, exact to the cent,
    in the current language."""
    lang = language()

    def euros(x: Decimal | None) -> str:
        return style.euros_exact(x, lang)

    star = "*" if b.illustrative else ""
    if b.status == "empty_selection":
        lines = [t("The filters cover no partner: no budget and no spending")]
    elif b.total_eur is None or b.planned_eur is None:
        lines = [t("Spent {spent} in this selection (budgets belong to partners, not to regions)",
                   spent=euros(b.spent_eur))]
    else:
        lines = [t("Spent {spent} of {total}{star} ({share})", spent=euros(b.spent_eur), total=euros(b.total_eur),
                   star=star, share=style.percent(b.share_spent, lang)),
                 t("Even pace by now: {planned}", planned=euros(b.planned_eur)),
                 t("ERDF co-funding: {erdf}{star}", erdf=euros(b.erdf_eur), star=star)]
    chart = None
    if b.total_eur is not None and b.planned_eur is not None:
        chart = Chart(t("Spent against the even pace and the budget (EUR)"),
                      [t("Spent"), t("Even pace by now"), t("Budget")],
                      [("EUR", [float(b.spent_eur), float(b.planned_eur), float(b.total_eur)])],
                      '"EUR "#,##0', _in_language(style.euros))
    return BudgetPage(b.status, t(style.BUDGET_STATUS_WORDS[b.status]), style.BUDGET_STATUS_COLOURS[b.status], lines,
                      chart, [(k, euros(v)) for k, v in b.by_category.items()])


def countries_of(filters: Filters) -> dict[str, Filters]:
    """Each country the selection reaches, with the selection narrowed to it (``series.country_filters``)."""
    narrowed = {c: series.country_filters(filters, c) for c in COUNTRIES}
    return {c: f for c, f in narrowed.items() if f is not None}


def build_pack(con: duckdb.DuckDBPyConnection, lang: str = "en", filters: Filters | None = None,
               as_of: dt.date | None = None, ref: Reference | None = None, policy: suppress.Policy | None = None,
               snapshot: Snapshot | None = None, changes: list[Change] | None = None) -> Pack:
    """The pack of one view: ``filters`` (default: the whole programme) at ``as_of`` (default: the summary's
    as-of rule; a date after the project end is capped at it), every word, figure and date in ``lang``
    (the summary's notes too: it is computed in ``lang``).

    ``policy``: the pack a viewer may see (``suppress.summary`` on every summary, breakdowns made safe, and a
    line saying so). Each indicator's committee notes (``meetings.notes`` up to the as-of date) end its lines.
    ``snapshot``: ``con`` holds the data as loaded on its moment (``meetings.reading``); the title says which
    snapshot, and ``changes`` (``meetings.changes_since``) what was done to the data since.

    Raises ValueError for a language other than en, nl or fr."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use en, nl or fr")
    with using(lang):
        return _build(con, lang, filters or Filters(), as_of, ref or load_reference(), policy, snapshot, changes)


def _build(con: duckdb.DuckDBPyConnection, lang: str, filters: Filters, as_of: dt.date | None, ref: Reference,
           policy: suppress.Policy | None, snapshot: Snapshot | None, changes: list[Change] | None) -> Pack:
    from siree_metrics import meetings

    s = suppress.summary(summarize(con, as_of, filters, ref), policy, ref)
    mark = suppress.mark(s)
    by_country = {c: suppress.summary(summarize(con, s.as_of, f, ref), policy, ref)
                  for c, f in countries_of(filters).items()}
    noted: dict[str, list[str]] = {}
    for n in meetings.notes(con, until=s.as_of):
        noted.setdefault(n.indicator, []).append(t("Committee note, {line}", line=n.line))
    state = store.demo_state(con)
    demo = (t("DEMO DATA — fictional figures that tell a plausible story; not SIREE's real results.")
            if state in ("demo", "building") else
            t("This database holds the demo's fictional files beside partners' files: its figures mix both.")
            if state == "mixed" else None)
    as_of_text = style.sentence_date(s.as_of, lang)
    pages, rows = [], []
    for r in s.indicators:
        r.label = ref.indicator(r.id).label(lang)
        value, target = _shown(r, mark)
        word = t(style.STATUS_WORDS[r.status])
        rows.append([r.label, value + ("!" if r.incomplete else ""),
                     target + ("*" if r.target_illustrative else "") if r.target is not None else style.MISSING,
                     style.percent(r.attainment, lang), word])
        chart = relative_chart(r) if r.kind == "relative" else count_chart(r, by_country, s.as_of)
        page = IndicatorPage(r.id, r.label, r.status, word, style.STATUS_COLOURS[r.status],
                             takeaway(r, mark), detail_lines(r, s) + noted.get(r.id, []), chart, r.value)
        if r.id in BREAKDOWNS and not s.empty_selection:
            page.breakdown = breakdown_chart(con, r, BREAKDOWNS[r.id], filters, s.as_of, ref, policy)
            page.breakdown_caption = t(BY_CAPTIONS[BREAKDOWNS[r.id]], date=as_of_text)
        pages.append(page)
    notes = [t("Why this date: {reason}", reason=s.as_of_reason)]
    notes += [t("The project has ended: these are the final figures.")] if s.final else []
    notes += [t("The selection is empty: no partner matches these filters together.")] if s.empty_selection else []
    if policy is not None:
        notes.append(t("Published figures: counts of 1 to {top} people shown as {mark}, other counts of people "
                       "rounded to {base}", top=policy.threshold - 1, mark=policy.mark, base=policy.base))
    if snapshot is not None:
        notes.append(t("Snapshot {label}: the data exactly as loaded then", label=snapshot.label))
        since = [c.line for c in changes or []]
        notes.append(t("Since then ({n}): {lines}", n=len(since), lines="; ".join(since)) if since else
                     t("Nothing has been loaded, retracted or restored since."))
    illustrative = any(r.target_illustrative for r in s.indicators) or s.budget.illustrative
    return Pack(
        lang=lang, title=t("SIREE meeting pack"), subtitle=ref.programme.name, scope=scope_words(filters, ref),
        scope_slug=scope_slug(filters), as_of=s.as_of, as_of_line=t("Data as of {date}", date=as_of_text),
        notes=notes, demo=demo, summary_head=[t("Indicator"), t("Value"), t("Target"), t("Attained"), t("Status")],
        summary_rows=rows, summary_status=[r.status for r in s.indicators], indicators=pages,
        budget=budget_page(s.budget),
        footnote=t("* illustrative: per-partner targets and budgets are not published") if illustrative else "")
