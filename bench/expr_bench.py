"""Micro-benchmark of the loader's per-cell SQL against cheaper equivalents (siree_metrics is not changed).

Usage: python bench/expr_bench.py FILE [--threads 1] [--repeat 5]

Stages FILE with the project's read.stage, builds the project's expressions with load._Plan, and
materialises the cleaning layer once (r, raw_<col>, t_<col>, as the loader's parsed query has it).
Then, for each expression, runs ``SELECT count(EXPR) FROM cells`` --repeat times and keeps the fastest
run (one DuckDB thread by default, so the figure is CPU cost and other load on the machine matters
less). Each "fast" variant only adds a cheap test in front of the project's expression and falls back to
it, so it returns the same value for every input; the script checks that on the file it is given.
Also compares ways to find repeated keys over a parsed-like table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from siree_metrics import load, read  # noqa: E402
from siree_metrics.checks import cleaned, ident, lit  # noqa: E402
from siree_metrics.contract import load_contract  # noqa: E402
from siree_metrics.reference import load_reference  # noqa: E402

DIGITS = "'0123456789'"


def fast_count(t: str, project: str) -> str:
    """Digits only, 1..18 of them: the project's own fast path, without the regular expression."""
    return (f"(CASE WHEN length({t}) BETWEEN 1 AND 18 AND ltrim({t}, {DIGITS}) = '' "
            f"THEN CAST({t} AS BIGINT) ELSE {project} END)")


def fast_month(t: str, project: str, earliest: dt.date, first: dt.date) -> str:
    """YYYY-MM exactly: parse it with a cast instead of two regular expressions and strptime."""
    m = f"TRY_CAST({t} || '-01' AS DATE)"
    shape = f"length({t}) = 7 AND {t}[5] = '-' AND ltrim(replace({t}, '-', ''), {DIGITS}) = ''"
    return (f"(CASE WHEN {shape} THEN (CASE WHEN {m} BETWEEN DATE {lit(str(earliest))} AND DATE {lit(str(first))} "
            f"THEN {m} END) ELSE {project} END)")


def best(con, sql: str, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = con.execute(sql).fetchone()[0]
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    con = load._scratch()
    table = read.stage(con, args.file, args.file.name)
    ds = load_contract()["school_attendance"]
    ref = load_reference()
    plan = load._Plan(ds, ref, table, dt.date.today())
    cells = [f"{table.row_expr} AS r"]
    for name, i in plan.position.items():
        cells += [f"c{i} AS {ident('raw_' + name)}", f"{cleaned(f'c{i}')} AS {ident('t_' + name)}"]
    con.execute(f"CREATE TEMP TABLE cells AS SELECT {', '.join(cells)} FROM {table.name}")
    con.execute(f"SET threads = {args.threads}")
    rows = table.rows
    print(f"{rows} rows, {args.threads} thread(s), best of {args.repeat}; ns per row in brackets\n")

    def show(label: str, sql: str) -> float:
        secs, out = best(con, sql, args.repeat)
        print(f"  {label:<58} {secs:7.3f} s  ({secs / rows * 1e9:6.0f} ns)  -> {out}", flush=True)
        return secs

    print("cleaning (the layer the loader computes for every cell):")
    show("scan only: count(raw_children_enrolled)", "SELECT count(raw_children_enrolled) FROM cells")
    show("cleaned(raw): nullif(trim(raw, ' \\t\\r\\n' || chr(160)), '')",
         f"SELECT count({cleaned('raw_children_enrolled')}) FROM cells")
    show("all 8 columns cleaned", "SELECT count(*) FROM cells WHERE " +
         " AND ".join(f"{cleaned(ident('raw_' + n))} IS NOT NULL" for n in plan.position))

    today = dt.date.today()
    earliest = ref.programme.earliest_date
    print("\ntyped values, project expression vs. a cheap test in front of it (same result):")
    variants = []
    for name in plan.position:
        col, t = ds.columns[name], ident("t_" + name)
        project = plan._value(name)
        if col.type == "count":
            variants.append((name, project, fast_count(t, project)))
        elif col.type == "month":
            variants.append((name, project, fast_month(t, project, earliest, today.replace(day=1))))
        elif col.type == "region":
            codes = list(ref.regions)
            u = f"upper({t})"
            translate = " ".join(f"WHEN {lit(o)} THEN {lit(n)}" for o, n in ref.code_2013_to_2016.items())
            code = f"(CASE {u} {translate} ELSE {u} END)"
            listed = f"(CASE WHEN list_contains([{', '.join(lit(c) for c in codes)}], {code}) THEN {code} END)"
            variants.append((name, project, listed))
        else:
            variants.append((name, project, None))
    total_p = total_f = 0.0
    for name, project, fast in variants:
        p = show(f"{name}: project", f"SELECT count({project}) FROM cells")
        total_p += p
        if fast:
            f = show(f"{name}: cheap test first", f"SELECT count({fast}) FROM cells")
            same = con.execute(f"SELECT count(*) FROM cells WHERE ({project}) IS DISTINCT FROM ({fast})").fetchone()[0]
            print(f"  {'':<58} rows where the two differ: {same}")
            total_f += f
        else:
            total_f += p
    print(f"\n  sum over the file's columns: project {total_p:.2f} s, with the cheap tests {total_f:.2f} s")

    print("\nrepeated keys over a parsed-like table (partner_id, school_id, month, gender, age_band):")
    key_exprs = {k: (plan._value(k) if k in plan.position else "CAST(NULL AS VARCHAR)") for k in ds.full_key}
    con.execute("CREATE TEMP TABLE keys AS SELECT r, raw_school_id, " +
                ", ".join(f"{e} AS {ident('v_' + k)}" for k, e in key_exprs.items()) + " FROM cells")
    vkeys = ", ".join(ident("v_" + k) for k in ds.full_key)
    same = " AND ".join(f"k.{ident('v_' + k)} IS NOT DISTINCT FROM d.{ident('v_' + k)}" for k in ds.full_key)
    show("project: CTE k, GROUP BY key HAVING count > 1, join back",
         f"""SELECT count(*) FROM (WITH k AS (SELECT r, {vkeys}, raw_school_id AS shown FROM keys),
                 d AS (SELECT {vkeys}, min(r) AS first_r FROM k GROUP BY ALL HAVING count(*) > 1)
                 SELECT k.r FROM k JOIN d ON {same} WHERE k.r <> d.first_r)""")
    show("GROUP BY key HAVING count > 1 (no join, no CTE)",
         f"SELECT count(*) FROM (SELECT {vkeys} FROM keys GROUP BY ALL HAVING count(*) > 1)")
    show("GROUP BY hash(key) HAVING count > 1",
         f"SELECT count(*) FROM (SELECT hash({vkeys}) AS h FROM keys GROUP BY h HAVING count(*) > 1)")
    show("count(*) - count(DISTINCT hash(key))",
         f"SELECT count(*) - count(DISTINCT hash({vkeys})) FROM keys")
    return 0


if __name__ == "__main__":
    sys.exit(main())
