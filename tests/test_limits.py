"""Limits on what a file expands to, checked from its size, ZIP directory or Parquet footer (ingest.limits)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from siree_metrics.ingest import limits
from siree_metrics.ingest.limits import Limits
from siree_metrics.ingest.problems import Refused


def test_a_small_csv_passes(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("partner_id,region\nUOG,UKJ41\n")
    limits.check(path, "a.csv", Limits())  # no exception


def test_a_file_larger_than_allowed_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (2 * limits.MB + 1))
    with pytest.raises(Refused, match=r"^big.csv: the file is 2 MB, more than the 1 MB allowed"):
        limits.check(path, "big.csv", Limits(file_mb=1))


def test_a_workbook_declaring_too_many_rows_is_refused_before_it_is_read(tmp_path: Path, write_xlsx) -> None:  # noqa: ANN001
    path = write_xlsx([["partner_id", "region"], *[["UOG", "UKJ41"]] * 30], "w.xlsx")
    limits.check(path, "w.xlsx", Limits(xlsx_rows=31))  # header + 30 rows = 31: allowed
    with pytest.raises(Refused, match=r"w.xlsx: the workbook's first sheet has 31 rows, more than the 30"):
        limits.check(path, "w.xlsx", Limits(xlsx_rows=30))


def test_a_decompression_bomb_is_refused_from_its_zip_directory(tmp_path: Path) -> None:
    # 20 MB of one repeated byte packs into a few KB: a ratio in the thousands
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * (20 * limits.MB) + "</worksheet>")
    assert path.stat().st_size < 100_000
    with pytest.raises(Refused, match=r"bomb.xlsx: the workbook part 'xl/worksheets/sheet1.xml' unpacks \d+ times"):
        limits.check(path, "bomb.xlsx", Limits())
    with pytest.raises(Refused, match=r"unpacks to 20 MB, more than the 10 MB allowed"):
        limits.check(path, "bomb.xlsx", Limits(xlsx_expanded_mb=10))


def test_parquet_rows_and_columns_come_from_its_footer(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({f"c{i}": list(range(50)) for i in range(12)}), path)
    limits.check(path, "p.parquet", Limits(rows=50, columns=12))
    with pytest.raises(Refused, match="p.parquet: the file has 50 rows, more than the 49 allowed"):
        limits.check(path, "p.parquet", Limits(rows=49))
    with pytest.raises(Refused, match="p.parquet: the file has 12 columns, more than the 11 allowed"):
        limits.check(path, "p.parquet", Limits(columns=11))


def test_settings_override_the_defaults_and_are_described() -> None:
    got = limits.from_settings({"xlsx_rows": "1000", "unknown": 3})
    assert got == Limits(xlsx_rows=1000)
    assert "Excel workbooks up to 1,000 rows" in got.described()
