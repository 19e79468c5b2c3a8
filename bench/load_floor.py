"""How far below the loader's time a load of one file could go (issue 8): the same file loaded in ways that
each leave out one more piece of the loader.

Usage: python bench/load_floor.py FILE [--dataset school_attendance] [--repeat 3]

Each way runs in a fresh process, timed whole (start-up included), the ways in turn, ``--repeat`` rounds;
the medians of wall and CPU (user + system) seconds, and each way's wall time over DuckDB's, are printed as
a Markdown table:

  duckdb    DuckDB's own ``CREATE TABLE t AS SELECT * FROM read_csv(FILE)`` (bench/duckdb_ctas.py)
  load      ``python -m siree_metrics load``: everything
  unstaged  the loader's own checking insert (``load._Plan.stored``) straight from ``read_csv``, with no
            staging copy, so the rows are not numbered (source_row 0), then the repeated-key test
  casts     no checks either: each sent cell read as its clean shape (the plan's cast) into the same
            dataset table, then the repeated-key test
  bare      the sent columns alone, cast, into a table of just those columns and the batch and row numbers

A way is a floor for the ones above it: "unstaged" is what the load would cost if DuckDB numbered the rows
of a CSV as it reads them, "casts" what reading, typing and writing the dataset's table cost before any
rule is checked. The file must be one the loader accepts (bench/make_attendance.py writes such files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WAYS = ("duckdb", "load", "unstaged", "casts", "bare")


def _worker(way: str, db: Path, path: Path, dataset: str) -> None:
    """Load ``path`` into the new database ``db`` the way ``way`` says (unstaged, casts or bare)."""
    from siree_metrics.ingest import load, read, store
    from siree_metrics.ingest.checks import ident
    from siree_metrics.ingest.contract import load_contract
    from siree_metrics.reference import load_reference

    with path.open("rb") as f:
        delimiter, headers = read._header(f.read(read.SNIFF_BYTES).decode("utf-8-sig", errors="ignore"))
    plan = load._Plan(load_contract()[dataset], load_reference(), headers, dt.date.today())
    ds = plan.ds
    cells = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers))) + "}"
    source = (f"(SELECT 0 AS _row, * FROM read_csv($path, delim=$delim, header=true, auto_detect=false, "
              f"columns={cells}, quote='\"', escape='\"'))")
    named = ", ".join(f"c{i} AS {plan.sent(n)}" for n, i in plan.position.items())
    sent = f"(SELECT _row, {named} FROM {source})"

    def cast(name: str) -> str:
        if name not in plan.position:
            return f"CAST(NULL AS {ds.columns[name].sql_type})"
        return plan.fast[name][0] if name in plan.fast else plan.rules.parse(ds.columns[name], plan.sent(name))

    params = {"path": str(path), "delim": delimiter}
    con = load._scratch()
    store.attach(con, db)
    con.execute("BEGIN TRANSACTION")
    con.execute("SET preserve_insertion_order = false")
    if way == "bare":
        sent_cols = list(plan.position)
        con.execute("CREATE TABLE bare (batch_id INTEGER NOT NULL, source_row BIGINT NOT NULL, "
                    + ", ".join(f"{ident(n)} {ds.columns[n].sql_type}" for n in sent_cols) + ")")
        con.execute(f"INSERT INTO bare SELECT 1, _row, {', '.join(cast(n) for n in sent_cols)} FROM {sent}", params)
    else:
        columns = ", ".join(["batch_id", "source_row", "country", *(ident(n) for n in ds.columns), "raw"])
        if way == "unstaged":
            query = plan.stored(1).replace("{source}", source)
        else:
            query = (f"SELECT 1, _row, left({cast('region')}, 2), {', '.join(cast(n) for n in ds.columns)}, NULL "
                     f"FROM {sent}")
        rows = con.execute(f"INSERT INTO {ident(ds.name)} ({columns}) {query}", params).fetchall()[0][0]
        if load._repeats_a_key(con, ds, 1, rows):
            sys.exit("a key repeats: not a file the loader would accept")
    con.execute("COMMIT")
    con.execute("USE memory")
    con.execute("DETACH db")


def _command(way: str, db: Path, path: Path, dataset: str) -> list[str]:
    if way == "duckdb":
        return [sys.executable, str(ROOT / "bench" / "duckdb_ctas.py"), str(db), str(path)]
    if way == "load":
        return [sys.executable, "-m", "siree_metrics", "load", "--db", str(db), "--dataset", dataset, str(path)]
    return [sys.executable, str(Path(__file__).resolve()), "--way", way, "--db", str(db), "--dataset", dataset,
            str(path)]


def _fresh(db: Path) -> None:
    for p in (db, Path(f"{db}.wal"), Path(f"{db}.lock"), Path(f"{db}.lock.intent")):
        p.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--dataset", default="school_attendance")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--way", choices=WAYS[2:], help=argparse.SUPPRESS)  # a worker process
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.way:
        _worker(args.way, args.db, args.file, args.dataset)
        return 0
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    walls: dict[str, list[float]] = {w: [] for w in WAYS}
    cpus: dict[str, list[float]] = {w: [] for w in WAYS}
    load_before = os.getloadavg()[0]
    for round_ in range(args.repeat):
        for way in WAYS:
            db = out / f"floor_{way}.duckdb"
            _fresh(db)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(_command(way, db, args.file, args.dataset), cwd=ROOT, capture_output=True,
                                  text=True)
            walls[way].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[way].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            _fresh(db)
            if proc.returncode != 0:
                sys.exit(f"{way} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
            print(f"round {round_ + 1}: {way} {walls[way][-1]:.2f} s", file=sys.stderr, flush=True)
    duck = statistics.median(walls["duckdb"])
    print(f"{args.file.name}, {args.repeat} round(s), 1-minute load average before: {load_before:.2f}\n")
    print("| way | wall (s), median | runs (s) | CPU (s), median | wall / DuckDB's |")
    print("|---|---:|---|---:|---:|")
    for way in WAYS:
        w = statistics.median(walls[way])
        runs = ", ".join(f"{x:.2f}" for x in walls[way])
        print(f"| {way} | {w:.2f} | {runs} | {statistics.median(cpus[way]):.2f} | {w / duck:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
