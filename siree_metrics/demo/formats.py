"""How the demo exports are written: the CSV dialects, encodings and value spellings partners' spreadsheet
programs use, XLSX workbooks and Parquet files, and which partner sends which dataset in which of them.

English comma CSV, Flemish `;` Windows-1252 CSV with decimal commas, French `;` UTF-8 CSV with a BOM, CRLF and
non-breaking-space thousands, Dutch tab-delimited UTF-16 and `|`-delimited CSV with compact dates, Parquet and
XLSX. Writing is deterministic: XLSX files get fixed document and zip timestamps, so two runs write
byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Csv:
    """How one partner's spreadsheet program writes a CSV: dialect, encoding and the spelling of values."""

    delimiter: str = ","
    encoding: str = "utf-8"  # "utf-16" means little-endian with a BOM, as Excel's "Unicode text" writes it
    bom: bool = False
    newline: str = "\r\n"
    date: str = "%Y-%m-%d"
    month: str = "%Y-%m"
    decimal: str = "."
    thousands: str = ","
    booleans: tuple[str, str] = ("yes", "no")
    header: str = "snake"  # or "title": "Partner ID", "Amount EUR"

    extension = "csv"


@dataclass(frozen=True)
class Xlsx:
    """An Excel workbook: first sheet, header in row 1, dates as real date cells."""

    header: str = "snake"
    extension = "xlsx"


@dataclass(frozen=True)
class Parquet:
    """A Parquet file with real date columns, integer counts and float amounts."""

    header: str = "snake"
    extension = "parquet"


Format = Csv | Xlsx | Parquet

ENGLISH = Csv()
MEDWAY = Csv(bom=True, newline="\n", date="%d/%m/%Y", header="title")
FLEMISH = Csv(
    delimiter=";",
    encoding="cp1252",
    date="%d/%m/%Y",
    month="%m/%Y",
    decimal=",",
    thousands=".",
    booleans=("ja", "nee"),
)
FRENCH = Csv(
    delimiter=";",
    bom=True,
    date="%d/%m/%Y",
    month="%m/%Y",
    decimal=",",
    thousands="\u00a0",
    booleans=("oui", "non"),
)
DUTCH_PIPE = Csv(delimiter="|", newline="\n", date="%Y%m%d", decimal=",", thousands="", booleans=("ja", "nee"))
DUTCH_TAB = Csv(
    delimiter="\t",
    encoding="utf-16",
    bom=True,
    date="%Y%m%d",
    month="%m/%Y",
    decimal=",",
    thousands="",
    booleans=("1", "0"),
)

# Which file goes out in which format: one place to see the whole mix.
FORMATS: dict[tuple[str, str], Format] = {
    ("UOG", "learning_communities"): ENGLISH,
    ("VIVES", "learning_communities"): FLEMISH,
    ("MECHELEN", "learning_communities"): FLEMISH,
    ("ADICE", "learning_communities"): FRENCH,
    ("MEDWAYPLUS", "learning_communities"): MEDWAY,
    ("UCR", "learning_communities"): Xlsx(header="title"),
    ("MIDDELBURG", "learning_communities"): DUTCH_PIPE,
    ("ARHUS", "learning_communities"): replace(FLEMISH, date="%d-%m-%Y"),
    ("LSF", "learning_communities"): FLEMISH,
    ("UOG", "school_attendance"): replace(ENGLISH, bom=True),
    ("VIVES", "school_attendance"): FLEMISH,
    ("MECHELEN", "school_attendance"): replace(FLEMISH, month="%d/%m/%Y"),
    ("ADICE", "school_attendance"): FRENCH,
    ("MIDDELBURG", "school_attendance"): Parquet(),
    ("UOG", "parent_involvement"): replace(ENGLISH, newline="\n"),
    ("VIVES", "parent_involvement"): FLEMISH,
    ("MECHELEN", "parent_involvement"): replace(FLEMISH, month="%d/%m/%Y"),
    ("ADICE", "parent_involvement"): FRENCH,
    ("MIDDELBURG", "parent_involvement"): Xlsx(),
    ("MEDWAYPLUS", "adult_education"): MEDWAY,
    ("LSF", "adult_education"): FLEMISH,
    ("ARHUS", "adult_education"): replace(FLEMISH, month="%d/%m/%Y"),
    ("ADICE", "adult_education"): FRENCH,
    ("UCR", "adult_education"): Parquet(),
    ("UOG", "teacher_training"): replace(ENGLISH, date="%d/%m/%Y", booleans=("Yes", "No")),
    ("VIVES", "teacher_training"): FLEMISH,
    ("MEDWAYPLUS", "teacher_training"): replace(MEDWAY, booleans=("Y", "N")),
    ("ARHUS", "teacher_training"): FLEMISH,
    ("LSF", "teacher_training"): FLEMISH,
    ("MECHELEN", "teacher_training"): FLEMISH,
    ("ADICE", "teacher_training"): replace(FRENCH, date="%d.%m.%Y"),
    ("UCR", "teacher_training"): DUTCH_TAB,
    ("MIDDELBURG", "teacher_training"): DUTCH_PIPE,
    ("UOG", "startups"): ENGLISH,
    ("VIVES", "startups"): FLEMISH,
    ("MECHELEN", "startups"): FLEMISH,
    ("MIDDELBURG", "startups"): Xlsx(),
    ("MEDWAYPLUS", "startups"): MEDWAY,
    ("ADICE", "startups"): FRENCH,
    ("ARHUS", "startups"): replace(FLEMISH, date="%d-%m-%Y"),
    ("LSF", "startups"): FLEMISH,
    ("UOG", "networks"): ENGLISH,  # the lead partner keeps the register of all networks
    ("UOG", "expenditure"): replace(ENGLISH, date="%d/%m/%Y"),
    ("MEDWAYPLUS", "expenditure"): MEDWAY,
    ("VIVES", "expenditure"): FLEMISH,
    ("MECHELEN", "expenditure"): FLEMISH,
    ("ARHUS", "expenditure"): FLEMISH,
    ("LSF", "expenditure"): FLEMISH,
    ("ADICE", "expenditure"): replace(FRENCH, date="%d.%m.%Y"),
    ("UCR", "expenditure"): Xlsx(header="title"),
    ("MIDDELBURG", "expenditure"): DUTCH_TAB,
}


def file_name(partner: str, dataset: str) -> str:
    """The name of a partner's export of a dataset, such as ``uog_startups.csv``; KeyError for a (partner,
    dataset) pair that FORMATS does not list."""
    return f"{partner.lower()}_{dataset}.{FORMATS[(partner, dataset)].extension}"


def write(path: pathlib.Path, style: Format, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Write ``rows`` (typed Python values: str, int, float, Decimal, bool, date, None) to ``path`` as
    ``style`` says, the columns in the order given; an existing file is overwritten."""
    if isinstance(style, Csv):
        _write_csv(path, style, columns, rows)
    elif isinstance(style, Xlsx):
        _write_xlsx(path, style, columns, rows)
    else:
        _write_parquet(path, columns, rows)


def _header(columns: Sequence[str], spelling: str) -> list[str]:
    if spelling == "snake":
        return list(columns)
    upper = {"id": "ID", "eur": "EUR"}
    return [" ".join(upper.get(w, w.capitalize()) for w in c.split("_")) for c in columns]


def _text(column: str, value: Any, style: Csv) -> str:
    """Spell one value as the partner's spreadsheet would in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return style.booleans[0] if value else style.booleans[1]
    if isinstance(value, dt.date):
        return value.strftime(style.month if column == "month" else style.date)
    if isinstance(value, Decimal):
        whole, cents = f"{abs(value):.2f}".split(".")
        grouped = f"{int(whole):,}".replace(",", style.thousands)
        return f"{'-' if value < 0 else ''}{grouped}{style.decimal}{cents}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", style.decimal)
    return str(value)


def _write_csv(path: pathlib.Path, style: Csv, columns: Sequence[str], rows: Sequence[Row]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator=style.newline)
    writer.writerow(_header(columns, style.header))
    for row in rows:
        writer.writerow([_text(c, row[c], style) for c in columns])
    text = buffer.getvalue()
    if style.encoding == "utf-16":
        # Explicit little-endian with its BOM: Python's "utf-16" codec would follow the machine's byte order.
        data = b"\xff\xfe" + text.encode("utf-16-le")
    else:
        data = (b"\xef\xbb\xbf" if style.bom else b"") + text.encode(style.encoding)
    path.write_bytes(data)


_ARROW_TYPES = {
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
    Decimal: pa.float64(),
    str: pa.string(),
    dt.date: pa.date32(),
}


def _write_parquet(path: pathlib.Path, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Each column typed after its first value (so a column must not start with None)."""
    arrays: dict[str, pa.Array] = {}
    for column in columns:
        values = [row[column] for row in rows]
        kind = type(values[0])
        if kind is Decimal:
            values = [float(v) for v in values]
        arrays[column] = pa.array(values, type=_ARROW_TYPES[kind])
    pq.write_table(pa.table(arrays), path)


# Fixed timestamps so that two runs write byte-identical workbooks.
_XLSX_STAMP = dt.datetime(2022, 1, 14, 9, 30, 0)
_ZIP_STAMP = (2022, 1, 14, 9, 30, 0)


def _write_xlsx(path: pathlib.Path, style: Xlsx, columns: Sequence[str], rows: Sequence[Row]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Export"
    sheet.append(_header(columns, style.header))
    for row in rows:
        sheet.append([float(row[c]) if isinstance(row[c], Decimal) else row[c] for c in columns])
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    workbook.properties.creator = "SIREE demo generator"
    workbook.properties.created = workbook.properties.modified = _XLSX_STAMP
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which would stamp the current time as the modification date.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(_restamp_zip(buffer.getvalue()))


def _restamp_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with one fixed timestamp and mode on every entry, contents and order unchanged."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))
    return out.getvalue()
