"""Where the load's time goes: run siree_metrics.ingest.load.load_file with every piece and SQL statement timed.

Usage: python bench/profile_load.py FILE [--db NEW.duckdb] [--dataset school_attendance] [--operators]

Nothing in siree_metrics is changed: the script wraps, for this process only, the loader's scratch
connection (so every SQL statement it sends is timed) and its pieces (read.examine, read.stage, load._store,
load._repeats_a_key, load._explain, store.attach, whichever exist in the current code), then runs the real
``load_file``. With --operators DuckDB's profiler is on for the scratch connection and the costliest
operators of each slow statement are printed, with DuckDB's peak buffer memory and bytes spilled to
disk (the profiler adds a little time of its own).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

if not os.environ.get("PYTHONPATH"):  # bench/run.py's --commit sets PYTHONPATH to a snapshot of one commit
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from siree_metrics.ingest import load, read, store  # noqa: E402

SLOW_S = 0.05
PIECES = ((read, "examine"), (read, "stage"), (load, "_explain"), (load, "_row_problems"), (load, "_store"),
          (load, "_repeats_a_key"), (store, "attach"), (store, "lock"))
timings: list[tuple[str, float]] = []
statements: list[tuple[float, str, dict | None]] = []


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Recorder:
    """Forwards to a DuckDB connection; records (seconds, sql, profile) of every execute."""

    def __init__(self, con, operators: bool):
        self.con, self.operators = con, operators
        if operators:
            con.execute("SET enable_profiling = 'no_output'")
            con.execute("SET profiling_mode = 'detailed'")

    def execute(self, sql, *args):
        start = time.perf_counter()
        out = self.con.execute(sql, *args)
        secs = time.perf_counter() - start
        profile = None
        if self.operators and secs > SLOW_S:
            try:
                profile = json.loads(self.con.get_profiling_information(format="json"))
            except Exception:  # profiling is best effort
                profile = None
        statements.append((secs, sql, profile))
        return out

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.con.close()
        return False

    def __getattr__(self, name):
        return getattr(self.con, name)


def timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timings.append((name, time.perf_counter() - start))
    return wrapper


def operators(profile: dict, top: int = 6) -> list[str]:
    ops = []

    def walk(node, depth=0):
        ops.append((node.get("timing", 0.0), node.get("intermediate_rows", 0), depth, node.get("name", "?").strip(),
                    node.get("extra_info", {})))
        for child in node.get("children", []):
            walk(child, depth + 1)

    for root in profile.get("operator", []):
        walk(root)
    system = profile.get("system", {})
    cpu = profile.get("query", {}).get("cpu_time", 0)
    lines = [f"      operator time summed over threads {sum(o[0] for o in ops):.2f} s, cpu {cpu:.2f} s; "
             f"peak buffer memory {system.get('peak_buffer_memory', 0) / 2**20:.0f} MB, spilled "
             f"{system.get('total_bytes_spilled', 0) / 2**20:.0f} MB"]
    for timing, card, _depth, name, extra in sorted(ops, key=lambda o: -o[0])[:top]:
        info = (extra.get("Projections") or extra.get("Expression") or extra.get("Aggregates")
                or extra.get("Groups") or extra.get("Table") or extra.get("Function") or "")
        info = info if isinstance(info, str) else " | ".join(map(str, info))
        info = re.sub(r"\s+", " ", info)
        lines.append(f"      {timing:7.2f} s {card:>10} rows  {name:<18} {info[:70]}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--db", type=Path, default=Path(__file__).resolve().parent / "out" / "profile.duckdb")
    ap.add_argument("--dataset", default="school_attendance")
    ap.add_argument("--operators", action="store_true")
    args = ap.parse_args()
    for p in (args.db, Path(f"{args.db}.wal"), Path(f"{args.db}.lock")):
        p.unlink(missing_ok=True)
    for module, name in PIECES:
        if hasattr(module, name) and name != "lock":
            setattr(module, name, timed(f"{module.__name__.split('.')[-1]}.{name}", getattr(module, name)))
    scratch = load._scratch
    load._scratch = lambda *a, **k: Recorder(scratch(*a, **k), args.operators)

    start = time.perf_counter()
    result = load.load_file(args.db, args.dataset, args.file)
    total = time.perf_counter() - start
    print(f"load_file: {result.status} {result.rows} rows in {total:.2f} s; max RSS {rss_mb():.0f} MB")
    for line in result.report()[:5]:
        print("  ", line)
    print("\npieces (nested pieces are included in their callers):")
    for name, secs in timings:
        print(f"  {secs:8.2f} s  {name}")
    accounted = sum(s for s, _, _ in statements)
    print(f"\nSQL on the scratch connection: {len(statements)} statements, {accounted:.2f} s; over {SLOW_S} s:")
    for secs, sql, profile in statements:
        if secs > SLOW_S:
            flat = re.sub(r"\s+", " ", sql)
            print(f"  {secs:8.2f} s  {len(sql):6} chars, {sql.count('regexp_full_match'):3} regexp_full_match  "
                  f"{flat[:100]}")
            if profile:
                print("\n".join(operators(profile)))
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    for i, (secs, sql, _) in enumerate(s for s in statements if s[0] > SLOW_S):
        (out / f"slow_{i}.sql").write_text(f"-- {secs:.2f} s\n{sql}\n", encoding="utf-8")
    return 0 if result.status == "loaded" else 1


if __name__ == "__main__":
    sys.exit(main())
