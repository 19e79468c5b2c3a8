"""Downloads neutralise spreadsheet formulas (siree_metrics.downloads)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from siree_metrics.downloads import csv_text, frame_csv, frame_xlsx, neutralise


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


def test_a_csv_says_what_it_holds_before_its_table() -> None:
    # two about rows (one with a comma, quoted; one a typed "=" that must not run), an empty line, the table
    frame = pd.DataFrame({"country": ["BE"], "value": [3]})
    about = [("Title", "Children in school, by country"), ("Scope", "=Mechelen")]
    assert frame_csv(frame, about).decode() == (
        'Title,"Children in school, by country"\nScope,\'=Mechelen\n\ncountry,value\nBE,3\n')


def _workbook(data: bytes):  # noqa: ANN202
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_cells_are_typed_and_the_about_sheet_says_what_the_file_is() -> None:
    import datetime as dt
    from decimal import Decimal

    frame = pd.DataFrame({
        "month": pd.to_datetime(["2021-05-01", "2021-06-01"]),  # dates, not text
        "partner": ["MECHELEN", "=HYPERLINK(\"http://evil.example\",\"x\")"],  # the second is hostile text
        "n": [3, 12],  # whole numbers
        "share": [0.125, None],  # a float, and a missing value (an empty cell)
        "spent_eur": [Decimal("1234.50"), Decimal("-0.05")],  # exact euros, shown with two decimals
    })
    about = [("Title", "Spending by partner"), ("Data as of", dt.date(2021, 6, 30)), ("Demo", "DEMO DATA")]
    book = _workbook(frame_xlsx(frame, about))
    assert book.sheetnames == ["Data", "About"]
    data = book["Data"]
    assert [c.value for c in data[1]] == ["month", "partner", "n", "share", "spent_eur"]
    month, partner, n, share, spent = data[2]
    assert month.is_date and month.value == dt.datetime(2021, 5, 1) and month.number_format == "yyyy-mm-dd"
    assert partner.data_type == "s" and partner.value == "MECHELEN"
    assert n.data_type == "n" and n.value == 3
    assert share.value == 0.125
    assert spent.data_type == "n" and spent.value == 1234.5 and spent.number_format == "#,##0.00"
    hostile = data["B3"]
    # kept exactly, as a text cell (never a formula), marked as text like a typed apostrophe
    assert hostile.data_type == "s" and hostile.value == "=HYPERLINK(\"http://evil.example\",\"x\")"
    assert hostile.quotePrefix
    assert data["D3"].value is None and data["E3"].value == -0.05
    info = book["About"]
    assert [(a.value, b.value) for a, b in info.iter_rows()] == [
        ("Title", "Spending by partner"), ("Data as of", dt.datetime(2021, 6, 30)), ("Demo", "DEMO DATA")]
    assert info["B2"].is_date


def test_xlsx_headers_from_a_file_stay_text_too() -> None:
    book = _workbook(frame_xlsx(pd.DataFrame({"@SUM(1)": ["-2+3", "-120.50"]})))
    header, first, second = book["Data"]["A"]
    assert (header.data_type, header.value) == ("s", "@SUM(1)")
    # text stays text whatever it looks like: a partner's "-120.50" is not turned into a number here
    assert [(c.data_type, c.value) for c in (first, second)] == [("s", "-2+3"), ("s", "-120.50")]
