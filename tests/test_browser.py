"""One real-browser test: `streamlit run dashboard.py` on a fresh demo database, driven by Debian's Chromium.

It opens a deep link with filters as the very first request after the server starts (the trap that AppTest
cannot show), visits every page through the sidebar, checks that no exception box appears and that charts
render, changes a filter, uploads a bad and a good file on the Data page; then every page at 390, 1280 and
1920 px, in English and (the Overview and Education) in Dutch and French, saved whole as screenshots
(docs/screenshots/<page>_<width>[_<lang>].png with SIREE_SCREENSHOTS=docs/screenshots).
Skipped, saying why, where Chromium or playwright is missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import CHROMIUM, chromium, demo_dashboard, log_in, settle
from helpers import csv_bytes, rows_from, subprocess_env

from siree_metrics import accounts

# Screenshots go to a temporary folder; SIREE_SCREENSHOTS=docs/screenshots refreshes the README's ones.
SHOTS_TO = os.environ.get("SIREE_SCREENSHOTS")
ADMIN = ("browser-admin", "a browser test password")
# The sidebar's pages, as (link text, URL path, screenshot name); the home page is dashboard.py.
PAGES = [
    ("Overview", "/", "overview"),
    ("Education", "/Education", "education"),
    ("Entrepreneurship", "/Entrepreneurship", "entrepreneurship"),
    ("Countries and regions", "/Countries_and_regions", "countries_and_regions"),
    ("Budget", "/Budget", "budget"),
    ("Data", "/Data", "data"),
    ("Method", "/Method", "method"),
]
CHARTLESS = {"/Method", "/Data"}  # the Data page's chart sits in a tab of its own (checked there)
# a topic page opens on "At a glance" (no chart); its charts are on its indicators' tabs (ui/topic.py)
TABS = {"/Education": ("children_in_school", "Children in school"),
        "/Entrepreneurship": ("new_entrepreneurs", "New self-employed entrepreneurs")}
PROBLEM_LINE = re.compile(r"bad_startups\.csv:\d+: [a-z_]+: ")

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                             "(apt-get install chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on a free port over a fresh demo database; killed at the end."""
    try:  # uploads need a login: an admin account
        with demo_dashboard(tmp_path_factory.mktemp("browser"), subprocess_env(),
                            prepare=lambda db: accounts.add(db, ADMIN[0], "admin", ADMIN[1])) as url:
            yield url
    except RuntimeError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium(playwright_api) as launched:
        yield launched


def go(page, path: str) -> None:  # noqa: ANN001
    """Follow the sidebar link to ``path`` (same session, so the filters must carry over) and wait."""
    label = next(text for text, p, _ in PAGES if p == path)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label, exact=True).first.click()
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/") == path.rstrip("/"))
    settle(page)


def no_exception(page, where: str) -> None:  # noqa: ANN001
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{where}: " + boxes.first.inner_text()[:2000]


def charts(page, timeout: float = 30) -> int:  # noqa: ANN001
    """The number of drawn plotly charts, once at least one has drawn (0 if none did within ``timeout``)."""
    selector = '[data-testid="stPlotlyChart"] .js-plotly-plot'
    try:
        page.wait_for_selector(selector, timeout=timeout * 1000)
    except playwright_api.TimeoutError:
        return 0
    return page.locator(selector).count()


def loaded_count(page) -> int:  # noqa: ANN001
    """The number of loaded files the Data page's "Loaded files" tab reports."""
    found = re.search(r"(\d+) files loaded", page.locator('[data-testid="stMain"]').inner_text())
    assert found, "no count of loaded files on the Data page"
    return int(found.group(1))


def url_filters(page) -> dict[str, list[str]]:  # noqa: ANN001
    return {k: v[0].split(",") for k, v in parse_qs(urlparse(page.url).query).items()}


def test_dashboard_in_a_real_browser(server: str, browser, tmp_path: Path) -> None:  # noqa: ANN001
    SHOTS = Path(SHOTS_TO) if SHOTS_TO else tmp_path / "screenshots"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)

    # 1. A deep link with filters, to a topic page's tab, is the very first request after the server started.
    page.goto(server + "/Education?country=BE,NL&as_of=2021-06-30&show=children_in_school")
    settle(page)
    no_exception(page, "deep link")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_role("button", name="Remove Belgium (Flanders)").count() == 1
    assert sidebar.get_by_role("button", name="Remove Netherlands").count() == 1
    dates = [d.input_value() for d in sidebar.locator('[data-testid="stDateInput"] input').all()]
    assert "2021-06-30" in dates
    assert charts(page) > 0
    assert url_filters(page) == {"country": ["BE", "NL"], "as_of": ["2021-06-30"], "show": ["children_in_school"]}

    # 1b. The tabs: "At a glance" has every headline and no chart, and leaves show out of the link; another
    # indicator's tab draws its chart and names itself in the link.
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("tab", name="At a glance").click()
    settle(page)
    assert main.locator('[data-testid="stPlotlyChart"]').count() == 0 and "show" not in url_filters(page)
    assert "Parent involvement" in main.inner_text() and "Teachers trained" in main.inner_text()
    main.get_by_role("tab", name="Parent involvement").click()
    settle(page)
    assert charts(page) > 0 and url_filters(page)["show"] == ["parent_involvement"]

    # 2. Change a filter: the URL follows and the page redraws without an error.
    sidebar.get_by_role("button", name="Remove Netherlands").click()
    settle(page)
    no_exception(page, "filter change")
    assert sidebar.get_by_role("button", name="Remove Netherlands").count() == 0
    assert url_filters(page)["country"] == ["BE"]

    # 3. Every page, through the sidebar, keeps the filters and draws its charts.
    for _, path, _ in PAGES:
        go(page, path)
        no_exception(page, path)
        assert url_filters(page).get("country") == ["BE"], f"{path} lost the filters: {page.url}"
        if path in TABS:  # lands on "At a glance": the first indicator's tab holds charts
            page.locator('[data-testid="stMain"]').get_by_role("tab", name=TABS[path][1]).click()
            settle(page)
        if path not in CHARTLESS:
            assert charts(page) > 0, f"{path}: no chart rendered"

    # 4. A new session without filters: every page shows the whole programme at the latest date (their
    # screenshots are test_every_page_in_each_width_and_language's).
    page.goto(server + "/")
    settle(page)
    for _, path, _ in PAGES:
        go(page, path)
        no_exception(page, path)
        assert url_filters(page) == {}

    # 5. The Data page: a viewer cannot upload; logged in as an admin, a file with mistakes is refused with the
    # command line's lines, a good one loads.
    go(page, "/Data")
    page.get_by_role("tab", name="Upload a file").click()
    assert "Log in as a partner to upload" in page.locator('[data-testid="stMain"]').inner_text()
    assert page.locator('input[type="file"]').count() == 0
    log_in(page, *ADMIN)
    no_exception(page, "login")
    assert sidebar.get_by_role("button", name="Log out").count() == 1
    page.get_by_role("tab", name="Loaded files").click()
    files_before = loaded_count(page)
    page.get_by_role("tab", name="Who sent what").click()
    settle(page)
    assert charts(page) > 0, "the completeness grid did not render"
    page.get_by_role("tab", name="Upload a file").click()
    bad = tmp_path / "bad_startups.csv"
    bad.write_bytes(csv_bytes([
        ["partner_id", "region", "entrepreneur_id", "registered_on", "sector", "jobs_created"],
        ["UOG", "UKJ41", "BROWSER-1", "2021-05-02", "retail", "2"],
        ["XXX", "UKJ41", "BROWSER-2", "05/30/2021", "food", "1.5"],
    ]))
    page.locator('input[type="file"]').set_input_files(str(bad))
    page.get_by_text("would be refused").wait_for(timeout=120_000)  # the check runs in a worker: may take a while
    settle(page)
    no_exception(page, "bad upload")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "would be refused" in body
    assert PROBLEM_LINE.search(body), body[-3000:]
    assert "bad_startups.csv:3: partner_id: 'XXX' is not a SIREE partner id" in body
    assert page.get_by_role("button", name=re.compile("^Load ")).is_disabled()
    page.screenshot(path=str(SHOTS / "data_refused.png"))

    good = tmp_path / "good_startups.csv"
    good.write_bytes(csv_bytes(rows_from([
        {"partner_id": "UOG", "region": "UKJ41", "entrepreneur_id": "BROWSER-1", "registered_on": "2021-05-02",
         "sector": "retail", "jobs_created": "2"},
        {"partner_id": "ADICE", "region": "FRE11", "entrepreneur_id": "BROWSER-2", "registered_on": "30/05/2021",
         "sector": "food", "jobs_created": "1"},
    ])))
    page.locator('input[type="file"]').set_input_files(str(good))
    page.get_by_text("Ready to load").wait_for(timeout=120_000)  # (the bad file's page is still up before)
    settle(page)
    no_exception(page, "good upload")
    assert "looks like Start-ups (startups)" in page.locator('[data-testid="stMain"]').inner_text()
    page.get_by_role("button", name=re.compile("^Load good_startups.csv")).click()
    page.get_by_text(re.compile(r"good_startups\.csv: loaded")).wait_for(timeout=120_000)
    settle(page)
    no_exception(page, "load")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert re.search(r"good_startups\.csv: loaded 2 rows as batch \d+", body), body[-3000:]
    page.get_by_role("tab", name="Loaded files").click()
    assert loaded_count(page) == files_before + 1

    assert not errors, errors
    assert not external, f"requests left the machine: {external[:5]}"
    page.close()


# Phones, laptops and projectors: (width, height) of the window. Every page in English at each width; the
# Overview and a topic page in Dutch and French too. With SIREE_SCREENSHOTS set, the pages docs/ keeps are saved
# whole as <page>_<width>.png (English) and <page>_<width>_<lang>.png.
WIDTHS = {390: 844, 1280: 720, 1920: 1080}
KEPT = {"en": {"overview", "education", "countries_and_regions", "budget", "entrepreneurship", "data", "method"},
        "nl": {"overview", "education"}, "fr": {"overview", "education"}}
SHOT_WIDTHS = {"method": {1280}}  # a long text page: checked at every width, kept as a screenshot at one (2.4 MB less)
TITLES = {"/": "SIREE impact at a glance", "/Education": "Education", "/Entrepreneurship": "Entrepreneurship",
          "/Countries_and_regions": "Countries and regions", "/Budget": "Budget", "/Data": "Data",
          "/Method": "Method"}  # each page's title (its page() call), in English


def test_every_page_in_each_width_and_language(server: str, browser, tmp_path: Path) -> None:  # noqa: ANN001
    """Every page at 390 px (a phone: the sidebar folds away), 1280 px and 1920 px (a projector) in English,
    the Overview and the Education page in Dutch and French (``lang=`` in the link): drawn without an exception
    or a traceback, the title and the scope line under it in that language, charts titled with the scope, and
    (with SIREE_SCREENSHOTS set) a screenshot of the whole page for the pages docs/ keeps."""
    import time

    from siree_metrics.i18n import t

    shots = Path(SHOTS_TO) if SHOTS_TO else tmp_path / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for lang, kept in KEPT.items():
        for width, height in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for _, path, name in PAGES:
                if lang != "en" and name not in kept:
                    continue
                query = ([f"show={TABS[path][0]}"] if path in TABS else []) + ([] if lang == "en" else [f"lang={lang}"])
                page.goto(server + path + ("?" + "&".join(query) if query else ""))  # a topic page: a chart tab
                # the sidebar is folded on a phone: a drawn page is its title and a quiet status
                page.wait_for_selector('[data-testid="stMain"] h1', timeout=40_000)
                settle_quiet = time.monotonic()
                while time.monotonic() - settle_quiet < 30 and page.locator(
                        '[data-testid="stStatusWidget"], [data-stale="true"]').count():
                    time.sleep(0.1)
                page.wait_for_load_state("networkidle")
                where = f"{path} at {width} px in {lang}"
                no_exception(page, where)
                main = page.locator('[data-testid="stMain"]')
                assert "Traceback" not in main.inner_text(), where
                assert main.locator("h1").first.inner_text().strip() == t(TITLES[path], lang), where
                whole = t("Whole programme", lang)
                assert page.locator(".siree-scope").first.inner_text().startswith(whole + " · "), where
                if path not in CHARTLESS:
                    assert charts(page) > 0, f"{where}: no chart"
                    assert whole in page.locator(".gtitle").first.text_content(), where
                if path == "/Education":  # a count axis: thousands as the reader writes them, never d3's "1.5k"
                    ticks = page.eval_on_selector_all(".ytick text", "els => els.map(e => e.textContent)")
                    thousand = {"en": "1,000", "nl": "1.000", "fr": "1\u202f000"}[lang]
                    assert thousand in ticks and not any(tick.endswith("k") for tick in ticks), (where, ticks)
                if (SHOTS_TO is None or name in kept) and width in SHOT_WIDTHS.get(name, WIDTHS):
                    full = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
                    page.set_viewport_size({"width": width, "height": min(int(full) + 20, 8000)})
                    time.sleep(0.5)  # plotly redraws at the new size
                    suffix = "" if lang == "en" else f"_{lang}"
                    page.screenshot(path=str(shots / f"{name}_{width}{suffix}.png"))
                    page.set_viewport_size({"width": width, "height": height})
            page.close()
