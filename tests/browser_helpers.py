"""What the real-browser tests (test_browser.py, test_browser_attacks.py) and bench/concurrency.py share: the
dashboard started on a free port over a given database, Debian's Chromium launched the same way, and how to
tell that Streamlit has finished drawing a page. Plain functions, no fixtures (each test module keeps its own,
so a module run alone starts only what it needs)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
BUSY = '[data-testid="stStatusWidget"], [data-stale="true"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard(db: Path, log: Path, env: dict[str, str], start_within: float = 60, root: Path = ROOT) -> Iterator[str]:
    """``streamlit run dashboard.py`` over ``db`` on a free localhost port; yields its URL, stops it at the end.
    ``root``: the checkout whose dashboard runs (bench/filters.py compares two).

    Raises RuntimeError, with the end of the server's log, if it does not answer its health check in time.
    """
    port = free_port()
    env = {**env, "SIREE_DB": str(db)}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_within
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the dashboard did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def demo_dashboard(folder: Path, env: dict[str, str], prepare: Callable[[Path], object] | None = None) -> Iterator[str]:
    """The dashboard (``dashboard``) over a demo database built in ``folder`` by ``python -m siree_metrics demo``,
    after ``prepare(db)`` if given (an account, say). Raises RuntimeError when the demo cannot be built."""
    db = folder / "demo.duckdb"
    built = subprocess.run([sys.executable, "-m", "siree_metrics", "demo", "--db", str(db)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    if built.returncode != 0:
        raise RuntimeError("the demo database could not be built:\n" + built.stderr[-2000:])
    if prepare is not None:
        prepare(db)
    with dashboard(db, folder / "streamlit.log", env) as url:
        yield url


@contextmanager
def chromium(playwright_api) -> Iterator[object]:  # noqa: ANN001 (playwright.sync_api, imported by the caller)
    """Debian's Chromium, headless, with nothing that would reach outside the machine."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def finished_times(msgs: list) -> list[float]:
    """(page-clock time, message bytes) pairs of the websocket -> the times of its ``script_finished``
    messages (bench/pages.py and bench/filters.py time reruns by them)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    times = []
    for t, data in msgs:
        msg = ForwardMsg()
        try:
            msg.ParseFromString(bytes(data))
        except Exception:  # noqa: BLE001 — not a whole ForwardMsg
            continue
        if msg.WhichOneof("type") == "script_finished":
            times.append(t)
    return times


def settle(page, timeout: float = 40, quiet: float = 0.6, networkidle: bool = True) -> None:  # noqa: ANN001
    """Wait until Streamlit has drawn the page and finished running the script.

    The filters in the sidebar mark a drawn page; "finished" is no running-status widget and no stale
    element for ``quiet`` seconds (the status widget only shows some time after a run starts).
    """
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stDateInput"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if page.locator(BUSY).count():
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > quiet:
            break
        time.sleep(0.1)
    if networkidle:
        page.wait_for_load_state("networkidle")


def log_in(page, name: str, password: str) -> None:  # noqa: ANN001
    """Log in through the sidebar's box "Log in (partners and admins)" and wait for the page to redraw."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Log in (partners and admins)").click()
    sidebar.get_by_role("textbox", name="Account name").fill(name)
    sidebar.get_by_role("textbox", name="Password").fill(password)
    sidebar.get_by_role("button", name="Log in").click()
    sidebar.get_by_role("button", name="Log out").wait_for(timeout=30_000)
    settle(page)
