"""The funder's five-minute tour (ui/story.py, data/reference/story.toml): its steps name real pages and
links ui.url accepts as they are, its sentences are filled with the demo's true figures, and the Overview
shows it on the demo database only."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT
from streamlit.testing.v1 import AppTest

from siree_metrics.demo.build import build_demo_database
from siree_metrics.ingest import store
from siree_metrics.metrics.filters import Filters
from siree_metrics.metrics.summary import summarize
from siree_metrics.reference import load_reference
from ui import story, url
from ui.i18n import LANGUAGES
from ui.page import PAGES
from ui.topic import on_page

END = dt.date(2021, 12, 31)  # the project end (programme.toml): the tour is told as of it


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("story")
    db = folder / "siree.duckdb"
    build_demo_database(db, folder / "exports")
    yield db


def _summary(db: Path, step: story.Step):  # noqa: ANN202
    asked = url.parse(step.params, load_reference(), END)
    with duckdb.connect(str(db), read_only=True) as con:
        return summarize(con, asked.as_of, Filters(tuple(asked.country), tuple(asked.region), tuple(asked.partner)))


def test_the_tour_has_six_to_eight_steps_on_existing_pages_with_accepted_links() -> None:
    steps = story.steps()
    assert 6 <= len(steps) <= 8
    scripts = {script for script, _, _ in PAGES}
    for step in steps:
        assert step.page in scripts and (ROOT / step.page).exists(), step.page
        assert set(step.params) <= set(url.PARAMS), step.params
        asked = url.parse(step.params, load_reference(), END)
        assert asked.notices == [], (step.title["en"], asked.notices)
        assert asked.as_of == END  # every step at the project end, where the demo's story is told
        if "show" in step.params:  # a tab the page has: one of that topic page's indicators (ui/topic.py)
            topic = {"pages/2_Education.py": "education", "pages/3_Entrepreneurship.py": "entrepreneurship"}[step.page]
            assert step.params["show"] in {ind.id for ind in on_page(load_reference(), topic)}, step.params
    # the first step is the headline on the Overview, the last presentation mode
    assert steps[0].page == "dashboard.py" and "present" not in steps[0].params
    assert steps[-1].params.get("present") == "1"


def test_links_are_relative_and_keep_the_language() -> None:
    steps = story.steps()
    nl = steps[3]  # adult education in the Netherlands (the fourth step in story.toml)
    assert story.href(nl, "en") == "Education?country=NL&as_of=2021-12-31&show=adult_education_inflow"
    assert story.href(nl, "fr") == "Education?country=NL&as_of=2021-12-31&show=adult_education_inflow&lang=fr"
    assert story.href(steps[0], "en") == "./?as_of=2021-12-31"
    for step in steps:
        link = story.href(step, "nl")
        assert "://" not in link and not link.startswith("/"), link  # inside the app, relative


def test_every_sentence_uses_only_figures_the_summary_gives(demo_db: Path) -> None:
    for step in story.steps():
        values = story.figures(_summary(demo_db, step), "en", lambda text, lang=None: text)
        for lang in LANGUAGES:
            names = story.placeholders(step.sentence[lang])
            assert names <= set(values), (step.title["en"], lang, names - set(values))
            assert names == story.placeholders(step.sentence["en"]), (step.title["en"], lang)
            filled = story.sentence(step, lang, values)
            assert "{" not in filled and "}" not in filled, filled


def test_the_sentences_state_the_demos_true_figures(demo_db: Path) -> None:
    """The demo's story at the project end (siree_metrics/demo/story.py's docstring): 44 learning communities
    (target 40), children in school +23 % (target +20 %), adult education +4 % overall but falling in the
    Netherlands, 42 entrepreneurs (target 50) and 30 jobs (target 40), 88 % of the budget spent."""
    steps = story.steps()

    def told(i: int, lang: str = "en") -> str:
        step = steps[i]
        return story.sentence(step, lang, story.figures(_summary(demo_db, step), lang, lambda text, lang=None: text))

    # achieved at the end: learning communities, children in school, teachers trained, support networks = 4 of 8
    assert told(0) == ("At the project end, 4 of 8 targets are achieved, among them 44 learning communities "
                       "against a target of 40.")
    # 23 % more children in school against +20 %: the card's digits (one decimal for a change, none for a target)
    assert told(1) == "The number of children in school changed by +23.0% against a target of +20%: ✔ Achieved."
    # the Netherlands alone: adult-education inflow fell by a third (the demo's NL story), not achieved
    assert told(3) == ("In the Netherlands, inflow into adult education changed by -33.0% against a target of "
                       "+10%: ✖ Not achieved.")
    assert told(4) == ("42 new entrepreneurs against a target of 50, and 30 jobs created beyond the entrepreneurs' "
                       "own against a target of 40.")
    # 4,295,105.76 of 4,880,802.00 euros = 0.880 (the demo's 88 %), whole euros on the card
    assert told(6) == "EUR 4,295,106 of the EUR 4,880,802 budget was spent (88%): ✖ Underspent at the end."
    assert told(0, "fr").startswith("À la fin du projet, 4 objectifs sur 8 sont atteints, dont 44")


def test_a_story_file_missing_a_language_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "story.toml"
    path.write_text('[[step]]\npage = "dashboard.py"\ntitle.en = "A"\nsentence.en = "B"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"story.toml:step 1: title/sentence: no text in 'nl'"):
        story.steps(path)


def _overview(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SIREE_DB", str(db))
    monkeypatch.delenv("SIREE_UPLOADS", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    return at


def test_the_overview_shows_the_tour_on_the_demo_database(demo_db: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "siree.duckdb"
    shutil.copy(demo_db, db)
    at = _overview(db, monkeypatch)
    tours = [e for e in at.expander if e.label == "Five-minute tour for funders"]
    assert len(tours) == 1
    text = "\n".join(m.value for m in tours[0].markdown)
    assert text.count("\n") == len(story.steps()) - 1  # one line per step
    assert "](Education?country=NL&as_of=2021-12-31&show=adult_education_inflow)" in text
    assert "44 learning communities" in text


def test_the_overview_has_no_tour_on_a_database_that_is_not_the_demo(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "siree.duckdb"
    with store.connect(db):  # an empty database of the current schema: no demo files in it
        pass
    at = _overview(db, monkeypatch)
    assert not [e for e in at.expander if e.label == "Five-minute tour for funders"]
