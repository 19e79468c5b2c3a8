"""A chart downloaded as SVG in a real browser (issue 10): the sidebar's "Chart downloads" choice set to SVG, the
chart's camera button gives a file named for what it shows and holding its title, scope, as-of date, source
and DEMO DATA mark as text; and the filters and the open tab survive a language switch. Debian's Chromium, the
dashboard over a fresh demo database (tests/browser_helpers.py); about 40 s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import CHROMIUM, chromium, demo_dashboard, settle
from helpers import subprocess_env

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                             "(apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        with demo_dashboard(tmp_path_factory.mktemp("browser_filters"), subprocess_env()) as url:
            yield url
    except RuntimeError as e:
        pytest.fail(str(e))


def test_chart_downloads_as_svg_with_its_title_scope_and_name(server: str, tmp_path: Path) -> None:
    with chromium(playwright_api) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(server + "/Education?region=BE212&as_of=2021-06-30&show=children_in_school")
        settle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("SVG", exact=True).click()
        settle(page)
        chart = page.locator(".st-key-chart_children_in_school .js-plotly-plot").first
        chart.hover()
        # plotly titles its camera button "Download plot as a PNG" for PNG and "Download plot" for any other format
        button = chart.locator('.modebar-btn[data-title="Download plot"]')
        with page.expect_download(timeout=30_000) as download:
            button.click()
        # the name: siree_<indicator>_<scope: the region asked for>_<as-of>.svg
        assert download.value.suggested_filename == "siree_children_in_school_BE212_2021-06-30.svg"
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        svg = saved.read_text(encoding="utf-8")
        assert svg.startswith("<svg") and 'width="1280"' in svg  # a drawing at the 1280 px export layout
        for text in ("Children in school", "Arr. Mechelen (BE212)", "Data as of 30 Jun 2021",
                     "Source: SIREE partners' files", "DEMO DATA"):
            assert text in svg.replace("&#39;", "'").replace("&apos;", "'"), text
        # the default stays PNG: a new session's camera button says so
        other = browser.new_page(viewport={"width": 1280, "height": 900})
        other.goto(server + "/Education?region=BE212&as_of=2021-06-30&show=children_in_school")
        settle(other)
        other.locator(".st-key-chart_children_in_school .js-plotly-plot").first.hover()
        assert other.locator('.st-key-chart_children_in_school .modebar-btn[data-title="Download plot as a PNG"]') \
            .count() == 1


def test_the_filters_and_the_open_tab_survive_a_language_switch(server: str) -> None:
    """A language switch redraws every widget under a new label; the view must stay what it was, on that rerun
    and on the ones after it (the country filter used to vanish at the next click)."""
    with chromium(playwright_api) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/Education?country=BE,NL&region=BE212&as_of=2021-06-30&show=teachers_trained")
        settle(page)
        sidebar, main = page.locator('[data-testid="stSidebar"]'), page.locator('[data-testid="stMain"]')
        query = lambda: {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}  # noqa: E731
        kept = {"country": "BE,NL", "region": "BE212", "as_of": "2021-06-30"}
        sidebar.get_by_text("Français", exact=True).click()
        settle(page)
        assert query() == {**kept, "show": "teachers_trained", "lang": "fr"}
        assert main.locator('[role="tab"][aria-selected="true"]').inner_text() == "Enseignants formés"
        sidebar.get_by_text("SVG", exact=True).click()  # any rerun after the switch
        settle(page)
        assert query() == {**kept, "show": "teachers_trained", "lang": "fr"}
        main.get_by_role("tab", name="En un coup d'œil").click()
        settle(page)
        assert query() == {**kept, "lang": "fr"}
        assert sidebar.get_by_role("button", name="Remove Arr. Mechelen (BE212)").count() == 1


def test_a_choice_on_the_data_page_is_shown_in_the_new_language_after_a_switch(server: str) -> None:
    """The completeness grid's Dataset choice reads "Dataset" in English and Dutch alike, so it stays the same
    widget across a switch; Chromium went on showing its choice in English until the switch set it again
    (ui/page.py: TRANSLATED_CHOICES)."""
    with chromium(playwright_api) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/Data")
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        main.get_by_role("tab", name="Who sent what").click()
        settle(page)
        choice = main.get_by_role("combobox", name="Dataset")  # the choice shown is the input's value
        assert choice.input_value() == "All datasets: quarters sent so far"
        page.locator('[data-testid="stSidebar"]').get_by_text("Nederlands", exact=True).click()
        settle(page)
        main.get_by_role("tab", name="Wie stuurde wat").click()
        settle(page)
        assert choice.input_value() == "Alle datasets: kwartalen tot nu toe verstuurd"
