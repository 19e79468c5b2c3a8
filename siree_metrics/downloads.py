"""Files that leave the tool for a spreadsheet: CSV with spreadsheet formulas neutralised, and XLSX with typed
cells and an "About" sheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(...)``): opening a
download could run what a partner's file or a form slipped in. Such a cell gets a leading apostrophe, which
spreadsheets read as "this is text" and do not show; a plain number (``-120.50``, a correction) stays a
number. ``python -m siree_metrics export --raw`` is the operator's exact copy and does not pass through here.

The XLSX download is for partners whose Excel reads a CSV in another locale (a comma as the decimal mark,
";" between cells): numbers are number cells, dates date cells, euro amounts number cells shown with two
decimals, so nothing depends on the reader's locale. Text is always written as a text cell (never a
formula) and, where it would read as a formula, marked "text" the way Excel marks a typed apostrophe
(quote prefix), so editing the cell does not turn it into one either; the text itself is kept exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import numbers
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported by whoever passes a frame; the command line's load does not need it
    import pandas as pd
    import xlsxwriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,\s\u00a0\u202f]*([eE][+-]?\d+)?")  # -1 234,56 is a number, not a formula


def neutralise(value: object) -> object:
    """``value`` safe for a spreadsheet cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe; numbers, plain numeric text and everything else are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text of ``rows`` under ``header``, every cell neutralised (headers too: they may come from a file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return out.getvalue()


def frame_csv(frame: pd.DataFrame, about: Sequence[tuple[str, object]] = ()) -> bytes:
    """A data frame as UTF-8 CSV bytes with every text cell neutralised. ``about`` (label, value) rows —
    title, scope, as-of date, source, the DEMO DATA mark — come first, one per line, then an empty line, then
    the table under its header (so a file that left the tool still says what it holds; a program skips to
    the first empty line)."""
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    table = csv_text([str(c) for c in frame.columns], rows)
    if not about:
        return table.encode("utf-8")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([neutralise(label), neutralise(value)] for label, value in about)
    return (out.getvalue() + "\n" + table).encode("utf-8")


DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm:ss"
EURO_FORMAT = "#,##0.00"


def _blank(value: object) -> bool:
    """None, NaN, NaT or pandas' NA: an empty cell."""
    import pandas as pd

    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or another value pandas cannot tell
        return False


class _Cells:
    """Writes one value into a worksheet cell with the type it has (see the module's docstring)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.moment = book.add_format({"num_format": MOMENT_FORMAT})
        self.euro = book.add_format({"num_format": EURO_FORMAT})
        self.text = book.add_format({"quote_prefix": True})
        self.head = book.add_format({"bold": True})
        self.head_text = book.add_format({"bold": True, "quote_prefix": True})

    def write(self, sheet: Any, row: int, col: int, value: Any, euro: bool = False, head: bool = False) -> None:
        if _blank(value):
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, numbers.Real | Decimal):
            sheet.write_number(row, col, float(value), self.euro if euro or isinstance(value, Decimal) else None)
        elif isinstance(value, dt.datetime):  # pd.Timestamp too; midnight is a day
            import pandas as pd

            moment = pd.Timestamp(value).tz_localize(None).to_pydatetime()
            is_day = moment.time() == dt.time(0)
            sheet.write_datetime(row, col, moment, self.date if is_day else self.moment)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time(0)), self.date)
        else:
            text = str(value)
            risky = text.startswith(FORMULA_START)
            style = (self.head_text if risky else self.head) if head else (self.text if risky else None)
            sheet.write_string(row, col, text, style)


def frame_xlsx(frame: pd.DataFrame, about: Sequence[tuple[str, object]] = ()) -> bytes:
    """A data frame as an XLSX workbook: a "Data" sheet with the frame as a table of typed cells (header row
    frozen and filterable), then an "About" sheet of ``about`` (label, value) rows: title, scope, as-of date,
    source, the DEMO DATA mark. A column named ``*_eur`` and any Decimal is a euro amount (two decimals);
    missing values are empty cells. Text is kept exactly, as text cells (see the module's docstring)."""
    import xlsxwriter  # here: only a download needs it

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    cells = _Cells(book)
    sheet = book.add_worksheet("Data")
    columns = [str(c) for c in frame.columns]
    for col, name in enumerate(columns):
        cells.write(sheet, 0, col, name, head=True)
        sheet.set_column(col, col, min(40, max(10, len(name) + 2)))
    euro = [name.endswith("_eur") for name in columns]
    for row, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for col, value in enumerate(values):
            cells.write(sheet, row, col, value.item() if hasattr(value, "item") else value, euro=euro[col])
    if columns:
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(frame), len(columns) - 1)
    info = book.add_worksheet("About")
    info.set_column(0, 0, 16)
    info.set_column(1, 1, 90)
    for row, (label, value) in enumerate(about):
        cells.write(info, row, 0, label, head=True)
        cells.write(info, row, 1, value)
    book.close()
    return out.getvalue()
