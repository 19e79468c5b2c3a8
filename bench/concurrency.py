"""Concurrency in a real browser (issue 9): partners uploading through the dashboard and a command-line load
while other browser sessions read; no error, nothing lost, every upload counted once.

Usage (from the project root):

    python bench/concurrency.py [--uploads 4] [--readers 10] [--before 20] [--keep DIR]

1. Builds a fresh demo database in a temporary folder (``python -m siree_metrics demo``), adds one partner
   account per uploader (``siree_metrics.accounts.add``) and starts ``streamlit run dashboard.py`` on it
   (the same way as tests/test_browser.py). Each uploader gets a distinct small valid Start-ups file
   (3 rows, its own ``partner_id``); the command line gets a fourth-country partner's file (VIVES).
2. One headless Chromium (Debian's), one browser context per person (separate sessions and cookies):
   the uploaders open the Data page and log in through the sidebar's "Log in (partners and admins)"; then
   the READERS contexts reload the pages one after the other (Overview, Education, ..., Method) in a loop.
   For BEFORE seconds, and until each reader has reloaded twice, only the readers run ("before"); then every
   uploader drops its file and presses Load and ``python -m siree_metrics load`` starts, all at once; the
   readers go on until the last load is done.
3. Checks: every upload says "loaded 3 rows as batch N", the command line exits 0, the database has exactly
   UPLOADS + 1 new batches, each file once, loaded by the right account, the Start-ups table has 3 more rows
   per file, the Data page counts UPLOADS + 1 more files, and no page showed an exception box, a traceback
   or a server path, or raised a JavaScript error.

Timings: a reload is from ``goto`` until the script has finished (the last moment Streamlit's running-status
widget or a stale element was seen, polled every 0.1 s); "before" are reloads that ended before the
uploads started, "during" those that overlapped them. An upload is timed from dropping the file to "Ready to
load" (the check, in a worker process, one at a time) and from pressing Load to the "loaded" message.

Writes bench/out/concurrency_results.json and prints the figures as Markdown. ``trial`` is also what
tests/test_browser_attacks.py runs, lighter (2 uploads, 3 readers).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser_helpers import BUSY, CHROMIUM, CHROMIUM_ARGS, dashboard  # noqa: E402
from helpers import csv_bytes, rows_from, subprocess_env  # noqa: E402

from siree_metrics import accounts  # noqa: E402
from siree_metrics.ingest import store  # noqa: E402
from siree_metrics.reference import load_reference  # noqa: E402

OUT = ROOT / "bench" / "out"
READ_PAGES = ["/", "/Education", "/Entrepreneurship", "/Countries_and_regions", "/Budget", "/Data", "/Method"]
UPLOADERS = ["MECHELEN", "ADICE", "UCR", "UOG", "ARHUS", "MIDDELBURG", "MEDWAYPLUS", "LSF"]  # in this order
CLI_PARTNER = "VIVES"
ROWS = 3  # rows per file
PASSWORD = "a concurrency test password"
DRAWN = '[data-testid="stSidebar"] [data-testid="stDateInput"]'
LEAKS = ("Traceback", "/work/", "site-packages", "This app has encountered an error")
LOADED = re.compile(r"loaded (\d+) rows as batch (\d+)")


@dataclass
class Report:
    uploads: list[dict] = field(default_factory=list)  # partner, file, account, check_s, load_s, message
    cli: dict = field(default_factory=dict)  # seconds, returncode, stdout, stderr
    reloads: list[dict] = field(default_factory=list)  # reader, path, start, end (monotonic), seconds
    errors: list[str] = field(default_factory=list)
    load_average: tuple[float, ...] = ()  # the machine's 1-minute load average before and after (os.getloadavg)
    started: float = 0.0  # monotonic time the uploads and the command-line load started
    finished: float = 0.0  # ... and the last of them finished
    new_batches: list[tuple] = field(default_factory=list)  # (file_name, loaded_by, rows) of batches after the start
    startups_added: int = 0
    files_shown: tuple[int, int] = (0, 0)  # the Data page's "N files loaded" before and after

    def seconds(self, phase: str) -> list[float]:
        """Reload times "before" the uploads started (each reader's first, cold, page left out), or "during"
        them (overlapping their window)."""
        if phase == "before":
            return [r["seconds"] for r in self.reloads if r["end"] <= self.started and r["warm"]]
        return [r["seconds"] for r in self.reloads if r["start"] < self.finished and r["end"] > self.started]


def startups_file(folder: Path, partner: str, tag: str) -> Path:
    """A valid Start-ups file of ROWS rows for ``partner`` (its home region), entrepreneurs new to the database."""
    region = load_reference().partners[partner].home_region
    path = folder / f"{tag}_{partner.lower()}_startups.csv"
    path.write_bytes(csv_bytes(rows_from(
        {"partner_id": partner, "region": region, "entrepreneur_id": f"{tag.upper()}-{partner}-{i}",
         "registered_on": f"2021-05-0{i + 1}", "sector": "retail", "jobs_created": "1"} for i in range(ROWS))))
    return path


def _counts(db: Path) -> tuple[int, int]:
    with store.connect(db) as con:
        return (con.execute("SELECT coalesce(max(batch_id), 0) FROM batches").fetchone()[0],
                con.execute("SELECT count(*) FROM startups").fetchone()[0])


async def settle(page, timeout: float = 180, quiet: float = 0.6) -> float:  # noqa: ANN001
    """Wait until the script has finished (as browser_helpers.settle); returns the monotonic time it was last
    seen busy (or first drawn), so a reload's time does not include the quiet wait."""
    await page.wait_for_selector(DRAWN, timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    busy_at = time.monotonic()
    while time.monotonic() < deadline:
        if await page.locator(BUSY).count():
            busy_at = time.monotonic()
        elif time.monotonic() - busy_at > quiet:
            return busy_at
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{page.url}: still running after {timeout} s")


async def _problems(page, where: str, errors: list[str]) -> None:  # noqa: ANN001
    if await page.locator('[data-testid="stException"]').count():
        errors.append(f"{where}: an exception box")
    text = await page.locator("body").inner_text()
    errors += [f"{where}: {leak!r} on the page" for leak in LEAKS if leak in text]


async def _files_shown(page, url: str) -> int:  # noqa: ANN001
    await page.goto(url + "/Data")
    await settle(page)
    await page.get_by_role("tab", name="Loaded files").click()
    found = re.search(r"(\d+) files loaded", await page.locator('[data-testid="stMain"]').inner_text())
    return int(found.group(1)) if found else -1


async def _reader(browser, url: str, n: int, report: Report, stop: asyncio.Event) -> None:  # noqa: ANN001
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    page.on("pageerror", lambda e: report.errors.append(f"reader {n}: JavaScript error {e}"))
    i = n  # each reader starts on another page
    while not stop.is_set():
        path = READ_PAGES[i % len(READ_PAGES)]
        start = time.monotonic()
        try:
            await page.goto(url + path)
            end = await settle(page)
        except Exception as e:  # noqa: BLE001 (a timeout is a finding, not a crash of the bench)
            report.errors.append(f"reader {n} {path}: {e}")
            break
        await _problems(page, f"reader {n} {path}", report.errors)
        report.reloads.append({"reader": n, "path": path, "start": start, "end": end, "seconds": end - start,
                               "warm": i > n})  # the reader's first page is its browser context's cold start
        i += 1
    await context.close()


async def _log_in(browser, url: str, account: str, report: Report):  # noqa: ANN001, ANN202
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    page.on("pageerror", lambda e: report.errors.append(f"{account}: JavaScript error {e}"))
    await page.goto(url + "/Data")
    await settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    await sidebar.get_by_text("Log in (partners and admins)").click()
    await sidebar.get_by_role("textbox", name="Account name").fill(account)
    await sidebar.get_by_role("textbox", name="Password").fill(PASSWORD)
    await sidebar.get_by_role("button", name="Log in").click()
    await sidebar.get_by_role("button", name="Log out").wait_for(timeout=120_000)
    await settle(page)
    await page.get_by_role("tab", name="Upload a file").click()
    await page.locator('input[type="file"]').wait_for(state="attached", timeout=60_000)
    return page


async def _upload(page, partner: str, account: str, file: Path, report: Report) -> None:  # noqa: ANN001
    main = page.locator('[data-testid="stMain"]')
    start = time.monotonic()
    await page.locator('input[type="file"]').set_input_files(str(file))
    await main.get_by_text("Ready to load").wait_for(timeout=300_000)
    checked = time.monotonic()
    await page.get_by_role("button", name=re.compile("^Load " + re.escape(file.name))).click()
    # ui.upload's outcome: "FILE: loaded ...", "FILE: refused: ..." or "FILE: <already loaded as batch N>" (its
    # mark, ✔ ✖ ●, is drawn apart as the message's icon); "FILE: no problems" is the check's line
    outcome = re.compile("^" + re.escape(file.name) + r": (?!no problems)")
    await main.get_by_text(outcome).first.wait_for(timeout=300_000)
    loaded = time.monotonic()
    lines = [line for line in (await main.inner_text()).splitlines() if line.count(file.name + ":")]
    message = next((line for line in lines if LOADED.search(line) or "refused" in line), lines[-1] if lines else "")
    await _problems(page, f"upload {account}", report.errors)
    report.uploads.append({"partner": partner, "file": file.name, "account": account, "check_s": checked - start,
                           "load_s": loaded - checked, "total_s": loaded - start, "message": message})


async def _cli(db: Path, file: Path, report: Report) -> None:
    start = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "siree_metrics", "load", "--db", str(db), "--dataset", "startups", str(file),
        cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await proc.communicate()
    report.cli = {"file": file.name, "seconds": time.monotonic() - start, "returncode": proc.returncode,
                  "stdout": out.decode()[-500:], "stderr": err.decode()[-500:]}


async def _trial(url: str, db: Path, folder: Path, uploads: int, readers: int, before: float, warm: int,
                 tag: str) -> Report:
    from playwright.async_api import async_playwright

    report = Report(load_average=(os.getloadavg()[0],))
    partners = tuple(load_reference().partners)
    people = [(partner, f"{tag}-{partner.lower()}") for partner in UPLOADERS[:uploads]]
    for partner, account in people:
        accounts.add(db, account, "partner", PASSWORD, partner_id=partner, partners=partners)
    files = {partner: startups_file(folder, partner, tag) for partner, _ in people}
    cli_file = startups_file(folder, CLI_PARTNER, tag)
    batches_before, startups_before = _counts(db)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        counter = await (await browser.new_context()).new_page()
        shown_before = await _files_shown(counter, url)
        pages = await asyncio.gather(*(_log_in(browser, url, account, report) for _, account in people))
        stop = asyncio.Event()
        reading = [asyncio.create_task(_reader(browser, url, n, report, stop)) for n in range(readers)]
        await asyncio.sleep(before)  # and until every reader has reloaded ``warm`` times (the first is cold)
        while min((sum(r["reader"] == n for r in report.reloads) for n in range(readers)), default=0) < warm \
                and not report.errors:
            await asyncio.sleep(0.2)
        report.started = time.monotonic()
        await asyncio.gather(_cli(db, cli_file, report),
                             *(_upload(page, partner, account, files[partner], report)
                               for page, (partner, account) in zip(pages, people, strict=True)))
        report.finished = time.monotonic()
        stop.set()
        await asyncio.gather(*reading)
        shown_after = await _files_shown(counter, url)
        report.files_shown = (shown_before, shown_after)
        await browser.close()
    with store.connect(db) as con:
        report.new_batches = [(Path(name).name, by, rows) for name, by, rows in con.execute(  # the CLI's: a path
            "SELECT file_name, loaded_by, rows FROM batches WHERE batch_id > $b ORDER BY batch_id",
            {"b": batches_before}).fetchall()]
    report.startups_added = _counts(db)[1] - startups_before
    report.load_average += (os.getloadavg()[0],)
    return report


def trial(url: str, db: Path, folder: Path, uploads: int = 4, readers: int = 10, before: float = 20,
          warm: int = 2, tag: str = "conc") -> Report:
    """One run against the dashboard at ``url`` over ``db``: ``uploads`` partners (accounts ``<tag>-<partner>``
    created here) upload a file each while a command-line load runs and ``readers`` sessions reload pages
    (for ``before`` seconds and ``warm`` reloads each before the uploads start);
    files are written into ``folder``. Returns what happened; checking it is the caller's job (``verdict``)."""
    # in a thread of its own: the caller may be inside playwright's sync API, which runs an event loop
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _trial(url, db, folder, uploads, readers, before, warm, tag)).result()


def verdict(report: Report, uploads: int) -> list[str]:
    """What went wrong, as sentences (an empty list: no error, nothing lost, every upload counted once)."""
    wrong = list(report.errors)
    wrong += [f"{u['file']}: {u['message'] or 'no message'}" for u in report.uploads
              if not LOADED.search(u["message"]) or LOADED.search(u["message"]).group(1) != str(ROWS)]
    if len(report.uploads) != uploads:
        wrong.append(f"{len(report.uploads)} of {uploads} uploads finished")
    if report.cli.get("returncode") != 0:
        wrong.append(f"command-line load: exit {report.cli.get('returncode')}: {report.cli.get('stderr')}")
    names = sorted(b[0] for b in report.new_batches)
    wanted = sorted([u["file"] for u in report.uploads] + [report.cli.get("file")])
    if names != wanted:
        wrong.append(f"new batches {names}, expected each of {wanted} once")
    by = {b[0]: b[1] for b in report.new_batches}
    wrong += [f"{u['file']} loaded by {by.get(u['file'])!r}, not {u['account']!r}" for u in report.uploads
              if by.get(u["file"]) != u["account"]]
    if not str(by.get(report.cli.get("file"), "")).startswith("command line"):
        wrong.append(f"the command-line file was loaded by {by.get(report.cli.get('file'))!r}")
    if report.startups_added != ROWS * (uploads + 1):
        wrong.append(f"{report.startups_added} Start-ups rows added, expected {ROWS * (uploads + 1)}")
    if report.files_shown[1] - report.files_shown[0] != uploads + 1:
        wrong.append(f"the Data page went from {report.files_shown[0]} to {report.files_shown[1]} files loaded")
    return wrong


def _stats(values: list[float]) -> str:
    if not values:
        return "none"
    q = statistics.quantiles(values, n=20) if len(values) > 1 else values
    return (f"n={len(values)} median {statistics.median(values):.1f} s, p95 {q[-1]:.1f} s, "
            f"max {max(values):.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uploads", type=int, default=4)
    ap.add_argument("--readers", type=int, default=10)
    ap.add_argument("--before", type=float, default=20, help="seconds of reading before the uploads start")
    ap.add_argument("--keep", type=Path, help="a folder to build in and keep (default: a temporary one)")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="siree_concurrency_"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "demo.duckdb"
    built = subprocess.run([sys.executable, "-m", "siree_metrics", "demo", "--db", str(db)], cwd=ROOT,
                           env=subprocess_env(), capture_output=True, text=True)
    if built.returncode:
        sys.exit(built.stderr)
    with dashboard(db, folder / "streamlit.log", subprocess_env()) as url:
        report = trial(url, db, folder, args.uploads, args.readers, args.before)
    wrong = verdict(report, args.uploads)
    log = (folder / "streamlit.log").read_text()
    if "Traceback" in log:
        wrong.append("the server logged a traceback (see streamlit.log)")
    OUT.mkdir(exist_ok=True)
    result = {"machine": f"{platform.machine()}, {platform.python_version()}", "uploads": args.uploads,
              "readers": args.readers, "window_s": report.finished - report.started, "wrong": wrong,
              **asdict(report)}
    (OUT / "concurrency_results.json").write_text(json.dumps(result, indent=1, default=str))
    print(f"{args.uploads} browser uploads + 1 command-line load, {args.readers} readers; "
          f"all done in {report.finished - report.started:.1f} s")
    print("| upload | check (s) | load (s) | total (s) | message |\n|---|---|---|---|---|")
    for u in sorted(report.uploads, key=lambda u: u["partner"]):
        print(f"| {u['account']} | {u['check_s']:.1f} | {u['load_s']:.1f} | {u['total_s']:.1f} | {u['message']} |")
    print(f"| command line ({report.cli.get('file')}) | | | {report.cli.get('seconds', 0):.1f} | "
          f"exit {report.cli.get('returncode')} |")
    print(f"reloads before the uploads: {_stats(report.seconds('before'))}")
    print(f"reloads during the uploads: {_stats(report.seconds('during'))}")
    print(f"machine load average (1 min) before and after: {report.load_average}")
    print(f"new batches: {len(report.new_batches)}; Start-ups rows added: {report.startups_added}; "
          f"Data page files: {report.files_shown[0]} -> {report.files_shown[1]}")
    print("no error, nothing lost, every upload counted once" if not wrong else "WRONG:\n" + "\n".join(wrong))
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
