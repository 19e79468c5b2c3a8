"""The funder's five-minute tour: the ordered views of data/reference/story.toml, each with one sentence.

The steps are data (story.toml: page, URL parameters, title and sentence in English, Dutch and French). A
sentence's figures are never written in the file: its ``{placeholders}`` are filled when the tour is drawn,
from the summary of that step's own view (``figures``), so the text cannot drift from the numbers. Each step
links to its view with a relative link (``href``) whose parameters ui.url.parse has checked; a link opens a
fresh page, which reads its parameters as any deep link does. ``steps``, ``figures``, ``sentence`` and
``href`` are pure; ``show`` draws the tour.
"""

from __future__ import annotations

import string
import tomllib
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from siree_metrics.charts import style
from siree_metrics.charts.style import BUDGET_STATUS_WORDS, STATUS_WORDS
from siree_metrics.metrics import suppress
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import IndicatorResult, Summary
from siree_metrics.reference import REFERENCE_DIR, load_reference

from . import data, url
from .i18n import LANGUAGES, t

STORY = REFERENCE_DIR / "story.toml"


@dataclass(frozen=True)
class Step:
    page: str  # the page's script, as in ui.page.PAGES ("dashboard.py", "pages/2_Education.py")
    params: dict[str, str]  # the view's URL parameters
    title: dict[str, str]  # by language
    sentence: dict[str, str]  # by language, with {placeholders} for figures


def steps(path: Path = STORY) -> list[Step]:
    """The tour's steps, in the file's order. A step missing a language's title or sentence, or a parameter that
    is not a text, raises ValueError naming the file and the step (from 1)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    found = []
    for i, item in enumerate(raw.get("step", []), start=1):
        title, words, params = item.get("title", {}), item.get("sentence", {}), item.get("params", {})
        for lang in LANGUAGES:
            if not (isinstance(title.get(lang), str) and isinstance(words.get(lang), str)):
                raise ValueError(f"{path.name}:step {i}: title/sentence: no text in {lang!r}")
        if not all(isinstance(v, str) for v in params.values()):
            raise ValueError(f"{path.name}:step {i}: params: every value must be a text")
        found.append(Step(str(item.get("page", "")), dict(params), dict(title), dict(words)))
    return found


def placeholders(text: str) -> set[str]:
    """The ``{names}`` of ``text``."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _shown(r: IndicatorResult, summary: Summary, lang: str, name: str) -> str:
    """The value or target of ``r`` as the Overview's card shows it (``<5`` where suppressed for this viewer)."""
    if r.kind == "relative":
        fmt = (lambda x: style.change(x, lang)) if name == "value" else (lambda x: style.target_change(x, lang))
    else:
        fmt = lambda x: style.LEVEL_FORMATS[r.spec.format if r.spec else "number"](x, lang)  # noqa: E731
    return suppress.shown_field(r, name, summary, lambda x: style.MISSING if x is None else fmt(x))


def figures(summary: Summary, lang: str, t: Callable[..., str] = t) -> dict[str, str]:
    """Every placeholder a sentence may use, as text in ``lang``, from ``summary``: per indicator ``<id>`` (its
    value), ``<id>_target`` and ``<id>_status`` (in words); ``achieved`` and ``indicators`` (how many targets
    are achieved, of how many); ``spent``, ``budget``, ``spent_share`` and ``budget_status`` (a region has no
    budget: its budget and share read as the style's missing mark)."""
    found: dict[str, str] = {}
    for r in summary.indicators:
        found[r.id] = _shown(r, summary, lang, "value")
        found[f"{r.id}_target"] = _shown(r, summary, lang, "target")
        found[f"{r.id}_status"] = t(STATUS_WORDS[r.status], lang)
    found["achieved"] = style.count(sum(r.status == "achieved" for r in summary.indicators), lang)
    found["indicators"] = style.count(len(summary.indicators), lang)
    b = summary.budget
    found["spent"] = style.euros(b.spent_eur, lang)
    found["budget"] = style.euros(b.total_eur, lang)
    found["spent_share"] = style.percent(b.share_spent, lang)
    found["budget_status"] = t(BUDGET_STATUS_WORDS[b.status], lang)
    return found


def sentence(step: Step, lang: str, values: dict[str, str]) -> str:
    """The step's sentence in ``lang`` (English if it has none) with its figures filled in. A placeholder
    ``values`` lacks raises KeyError (tests/test_story.py checks every sentence against ``figures``)."""
    return step.sentence.get(lang, step.sentence["en"]).format(**values)


def url_path(script: str) -> str:
    """The page's URL path relative to the Overview, as Streamlit names classic pages: ``pages/2_Education.py``
    is ``Education`` (the number prefix dropped), the Overview itself ``./``."""
    if script == "dashboard.py":
        return "./"
    return Path(script).stem.split("_", 1)[1]


def href(step: Step, lang: str) -> str:
    """The relative link to the step's view, in ``lang`` (English is left out of links, as ui.page does)."""
    params = dict(step.params) | ({"lang": lang} if lang != "en" else {})
    return url_path(step.page) + "?" + urllib.parse.urlencode(params)


def _filters(asked: url.Asked) -> Filters:
    return Filters(tuple(asked.country), tuple(asked.region), tuple(asked.partner))


def show(lang: str) -> None:
    """Draw the tour, numbered, each step's title as a link to its view and its sentence. A step whose
    parameters ui.url.parse would change (a story file edited wrongly) is left out rather than shown with
    figures of another view."""
    ref = load_reference()
    latest = data.latest()
    lines = []
    for i, step in enumerate(steps(), start=1):
        asked = url.parse(step.params, ref, latest)
        if asked.notices:
            continue
        text = sentence(step, lang, figures(data.get_summary(asked.as_of, _filters(asked)), lang))
        title = step.title.get(lang, step.title["en"])
        # the title and sentence are ours (story.toml) and the figures the style's: escaped all the same
        lines.append(f"{i}. [{_escaped(title)}]({href(step, lang)}) — {_escaped(text)}")
    st.markdown("\n".join(lines))
    st.caption(t("Each link opens its view in a new tab, with its filters and as-of date in the link."))


def _escaped(text: str) -> str:
    """``text`` with the characters Markdown reads as markup backslash-escaped."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in text)
