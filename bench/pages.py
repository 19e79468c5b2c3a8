"""Benchmark of the dashboard pages (issue 3): every page cold and warm, on the demo data and at 1 M rows,
with the plain-pandas page (bench/plain_pandas_page.py, "the usual alternative") measured in the same run.

Usage (from the project root, Python /work/venv/bin/python):

    python bench/pages.py [--rows 1000000] [--repeat 3] [--browser | --no-browser]

1. Builds, unless they exist already, (a) the demo database bench/out/demo.duckdb
   (``python -m siree_metrics demo --db bench/out/demo.duckdb``) and (b) demo + ROWS school_attendance rows,
   bench/out/pages_ROWS.duckdb: the demo command, then ``python bench/make_attendance.py ROWS
   bench/out/pages_attendance_ROWS.csv`` and ``python -m siree_metrics load --db ... --dataset
   school_attendance`` on that file.
2. For each database and each page (dashboard.py, pages/*.py, bench/plain_pandas_page.py), REPEAT times a
   fresh Python process (``python bench/pages.py --worker PAGE``, SIREE_DB set) times, with AppTest:
   - cold: the first ``at.run()`` of the page in that process (page imports, first queries, drawing); the
     import of streamlit / AppTest before it is timed separately (a real server pays it before the first
     request); interpreter start-up is excluded;
   - warm: a second ``at.run()`` with the same filters (cache filled);
   - filter change (miss): the Country multiselect set to Belgium, then ``run()`` (a combination not yet
     seen by this process);
   - back: the filter cleared again (seen before: warm);
   - filter change (warm): Belgium again (seen before: every cached query is a hit).
   The process sleeps 0.6 s before each timed step (outside the timing), as a person between clicks does;
   (the dashboard keeps its shared reader open for 2 s of idleness).
   Each step's figure is the median over the REPEAT processes. Besides ``run()`` the worker records the time
   the script thread itself ran (``script``), so AppTest's own overhead (parsing every message into its
   element tree, polling) is run() - script.
3. With --browser (the default when /usr/bin/chromium and playwright exist): ``streamlit run`` a page on a
   free port over the ROWS database, headless Chromium, and times (REPEAT fresh servers): the first page
   after the server started (goto until the script has finished), and selecting / removing Belgium in the
   Country multiselect until Streamlit's status widget has gone. "script finished" is the arrival of the
   ``script_finished`` ForwardMsg on the websocket; "idle" is when neither the status widget nor a stale
   element was seen any more.

Writes bench/out/pages_results.json and prints the table as Markdown. ``--profile PAGE STEP`` runs one
worker under cProfile (the script thread) and writes bench/out/pages_profile_<page>_<step>.prof.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
PAGES = ["dashboard.py", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py")),
         "bench/plain_pandas_page.py"]
PLAIN = "bench/plain_pandas_page.py"
STEPS = ("cold", "warm", "miss", "back", "change_warm")
PAUSE_S = 0.6
CHROMIUM = "/usr/bin/chromium"


def env_for(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SIREE_DB", "SIREE_UPLOADS")}
    env["SIREE_DB"] = str(db)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def sh(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Run a command from the project root, echoing it; returns its wall time."""
    print("$ " + " ".join(str(c) for c in cmd), flush=True)
    t = time.perf_counter()
    subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def build(rows: int) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    demo = OUT / "demo.duckdb"
    big = OUT / f"pages_{rows}.duckdb"
    csv = OUT / f"pages_attendance_{rows}.csv"
    rel = lambda p: p.relative_to(ROOT)  # noqa: E731
    if not demo.exists():
        sh([PY, "-m", "siree_metrics", "demo", "--db", rel(demo)])
    if not big.exists():
        if not csv.exists():
            sh([PY, "bench/make_attendance.py", rows, rel(csv)])
        partial = big.with_suffix(".partial.duckdb")
        for p in (partial, Path(str(partial) + ".wal"), Path(str(partial) + ".lock")):
            p.unlink(missing_ok=True)
        sh([PY, "-m", "siree_metrics", "demo", "--db", rel(partial)])
        sh([PY, "-m", "siree_metrics", "load", "--db", rel(partial), "--dataset", "school_attendance", rel(csv)])
        partial.rename(big)
        Path(str(partial) + ".lock").unlink(missing_ok=True)
    return {"demo": demo, f"{rows // 1_000_000} M" if rows % 1_000_000 == 0 else f"{rows:,}": big}


def attendance_rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select count(*) from school_attendance").fetchone()[0]
    finally:
        con.close()


# -- the worker: one fresh process, one page --------------------------------------------------------------------

def worker(page: str, profile_step: str | None, profile_out: str | None) -> None:
    t0 = time.perf_counter()
    import threading

    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    import_s = time.perf_counter() - t0
    script: list[float] = []
    original = LocalScriptRunner._run_script_thread

    def timed(self):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        try:
            original(self)
        finally:
            script.append(time.perf_counter() - t)

    LocalScriptRunner._run_script_thread = timed
    key = "country" if page == PLAIN else "w_country"
    if page == PLAIN:
        at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    else:  # as the server runs it: dashboard.py is the entrypoint (the sidebar's page links need it)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        if page != "dashboard.py":
            at.switch_page(page)
    result: dict[str, object] = {"page": page, "import_s": import_s}
    prof = None

    def step(name: str, action) -> None:  # noqa: ANN001
        nonlocal prof
        time.sleep(PAUSE_S)
        if name == profile_step:
            import cProfile

            prof = cProfile.Profile()

            def hook(*_):  # noqa: ANN002, ANN202 — runs first in each new thread: profile the script thread only
                sys.setprofile(None)
                if threading.current_thread().name.startswith("ScriptRunner"):
                    prof.enable()

            threading.setprofile(hook)
        t = time.perf_counter()
        action()
        result[name] = time.perf_counter() - t
        result[name + "_script"] = script[-1]
        if name == profile_step:
            threading.setprofile(None)
            prof.disable()
            prof.dump_stats(profile_out)
        if at.exception:
            raise SystemExit(f"{page} {name}: " + " | ".join(e.value for e in at.exception)[:2000])

    def select(values: list[str]) -> None:
        at.multiselect(key=key).set_value(values).run()

    step("cold", at.run)
    step("warm", at.run)
    step("miss", lambda: select(["BE"]))
    result["country_after_change"] = list(at.multiselect(key=key).value)
    step("back", lambda: select([]))
    step("change_warm", lambda: select(["BE"]))
    result["charts"] = len(at.get("plotly_chart"))
    print("RESULT " + json.dumps(result))


def run_worker(page: str, db: Path, extra: list[str] = ()) -> dict:
    proc = subprocess.run([PY, __file__, "--worker", page, *extra], cwd=ROOT, env=env_for(db), capture_output=True,
                          text=True, timeout=1800)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise RuntimeError(f"{page} on {db}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(line[len("RESULT "):])


# -- the real browser ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Installed in the page before Streamlit's own scripts: page-clock (performance.now()) times of pointer presses,
# of every change of "busy" (status widget shown or an element stale), of the last DOM change, and of every small
# websocket message (kept as bytes, decoded afterwards: script_finished is a few bytes).
PROBE = """
(() => {
  const s = window.__siree = {clicks: [], busy: [], msgs: [], lastMutation: 0};
  document.addEventListener('pointerdown', () => s.clicks.push(performance.now()), true);
  const sel = '[data-testid="stStatusWidget"], [data-stale="true"]';
  let last = null;
  new MutationObserver(() => {
    s.lastMutation = performance.now();
    const b = !!document.querySelector(sel);
    if (b !== last) { s.busy.push([s.lastMutation, b]); last = b; }
  }).observe(document, {subtree: true, childList: true, attributes: true});
  const Original = window.WebSocket;
  function Probed(...args) {
    const ws = new Original(...args);
    ws.addEventListener('message', (e) => {
      const t = performance.now();
      const d = e.data;
      if (d instanceof ArrayBuffer && d.byteLength < 256) s.msgs.push([t, Array.from(new Uint8Array(d))]);
    });
    return ws;
  }
  Probed.prototype = Original.prototype;
  Object.assign(Probed, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Probed;
})();
"""


def browser_once(db: Path, target: str, path: str, option: str) -> dict:
    """One fresh server and browser: the first page, then select / remove / select ``option`` in the Country
    multiselect. Each step: from the navigation start or the pointer press (page clock) to the arrival of
    ``script_finished`` (``finished``) and to the moment nothing is busy any more (``idle``: the status widget
    gone and no stale element), plus the server's own script time for that step."""
    import urllib.request

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser_helpers import finished_times

    port = free_port()
    log = (OUT / f"pages_streamlit_{port}.log").open("w")
    script_log = OUT / f"pages_streamlit_{port}.runs"
    script_log.unlink(missing_ok=True)
    server = subprocess.Popen(
        [PY, __file__, "--serve", str(script_log), "run", target, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
        cwd=ROOT, env=env_for(db), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    out: dict = {"details": {}}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.2)
        time.sleep(1.0)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.add_init_script(PROBE)

            def settle(name: str, t_start: float | None, n_clicks: int, n_finished: int, py_t0: float,
                       quiet: float = 1.5, timeout: float = 300) -> None:
                """Wait for a script_finished after the step began and then ``quiet`` s without busy; record."""
                while time.perf_counter() - py_t0 < timeout:
                    page.wait_for_timeout(50)
                    probe = page.evaluate("window.__siree")
                    done = finished_times(probe["msgs"])
                    now = page.evaluate("performance.now()")
                    busy_now = bool(probe["busy"]) and probe["busy"][-1][1]
                    if len(done) > n_finished and not busy_now and now - max(done[-1], probe["busy"][-1][0]
                                                                             if probe["busy"] else 0) > quiet * 1000:
                        start = 0.0 if t_start is None else probe["clicks"][n_clicks]
                        idle = max([t for t, b in probe["busy"] if not b and t >= start] + [done[-1]])
                        ran = [tuple(map(float, ln.split())) for ln in script_log.read_text().splitlines()]
                        ran = [(a, b) for a, b in ran if a >= py_t0 - 0.05]
                        out[name + "_finished"] = (done[-1] - start) / 1000
                        out[name + "_idle"] = (idle - start) / 1000
                        out["details"][name] = {
                            "script_runs": len(done) - n_finished, "server_script": [b - a for a, b in ran],
                            "last_dom_change": (probe["lastMutation"] - start) / 1000,
                            "busy_changes": sum(1 for t, _ in probe["busy"] if t >= start)}
                        return
                raise RuntimeError(f"{name}: the page did not settle")

            def counts() -> tuple[int, int]:
                probe = page.evaluate("window.__siree")
                return len(probe["clicks"]), len(finished_times(probe["msgs"]))

            py_t0 = time.perf_counter()
            page.goto(url + path)
            settle("cold", None, 0, 0, py_t0)
            exception = page.locator('[data-testid="stException"]')
            if exception.count():
                raise RuntimeError("exception on the page: " + exception.first.inner_text()[:1000])
            sidebar = page.locator('[data-testid="stSidebar"]')

            def choose(name: str) -> None:
                sidebar.locator('[data-testid="stMultiSelect"]').first.click()
                option_el = page.get_by_role("option", name=option, exact=True)
                option_el.wait_for()
                page.wait_for_timeout(300)
                n_clicks, n_finished = counts()
                py_t = time.perf_counter()
                option_el.click()
                settle(name, 0.0, n_clicks, n_finished, py_t)
                page.keyboard.press("Escape")
                page.wait_for_timeout(500)

            def remove(name: str) -> None:
                n_clicks, n_finished = counts()
                py_t = time.perf_counter()
                sidebar.get_by_role("button", name=f"Remove {option}").first.click()
                settle(name, 0.0, n_clicks, n_finished, py_t)
                page.wait_for_timeout(500)

            page.wait_for_timeout(500)
            choose("miss")
            remove("back")
            choose("change_warm")
            if exception.count():
                raise RuntimeError("exception after the filter changes: " + exception.first.inner_text()[:1000])
            out["charts"] = page.locator('[data-testid="stPlotlyChart"]').count()
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        script_log.unlink(missing_ok=True)
        Path(log.name).unlink(missing_ok=True) if server.returncode in (0, -15) else None
    return out


def serve(log: str, args: list[str]) -> None:
    """``streamlit <args>`` with every script run's start and end (perf_counter, the system's monotonic clock,
    shared with the driver) appended to ``log``: the server-side share of a browser timing."""
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    original = script_runner.ScriptRunner._run_script

    def timed(self, rerun_data):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        try:
            return original(self, rerun_data)
        finally:
            with open(log, "a") as f:
                f.write(f"{t} {time.perf_counter()}\n")

    script_runner.ScriptRunner._run_script = timed
    sys.argv = ["streamlit", *args]
    cli.main()


# -- the driver ----------------------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    import duckdb
    import streamlit

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
    commit = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True).stdout
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "ram_gib": f"{mem / 2**20:.1f}",
            "python": platform.python_version(), "streamlit": streamlit.__version__, "duckdb": duckdb.__version__,
            "kernel": platform.release(), "date": time.strftime("%Y-%m-%d %H:%M %Z"), "commit": commit.strip()}


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:,.0f} ms" if x < 1 else f"{x:.2f} s"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        serve(argv[1], argv[2:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pages", nargs="*", help="only these pages (paths from the project root)")
    ap.add_argument("--browser", dest="browser", action="store_true", default=None)
    ap.add_argument("--no-browser", dest="browser", action="store_false")
    ap.add_argument("--browser-only", action="store_true")
    ap.add_argument("--profile", nargs=2, metavar=("PAGE", "STEP"))
    ap.add_argument("--table", metavar="RESULTS_JSON", help="only print the tables of an earlier run")
    ap.add_argument("--db", help="with --profile: demo or the ROWS database (default)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--profile-step", help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.profile_step, args.profile_out)
        return 0

    if args.table:
        print(table(json.loads(Path(args.table).read_text())))
        return 0
    dbs = build(args.rows)
    if args.profile:
        page, step = args.profile
        db = dbs["demo"] if args.db == "demo" else list(dbs.values())[-1]
        out = OUT / f"pages_profile_{Path(page).stem}_{step}.prof"
        r = run_worker(page, db, ["--profile-step", step, "--profile-out", str(out)])
        print(json.dumps(r, indent=1))
        print(f"wrote {out}")
        return 0

    info = machine()
    info["rows"] = {name: attendance_rows(db) for name, db in dbs.items()}
    info["loadavg_before"] = loadavg()
    print(json.dumps(info, indent=1), flush=True)
    results: dict[str, object] = {"machine": info, "apptest": [], "browser": []}
    pages = args.pages or PAGES
    if not args.browser_only:
        for name, db in dbs.items():
            for page in pages:
                runs = []
                for i in range(args.repeat):
                    la = loadavg()
                    r = run_worker(page, db)
                    r.update(db=name, run=i, loadavg=la)
                    runs.append(r)
                    results["apptest"].append(r)
                med = {s: statistics.median(r[s] for r in runs) for s in STEPS}
                print(f"{name:>5} {page:<36} " + "  ".join(f"{s} {fmt(med[s])}" for s in STEPS)
                      + f"  (load {loadavg()})", flush=True)
                (OUT / "pages_results.json").write_text(json.dumps(results, indent=1))
    use_browser = args.browser
    if use_browser is None:
        try:
            import playwright  # noqa: F401
            use_browser = Path(CHROMIUM).exists()
        except ImportError:
            use_browser = False
    if use_browser:
        big = list(dbs.items())[-1]
        for target, path, option in (("dashboard.py", "/Education", "Belgium (Flanders)"), (PLAIN, "/", "BE")):
            for i in range(args.repeat):
                la = loadavg()
                r = browser_once(big[1], target, path, option)
                r.update(db=big[0], page=target if target == PLAIN else "pages/2_Education.py", run=i, loadavg=la)
                results["browser"].append(r)
                print(f"browser {big[0]} {r['page']} run {i}: "
                      + "  ".join(f"{k} {fmt(v)}" for k, v in r.items() if isinstance(v, float)), flush=True)
                (OUT / "pages_results.json").write_text(json.dumps(results, indent=1))
    info["loadavg_after"] = loadavg()
    (OUT / "pages_results.json").write_text(json.dumps(results, indent=1))
    print()
    print(table(results))
    return 0


def table(results: dict) -> str:
    """The Markdown tables: database x page, median of the runs (AppTest), and the real-browser figures."""
    lines = ["| database | page | cold (first run) | warm (same filters) | filter change (miss) | "
             "change back to all countries (warm) | filter change again (warm) | AppTest overhead |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in results["apptest"]:
        groups.setdefault((r["db"], r["page"]), []).append(r)
    for (db, page), runs in groups.items():
        med = {s: statistics.median(r[s] for r in runs) for s in STEPS}
        overhead = statistics.median(r[s] - r[s + "_script"] for r in runs for s in STEPS[1:])
        lines.append(f"| {db} | {page} | {fmt(med['cold'])} | {fmt(med['warm'])} | {fmt(med['miss'])} | "
                     f"{fmt(med['back'])} | {fmt(med['change_warm'])} | {fmt(overhead)} |")
    if results.get("browser"):
        lines += ["", "Real browser (median; until script_finished arrived / until idle; server-side script time):", "",
                  "| database | page | first page after server start | filter change (miss) | "
                  "change back (warm) | filter change again (warm) |", "|---|---|---:|---:|---:|---:|"]
        bgroups: dict[tuple[str, str], list[dict]] = {}
        for r in results["browser"]:
            bgroups.setdefault((r["db"], r["page"]), []).append(r)
        for (db, page), runs in bgroups.items():
            def cell(s: str, runs: list[dict] = runs) -> str:
                server = statistics.median(sum(r["details"][s]["server_script"]) for r in runs)
                return (f"{fmt(statistics.median(r[s + '_finished'] for r in runs))} / "
                        f"{fmt(statistics.median(r[s + '_idle'] for r in runs))} ({fmt(server)})")
            lines.append(f"| {db} | {page} | {cell('cold')} | {cell('miss')} | {cell('back')} | "
                         f"{cell('change_warm')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
