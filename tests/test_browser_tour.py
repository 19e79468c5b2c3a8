"""The funder's five-minute tour in a real browser (Debian's Chromium): every step's link, as the Overview
draws it on the demo database, opens the view it names (its page, its scope, presentation mode for the last
step) with no exception and no notice that the link asked for something the page cannot show; in English and
in Dutch (the links keep the language). Skipped, saying why, where Chromium or playwright is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from browser_helpers import BUSY, CHROMIUM, chromium, demo_dashboard
from helpers import subprocess_env

from siree_metrics.i18n import t
from siree_metrics.metrics.filters import Filters
from siree_metrics.reference import load_reference
from ui import scope, story

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                             "(apt-get install chromium)")
TITLES = {"dashboard.py": "SIREE impact at a glance", "pages/2_Education.py": "Education",
          "pages/3_Entrepreneurship.py": "Entrepreneurship", "pages/4_Countries_and_regions.py": "Countries and regions",
          "pages/5_Budget.py": "Budget"}  # each page's title (its page() call), in English


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on a free port over a fresh demo database (the tour shows on the demo only)."""
    try:
        with demo_dashboard(tmp_path_factory.mktemp("tour"), subprocess_env()) as url:
            yield url
    except RuntimeError as e:
        pytest.fail(str(e))


def drawn(page, timeout: float = 40) -> None:  # noqa: ANN001
    """Wait for a page's title (a slide's in presentation mode, where the sidebar is gone), then until Streamlit
    has been quiet for 0.6 s (not for the network to go quiet: a slide's keyboard frame can hold that off on a
    busy machine, and what is checked here is text)."""
    page.wait_for_selector('[data-testid="stMain"] h1, .siree-slide-title', timeout=timeout * 1000)
    deadline, quiet_since = time.monotonic() + timeout, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 0.6:
        if page.locator(BUSY).count():
            quiet_since = time.monotonic()
        time.sleep(0.1)


def tour_links(page, server: str, lang: str) -> list[str]:  # noqa: ANN001
    """The tour's links as the Overview draws them in ``lang``, made absolute as the browser resolves them."""
    page.goto(server + ("/" if lang == "en" else f"/?lang={lang}"))
    drawn(page)
    page.get_by_text(t("Five-minute tour for funders", lang), exact=True).click()
    tour = page.locator('[data-testid="stExpander"]').filter(has_text=t("Five-minute tour for funders", lang))
    tour.locator("a").first.wait_for(timeout=10_000)
    return [urljoin(page.url, a.get_attribute("href")) for a in tour.locator("a").all()]


def check_step(page, step: story.Step, link: str, lang: str) -> None:  # noqa: ANN001
    """Open ``link`` in a fresh page load and check it shows ``step``'s view in ``lang``: its page (by its
    title) or a slide in presentation mode, its scope in words, no exception, no notice about the link."""
    where = f"step {step.title['en']!r} ({link})"
    asked = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    assert urlparse(link).path.strip("/") == story.url_path(step.page).removeprefix("./"), where
    assert asked == step.params | ({"lang": lang} if lang != "en" else {}), where
    page.goto(link)
    drawn(page)
    main = page.locator('[data-testid="stMain"]')
    assert page.locator('[data-testid="stException"]').count() == 0, where
    text = main.inner_text()
    assert t("The link asked for something this page cannot show:", lang) not in text, where
    assert "Traceback" not in text, where
    codes = {k: tuple(step.params[k].split(",")) if k in step.params else () for k in ("country", "region")}
    words = scope.selection(Filters(codes["country"], codes["region"]), load_reference(),
                            lambda s, **v: t(s, lang, **v))
    if step.params.get("present") == "1":  # presentation mode: a slide, and the scope at its foot
        assert page.locator(".siree-slide-title").count() == 1, where
        assert page.locator(".siree-foot").first.inner_text().startswith(words), where
    else:
        assert main.locator("h1").first.inner_text().strip() == t(TITLES[step.page], lang), where
        assert main.locator(".siree-scope").first.inner_text().startswith(words), where


def test_every_tour_link_opens_the_view_it_names(server: str, browser_page) -> None:  # noqa: ANN001
    steps = story.steps()
    links = tour_links(browser_page, server, "en")
    assert len(links) == len(steps), links
    for step, link in zip(steps, links, strict=True):
        check_step(browser_page, step, link, "en")


def test_the_dutch_tour_links_keep_the_language(server: str, browser_page) -> None:  # noqa: ANN001
    # every link carries lang=nl; two are opened (a region's view and presentation mode), the rest are the
    # English test's views in another language (kept short: each page load costs seconds)
    steps = story.steps()
    links = tour_links(browser_page, server, "nl")
    assert len(links) == len(steps), links
    assert all(parse_qs(urlparse(link).query)["lang"] == ["nl"] for link in links)
    for i in (next(i for i, s in enumerate(steps) if "region" in s.params), len(steps) - 1):
        check_step(browser_page, steps[i], links[i], "nl")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium(playwright_api) as launched:
        yield launched


@pytest.fixture
def browser_page(browser) -> Iterator[object]:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert not errors, errors
