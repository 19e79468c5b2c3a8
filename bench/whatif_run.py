"""Time the candidate speed-ups of bench/whatif.py against the unpatched load and DuckDB's own read_csv.

Usage: python bench/whatif_run.py [--rows 10000000] [--repeat 3] [--commit HEAD] [--fast-clean]

Uses the CSV bench/run.py generated (bench/out/school_attendance_ROWS.csv; made here if missing). The
variants run interleaved, round after round, each in a fresh process under /usr/bin/time -v, so they
share whatever else the machine is doing. Prints a Markdown table (median wall, median user+sys CPU,
max RSS, ratio to DuckDB's own load).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402
from run import BENCH, OUT, code_state, fresh, label, snapshot, timed  # noqa: E402

VARIANTS = {
    "DuckDB CREATE TABLE AS read_csv": None,
    "siree load (as committed)": [],
    "+ hash test for repeated keys": ["--hash-dupkey"],
    "+ preserve_insertion_order = false": ["--no-order"],
    "+ both": ["--hash-dupkey", "--no-order"],
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--commit", help="measure this commit from a clean snapshot (see bench/run.py)")
    ap.add_argument("--fast-clean", action="store_true", help="also time bench/whatif.py --fast-clean")
    args = ap.parse_args()
    if args.commit:
        OUT.mkdir(parents=True, exist_ok=True)
        run.CODE = snapshot(args.commit)
    if args.fast_clean:
        VARIANTS["+ fast path in cleaned()"] = ["--fast-clean"]
    py = sys.executable
    csv = OUT / f"school_attendance_{args.rows}.csv"
    log = OUT / f"whatif_{args.rows}.log"
    log.write_text("", encoding="utf-8")
    if not csv.exists():
        timed([py, str(BENCH / "make_attendance.py"), str(args.rows), str(csv)], log)
    code = code_state()
    stats: dict[str, list[tuple[float, float, float]]] = {v: [] for v in VARIANTS}
    for i in range(args.repeat):
        for name, flags in VARIANTS.items():
            db = fresh(OUT / f"whatif_{args.rows}.duckdb")
            if flags is None:
                cmd = [py, str(BENCH / "duckdb_ctas.py"), str(db), str(csv)]
            else:
                cmd = [py, str(BENCH / "whatif.py"), *flags, "--", "load", "--db", str(db),
                       "--dataset", "school_attendance", str(csv)]
            wall, rss, _, cpu = timed(cmd, log)
            stats[name].append((wall, cpu, rss))
            print(f"[{label(args.rows)}] round {i + 1}: {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MB",
                  flush=True)
            fresh(db)
    duck = statistics.median(w for w, _, _ in stats["DuckDB CREATE TABLE AS read_csv"])
    print(f"\nCode: commit {code}; {label(args.rows)} rows, {args.repeat} interleaved rounds\n")
    print("| variant | median wall (s) | the runs (s) | median CPU, user+sys (s) | max RSS (MB) | wall / DuckDB |")
    print("|---|---:|---|---:|---:|---:|")
    for name, runs in stats.items():
        wall = statistics.median(w for w, _, _ in runs)
        cpu = statistics.median(c for _, c, _ in runs)
        rss = max(r for _, _, r in runs)
        print(f"| {name} | {wall:.2f} | {', '.join(f'{w:.2f}' for w, _, _ in runs)} | {cpu:.2f} | {rss:.0f} | "
              f"{wall / duck:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
