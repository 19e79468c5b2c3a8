"""Where the load's time goes: run the pieces of siree_metrics.load by hand and time each.

Usage: python bench/profile_load.py FILE [--db NEW.duckdb] [--explain]

Pieces, in the order load_file runs them: sha256 of the file, read.stage (CSV into a temp table of
text cells), load._row_problems (the checks), the preview query, and load._store (the insert into the
database). Every SQL statement the pieces send is timed (a thin proxy around the connection); with
--explain the problems query and the insert are run again under EXPLAIN ANALYZE and their costliest
operators are printed. Nothing in siree_metrics is changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from siree_metrics import load, read, store  # noqa: E402
from siree_metrics.contract import load_contract  # noqa: E402
from siree_metrics.reference import load_reference  # noqa: E402


class Recorder:
    """Forwards to a DuckDB connection and records (seconds, sql) of every execute."""

    def __init__(self, con):
        self.con, self.calls = con, []

    def execute(self, sql, *args):
        start = time.perf_counter()
        out = self.con.execute(sql, *args)
        self.calls.append((time.perf_counter() - start, sql))
        return out

    def __getattr__(self, name):
        return getattr(self.con, name)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, start: float) -> float:
    now = time.perf_counter()
    print(f"{name:<34} {now - start:8.2f} s   (max RSS so far {rss_mb():.0f} MB)", flush=True)
    return now


def explain(con, sql: str, top: int = 8) -> None:
    con.execute("SET enable_profiling = 'json'")
    con.execute("SET profiling_output = ''")
    rows = con.execute("EXPLAIN ANALYZE " + sql).fetchall()
    con.execute("SET enable_profiling = 'no_output'")
    text = rows[0][1]
    try:
        tree = json.loads(text)
    except ValueError:
        print(text[:4000])
        return
    ops = []

    def walk(node, depth=0):
        name = node.get("operator_name") or node.get("operator_type") or "?"
        ops.append((node.get("operator_timing", 0.0), node.get("operator_cardinality", 0), depth, name.strip(),
                    node.get("extra_info", {})))
        for child in node.get("children", []):
            walk(child, depth + 1)

    walk(tree)
    print(f"    total latency {tree.get('latency', 0):.2f} s; costliest operators:")
    for timing, card, depth, name, extra in sorted(ops, reverse=True)[:top]:
        info = extra.get("Projections") or extra.get("Expressions") or extra.get("Filters") or ""
        info = info if isinstance(info, str) else " | ".join(map(str, info))
        print(f"    {timing:8.2f} s  {card:>10} rows  depth {depth}  {name}  {info[:90]!r}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--db", type=Path, default=Path(__file__).resolve().parent / "out" / "profile.duckdb")
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args()
    for p in (args.db, Path(f"{args.db}.wal"), Path(f"{args.db}.lock")):
        p.unlink(missing_ok=True)
    path, display = args.file, args.file.name
    t0 = time.perf_counter()
    digest = load.sha256_of(path)
    t = step("sha256 of the file", t0)
    con = load._scratch()
    rec = Recorder(con)
    table = read.stage(rec, path, display)
    t = step("read.stage (CSV -> temp table)", t)
    plan = load._Plan(load_contract()["school_attendance"], load_reference(), table, dt.date.today())
    n_stage = len(rec.calls)
    problems, count = load._row_problems(rec, plan, display)
    t = step(f"load._row_problems ({count} found)", t)
    problems_sql = rec.calls[-1][1]
    cols = ", ".join(f"c{i}" for i in range(len(table.headers)))
    con.execute(f"SELECT {cols} FROM {table.name} LIMIT 20").fetchall()
    t = step("preview query", t)
    result = load.LoadResult(display, "school_attendance", rows=table.rows)
    with store.lock(args.db, exclusive=True):
        store.attach(con, args.db)
        t = step("attach + create schema", t)
        n_before = len(rec.calls)
        load._store(rec, plan, result, digest, "bench")
        t = step(f"load._store ({result.status})", t)
        insert_sql = next(sql for _, sql in rec.calls[n_before:] if sql.lstrip().startswith("INSERT INTO"))
        con.execute("USE memory")
        con.execute("DETACH db")
    t = step("detach (checkpoint)", t)
    print(f"{'total':<34} {t - t0:8.2f} s")
    print("\nSQL statements over 0.05 s:")
    for secs, sql in rec.calls:
        if secs > 0.05:
            flat = re.sub(r"\s+", " ", sql)[:110]
            print(f"  {secs:8.2f} s  {len(sql):6} chars  {flat}")
    print(f"\nproblems query: {len(problems_sql)} characters; "
          f"{problems_sql.count('regexp_full_match')} regexp_full_match calls in its text; "
          f"insert: {len(insert_sql)} characters, {insert_sql.count('regexp_full_match')} regexp_full_match calls")
    if args.explain:
        print("\nEXPLAIN ANALYZE problems query")
        explain(con, problems_sql)
        con.execute("ATTACH $p AS db2", {"p": str(args.db)})
        con.execute("USE db2")
        con.execute("BEGIN")
        print("\nEXPLAIN ANALYZE insert (rolled back)")
        explain(con, insert_sql.replace(f"FROM {table.name}", f"FROM memory.{table.name}"))
        con.execute("ROLLBACK")
        con.execute("USE memory")
        con.execute("DETACH db2")
    Path(__file__).resolve().parent.joinpath("out", "problems.sql").write_text(problems_sql, encoding="utf-8")
    Path(__file__).resolve().parent.joinpath("out", "insert.sql").write_text(insert_sql, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
