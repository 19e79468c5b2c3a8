"""Partner files in: read a CSV, Parquet or XLSX export as text cells (read), check every contract rule in SQL
(checks, contract), store the file whole or refuse it whole (load) in the DuckDB database (store)."""
