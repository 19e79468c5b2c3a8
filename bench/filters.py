"""Benchmark of instant filters (issue 10): how long the Education page takes to settle in headless Chromium
after a sidebar filter change, and a deep link in a fresh browser page, on the demo data.

Usage (from the project root; about 2 to 3 minutes with the default 5 repetitions):

    .venv/bin/python bench/filters.py [--repeat 5] [--doc docs/performance.md] [--json OUT.json]
                                      [--code DIR] [--demo DEMO.duckdb]

1. Builds the demo database in a temporary folder (``python -m siree_metrics demo --db TMP/demo.duckdb``; or
   copies ``--demo``) and starts the dashboard over it on a free port, as the browser tests do
   (tests/browser_helpers.py). ``--code DIR`` runs another checkout's dashboard instead, to measure before and
   after on the same machine: ``git archive COMMIT | tar -x -C DIR``.
2. Opens the Education page's "Children in school" tab (``/Education?show=children_in_school``: the
   indicator's chart and the attendance rate, the page's heaviest tab) once and the deep links once (not
   timed: the server's first runs and cold caches), then REPEAT times:
   (a) chooses "Belgium (Flanders)" in the sidebar's Country filter, then "Arr. Mechelen (BE212)" in the
   Region filter, each timed until the page has settled, then removes both (not timed); the first repetition
   is a combination the server has not seen in that session, the later ones are warm;
   (b) opens the deep link /Education?country=BE&region=BE212 (the page's first tab, "At a glance") and the
   same link to the children-in-school tab in a fresh page twice each: in a new browser context (a new visitor:
   new session, empty browser cache) and in a new tab of the first page's context (a returning visitor: new
   session, the browser's cache warm), each timed until settled;
   (c) the floor Streamlit itself sets on this machine, the same two ways: a page with only a title, and a page
   with a title and one small plotly chart, served by a second ``streamlit run`` of a three-line app with the
   dashboard's own settings (``.streamlit/config.toml``).
3. "Settled" = Streamlit has sent ``script_finished`` for the run, no status widget and no stale element is
   left, every chart's container (``st-key-chart_<name>``) holds a drawn plotly chart, and nothing in the main
   area has changed for QUIET seconds; the time is from the pointer press (a) or the navigation start (b) to
   the LAST of those events (the quiet wait itself is not counted). Page clock (``performance.now()``)
   throughout, read by a probe installed before Streamlit's own scripts; it also counts the websocket bytes
   received and the plotly charts (re)created per step.

Prints median / min / max per step; ``--doc PATH`` replaces (or appends) the "## Filters" section of PATH
with a table of this run, the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser_helpers import chromium, dashboard, finished_times  # noqa: E402
from helpers import subprocess_env  # noqa: E402

COUNTRY = "Belgium (Flanders)"
REGION = "Arr. Mechelen (BE212)"
TAB = "/Education?show=children_in_school"  # the tab the filter changes are timed on
DEEP_LINK = "/Education?country=BE&region=BE212"
CHART_LINK = DEEP_LINK + "&show=children_in_school"
FLOOR_APP = """import plotly.graph_objects as go
import streamlit as st

st.title("Floor")
if st.query_params.get("chart") == "1":
    with st.container(key="chart_floor"):
        st.plotly_chart(go.Figure(go.Scatter(x=list(range(48)), y=list(range(48)))))
"""
QUIET = 0.8  # s with no change in the main area, no busy marker: the page is settled (not counted in the time)
GOALS = {"country": 0.5, "region": 0.5, "deep_link": 1.0, "deep_link_cached": 1.0}  # the others: no goal

# Installed before Streamlit's scripts: page-clock times of pointer presses, of "busy" changes (status widget or
# a stale element), of every change in the main area, of every websocket message (bytes counted; small ones
# kept to find script_finished), and of plotly's draws (a chart's "afterplot" event via its DOM class change).
PROBE = """
(() => {
  const s = window.__siree = {clicks: [], busy: [], mainChange: 0, msgs: [], bytes: [], plots: []};
  document.addEventListener('pointerdown', () => s.clicks.push(performance.now()), true);
  const sel = '[data-testid="stStatusWidget"], [data-stale="true"]';
  let last = null;
  let main = null;
  const seen = new WeakSet();
  new MutationObserver((records) => {
    const t = performance.now();
    const b = !!document.querySelector(sel);
    if (b !== last) { s.busy.push([t, b]); last = b; }
    if (!main || !main.isConnected) main = document.querySelector('[data-testid="stMain"]');
    let inMain = false;
    for (const r of records) {
      if (!inMain && main && main.contains(r.target)) inMain = true;
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        const found = n.classList.contains('svg-container') ? [n] : n.querySelectorAll('.svg-container');
        for (const c of found) if (!seen.has(c)) { seen.add(c); s.plots.push(t); }
      }
    }
    if (inMain) s.mainChange = t;
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const Original = window.WebSocket;
  function Probed(...args) {
    const ws = new Original(...args);
    ws.addEventListener('message', (e) => {
      const t = performance.now();
      const d = e.data;
      const n = d instanceof ArrayBuffer ? d.byteLength : (d.size || d.length || 0);
      s.bytes.push([t, n]);
      if (d instanceof ArrayBuffer && n < 256) s.msgs.push([t, Array.from(new Uint8Array(d))]);
    });
    return ws;
  }
  Probed.prototype = Original.prototype;
  Object.assign(Probed, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Probed;
})();
"""


# What the probe saw since page-clock time ``start`` (only that, so that polling stays cheap): whether every
# chart on the page has been drawn (each chart's container, class st-key-chart_<name> from ui/page.py
# show_chart, holds a drawn plotly chart: Streamlit loads its 4.7 MB plotly bundle only when the first chart
# arrives, and on a fresh page it draws seconds after the script has finished), the small messages, busy
# changes, websocket bytes and plotly draws.
SINCE = """(start) => {
  const s = window.__siree;
  return {now: performance.now(), mainChange: s.mainChange, clicks: s.clicks.length,
    drawn: [...document.querySelectorAll('[class*="st-key-chart_"]')].every(c => c.querySelector('.svg-container')),
    msgs: s.msgs.filter(m => m[0] >= start), busy: s.busy.filter(b => b[0] >= start),
    busyNow: s.busy.length > 0 && s.busy[s.busy.length - 1][1],
    bytes: s.bytes.filter(b => b[0] >= start).reduce((a, b) => a + b[1], 0),
    plots: s.plots.filter(p => p >= start).length};
}"""


def settled(page, start: float, timeout: float = 60) -> dict:  # noqa: ANN001
    """Wait until the page has settled after page-clock time ``start``; the step's figures."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        probe = page.evaluate(SINCE, start)
        done = finished_times(probe["msgs"])
        if not done or probe["busyNow"] or not probe["drawn"]:
            continue
        last = max([done[-1], probe["mainChange"]] + [t for t, _ in probe["busy"]])
        if probe["now"] - last < QUIET * 1000:
            continue
        return {"seconds": (last - start) / 1000, "reruns": len(done), "kb": probe["bytes"] / 1024,
                "plots_drawn": probe["plots"],
                "charts": page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').count()}
    raise RuntimeError("the page did not settle")


def press(page, locator) -> float:  # noqa: ANN001
    """Click ``locator``; the page-clock time of the pointer press."""
    n = page.evaluate("window.__siree.clicks.length")
    locator.click(force=True)
    return page.evaluate(f"window.__siree.clicks[{n}]")


def choose(page, which: int, option: str) -> dict:  # noqa: ANN001
    """Open the ``which``-th multiselect of the sidebar, press ``option``: timed from the press until settled."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stMultiSelect"]').nth(which).click()
    page.keyboard.type(option[:6])  # the list shows only its first options; typing narrows it
    item = page.get_by_role("option", name=option, exact=True)
    item.wait_for()
    page.wait_for_timeout(300)
    result = settled(page, press(page, item))
    page.keyboard.press("Escape")
    return result


def remove(page, option: str) -> None:  # noqa: ANN001
    settled(page, press(page, page.locator(f'[data-testid="stSidebar"] button[aria-label="Remove {option}"]').first))


def deep_link(browser, url: str, context=None, link: str = DEEP_LINK) -> dict:  # noqa: ANN001
    """``link`` opened in a fresh page: in a new browser context (a new visitor: a fresh session and an
    empty cache), or, with ``context``, in a new tab of that one (a returning visitor: a fresh session, the
    browser's cache warm). From navigation start until settled."""
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.add_init_script(PROBE)
    page = context.new_page()
    try:
        page.goto(url + link)
        return settled(page, 0.0)
    finally:
        page.close()
        if own:
            context.close()


def machine() -> dict[str, str]:
    import streamlit

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(),
            "streamlit": streamlit.__version__, "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "commit": commit.stdout.strip()[:60] + (" (with uncommitted changes)" if dirty else "")}


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run(repeat: int, code: Path = ROOT, demo: Path | None = None) -> dict:
    """The measurements, with the dashboard of the checkout ``code``, over a copy of ``demo`` (else a demo
    database built by that checkout) in a temporary folder."""
    from playwright import sync_api

    env = {**subprocess_env(), "PYTHONPATH": str(code)}
    out: dict = {"machine": machine(), "code": str(code), "steps": {step: [] for step in NAMES}, "load": []}
    with tempfile.TemporaryDirectory(prefix="siree_filters_") as tmp:
        db = Path(tmp) / "demo.duckdb"
        if demo is not None:
            shutil.copyfile(demo, db)
        else:
            subprocess.run([sys.executable, "-m", "siree_metrics", "demo", "--db", str(db)], cwd=code, env=env,
                           check=True, capture_output=True, timeout=300)
        floor = Path(tmp) / "floor"
        floor.mkdir()
        (floor / "dashboard.py").write_text(FLOOR_APP)
        shutil.copytree(ROOT / ".streamlit", floor / ".streamlit")  # the dashboard's own server settings
        with dashboard(db, Path(tmp) / "streamlit.log", env, root=code) as url, chromium(sync_api) as browser, \
                dashboard(db, Path(tmp) / "floor.log", env, root=floor) as floor_url:
            warm = {}  # a returning visitor's browser context for each server, its cache warmed below
            for base in ("app", "floor"):
                warm[base] = browser.new_context(viewport={"width": 1280, "height": 720})
                warm[base].add_init_script(PROBE)
            deep_link(browser, floor_url, warm["floor"], "/?chart=1")
            page = warm["app"].new_page()
            page.goto(url + TAB)
            settled(page, 0.0, timeout=120)  # the first page after the server started: not timed
            servers = {"app": url, "floor": floor_url}
            for base, link in LINKS.values():  # the server's caches and the browser's first fetches: not timed
                deep_link(browser, servers[base], link=link)
            for i in range(repeat):
                out["load"].append(loadavg())
                out["steps"]["country"].append(choose(page, 0, COUNTRY))
                out["steps"]["region"].append(choose(page, 1, REGION))
                remove(page, REGION)
                remove(page, COUNTRY)
                for step, (base, link) in LINKS.items():
                    out["steps"][step].append(deep_link(browser, servers[base], link=link))
                    out["steps"][step + "_cached"].append(deep_link(browser, servers[base], warm[base], link))
                print(f"run {i + 1}: " + "  ".join(f"{k} {v[-1]['seconds']:.3f} s" for k, v in out["steps"].items())
                      + f"  (load {out['load'][-1]:.2f})", flush=True)
                if page.locator('[data-testid="stException"]').count():
                    raise RuntimeError("an exception on the page")
    out["load"].append(loadavg())
    return out


LINKS = {"deep_link": ("app", DEEP_LINK), "chart_link": ("app", CHART_LINK),  # step: (server, link)
         "floor_empty": ("floor", "/"), "floor_chart": ("floor", "/?chart=1")}
NAMES = {"country": f"filter change on `{TAB}`: Country → {COUNTRY}",
         "region": f"filter change on `{TAB}`: Region → {REGION}",
         "deep_link": f"deep link `{DEEP_LINK}` (\"At a glance\"), fresh page, new browser context (empty cache)",
         "deep_link_cached": f"deep link `{DEEP_LINK}` (\"At a glance\"), fresh page (new tab, browser cache warm)",
         "chart_link": f"deep link `{CHART_LINK}` (the tab that draws them), new browser context (empty cache)",
         "chart_link_cached": f"deep link `{CHART_LINK}` (the tab that draws them), new tab (browser cache warm)",
         "floor_empty": "floor: a Streamlit page with only a title, new browser context (empty cache)",
         "floor_empty_cached": "floor: a Streamlit page with only a title, new tab (browser cache warm)",
         "floor_chart": "floor: a Streamlit page with a title and one plotly chart, new browser context",
         "floor_chart_cached": "floor: a Streamlit page with a title and one plotly chart, new tab (cache warm)"}


def table(out: dict) -> str:
    lines = ["| step | median | min | max | goal | reruns | websocket kB | charts drawn / on page |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for step, runs in out["steps"].items():
        s = [r["seconds"] for r in runs]
        med = statistics.median(s)
        goal = f"< {GOALS[step]:.1f} s ({'met' if med < GOALS[step] else 'not met'})" if step in GOALS else ""
        lines.append(
            f"| {NAMES[step]} | **{med:.2f} s** | {min(s):.2f} s | {max(s):.2f} s | {goal} "
            f"| {statistics.median(r['reruns'] for r in runs):.0f} | "
            f"{statistics.median(r['kb'] for r in runs):.0f} | "
            f"{statistics.median(r['plots_drawn'] for r in runs):.0f} / {runs[-1]['charts']} |")
    return "\n".join(lines)


def doc_section(out: dict, repeat: int) -> str:
    m = out["machine"]
    return "\n".join([
        "## Filters (issue 10)", "",
        f"Measured with `python bench/filters.py --repeat {repeat} --doc docs/performance.md` (headless Chromium "
        "from Debian, playwright; the demo database built in a temporary folder; the dashboard started as the "
        "browser tests start it). Each figure: from the pointer press (filter change) or the navigation start "
        "(deep link) until Streamlit has finished the run, no element is stale, every chart is drawn and the "
        f"main area has not changed for {QUIET} s (not counted); {repeat} repetitions, the first a filter "
        "combination new to the session. The machine is shared: read the load average with the figures.", "",
        f"- Machine: {m['nproc']} CPUs, {m['cpu']}; Python {m['python']}, Streamlit {m['streamlit']}",
        f"- Date: {m['date']}; code: {m['commit'] if out.get('code') == str(ROOT) else out.get('code')}",
        f"- 1-minute load average during the run: {min(out['load']):.2f}–{max(out['load']):.2f}", "",
        table(out), ""])


def write_doc(path: Path, section: str) -> None:
    """Replace the "## Filters (issue 10)" section of ``path`` (up to the next "## " heading) or append it.
    Notes about the figures belong in a section of their own after it, which this leaves alone."""
    text = path.read_text() if path.exists() else "# Performance\n"
    pattern = re.compile(r"^## Filters \(issue 10\)\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section + "\n", text, count=1) if pattern.search(text) \
        else text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--doc", type=Path, help="write the Filters section of this Markdown file")
    ap.add_argument("--json", type=Path, help="write every step's figures to this file")
    ap.add_argument("--code", type=Path, default=ROOT,
                    help="the checkout whose dashboard runs (default: this one), e.g. an earlier commit exported "
                         "with `git archive COMMIT | tar -x -C DIR`, to measure before and after")
    ap.add_argument("--demo", type=Path, help="copy this demo database instead of building one")
    args = ap.parse_args(argv)
    out = run(args.repeat, args.code.resolve(), args.demo)
    print()
    print(table(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    if args.doc:
        write_doc(args.doc, doc_section(out, args.repeat))
        print(f"wrote the Filters section of {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
