"""Loader and summary benchmark (issues 2 and 8): the project's load against DuckDB's own read_csv.

Usage: python bench/run.py [--rows 1000000 10000000] [--shapes wide narrow] [--repeat 3] [--doc docs/performance.md]
                           [--commit HEAD]

--commit REV measures that commit from a clean snapshot (git archive into bench/out/code_SHA) instead of the
working tree, which other work may be changing during a run of several minutes.

For each size and shape: generate a valid school_attendance CSV once (bench/out/, git-ignored) — "wide",
eight columns, or "narrow", the six required ones (a school's monthly attendance export, where the loader's
per-file passes weigh most) — then, each in a fresh process measured with /usr/bin/time -v, ``--repeat``
times:

  (a) DuckDB's own ``CREATE TABLE t AS SELECT * FROM read_csv(FILE)`` into a new database file;
  (b) ``python -m siree_metrics load --db NEW.duckdb --dataset school_attendance FILE``;
  (c) ``python -m siree_metrics summary --db LOADED.duckdb --format json`` (the whole process), and
      inside one process the time of ``siree_metrics.metrics.summary.summarize`` after connecting.

Reports the median wall time and the largest maximum resident set size of the runs, the ratio
load / DuckDB, prints a Markdown table and writes it, with the machine and the command, to the
section "Loading and summary (issue 2)" of docs/performance.md (replacing only that section).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_attendance  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
TIME = "/usr/bin/time"
TIME_NOTE = ("already installed here; on a machine without it: `apt-get install time`, Debian's package, "
             "since the shell's `time` keyword reports no memory")
HEADING = "## Loading and summary (issue 2)"
GOAL_RATIO, GOAL_RSS_MB, GOAL_SUMMARY_S = 2.0, 2048, 0.5
CODE = ROOT  # where siree_metrics is imported from; --commit points it at a snapshot of one commit


@dataclass
class Measure:
    step: str
    walls: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)  # user + system seconds
    inner: list[float] = field(default_factory=list)  # summarize() seconds inside the process

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus) if self.cpus else float("nan")

    @property
    def rss(self) -> float:
        return max(self.rss_mb)


def _wall(text: str) -> float:
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    parts = [float(p) for p in m.group(1).split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))


def _rss_mb(text: str) -> float:
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024


def _cpu(text: str) -> float:
    return sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", text).group(1)) for k in ("User", "System"))


def timed(cmd: list[str], log: Path) -> tuple[float, float, str, float]:
    """Run ``cmd`` under /usr/bin/time -v; return (wall s, max RSS MB, stdout, user+sys s). Fails loudly."""
    env = dict(os.environ, PYTHONPATH=str(CODE))
    start = time.perf_counter()
    proc = subprocess.run([TIME, "-v", *cmd], cwd=CODE, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}\n(perf_counter {elapsed:.3f} s)\n\n")
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return _wall(proc.stderr), _rss_mb(proc.stderr), proc.stdout, _cpu(proc.stderr)


def fresh(db: Path) -> Path:
    for p in (db, Path(f"{db}.wal"), Path(f"{db}.lock")):
        p.unlink(missing_ok=True)
    return db


def label(rows: int) -> str:
    return f"{rows // 1_000_000} M" if rows % 1_000_000 == 0 else f"{rows:,}"


SHAPES = {"wide": [], "narrow": ["--narrow"]}  # make_attendance.py's option for each file shape
COLUMNS = {"wide": 8, "narrow": 6}


def bench_size(rows: int, repeat: int, py: str, shape: str = "wide") -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"{rows}" if shape == "wide" else f"{shape}_{rows}"
    csv = OUT / f"school_attendance_{name}.csv"
    log = OUT / f"run_{name}.log"
    log.write_text("", encoding="utf-8")
    load_before = os.getloadavg()[0]
    gen_wall, gen_rss, _, _ = timed([py, str(BENCH / "make_attendance.py"), *SHAPES[shape], str(rows), str(csv)],
                                    log)
    print(f"[{label(rows)}] generated {csv.name} ({csv.stat().st_size / 1e6:.0f} MB) in {gen_wall:.1f} s", flush=True)

    duck, load, summ = Measure("DuckDB CREATE TABLE AS read_csv"), Measure("siree load"), Measure("siree summary")
    inner: list[dict] = []
    loaded = OUT / f"loaded_{name}.duckdb"
    for i in range(repeat):
        db = fresh(OUT / f"duckdb_{name}.duckdb")
        w, r, out, c = timed([py, str(BENCH / "duckdb_ctas.py"), str(db), str(csv)], log)
        assert int(out.strip()) == rows, out
        duck.walls.append(w), duck.rss_mb.append(r), duck.cpus.append(c)
        print(f"[{label(rows)}] run {i + 1}: DuckDB read_csv {w:.2f} s, {r:.0f} MB", flush=True)
        fresh(db)

        db = fresh(OUT / f"load_{name}.duckdb")
        w, r, _, c = timed([py, "-m", "siree_metrics", "load", "--db", str(db), "--dataset", "school_attendance",
                            str(csv)], log)
        load.walls.append(w), load.rss_mb.append(r), load.cpus.append(c)
        print(f"[{label(rows)}] run {i + 1}: siree load {w:.2f} s, {r:.0f} MB", flush=True)
        fresh(loaded)
        shutil.move(db, loaded)
        fresh(db)

    for i in range(repeat):
        w, r, out, c = timed([py, "-m", "siree_metrics", "summary", "--db", str(loaded), "--format", "json"], log)
        summary = json.loads(out)
        summ.walls.append(w), summ.rss_mb.append(r), summ.cpus.append(c)
        _, _, out, _ = timed([py, str(BENCH / "summary_inner.py"), str(loaded)], log)
        inner.append(json.loads(out))
        summ.inner.append(inner[-1]["summarize_s"])
        print(f"[{label(rows)}] run {i + 1}: summary {w:.2f} s, {r:.0f} MB; summarize() "
              f"{inner[-1]['summarize_s']:.3f} s", flush=True)
    school = next(x for x in summary["indicators"] if x["id"] == "children_in_school")
    with duckdb.connect(str(loaded), read_only=True) as con:  # every row kept the line it came from
        wrong_rows = make_attendance.misnumbered(con)
    assert wrong_rows == 0, f"{wrong_rows} rows have a source_row that is not their line in the file"
    assert inner[-1]["children_in_school_n"] is not None
    return {
        "rows": rows, "shape": shape, "loadavg_before": load_before, "file_mb": csv.stat().st_size / 1e6, "generate_s": gen_wall,
        "duckdb": duck.__dict__, "load": load.__dict__, "summary": summ.__dict__, "inner": inner,
        "children_in_school": school, "db_mb": loaded.stat().st_size / 1e6, "misnumbered": wrong_rows,
    }


def _shape(res: dict) -> str:
    shape = res.get("shape", "wide")
    return f"{shape}, {COLUMNS[shape]} columns"


def ok(good: bool) -> str:
    return "met" if good else "**not met**"


def table(results: list[dict]) -> str:
    lines = ["| rows | CSV | step | median wall (s) | the runs (s) | median CPU, user+sys (s) | max RSS (MB) "
             "| load / DuckDB |",
             "|---:|---:|---|---:|---|---:|---:|---:|"]
    for res in results:
        d, lo, s = (Measure(**res[k]) for k in ("duckdb", "load", "summary"))
        ratio = lo.wall / d.wall
        rows = f"{label(res['rows'])}, {_shape(res)}"
        size = f"{res['file_mb']:.0f} MB"
        runs = lambda m: ", ".join(f"{w:.2f}" for w in m.walls)  # noqa: E731
        lines += [
            f"| {rows} | {size} | (a) DuckDB `CREATE TABLE t AS SELECT * FROM read_csv(FILE)` | {d.wall:.2f} | "
            f"{runs(d)} | {d.cpu:.2f} | {d.rss:.0f} | |",
            f"| {rows} | {size} | (b) `siree_metrics load` | {lo.wall:.2f} | {runs(lo)} | {lo.cpu:.2f} | {lo.rss:.0f} | "
            f"**{ratio:.2f}x** |",
            f"| {rows} | {size} | (c) `siree_metrics summary --format json`, whole process | {s.wall:.2f} | "
            f"{runs(s)} | {s.cpu:.2f} | {s.rss:.0f} | |",
            f"| {rows} | {size} | (c) `summarize()` after connecting, in-process | "
            f"{statistics.median(s.inner):.3f} | {', '.join(f'{x:.3f}' for x in s.inner)} | | | |",
        ]
    return "\n".join(lines)


def goals(results: list[dict]) -> str:
    out = []
    for res in results:
        d, lo, s = (Measure(**res[k]) for k in ("duckdb", "load", "summary"))
        ratio, inner = lo.wall / d.wall, statistics.median(s.inner)
        peak = max(lo.rss, s.rss)
        speed = (f"load {ratio:.2f}x DuckDB's own time (goal: within {GOAL_RATIO:.0f}x) — {ok(ratio <= GOAL_RATIO)}"
                 if res["rows"] == 10_000_000 else
                 f"load {ratio:.2f}x DuckDB's own time (the {GOAL_RATIO:.0f}x goal is set at 10 M rows)")
        out.append(
            f"- {label(res['rows'])} rows, {_shape(res)}: {speed}; peak memory {peak:.0f} MB (goal: under 2 GB) — "
            f"{ok(peak < GOAL_RSS_MB)}; summary {s.wall:.2f} s as a whole command, summarize() {inner:.3f} s "
            f"in-process (goal: under {GOAL_SUMMARY_S} s) — {ok(s.wall < GOAL_SUMMARY_S)} both ways"
            if s.wall < GOAL_SUMMARY_S and inner < GOAL_SUMMARY_S else
            f"- {label(res['rows'])} rows, {_shape(res)}: {speed}; peak memory {peak:.0f} MB (goal: under 2 GB) — "
            f"{ok(peak < GOAL_RSS_MB)}; summary {s.wall:.2f} s as a whole command — {ok(s.wall < GOAL_SUMMARY_S)}, "
            f"summarize() {inner:.3f} s in-process — {ok(inner < GOAL_SUMMARY_S)} (goal: under {GOAL_SUMMARY_S} s)")
        out[-1] += (f". (1-minute load average before these runs: {res.get('loadavg_before', float('nan')):.2f}; "
                    "other sessions share this machine.)")
    return "\n".join(out)


def git(*a: str) -> str:
    return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def snapshot(rev: str) -> Path:
    """siree_metrics/ and data/reference/ of commit ``rev``, unpacked under bench/out (git archive; the
    working tree and the repository are not touched), so a run measures exactly that commit."""
    sha = git("rev-parse", "--short", rev)
    dest = OUT / f"code_{sha}"
    if not (dest / "siree_metrics").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "siree_metrics", "data/reference"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def code_state() -> str:
    """The commit measured, and whether the measured siree_metrics/ differs from it."""
    if CODE != ROOT:
        return git("log", "-1", "--format=%h %s", CODE.name.removeprefix("code_")) + " (a clean snapshot of it)"
    head = git("log", "-1", "--format=%h %s")
    dirty = git("status", "--porcelain", "--", "siree_metrics")
    return head + (" (with uncommitted changes in siree_metrics/)" if dirty else "")


def machine(py: str) -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown")
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    facts = subprocess.run([py, "-c", "import sys, duckdb; print(sys.version.split()[0], duckdb.__version__)"],
                           capture_output=True, text=True, check=True).stdout.split()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    return (f"- Machine: {nproc} CPUs (`nproc`), {cpu} (/proc/cpuinfo), {mem_kb / 1024 ** 2:.1f} GiB RAM, "
            f"{platform.system()} {platform.release()}\n"
            f"- Python {facts[0]}, DuckDB {facts[1]}; the project's `SIREE_MEMORY_LIMIT` is "
            f"{os.environ.get('SIREE_MEMORY_LIMIT', '1536MB (default)')}, DuckDB's own load runs with DuckDB's "
            f"default limit (80 % of RAM)\n"
            f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
            f"- Timing: GNU time's `/usr/bin/time -v` ({TIME_NOTE})")


def write_doc(doc: Path, section: str) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    start = text.find(HEADING)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        nxt = re.search(r"^## ", text[start + len(HEADING):], flags=re.M)
        end = start + len(HEADING) + nxt.start() if nxt else len(text)
        text = text[:start] + section + ("\n" + text[end:] if nxt else "")
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES),
                    help="wide: 8 columns; narrow: the 6 required columns")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "performance.md")
    ap.add_argument("--notes", type=Path, help="Markdown appended to the section (e.g. profiling results)")
    ap.add_argument("--commit", help="measure this commit (e.g. HEAD) from a clean snapshot instead of the "
                                     "working tree, which other work may be changing")
    args = ap.parse_args()
    global CODE
    if args.commit:
        OUT.mkdir(parents=True, exist_ok=True)
        CODE = snapshot(args.commit)
    if not Path(TIME).exists():
        sys.exit(f"{TIME} is missing: install Debian's time package (apt-get install time)")
    py = sys.executable
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    code_before = code_state()
    results = []
    for rows, shape in [(rows, shape) for rows in args.rows for shape in args.shapes]:
        results.append(bench_size(rows, args.repeat, py, shape))
        name = f"{rows}" if shape == "wide" else f"{shape}_{rows}"
        (OUT / f"results_{name}.json").write_text(json.dumps(results[-1], indent=2), encoding="utf-8")
        section = "\n\n".join([
            HEADING,
            f"Measured with `{command}` (from the project root, Python `{py}`); each step in a fresh process "
            f"under `/usr/bin/time -v`, {args.repeat} run(s) each, median wall time and the largest maximum resident "
            f"set size. The files are valid school_attendance CSVs from `bench/make_attendance.py` (every row "
            f"accepted): wide, 8 columns, and narrow (`--narrow`), the 6 required columns. After the loads, every "
            f"stored row's `source_row` is checked against its content (record "
            f"i is school i // 58 in month i % 58): "
            f"{', '.join(str(r['misnumbered']) for r in results)} row(s) wrong. "
            f"Raw output: bench/out/run_[narrow_]ROWS.log, bench/out/results_[narrow_]ROWS.json.",
            machine(py) + f"\n- Code measured: commit {code_before}"
            + ("" if code_state() == code_before else f"; **the code changed during the run**, now {code_state()}"),
            table(results),
            "Goals (issues 2 and 8, on this 2-core machine): load within 2x DuckDB's own time at 10 M rows, "
            "for the wide and the narrow file, peak memory under 2 GB, summary under 0.5 s.\n\n" + goals(results),
        ])
        if args.notes and args.notes.exists():
            section += "\n\n" + args.notes.read_text(encoding="utf-8").strip()
        write_doc(args.doc, section + "\n")
    print()
    print(table(results))
    print()
    print(goals(results))
    print(f"\nwritten to {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
