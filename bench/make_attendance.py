"""Generate a valid school_attendance CSV of ROWS data rows, for the loader benchmark (issue 2).

Usage: python bench/make_attendance.py [--narrow] ROWS OUT.csv

--narrow writes only the six required columns (partner_id, region, school_id, month, children_enrolled,
children_attending), the shape of a school's monthly attendance export; without it the file also has
sessions_possible and sessions_attended (eight columns).

The whole file is written by one DuckDB ``COPY (SELECT ... FROM range(n)) TO ...``, so 10 M rows take
seconds, not minutes. Every row passes the loader's checks:

- partner_id/region pairs are in one country (MECHELEN/BE212, ADICE/FRE11, UOG/UKJ41, MIDDELBURG/NL342,
  VIVES/BE251); a school keeps its partner for all its months;
- month is YYYY-MM between 2017-03 and 2021-12 (58 months: baseline year and project period);
- (partner_id, school_id, month) is unique: row i is school i // 58 in month i % 58;
- children_attending <= children_enrolled and sessions_attended <= sessions_possible.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

PAIRS = (("MECHELEN", "BE212"), ("ADICE", "FRE11"), ("UOG", "UKJ41"), ("MIDDELBURG", "NL342"), ("VIVES", "BE251"))
MONTHS = 58  # 2017-03 .. 2021-12


NARROW = ("partner_id", "region", "school_id", "month", "children_enrolled", "children_attending")


def sql(rows: int, out: Path, narrow: bool = False) -> str:
    partners = "[" + ", ".join(f"'{p}'" for p, _ in PAIRS) + "]"
    regions = "[" + ", ".join(f"'{r}'" for _, r in PAIRS) + "]"
    target = str(out).replace("'", "''")
    # hash() gives deterministic pseudo-random figures per row without a Python loop.
    return f"""
    COPY (
      WITH base AS (
        SELECT range AS i, range // {MONTHS} AS school, range % {MONTHS} AS m,
               hash(range) AS h
        FROM range({int(rows)})
      ), figures AS (
        SELECT i, school, m, h,
               20 + (h % 480) AS enrolled,
               18 + ((h >> 12) % 5) AS days
        FROM base
      )
      SELECT {", ".join(NARROW) if narrow else "* EXCLUDE (i)"} FROM (
      SELECT i, {partners}[1 + school % {len(PAIRS)}] AS partner_id,
             {regions}[1 + school % {len(PAIRS)}] AS region,
             'S' || lpad(CAST(school AS VARCHAR), 7, '0') AS school_id,
             strftime(DATE '2017-03-01' + to_months(CAST(m AS INTEGER)), '%Y-%m') AS month,
             enrolled AS children_enrolled,
             enrolled - ((h >> 24) % (enrolled // 5 + 1)) AS children_attending,
             enrolled * days AS sessions_possible,
             enrolled * days - ((h >> 36) % (enrolled * days // 8 + 1)) AS sessions_attended
      FROM figures)
      ORDER BY i
    ) TO '{target}' (FORMAT csv, HEADER true)
    """


def misnumbered(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of a database loaded from such a file whose source_row is not the line they came from: row r
    (header = 1) holds record r - 2, that is school (r - 2) // 58 in month (r - 2) % 58."""
    return con.execute(f"""
        SELECT count(*) FROM school_attendance
        WHERE school_id <> 'S' || lpad(CAST((source_row - 2) // {MONTHS} AS VARCHAR), 7, '0')
           OR month <> DATE '2017-03-01' + to_months(CAST((source_row - 2) % {MONTHS} AS INTEGER))""").fetchone()[0]


def main(argv: list[str]) -> int:
    narrow = argv[:1] == ["--narrow"]
    argv = argv[1:] if narrow else argv
    if len(argv) != 2 or not argv[0].isdigit() or int(argv[0]) < 1:
        print("usage: python bench/make_attendance.py [--narrow] ROWS OUT.csv", file=sys.stderr)
        return 2
    rows, out = int(argv[0]), Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = true")
    con.execute(sql(rows, out, narrow))
    con.close()
    print(f"wrote {rows} rows to {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
