"""Shared fixtures: a fresh database per test, writers for CSV/Parquet/XLSX files, and a fixed 'today'.

Every test builds its own few rows inline and loads them through the real loader (``load_file``), so
what is tested is what a partner's file goes through. ``today`` is fixed (2022-06-30) so "in the future"
and the as-of windows do not depend on the day the suite runs.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import TODAY, Rows, csv_bytes, rows_from, typed

from siree_metrics import cli
from siree_metrics.ingest import store
from siree_metrics.ingest.contract import load_contract
from siree_metrics.ingest.load import Checked, LoadResult, check_file, load_file


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database path in a fresh folder; the file does not exist until something writes to it."""
    return tmp_path / "siree.duckdb"


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """write_csv(rows, name='data.csv', delimiter=',', encoding='utf-8', bom=False, newline='\\n') -> Path."""

    def write(rows: Rows, name: str = "data.csv", **dialect: object) -> Path:
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows, **dialect))  # type: ignore[arg-type]
        return path

    return write


@pytest.fixture
def write_bytes(tmp_path: Path) -> Callable[[bytes, str], Path]:
    def write(data: bytes, name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def write_parquet(tmp_path: Path) -> Callable[..., Path]:
    """write_parquet(dataset, records, name) -> Path, with real date, int, float and bool columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(dataset: str, records: list[dict[str, object]], name: str = "data.parquet") -> Path:
        header = rows_from(records)[0]
        columns = {h: [typed(dataset, h, r.get(h)) for r in records] for h in header}
        arrays = {}
        for h, values in columns.items():
            kind = load_contract()[dataset].columns[h].type if h in load_contract()[dataset].columns else "text"
            pa_type = {"date": pa.date32(), "month": pa.date32(), "count": pa.int64(), "amount": pa.float64(),
                       "hours": pa.float64(), "bool": pa.bool_()}.get(kind, pa.string())
            arrays[h] = pa.array(values, pa_type)
        path = tmp_path / name
        pq.write_table(pa.table(arrays), path)
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """write_xlsx(rows, name, extra_sheets={title: rows}, active=index) -> Path; cells keep their Python type."""
    import openpyxl

    def write(rows: Rows, name: str = "data.xlsx", extra_sheets: dict[str, Rows] | None = None,
              active: int = 0) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Data"
        for row in rows:
            sheet.append(list(row))
        for title, extra in (extra_sheets or {}).items():
            other = book.create_sheet(title)
            for row in extra:
                other.append(list(row))
        book.active = active
        path = tmp_path / name
        book.save(path)
        return path

    return write


@pytest.fixture
def load(db: Path, today: dt.date) -> Callable[..., LoadResult]:
    """load(dataset, path, **kw): load_file into the test's database with the fixed today."""

    def run(dataset: str, path: Path, **kw: object) -> LoadResult:
        kw.setdefault("today", today)
        return load_file(db, dataset, path, **kw)  # type: ignore[arg-type]

    return run


@pytest.fixture
def check(today: dt.date) -> Callable[..., Checked]:
    def run(dataset: str, path: Path, **kw: object) -> Checked:
        kw.setdefault("today", today)
        return check_file(path, dataset, **kw)  # type: ignore[arg-type]

    return run


@pytest.fixture
def query(db: Path) -> Callable[..., list[tuple]]:
    """query(sql, params) -> rows, through a short read connection to the test's database."""

    def run(sql: str, params: dict | None = None) -> list[tuple]:
        with store.connect(db) as con:
            return con.execute(sql, params or {}).fetchall()

    return run


@pytest.fixture
def export(db: Path, tmp_path: Path) -> Callable[[str], list[dict[str, str]]]:
    """export(dataset) -> rows of ``python -m siree_metrics export`` (run in-process), as dicts of text."""

    def run(dataset: str) -> list[dict[str, str]]:
        out = tmp_path / f"export-{dataset}.csv"
        assert cli.main(["export", "--db", str(db), "--dataset", dataset, "--out", str(out)]) == 0
        with out.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    return run


@pytest.fixture
def table_counts(db: Path) -> Callable[[], dict[str, int]]:
    """Row count of every table in the database (batches, datasets, replaced rows)."""

    def run() -> dict[str, int]:
        if not db.exists():
            return {}
        with store.connect(db) as con:
            names = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                               "order by table_name").fetchall()]
            return {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}

    return run
