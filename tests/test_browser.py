"""One real-browser test: `streamlit run dashboard.py` on a fresh demo database, driven by Debian's Chromium.

It opens a deep link with filters as the very first request after the server starts (the trap that AppTest
cannot show), visits every page through the sidebar, checks that no exception box appears and that charts
render, changes a filter, uploads a bad and a good file on the Data page, and saves 1280×720 screenshots
of every page to docs/screenshots/. Skipped, saying why, where Chromium or playwright is missing.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from helpers import ROOT, csv_bytes, rows_from, subprocess_env

from siree_metrics import accounts

CHROMIUM = Path("/usr/bin/chromium")
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
PROBLEM_LINE = re.compile(r"bad_startups\.csv:\d+: [a-z_]+: ")

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                             "(apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on a free port over a fresh demo database; killed at the end."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "demo.duckdb"
    env = subprocess_env()
    built = subprocess.run([sys.executable, "-m", "siree_metrics", "demo", "--db", str(db)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    accounts.add(db, ADMIN[0], "admin", ADMIN[1])  # uploads need a login
    port = free_port()
    env.update(SIREE_DB=str(db))
    log = (folder / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the dashboard did not start:\n" + (folder / "streamlit.log").read_text()[-3000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def settle(page, timeout: float = 40) -> None:  # noqa: ANN001
    """Wait until Streamlit has drawn the page and finished running the script.

    The filters in the sidebar mark a drawn page; "finished" is no running-status widget and no stale
    element for 0.6 s (the status widget only shows some time after a run starts).
    """
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stDateInput"]', timeout=timeout * 1000)
    busy = '[data-testid="stStatusWidget"], [data-stale="true"]'
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if page.locator(busy).count():
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.6:
            break
        time.sleep(0.1)
    page.wait_for_load_state("networkidle")


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

    # 1. A deep link with filters is the very first request after the server started.
    page.goto(server + "/Education?country=BE,NL&as_of=2021-06-30")
    settle(page)
    no_exception(page, "deep link")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_role("button", name="Remove Belgium (Flanders)").count() == 1
    assert sidebar.get_by_role("button", name="Remove Netherlands").count() == 1
    dates = [d.input_value() for d in sidebar.locator('[data-testid="stDateInput"] input').all()]
    assert "2021-06-30" in dates
    assert charts(page) > 0
    assert url_filters(page) == {"country": ["BE", "NL"], "as_of": ["2021-06-30"]}

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
        if path not in CHARTLESS:
            assert charts(page) > 0, f"{path}: no chart rendered"

    # 4. Screenshots of the whole programme at the latest date: a new session without filters.
    page.goto(server + "/")
    settle(page)
    for _, path, name in PAGES:
        go(page, path)
        no_exception(page, path)
        assert url_filters(page) == {}
        page.screenshot(path=str(SHOTS / f"{name}.png"))

    # 5. The Data page: a viewer cannot upload; logged in as an admin, a file with mistakes is refused with the
    # command line's lines, a good one loads.
    go(page, "/Data")
    page.get_by_role("tab", name="Upload a file").click()
    assert "Log in as a partner to upload" in page.locator('[data-testid="stMain"]').inner_text()
    assert page.locator('input[type="file"]').count() == 0
    sidebar.get_by_text("Log in (partners and admins)").click()
    sidebar.get_by_role("textbox", name="Account name").fill(ADMIN[0])
    sidebar.get_by_role("textbox", name="Password").fill(ADMIN[1])
    sidebar.get_by_role("button", name="Log in").click()
    settle(page)
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
    settle(page)
    no_exception(page, "good upload")
    assert "looks like Start-ups (startups)" in page.locator('[data-testid="stMain"]').inner_text()
    page.get_by_role("button", name=re.compile("^Load good_startups.csv")).click()
    settle(page)
    no_exception(page, "load")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert re.search(r"good_startups\.csv: loaded 2 rows as batch \d+", body), body[-3000:]
    page.get_by_role("tab", name="Loaded files").click()
    assert loaded_count(page) == files_before + 1

    assert not errors, errors
    assert not external, f"requests left the machine: {external[:5]}"
    page.close()
