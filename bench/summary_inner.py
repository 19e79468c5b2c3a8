"""Time siree_metrics.metrics.summary.summarize inside one process: python bench/summary_inner.py DB

Prints one JSON line: seconds to import, to connect, and for the first (cold) and second (warm)
summarize call on the same connection.
"""

import json
import sys
import time
from pathlib import Path

t0 = time.perf_counter()
from siree_metrics.ingest.store import connect  # noqa: E402
from siree_metrics.metrics.summary import summarize  # noqa: E402

t1 = time.perf_counter()
with connect(Path(sys.argv[1])) as con:
    t2 = time.perf_counter()
    first = summarize(con)
    t3 = time.perf_counter()
    summarize(con)
    t4 = time.perf_counter()
n = next((r.n for r in first.indicators if r.id == "children_in_school"), None)
print(json.dumps({"import_s": t1 - t0, "connect_s": t2 - t1, "summarize_s": t3 - t2, "summarize_warm_s": t4 - t3,
                  "as_of": first.as_of.isoformat(), "children_in_school_n": n}))
