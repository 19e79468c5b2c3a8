"""Limits on what a file expands to, checked before it is read in full.

A 0.9 MB XLSX can hold 237 MB of XML (a million rows), which takes minutes to read; a small Parquet file can
declare millions of rows or thousands of columns. ``check`` looks only at a file's size, its ZIP directory or
its Parquet footer (milliseconds, whatever the file holds) and says, in one line a partner can act on, which
limit it passes. The defaults are in data/reference/programme.toml ([uploads]); the upload page states them.
"""

from __future__ import annotations

import re
import tomllib
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from siree_metrics.charts import style
from siree_metrics.i18n import language, t

from .problems import Refused

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    file_mb: int = 200  # the file as sent
    rows: int = 2_000_000  # rows of a Parquet file (a CSV's are bounded by its size)
    columns: int = 200
    xlsx_rows: int = 200_000  # reading a workbook is slow: larger exports are sent as CSV or Parquet
    xlsx_expanded_mb: int = 100  # what a workbook's parts add up to unpacked
    xlsx_ratio: int = 200  # unpacked size / packed size of any part: beyond it, a decompression bomb
    seconds: int = 120  # a check or a load from the upload page, in its own process, stopped after this
    memory_mb: int = 4096  # that process's address space (RLIMIT_AS); DuckDB is given half, and spills beyond

    def described(self) -> str:
        """The limits in words, for the upload page."""
        return t("files up to {file_mb} MB and {columns} columns; Parquet up to {rows} rows; Excel workbooks up to "
                 "{xlsx_rows} rows and {xlsx_mb} MB unpacked (send larger exports as CSV or Parquet); a check or "
                 "load may take up to {seconds} s and {memory_mb} MB of memory",
                 file_mb=self.file_mb, columns=self.columns, rows=_n(self.rows), xlsx_rows=_n(self.xlsx_rows),
                 xlsx_mb=self.xlsx_expanded_mb, seconds=self.seconds, memory_mb=_n(self.memory_mb))

    def for_command_line(self) -> Limits:
        """The limits of ``python -m siree_metrics load``: the operator's tool on the server loads the
        ten-million-row files of the benchmark, so the file size and the Parquet row count are not limited;
        what a workbook unpacks to, the packing ratio, the workbook rows and the columns stay (a workbook
        bomb takes minutes and gigabytes whoever loads it)."""
        return replace(self, file_mb=1 << 30, rows=1 << 62)


def configured(directory: Path | None = None) -> Limits:
    """The limits set in the [uploads] table of programme.toml (the reference folder, or ``directory``)."""
    from siree_metrics.reference import REFERENCE_DIR

    raw = tomllib.loads(((directory or REFERENCE_DIR) / "programme.toml").read_text(encoding="utf-8"))
    return from_settings(raw.get("uploads"))


def from_settings(settings: dict | None) -> Limits:
    """Limits from a [uploads] table (any key of Limits); the defaults for the rest."""
    known = {k: int(v) for k, v in (settings or {}).items() if k in Limits.__dataclass_fields__}
    return Limits(**known)


def _n(value: float) -> str:
    """A number of rows, MB, ... with the thousands separators of the current language."""
    return style.count(value, language())


def check(path: Path, display: str, limits: Limits) -> None:
    """Raise Refused, naming the limit and what the file holds, when ``path`` would expand past ``limits``."""
    size = Path(path).stat().st_size
    if size > limits.file_mb * MB:
        raise Refused(f"{display}: " + t("the file is {size} MB, more than the {limit} MB allowed; split it (for "
                                         "example by year) and send the parts", size=_n(size / MB), limit=limits.file_mb))
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PK\x03\x04":
        _check_xlsx(path, display, limits)
    elif head == b"PAR1":
        _check_parquet(path, display, limits)


def _check_xlsx(path: Path, display: str, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
            expanded = sum(p.file_size for p in parts)
            if expanded > limits.xlsx_expanded_mb * MB:
                raise Refused(f"{display}: " + t("the workbook unpacks to {size} MB, more than the {limit} MB "
                                                 "allowed; save it as CSV and send that",
                                                 size=_n(expanded / MB), limit=limits.xlsx_expanded_mb))
            for p in parts:
                if p.compress_size and p.file_size > 1 * MB and p.file_size / p.compress_size > limits.xlsx_ratio:
                    raise Refused(f"{display}: " + t("the workbook part {part} unpacks {ratio} times its size; this "
                                                     "is not a plain export: save it as CSV and send that",
                                                     part=repr(p.filename), ratio=p.file_size // p.compress_size))
            rows = _sheet_rows(z)
    except zipfile.BadZipFile:
        return  # the reader says what is wrong with it
    if rows is not None and rows > limits.xlsx_rows:
        raise Refused(f"{display}: " + t("the workbook's first sheet has {rows} rows, more than the {limit} an Excel "
                                         "file may have here; save it as CSV (or Parquet) and send that",
                                         rows=_n(rows), limit=_n(limits.xlsx_rows)))


def _sheet_rows(z: zipfile.ZipFile) -> int | None:
    """The row count the first sheet declares (its <dimension ref="A1:F1000">), read from its first 4 KB."""
    sheets = sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        return None
    with z.open(sheets[0]) as f:
        head = f.read(4096).decode("utf-8", "replace")
    found = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    return int(found.group(1)) if found else None


def _check_parquet(path: Path, display: str, limits: Limits) -> None:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except Exception:  # damaged: the reader says so
        return
    if meta.num_columns > limits.columns:
        raise Refused(f"{display}: " + t("the file has {columns} columns, more than the {limit} allowed",
                                         columns=_n(meta.num_columns), limit=limits.columns))
    if meta.num_rows > limits.rows:
        raise Refused(f"{display}: " + t("the file has {rows} rows, more than the {limit} allowed; split it (for "
                                         "example by year) and send the parts", rows=_n(meta.num_rows),
                                         limit=_n(limits.rows)))
