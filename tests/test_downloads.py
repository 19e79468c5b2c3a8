"""Downloads neutralise spreadsheet formulas (siree_metrics.downloads)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from siree_metrics.downloads import csv_text, frame_csv, neutralise


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    # plain numbers stay numbers, ordinary text stays as it is
    ("-120.50", "-120.50"), ("+12", "+12"), ("-1,5", "-1,5"), ("1e5", "1e5"), ("-1 234,56", "-1 234,56"),
    ("-1.234,56", "-1.234,56"),
    ("Café =1", "Café =1"), ("", ""), (None, None), (-3, -3), (2.5, 2.5),
])
def test_formula_cells_get_an_apostrophe_and_numbers_do_not(cell: object, safe: object) -> None:
    assert neutralise(cell) == safe


def test_csv_neutralises_headers_and_cells_and_reads_back() -> None:
    text = csv_text(["name", "=evil()"], [["=1+1", -5], ["ok", None]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "'=evil()"], ["'=1+1", "-5"], ["ok", ""]]


def test_a_frame_keeps_its_numbers_and_neutralises_its_text() -> None:
    frame = pd.DataFrame({"sector": ["@SUM(1)", "catering"], "n": [3, 4], "share": [0.5, None]})
    assert frame_csv(frame).decode() == "sector,n,share\n'@SUM(1),3,0.5\ncatering,4,\n"
