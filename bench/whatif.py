"""The project's load command with candidate speed-ups patched in at run time (siree_metrics is not edited).

Usage: python bench/whatif.py [--fast-clean] [--hash-dupkey] [--no-order] -- load --db DB --dataset school_attendance FILE

Runs ``siree_metrics.cli.main`` (the same code as ``python -m siree_metrics``) after applying, in this
process only, the chosen changes. Each keeps the loader's results identical:

--fast-clean   checks.cleaned (trim of ' \\t\\r\\n' and NBSP, empty -> NULL) gets a fast path: a cell whose
               first and last characters are not among those is returned as it is; only other cells go
               through trim(). DuckDB's trim with a character list is the costliest per-cell function.
--hash-dupkey  before the repeated-key part of the problems query, one GROUP BY on a 64-bit hash of the
               key; only when some hash repeats does the exact (CTE + join) query run. A valid file, the
               common case, never pays for grouping and joining the text keys.

--no-order     SET preserve_insertion_order = false on the loader's scratch connection. Nothing depends on
               the physical order of the parsed table: problems, the preview and export all sort by row
               number, and every stored row keeps its source_row. DuckDB may then write the parsed table
               and the insert in parallel without keeping order, with less memory.

bench/whatif_run.py times these against the unpatched command and DuckDB's own read_csv.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import sys
from pathlib import Path

if not os.environ.get("PYTHONPATH"):  # bench/run.py's --commit sets PYTHONPATH to a snapshot of one commit
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from siree_metrics import checks, cli, load  # noqa: E402

EDGE = "[^ \\t\\r\\n\\x{00A0}]"


def fast_cleaned(raw: str) -> str:
    slow = f"nullif(trim({raw}, ' \t\r\n' || chr(160)), '')"
    return f"(CASE WHEN regexp_full_match({raw}, '{EDGE}(.*{EDGE})?') THEN {raw} ELSE {slow} END)"


def hash_first(original):
    def row_problems(con, plan, display):
        key = list(plan.ds.full_key)
        if not all(k in plan.position for k in key if k in plan.ds.required):
            return original(con, plan, display)
        keys = ", ".join(plan.v(k) for k in key)
        present = " AND ".join(f"{plan.v(k)} IS NOT NULL" for k in key if k in plan.ds.required)
        repeats = con.execute(f"SELECT count(*) FROM (SELECT hash({keys}) AS h FROM parsed WHERE {present} "
                              f"GROUP BY h HAVING count(*) > 1)").fetchone()[0]
        if repeats:
            return original(con, plan, display)  # maybe a real repeat: the exact query
        # No key can repeat: run the cell checks only (a plan whose key is never complete skips that part).
        cells_only = copy.copy(plan)
        cells_only.ds = dataclasses.replace(plan.ds, key=(*plan.ds.key, "__no_such_column__"),
                                            required=(*plan.ds.required, "__no_such_column__"))
        return original(con, cells_only, display)
    return row_problems


def unordered(original):
    def scratch(*args, **kwargs):
        con = original(*args, **kwargs)
        con.execute("SET preserve_insertion_order = false")
        return con
    return scratch


def main(argv: list[str]) -> int:
    flags = argv[:argv.index("--")] if "--" in argv else []
    rest = argv[argv.index("--") + 1:] if "--" in argv else argv
    if "--fast-clean" in flags:
        checks.cleaned = load.cleaned = fast_cleaned
    if "--hash-dupkey" in flags:
        load._row_problems = hash_first(load._row_problems)
    if "--no-order" in flags:
        load._scratch = unordered(load._scratch)
    return cli.main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
