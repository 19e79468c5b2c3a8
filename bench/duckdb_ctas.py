"""DuckDB's own load of a CSV, the benchmark's yardstick: python bench/duckdb_ctas.py DB FILE"""

import sys

import duckdb

db, path = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("CREATE TABLE t AS SELECT * FROM read_csv($path)", {"path": path})
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
con.close()
