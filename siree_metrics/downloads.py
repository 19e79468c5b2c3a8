"""Files that leave the tool for a spreadsheet: CSV with spreadsheet formulas neutralised.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(...)``): opening a
download could run what a partner's file or a form slipped in. Such a cell gets a leading apostrophe, which
spreadsheets read as "this is text" and do not show; a plain number (``-120.50``, a correction) stays a
number. ``python -m siree_metrics export --raw`` is the operator's exact copy and does not pass through here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

import pandas as pd

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


def frame_csv(frame: pd.DataFrame) -> bytes:
    """A data frame as UTF-8 CSV bytes with every text cell neutralised."""
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    return csv_text([str(c) for c in frame.columns], rows).encode("utf-8")
