"""Reading a partner's file (CSV, Parquet or XLSX) into a DuckDB temp table of text cells, in file order.

Every cell arrives as text exactly as sent, so the checks in ``checks.py`` see what the partner typed, and
every record keeps the row a spreadsheet shows for it. CSV encoding and delimiter are detected per file
(``examine`` reads the whole file once, for its fingerprint and to know it is valid UTF-8); Windows-1252
files are transcoded (never decoded as latin-1, which would turn the curly apostrophe of "’t Kompas" into
a control character).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from siree_metrics.charts import style
from siree_metrics.i18n import Said, language, t
from siree_metrics.ingest import scratch
from siree_metrics.ingest.checks import lit
from siree_metrics.ingest.problems import Problem, Refused

DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 1 << 16
# A line of a partner's file longer than this is refused (no row of the contract comes near). DuckDB is
# told twice as much, so that it reads every line this accepts; DuckDB drops a line longer than its read
# buffer (32 MB) without a word, so examine measures the lines itself.
MAX_LINE_BYTES = 1_000_000
LONG_LINE = (f"this line is longer than {MAX_LINE_BYTES:,} bytes, far longer than any row of a SIREE file; "
             "is this the export of the right table?")
# The characters ``examine`` looks for: a cell can hold a separator (a decimal mark) only if the file holds
# it, and the delimiter only inside quotes. Absent ones spare a scan of the cells (load._decimal_use).
HELD = '".,'


def long_line() -> str:
    """LONG_LINE in the current language."""
    return t("this line is longer than {n} bytes, far longer than any row of a SIREE file; is this the export of "
             "the right table?", n=style.count(MAX_LINE_BYTES, language()))


@dataclass(frozen=True)
class Facts:
    """What one read of a whole file tells: its fingerprint, whether its text is UTF-8, its line ends."""

    sha256: str
    utf8: bool  # every byte sequence is valid UTF-8 (a BOM allowed)
    lines: int  # lines ending in b"\n" (b"\r" in an old-Mac file), and a last one without its line end
    multibyte: bool = False  # the text holds valid multi-byte UTF-8 (an accent, a curly quote, a euro sign)
    bad_line: int | None = None  # the line (1 = header) of the first byte that is not UTF-8
    long_line: int | None = None  # the first line longer than MAX_LINE_BYTES (its line end not counted)
    held: frozenset[str] = frozenset(HELD)  # which of HELD's characters the file's bytes hold somewhere


def examine(path: Path, chunk_size: int = 1 << 23, max_line: int | None = None) -> Facts:
    """Read ``path`` once: sha256, UTF-8 validity and lines. Raises OSError when it cannot be read.

    Also notes whether the text holds multi-byte UTF-8, the line of the first byte that is not UTF-8, and
    the first line longer than ``max_line`` bytes (MAX_LINE_BYTES). After the first byte that is not UTF-8
    only the UTF-8 forms of accented Latin letters and of three- and four-byte characters (curly quotes,
    the euro sign) count as multi-byte UTF-8: a Windows-1252 file can hold a two-byte UTF-8 look-alike
    ("É" then a non-breaking space) but not those short of mojibake ("Ã©").
    The fingerprint is computed on a second thread while this one counts lines and checks the text
    (hashlib lets go of Python's lock for large buffers), so this takes about as long as hashing alone."""
    max_line = MAX_LINE_BYTES if max_line is None else max_line
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
    utf8, multibyte, bad_line, long_line = True, False, None, None
    ends, eol, last, since = 0, b"", b"", 0  # since: bytes of the line still open at the chunk's start
    present: set[str] = set()  # the characters of HELD seen
    with path.open("rb") as f, ThreadPoolExecutor(max_workers=1) as hasher:
        hashed = None
        while chunk := f.read(chunk_size):
            if hashed:
                hashed.result()  # the chunks are hashed in order
            hashed = hasher.submit(digest.update, chunk)
            if not eol:
                head = chunk[:SNIFF_BYTES]
                eol = b"\r" if b"\r" in head and b"\n" not in head else b"\n"
            if long_line is None:
                long_line, since = _long_line(chunk, eol, since, ends, max_line)
            present.update(c for c in HELD if c.encode() in chunk)  # a memchr each
            if utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                    held = len(decoder.getstate()[0])  # a character cut by the chunk's end: not yet known
                    multibyte = multibyte or pending > 0 or not chunk[:len(chunk) - held].isascii()
                except UnicodeDecodeError as e:
                    utf8, at = False, max(0, e.start - pending)
                    multibyte = multibyte or not chunk[:at].isascii()
                    bad_line = ends + chunk.count(eol, 0, at) + 1
                    multibyte = multibyte or _UTF8_LETTERS.search(chunk, at) is not None
            elif not utf8 and not multibyte and not chunk.isascii():
                multibyte = _UTF8_LETTERS.search(chunk) is not None
            ends, last = ends + chunk.count(eol), chunk[-1:]
        if hashed:
            hashed.result()
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:  # the file ends inside a character
            utf8, bad_line = False, ends + (last not in (eol, b""))
    return Facts(digest.hexdigest(), utf8, ends + (last not in (eol, b"")), multibyte, bad_line, long_line,
                 frozenset(present))


# The UTF-8 forms of À..ÿ and of every three- and four-byte character (see examine).
_UTF8_LETTERS = re.compile(rb"\xc3[\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _long_line(chunk: bytes, eol: bytes, since: int, ends: int, limit: int) -> tuple[int | None, int]:
    """(the line number of the first line in ``chunk`` longer than ``limit`` bytes or None, the bytes of the
    line still open at its end). ``since``: bytes of the line open before the chunk, ``ends``: line ends
    before it. A few searches per chunk, jumping ``limit`` bytes at a time, not one per line."""
    first = chunk.find(eol)
    if first == -1:
        return (ends + 1 if since + len(chunk) > limit else None), since + len(chunk)
    if since + first > limit:
        return ends + 1, 0
    pos = first + 1
    while pos + limit < len(chunk):
        end = chunk.rfind(eol, pos, pos + limit + 1)
        if end == -1:
            return ends + chunk.count(eol, 0, pos) + 1, 0
        pos = end + 1
    return None, len(chunk) - pos


@dataclass
class Table:
    """A file read into a DuckDB temp table of text cells c0..cN, and the spreadsheet row of each record."""

    name: str  # temp table name
    headers: list[str]
    row_expr: str  # SQL over the table giving the spreadsheet row of a record (header = 1)
    rows: int
    description: str  # "CSV, Windows-1252, semicolon-separated" and the like (a Said: kept in every language)
    problems: list[Problem] = field(default_factory=list)  # structural problems (wrong number of fields)
    unheld: frozenset[str] = frozenset()  # characters no cell holds (a CSV without them, or their quotes)

    @property
    def source(self) -> str:
        """A subquery of the records: _row (the spreadsheet row) and the cells c0..cN."""
        cells = ", ".join(f"c{i}" for i in range(len(self.headers)))
        return f"(SELECT {self.row_expr} AS _row, {cells} FROM {self.name})"


def stage(con: duckdb.DuckDBPyConnection, path: Path, display: str, table: str = "cells",
          facts: Callable[[], Facts] | None = None) -> Table:
    """Read the file at ``path`` (shown to the partner as ``display``) into temp table ``table``.

    Raises Refused, with a one-line reason, when the file is not a table. ``facts`` gives the file's Facts
    (``examine``), which a CSV needs once DuckDB has read it: the caller may be computing them meanwhile.
    """
    try:
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as e:
        raise Refused(f"{display}: " + t("cannot be opened ({reason})", reason=e.strerror)) from None
    if not head:
        raise Refused(f"{display}: " + t("the file is empty"))
    con.execute(f"DROP TABLE IF EXISTS {table}")
    if head.startswith(b"PAR1"):
        return _stage_parquet(con, path, display, table)
    if head.startswith(b"PK\x03\x04"):
        return _stage_xlsx(con, path, display, table)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused(f"{display}: " + t("this is an old Excel (.xls) workbook; save it as .xlsx or as CSV and send "
                                         "it again"))
    if head.startswith(b"%PDF"):
        raise Refused(f"{display}: " + t("this is a PDF document, not a table; send the CSV, XLSX or Parquet export"))
    return _stage_csv(con, path, display, table, head, facts or (lambda: examine(path)))


def _encoding(head: bytes, display: str) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head:
        raise Refused(f"{display}: " + t("this is not a text table (it holds binary data); send a CSV, XLSX or "
                                         "Parquet export"))
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start > len(head) - 4:  # a character cut by the sniffing window
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise Refused(
            f"{display}: " + t("the text is neither UTF-8 nor Windows-1252; save it as 'CSV UTF-8' and send it again")
        ) from None


def _header(text: str) -> tuple[str, list[str]]:
    first = text.splitlines()[0] if text else ""  # \n, \r\n and old-Mac \r line ends alike
    counts = {d: _count_outside_quotes(first, d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        delimiter = ","
    row = next(csv.reader([first], delimiter=delimiter), [])
    return delimiter, row


def _count_outside_quotes(line: str, char: str) -> int:
    inside, n = False, 0
    for ch in line:
        if ch == '"':
            inside = not inside
        elif ch == char and not inside:
            n += 1
    return n


def _transcode(path: Path, encoding: str) -> Path:
    """Copy a UTF-16 or Windows-1252 file to a temporary UTF-8 file DuckDB can read (in this process's
    scratch folder, so a copy a killed load leaves is removed at the next start; the caller deletes it)."""
    name = scratch.new_path(".csv")
    try:
        with open(path, encoding=encoding, errors="strict", newline="") as src, open(
            name, "x", encoding="utf-8", newline=""
        ) as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except BaseException:
        name.unlink(missing_ok=True)
        raise
    return name


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, display: str, table: str, head: bytes,
               facts: Callable[[], Facts]) -> Table:
    encoding = _encoding(head, display)
    text = head.decode("utf-16" if encoding == "utf-16" else encoding, errors="ignore").lstrip("\ufeff")
    delimiter, headers = _header(text)
    if not any(h.strip() for h in headers):
        raise Refused(f"{display}: " + t("the first line is empty; the first row must hold the column names"))
    try:
        rows, error = _read_csv(con, path, table, delimiter, len(headers), encoding, display), None
    except duckdb.InvalidInputException as e:
        rows, error = 0, e
    known = facts()
    if not known.utf8 and encoding in ("utf-8", "utf-8-sig", "cp1252"):
        if encoding == "utf-8-sig" or known.multibyte:
            where = display if known.bad_line is None else f"{display}:{known.bad_line}"
            raise Refused(f"{where}: " + t("this line holds a byte that is not UTF-8 (a Windows-1252 character?) "
                                           "while the file's other text is UTF-8, so neither reading is right; save "
                                           "it as 'CSV UTF-8' and send it again"))
        if encoding != "cp1252":  # UTF-8 at the start, but not further on: Excel's "CSV" in Windows-1252
            encoding = "cp1252"
            rows, error = _read_csv(con, path, table, delimiter, len(headers), encoding, display), None
    if error is not None:
        raise Refused(f"{display}: " + t("cannot be read as a CSV table ({reason})", reason=_first_line(error))) from None
    if encoding == "utf-16":  # the line ends of UTF-16 are two bytes: count the lines of a UTF-8 copy
        copy = _transcode(path, encoding)
        try:
            known = dataclasses.replace(examine(copy), sha256=known.sha256)
        finally:
            copy.unlink(missing_ok=True)
    problems = [
        Problem(display, int(line), None, _reject_message(kind, found, len(headers)))
        for line, kind, found in con.execute(
            "SELECT line, error_type, csv_line FROM reject_errors ORDER BY line LIMIT 1000"
        ).fetchall()
    ]
    if known.long_line is not None and all(p.row != known.long_line for p in problems):
        problems = sorted([*problems, Problem(display, known.long_line, None, long_line())], key=lambda p: p.row or 0)
    blanks = _blank_lines(path, encoding, records=rows, lines=known.lines)
    if not problems:
        eol = "\r" if b"\r" in head and b"\n" not in head else "\n"
        unread = known.lines - 1 - rows - len(blanks)
        if unread > 0:  # line breaks inside quoted cells take lines too
            unread -= _breaks_in_cells(con, table, len(headers), eol)
        if unread > 0:
            problems.append(Problem(display, None, None, t(
                "{n} line of the file were skipped by the reader without a reason, so they are neither rows nor "
                "problems; nothing was loaded: export the table again as CSV" if unread == 1 else
                "{n} lines of the file were skipped by the reader without a reason, so they are neither rows nor "
                "problems; nothing was loaded: export the table again as CSV", n=unread)))
    row_expr = f"({table}.rowid + 2)"  # the table keeps the file's order (see _read_csv)
    if blanks:  # DuckDB skips blank lines; a spreadsheet shows them as rows, so count them back in
        con.execute("CREATE OR REPLACE TEMP TABLE blank_lines (records_before BIGINT)")
        con.executemany("INSERT INTO blank_lines VALUES (?)", [[line - 2 - j] for j, line in enumerate(blanks)])
        row_expr = f"({table}.rowid + 2 + (SELECT count(*) FROM blank_lines b WHERE b.records_before <= {table}.rowid))"
    unheld = {c for c in HELD if c not in known.held}
    if '"' in unheld:  # the delimiter is in a cell only when the cell is quoted
        unheld.add(delimiter)
    return Table(table, headers, row_expr, rows, Said(lambda lang: _csv_format(encoding, delimiter, lang)),
                 problems, frozenset(unheld))


def _csv_format(encoding: str, delimiter: str, lang: str) -> str:
    """How a CSV file is written, as the batch log shows it: "CSV, Windows-1252, semicolon-separated"."""
    names = {"utf-8": "UTF-8", "utf-8-sig": t("UTF-8 with BOM", lang), "utf-16": "UTF-16", "cp1252": "Windows-1252"}
    separated = {",": t("comma-separated", lang), ";": t("semicolon-separated", lang), "\t": t("tab-separated", lang),
                 "|": t("pipe-separated", lang)}
    return t("CSV, {encoding}, {separated}", lang, encoding=names[encoding], separated=separated[delimiter])


def _blank_lines(path: Path, encoding: str, records: int, lines: int) -> list[int]:
    """Line numbers (1 = header) of the empty lines of the file; [] when there are none.

    The count of the file's ``lines`` settles the usual case: as many lines as ``records`` plus the header
    means no line is blank (blank lines and line breaks in cells add lines)."""
    if lines <= records + 1 and encoding != "utf-16":  # (UTF-16 line ends are two bytes: lines is not theirs)
        return []
    if encoding != "utf-16":  # the line ends of UTF-8 and Windows-1252 are the same bytes
        return _blank_lines_of(path)
    copy = _transcode(path, encoding)
    try:
        return _blank_lines_of(copy)
    finally:
        copy.unlink(missing_ok=True)


def _blank_lines_of(path: Path, chunk_size: int = 1 << 23) -> list[int]:
    """Line numbers (1 = header) of the empty lines of a file whose line ends are single bytes."""
    blanks: list[int] = []
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
        eol = b"\r" if b"\r" in head and b"\n" not in head else b"\n"
        f.seek(0)
        line, carry, ended = 1, b"", False  # line: number of the line where `carry` starts
        while chunk := f.read(chunk_size):
            data, hold = carry + chunk, b""
            if eol == b"\n":
                if data.endswith(b"\r"):  # maybe half of a \r\n: look at it with the next chunk
                    data, hold = data[:-1], b"\r"
                data = data.replace(b"\r\n", b"\n")
            if not data:
                carry = hold
                continue
            if ended and data.startswith(eol):
                blanks.append(line)
            i = data.find(eol + eol)
            while i != -1:
                blanks.append(line + data.count(eol, 0, i + 1))
                i = data.find(eol + eol, i + 1)
            last = data.rfind(eol)
            line += data.count(eol)
            carry, ended = data[last + 1:] + hold, data.endswith(eol)
    return blanks


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, delimiter: str, width: int,
              encoding: str, display: str) -> int:
    """Copy the CSV's cells (all text) into temp table ``table``, in the file's order; the records copied.
    Rows DuckDB cannot split into ``width`` cells are left out and listed in the temp table reject_errors.
    UTF-16 and Windows-1252 files are read from a UTF-8 copy."""
    source = path
    if encoding in ("utf-16", "cp1252"):
        try:
            source = _transcode(path, encoding)
        except UnicodeError:
            what = t("neither UTF-8 nor Windows-1252") if encoding == "cp1252" else t("not valid {encoding}",
                                                                                    encoding=encoding)
            raise Refused(f"{display}: " + t("the text is {what}; save it as 'CSV UTF-8' and send it again",
                                             what=what)) from None
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    con.execute(f"DROP TABLE IF EXISTS {table}; DROP TABLE IF EXISTS temp.reject_errors; "
                "DROP TABLE IF EXISTS temp.reject_scans")
    statement = (f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv($path, delim=$delim, header=true, "
                 f"auto_detect=false, columns={columns}, quote='\"', escape='\"', store_rejects=true, "
                 f"max_line_size={2 * MAX_LINE_BYTES}, "
                 "ignore_errors=true)")
    params = {"path": str(source), "delim": delimiter}
    try:
        # Row numbers are the records' positions in the table, so the copy must keep the file's order, as
        # DuckDB's order-keeping ("batch") copy does. Should a DuckDB version plan otherwise, stop rather
        # than number rows wrongly.
        plan = "\n".join(str(r[-1]) for r in con.execute("EXPLAIN " + statement, params).fetchall())
        if "batch" not in plan.lower():
            raise RuntimeError("DuckDB would not keep the CSV file's row order; row numbers would be wrong")
        return con.execute(statement, params).fetchall()[0][0]
    finally:
        if source != path:
            source.unlink(missing_ok=True)


def _breaks_in_cells(con: duckdb.DuckDBPyConnection, table: str, width: int, eol: str) -> int:
    """How many line ends (``eol``) the staged cells hold: each is a line of the file inside a quoted cell."""
    eol_sql = "chr(13)" if eol == "\r" else "chr(10)"
    counts = " + ".join(f"coalesce(sum(length(c{i}) - length(replace(c{i}, {eol_sql}, ''))), 0)"
                        for i in range(width))
    return int(con.execute(f"SELECT {counts} FROM {table}").fetchall()[0][0])


def _reject_message(kind: str, found: str, width: int) -> str:
    fields = "" if found is None else t(" (the line reads {line})", line=repr(found[:80]))
    if kind == "MISSING COLUMNS":
        return t("this row has fewer cells than the header's {width} columns{fields}", width=width, fields=fields)
    if kind == "TOO MANY COLUMNS":
        return t("this row has more cells than the header's {width} columns{fields}; is a value with the delimiter "
                 "missing its quotes?", width=width, fields=fields)
    if kind == "LINE SIZE OVER MAXIMUM":
        return long_line()
    if kind == "UNQUOTED VALUE":
        return t("a quote character inside a value is not doubled{fields}", fields=fields)
    return t("this row cannot be read ({reason}){fields}", reason=kind.lower(), fields=fields)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:200]


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, display: str, table: str) -> Table:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as e:  # pyarrow raises several kinds for damaged files
        raise Refused(f"{display}: " + t("a damaged or incomplete Parquet file ({reason}); export it again",
                                         reason=_first_line(e))) from None
    headers = list(schema.names)
    selects = []
    for i, f in enumerate(schema):
        quoted = '"' + f.name.replace('"', '""') + '"'
        kind = str(f.type)
        tz = getattr(f.type, "tz", None)
        if tz:  # a moment in a time zone: the date there, not in UTC (pandas writes local midnight so)
            selects.append(f"strftime(timezone({lit(tz)}, {quoted}), '%Y-%m-%d') AS c{i}")
        elif kind.startswith(("timestamp", "date")):
            selects.append(f"strftime(CAST({quoted} AS DATE), '%Y-%m-%d') AS c{i}")
        elif kind.startswith(("list", "struct", "map", "large_list")):
            raise Refused(f"{display}: " + t("column {column} holds lists or records, not single values",
                                             column=repr(f.name)))
        else:
            selects.append(f"CAST({quoted} AS VARCHAR) AS c{i}")
    try:
        rows = con.execute(f"CREATE TEMP TABLE {table} AS SELECT file_row_number + 2 AS _row, {', '.join(selects)} "
                           "FROM read_parquet($path, file_row_number=true)", {"path": str(path)}).fetchall()[0][0]
    except duckdb.Error as e:
        raise Refused(f"{display}: " + t("a damaged or incomplete Parquet file ({reason}); export it again",
                                         reason=_first_line(e))) from None
    return Table(table, headers, "_row", rows, "Parquet")


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):  # a date cell, with or without a time of day: its date
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):  # as Excel shows it: 15 significant digits, so 0.1+0.2 is 0.3, not 0.30000000000000004
        value = float(f"{value:.15g}")
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _stage_xlsx(con: duckdb.DuckDBPyConnection, path: Path, display: str, table: str) -> Table:
    import openpyxl
    import pyarrow as pa

    try:
        with zipfile.ZipFile(path) as z:
            if "xl/workbook.xml" not in z.namelist():
                raise Refused(f"{display}: " + t("a ZIP archive, not an Excel workbook; send a CSV, XLSX or Parquet "
                                                 "export"))
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Refused:
        raise
    except Exception as e:
        raise Refused(f"{display}: " + t("a damaged Excel workbook ({reason}); save it again as .xlsx",
                                         reason=_first_line(e))) from None
    try:
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header_cells = next(rows_iter, None) or ()
        headers = [_cell_text(c) or "" for c in header_cells]
        while headers and not headers[-1]:
            headers.pop()
        if not headers:
            raise Refused(f"{display}: " + t("the first row of the first sheet is empty; it must hold the column "
                                             "names"))
        width = len(headers)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for n, cells in enumerate(rows_iter, start=2):
            texts = [_cell_text(c) for c in cells[:width]]
            if not any(v not in (None, "") for v in texts):
                continue  # Excel often keeps formatted, empty rows
            texts += [None] * (width - len(texts))
            for i, v in enumerate(texts):
                columns[i].append(v)
            numbers.append(n)
    finally:
        book.close()
    arrow = pa.table({"_row": pa.array(numbers, pa.int64()),
                      **{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}})
    con.register("_xlsx_rows", arrow)
    try:
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM _xlsx_rows")
    finally:
        con.unregister("_xlsx_rows")
    return Table(table, headers, "_row", len(numbers),
                 Said(lambda lang: t("Excel workbook, sheet {sheet}", lang, sheet=repr(sheet.title))))
