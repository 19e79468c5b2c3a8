"""Reading files: CSV dialects and encodings, Parquet, XLSX, and files that are not tables at all."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import duckdb
import pytest
from helpers import csv_bytes, rows_from, valid

KOMPAS = "\u2019t Kompas"  # the curly apostrophe is byte 0x92 in Windows-1252, a control character in latin-1


def lc_rows(**changes: object) -> list[list[object]]:
    return rows_from([valid("learning_communities", name=KOMPAS, **changes)])


# -- CSV dialects -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter, word, newline", [
    (",", "comma", "\n"), (",", "comma", "\r\n"), (";", "semicolon", "\r\n"), ("\t", "tab", "\r\n"),
    ("|", "pipe", "\n"),
], ids=["comma-LF", "comma-CRLF", "semicolon-CRLF", "tab-CRLF", "pipe-LF"])
def test_each_delimiter_and_line_ending_loads(load, export, write_csv, delimiter, word, newline):
    rows = rows_from([valid("learning_communities", name="Kompas, Roubaix; A|B"),
                      valid("learning_communities", community_id="C002")])
    result = load("learning_communities", write_csv(rows, delimiter=delimiter, newline=newline))
    assert result.status == "loaded", result.report()
    assert result.rows == 2
    assert f"{word}-separated" in result.description
    stored = export("learning_communities")
    assert [r["community_id"] for r in stored] == ["C001", "C002"]
    assert stored[0]["name"] == "Kompas, Roubaix; A|B"  # a quoted value keeps the other delimiters
    assert stored[1]["setting"] == "primary"  # no stray \r on the last column


def test_delimiter_inside_quoted_header_does_not_fool_detection(load, write_bytes, query):
    data = (b'"community_id";"partner_id";"region";"established_on";"setting";"name, if any"\n'
            b'C1;ADICE;FRE11;2019-03-15;primary;x\n')
    result = load("learning_communities", write_bytes(data, "q.csv"))
    assert result.status == "loaded", result.report()
    assert "semicolon" in result.description
    assert query("select community_id from learning_communities") == [("C1",)]


@pytest.mark.parametrize("encoding, bom, name", [
    ("utf-8", False, "UTF-8"),
    ("utf-8", True, "UTF-8 with BOM"),
    ("utf-16", True, "UTF-16"),  # Python's utf-16 codec writes the BOM
    ("cp1252", False, "Windows-1252"),
])
def test_each_encoding_keeps_the_text(load, export, write_csv, encoding, bom, name):
    rows = lc_rows(community_id="Crèche-1")
    result = load("learning_communities", write_csv(rows, delimiter=";", encoding=encoding, bom=bom))
    assert result.status == "loaded", result.report()
    assert result.description == f"CSV, {name}, semicolon-separated"
    stored = export("learning_communities")
    assert stored[0]["name"] == KOMPAS
    assert stored[0]["community_id"] == "Crèche-1"
    assert "\x92" not in stored[0]["name"]  # what a latin-1 decoding would have produced


def test_bom_does_not_stick_to_the_first_header(load, write_csv, query):
    result = load("learning_communities", write_csv(lc_rows(), bom=True))
    assert result.status == "loaded", result.report()
    assert result.warnings == []
    assert query("select community_id from learning_communities") == [("C001",)]


def test_utf16_big_endian_with_bom(load, write_bytes, export):
    text = csv_bytes(lc_rows(), encoding="utf-8").decode()
    result = load("learning_communities", write_bytes(b"\xfe\xff" + text.encode("utf-16-be"), "be.csv"))
    assert result.status == "loaded", result.report()
    assert export("learning_communities")[0]["name"] == KOMPAS


def test_windows_1252_detected_even_when_the_first_accent_is_late(load, export, write_csv):
    filler = [valid("learning_communities", community_id=f"C{i:05d}", name="plain") for i in range(2500)]
    rows = rows_from([*filler, valid("learning_communities", community_id="LAST", name=KOMPAS)])
    path = write_csv(rows, delimiter=";", encoding="cp1252")
    assert path.read_bytes().index(b"\x92") > 1 << 16
    result = load("learning_communities", path)
    assert result.status == "loaded", result.report()[:3]
    assert "Windows-1252" in result.description
    assert export("learning_communities")[-1]["name"] == KOMPAS


def test_cr_only_line_endings_load(load, write_csv, query):
    """Excel for Mac's 'CSV (Macintosh)' ends lines with CR only."""
    rows = rows_from([valid("learning_communities"), valid("learning_communities", community_id="C002")])
    result = load("learning_communities", write_csv(rows, newline="\r"))
    assert result.status == "loaded", result.report()
    assert query("select community_id, setting from learning_communities order by 1") == [
        ("C001", "primary"), ("C002", "primary")]


def test_row_with_too_many_cells_is_a_problem_with_its_row(check, write_bytes):
    data = (b"community_id,partner_id,region,established_on,setting\n"
            b"C1,ADICE,FRE11,2019-03-15,primary\n"
            b"C2,ADICE,FRE11,2019-03-15,primary,extra\n")
    result = check("learning_communities", write_bytes(data, "ragged.csv"))
    assert not result.ok
    assert result.report()[0].startswith("ragged.csv:3: ")
    assert "more cells than the header" in result.report()[0]


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(check, write_bytes):
    data = (b"community_id,partner_id,region,established_on,setting\n"
            b"C1,ADICE,FRE11,2019-03-15,primary\n"
            b"\n"
            b"C2,ADICE,FRE11,2019-13-01,primary\n")
    result = check("learning_communities", write_bytes(data, "blank.csv"))
    assert result.report()[0].startswith("blank.csv:4: established_on: '2019-13-01'")


def test_multi_line_cell_is_one_spreadsheet_row(check, write_bytes):
    data = (b"community_id,partner_id,region,established_on,setting,name\n"
            b'C1,ADICE,FRE11,2019-03-15,primary,"two\nlines"\n'
            b"C2,ADICE,FRE11,2019-13-01,primary,x\n")
    result = check("learning_communities", write_bytes(data, "ml.csv"))
    assert result.report() == ["ml.csv:3: established_on: '2019-13-01' is not a date; write it as YYYY-MM-DD, "
                               "DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYYMMDD"]


# -- Parquet and XLSX ---------------------------------------------------------------------------------------

def test_parquet_with_real_date_and_int_columns(load, write_parquet, query):
    records = [valid("school_attendance", month="2019-03", children_enrolled="20", children_attending="18"),
               valid("school_attendance", school_id="0590002B", month="2019-04", children_enrolled="7",
                     children_attending="7")]
    path = write_parquet("school_attendance", records)
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    assert str(schema.field("month").type) == "date32[day]"
    assert str(schema.field("children_enrolled").type) == "int64"
    result = load("school_attendance", path)
    assert result.status == "loaded", result.report()
    assert result.description == "Parquet"
    assert query("select school_id, month, children_enrolled, children_attending from school_attendance "
                 "order by school_id") == [("0590001A", dt.date(2019, 3, 1), 20, 18),
                                           ("0590002B", dt.date(2019, 4, 1), 7, 7)]


def test_parquet_rows_are_numbered_like_a_spreadsheet(check, write_parquet):
    records = [valid("networks"), valid("networks", network_id="N2"), valid("networks", network_id="N3", members="-2")]
    result = check("networks", write_parquet("networks", records, "n.parquet"))
    assert result.report() == ["n.parquet:4: members: '-2' must be 0 or more"]


def test_xlsx_real_date_cells_and_first_sheet_only(load, write_xlsx, query):
    rows = [["partner_id", "region", "entrepreneur_id", "registered_on", "sector", "jobs_created"],
            ["UOG", "UKJ41", "0590001A", dt.datetime(2019, 3, 15), "catering", 2],
            ["UOG", "UKJ41", "E002", dt.date(2020, 1, 31), "cleaning", 0]]
    # the second sheet is the active one when the workbook opens; the first sheet must still be read
    path = write_xlsx(rows, extra_sheets={"Notes": [["nothing", "here"], [1, 2]]}, active=1)
    result = load("startups", path)
    assert result.status == "loaded", result.report()
    assert result.description == "Excel workbook, sheet 'Data'"
    assert query("select entrepreneur_id, registered_on, jobs_created from startups order by entrepreneur_id") == [
        ("0590001A", dt.date(2019, 3, 15), 2), ("E002", dt.date(2020, 1, 31), 0)]


def test_xlsx_problem_rows_are_spreadsheet_rows_even_after_an_empty_row(check, write_xlsx):
    rows = [["partner_id", "region", "entrepreneur_id", "registered_on", "sector", "jobs_created"],
            ["UOG", "UKJ41", "E1", dt.datetime(2019, 3, 15), "catering", 2],
            [None, None, None, None, None, None],
            ["UOG", "UKJ41", "E2", dt.datetime(2030, 1, 1), "catering", 2.5]]
    result = check("startups", write_xlsx(rows, "s.xlsx"))
    assert result.report() == ["s.xlsx:4: registered_on: '2030-01-01' is in the future",
                               "s.xlsx:4: jobs_created: '2.5' is not a whole number"]


# -- files that are not a table ------------------------------------------------------------------------------

def _zip_without_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return buf.getvalue()


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


NOT_A_TABLE = {
    "binary": (bytes(range(256)) * 40, "binary data"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
    "zip_not_xlsx": (_zip_without_workbook(), "ZIP archive"),
    "old_xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000, ".xls"),
    "utf16_without_bom": ("community_id,partner_id\nC1,ADICE\n".encode("utf-16-le"), "binary data"),
    "empty": (b"", "empty"),
    "blank_first_line": (b"\n\nC1,ADICE\n", "first line is empty"),
    "undecodable_text": (bytes([0x41, 0x81, 0x8d, 0x8f, 0x90, 0x9d, 0x42]) * 10, "neither UTF-8 nor Windows-1252"),
}


@pytest.mark.parametrize("kind", list(NOT_A_TABLE))
def test_not_a_table_gets_one_line_reason_and_no_database_change(load, write_bytes, db, kind):
    data, words = NOT_A_TABLE[kind]
    result = load("learning_communities", write_bytes(data, f"{kind}.csv"))
    assert result.status == "refused"
    assert result.refusal and "\n" not in result.refusal
    assert result.refusal.startswith(f"{kind}.csv: ")
    assert words in result.refusal
    assert result.report() == [result.refusal]
    assert not db.exists()  # a refused file never even opens the database


def test_truncated_parquet_is_refused_in_one_line(load, write_parquet, write_bytes):
    good = write_parquet("networks", [valid("networks")], "good.parquet")
    result = load("networks", write_bytes(_half(good.read_bytes()), "cut.parquet"))
    assert result.status == "refused"
    assert result.refusal.startswith("cut.parquet: a damaged or incomplete Parquet file")
    assert "\n" not in result.refusal


def test_truncated_xlsx_is_refused_in_one_line(load, write_xlsx, write_bytes):
    good = write_xlsx(rows_from([valid("networks")]), "good.xlsx")
    result = load("networks", write_bytes(_half(good.read_bytes()), "cut.xlsx"))
    assert result.status == "refused"
    assert result.refusal.startswith("cut.xlsx: a damaged Excel workbook")
    assert "\n" not in result.refusal


def test_missing_file_is_refused_not_raised(load, tmp_path):
    result = load("networks", tmp_path / "nowhere.csv")
    assert result.status == "refused"
    assert result.refusal == "nowhere.csv: cannot be opened (No such file or directory)"


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_header_only_file_is_refused(load, write_csv, write_parquet, write_xlsx, fmt, db):
    header = list(valid("networks"))
    if fmt == "csv":
        path = write_csv([header])
    elif fmt == "xlsx":
        path = write_xlsx([header])
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = write_csv([header]).with_suffix(".parquet")
        pq.write_table(pa.table({h: pa.array([], pa.string()) for h in header}), path)
    result = load("networks", path)
    assert result.status == "refused"
    assert result.refusal == f"{path.name}: the file has no data rows, only a header"
    assert not db.exists()


@pytest.mark.parametrize("dataset, column, stored", [
    ("startups", "registered_on", dt.date(2019, 3, 15)),
    ("adult_education", "month", dt.date(2019, 3, 1)),
])
def test_parquet_local_midnight_timestamps_keep_their_date(load, query, tmp_path, dataset, column, stored):
    import pyarrow as pa
    import pyarrow.parquet as pq

    record = valid(dataset)
    columns = {k: pa.array([v]) for k, v in record.items()}
    brussels = dt.datetime.combine(stored, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=1)))  # CET, March
    columns[column] = pa.array([brussels], pa.timestamp("us", tz="Europe/Brussels"))
    if "new_enrolments" in columns:
        columns["new_enrolments"] = pa.array([7], pa.int64())
    path = tmp_path / "tz.parquet"
    pq.write_table(pa.table(columns), path)
    result = load(dataset, path)
    assert result.status == "loaded", result.report()
    assert query(f"select {column} from {dataset}") == [(stored,)]


def test_xlsx_date_time_cell_is_taken_as_its_date(load, write_xlsx, query):
    rows = [list(valid("startups")), ["UOG", "UKJ41", "E001", dt.datetime(2019, 3, 15, 10, 30), "catering", 2]]
    result = load("startups", write_xlsx(rows))
    assert result.status == "loaded", result.report()
    assert query("select registered_on from startups") == [(dt.date(2019, 3, 15),)]


# -- Row numbers in a file large enough for DuckDB to read it on several threads -------------------------

BIG_ROWS = 600_000  # about 25 MB: DuckDB reads a file this large on several threads, in parts


def big_attendance_csv(path: Path, bad_row: int | None = None, blank_after: int | None = None) -> Path:
    """A valid school_attendance CSV whose record i (0-based) is school S<i // 58> in month i % 58 from
    2017-03, so a stored row's content tells which line it came from. ``bad_row``: that spreadsheet row
    gets an impossible month; ``blank_after``: an empty line after that many records."""
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT 'ADICE' AS partner_id, 'FRE11' AS region,
                                 'S' || lpad((range // 58)::VARCHAR, 7, '0') AS school_id,
                                 CASE WHEN range + 2 = {bad_row or -1} THEN '2019-13'
                                      ELSE strftime(DATE '2017-03-01' + INTERVAL (range % 58) MONTH, '%Y-%m') END AS month,
                                 20 AS children_enrolled, 18 AS children_attending
                          FROM range({BIG_ROWS})) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()
    if blank_after is not None:
        lines = path.read_bytes().split(b"\n")
        path.write_bytes(b"\n".join([*lines[:blank_after + 1], b"", *lines[blank_after + 1:]]))
    return path


def test_rows_of_a_large_file_keep_their_row_numbers(load, query, tmp_path):
    result = load("school_attendance", big_attendance_csv(tmp_path / "big.csv", blank_after=400_000))
    assert result.status == "loaded" and result.rows == BIG_ROWS
    # Record i sits on row i + 2 before the blank line, and one row further down after it.
    wrong = query("""SELECT count(*) FROM (SELECT *, source_row - 2 - (source_row > 400001)::INT AS i
                                         FROM school_attendance)
                     WHERE i // 58 <> CAST(substr(school_id, 2) AS INT)
                        OR month <> DATE '2017-03-01' + INTERVAL (i % 58) MONTH""")
    assert wrong == [(0,)]
    assert query("SELECT max(source_row) FROM school_attendance") == [(BIG_ROWS + 2,)]


def test_a_problem_deep_in_a_large_file_is_reported_on_its_row(load, tmp_path):
    result = load("school_attendance", big_attendance_csv(tmp_path / "big.csv", bad_row=587_654))
    assert result.status == "refused"
    assert result.report() == ["big.csv:587654: month: '2019-13' is not a month; write it as YYYY-MM, MM/YYYY "
                               "or a date"]


def test_xlsx_amounts_read_as_excel_shows_them(load, write_xlsx, query):
    # A formula cell =0.1+0.2 holds the float 0.30000000000000004, which Excel shows (15 significant digits) as
    # 0.3; read so, it is a valid amount of 0.30. 1234.57 is stored as 1234.5699999999999 and reads as 1234.57.
    rows = [["partner_id", "line_id", "paid_on", "cost_category", "amount_eur"],
            ["LSF", "L1", dt.date(2019, 3, 15), "staff", 0.1 + 0.2],
            ["LSF", "L2", dt.date(2019, 3, 15), "staff", 1234.57]]
    result = load("expenditure", write_xlsx(rows, "money.xlsx"))
    assert result.status == "loaded", result.report()
    assert query("select line_id, amount_eur::varchar from expenditure order by line_id") == [
        ("L1", "0.30"), ("L2", "1234.57")]


# -- which separators a cell can hold (spares the decimal-mark scan) -------------------------------------------

@pytest.mark.parametrize("text, unheld", [
    # comma-separated, no quotes, whole numbers: no cell can hold ',' (it is the delimiter) nor '.'
    ("a,b\n1,2\n", {'"', ",", "."}),
    # a quoted cell: the delimiter may be inside one, so ',' is looked for; '.' still absent
    ('a,b\n"1,5",2\n', {"."}),
    # semicolons, decimal commas, no quotes: "," is in cells; "." is not, nor the delimiter ";"
    ("a;b\n1,5;2\n", {'"', ".", ";"}),
    # a point in a cell, no quotes, comma-separated: ',' cannot be in a cell, '.' can
    ("a,b\n1.5,2\n", {'"', ","}),
], ids=["comma-whole", "comma-quoted", "semicolon-decimal-comma", "comma-decimal-point"])
def test_a_csv_says_which_separators_no_cell_holds(tmp_path: Path, text: str, unheld: set[str]) -> None:
    from siree_metrics.ingest import read

    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    con = duckdb.connect()
    table = read.stage(con, path, "f.csv", facts=lambda: read.examine(path))
    assert set(table.unheld) == unheld


def test_a_decimal_comma_in_a_quoted_cell_is_still_found(load, query, write_bytes) -> None:
    # hours 7,5 in a comma-separated file (the csv writer quotes it) and 1,250 in another row: the decimal-mark
    # scan must run, so 1,250 is one and a quarter hours (the column uses ',' as its decimal mark), not 1250
    rows = rows_from([valid("teacher_training", hours="7,5"), valid("teacher_training", teacher_id="T002", hours="1,250")])
    data = csv_bytes(rows)
    assert b'"7,5"' in data
    assert load("teacher_training", write_bytes(data, "t.csv")).status == "loaded"
    assert query("SELECT teacher_id, hours FROM teacher_training ORDER BY teacher_id") == [("T001", 7.5), ("T002", 1.25)]
