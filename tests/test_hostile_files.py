"""Hostile files: nothing dropped, nothing garbled.

Every data line of a CSV is either a stored row or a named problem (a line too long to be a row, a line
the reader skipped), a file that mixes UTF-8 with bytes that are not UTF-8 is refused rather than read
in the wrong encoding, and a NUL byte in a cell is a problem, never stored text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import csv_bytes, rows_from, valid

from siree_metrics.ingest import read

HEADER = b"community_id,partner_id,region,established_on,setting,name\n"
PREFIX = b"C2,ADICE,FRE11,2019-03-15,primary,"  # the cells before the long name: 34 bytes


def three_rows(name_bytes: int) -> bytes:
    """Header + 3 learning communities; C2's line (row 3) is PREFIX + a name of ``name_bytes`` bytes."""
    return (HEADER + b"C1,ADICE,FRE11,2019-03-15,primary,one\n" + PREFIX + b"x" * name_bytes + b"\n"
            + b"C3,ADICE,FRE11,2019-03-15,primary,three\n")


# -- lines too long to be rows ------------------------------------------------------------------------------

def test_a_line_just_under_the_limit_is_stored(load, write_bytes, query):
    # Row 3 is exactly MAX_LINE_BYTES long (34 bytes of cells before the name), so it is a row like any other.
    data = three_rows(read.MAX_LINE_BYTES - len(PREFIX))
    result = load("learning_communities", write_bytes(data, "under.csv"))
    assert result.status == "loaded", result.report()
    assert query("select community_id, source_row, length(name) from learning_communities order by source_row") == [
        ("C1", 2, 3), ("C2", 3, read.MAX_LINE_BYTES - 34), ("C3", 4, 5)]


def test_a_line_just_over_the_limit_is_a_problem_on_its_row(load, write_bytes, db):
    data = three_rows(read.MAX_LINE_BYTES - len(PREFIX) + 1)  # one byte more than the limit
    result = load("learning_communities", write_bytes(data, "over.csv"))
    assert result.status == "refused"
    assert result.report() == [f"over.csv:3: {read.LONG_LINE}",
                               "over.csv: the values were not checked: first correct the lines listed above"]
    assert not db.exists()  # nothing stored, not even an empty database


@pytest.fixture(scope="module")
def line_of_33_mb(tmp_path_factory) -> Path:
    """The issue's file: row 3 is a 33 MB line, longer than DuckDB's 32 MB read buffer, which DuckDB skips
    without a word (rows 2 and 4 were stored as rows 2 and 3, 'loaded 2 rows')."""
    path = tmp_path_factory.mktemp("long") / "long.csv"
    path.write_bytes(three_rows(33_000_000))
    return path


def test_a_33_mb_line_is_not_dropped_silently(load, line_of_33_mb, db):
    result = load("learning_communities", line_of_33_mb)
    assert result.status == "refused"
    assert result.report()[0] == f"long.csv:3: {read.LONG_LINE}"
    assert not db.exists()


def test_the_line_count_catches_a_line_the_reader_skips(line_of_33_mb):
    """The second guard, on its own: with the length limit out of the way (max_line=10**9), DuckDB still
    skips the 33 MB line, and comparing the file's 4 lines with the header + 2 records read names it."""
    with duckdb.connect() as con:
        table = read.stage(con, line_of_33_mb, "long.csv", facts=lambda: read.examine(line_of_33_mb, max_line=10**9))
    assert table.rows == 2
    assert [str(p) for p in table.problems] == [
        "long.csv: 1 line of the file were skipped by the reader without a reason, so they are neither rows nor "
        "problems; nothing was loaded: export the table again as CSV"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_the_line_count_accepts_line_breaks_in_cells_and_blank_lines(check, write_bytes, newline):
    # Lines: 1 header, 2-4 C1 (its quoted name "a", "", "b" spans three lines), 5 blank, 6 C2, 7 blank (the
    # file ends with two line ends): 7 = 1 header + 2 records + 2 line breaks inside the name + 2 blank
    # lines, so no line is unaccounted for. (The blank-line scan also counts line 3, inside the quotes:
    # that can only lower the count of unread lines, never raise a false alarm.) In a spreadsheet C2 is
    # row 4: header 1, C1 2, the blank line 3.
    nl = newline.encode()
    data = (HEADER.replace(b"\n", nl) + b'C1,ADICE,FRE11,2019-03-15,primary,"a' + nl + nl + b'b"' + nl + nl
            + b"C2,ADICE,FRE11,2019-13-15,primary,c" + nl + nl)
    result = check("learning_communities", write_bytes(data, "cells.csv"))
    assert result.rows == 2
    assert [(p.row, p.column, p.message[:12]) for p in result.problems] == [(4, "established_on", "'2019-13-15'")]


# -- lines longer than the limit, found in one pass however the file is cut into chunks ---------------------

@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 11, 64])
def test_examine_finds_the_first_long_line_across_chunks(tmp_path, chunk_size):
    # Lines (1 = first): "ab" (2 bytes), "cdefghij" (8), "k" * 11 (11 > 10), "l" * 12: the first line over
    # 10 bytes is line 3; 4 line ends, so 4 lines.
    path = tmp_path / "lines.csv"
    path.write_bytes(b"ab\ncdefghij\n" + b"k" * 11 + b"\n" + b"l" * 12 + b"\n")
    facts = read.examine(path, chunk_size=chunk_size, max_line=10)
    assert (facts.long_line, facts.lines) == (3, 4)
    path.write_bytes(b"ab\n" + b"k" * 10 + b"\n" + b"l" * 10)  # exactly 10 bytes: not over; 3 lines
    assert read.examine(path, chunk_size=chunk_size, max_line=10).long_line is None


# -- mixed encodings ------------------------------------------------------------------------------------------

def test_examine_notes_multibyte_utf8_and_the_first_bad_byte(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("a\nCafé\n".encode() + b"Caf\xe9\n")  # line 2 UTF-8 é (c3 a9), line 3 Windows-1252 é (e9)
    facts = read.examine(path, chunk_size=4)
    assert (facts.utf8, facts.multibyte, facts.bad_line) == (False, True, 3)
    path.write_bytes(b"a\nCaf\xe9\n" + "Café\n".encode())  # the bad byte first, UTF-8 after it
    facts = read.examine(path, chunk_size=4)
    assert (facts.utf8, facts.multibyte, facts.bad_line) == (False, True, 2)
    path.write_bytes(b"a\nCaf\xe9\n\xc9T\xc9\xa0:\n")  # Windows-1252 only; "\xc9\xa0" (É, no-break space)
    facts = read.examine(path, chunk_size=4)  # looks like UTF-8 but is not counted after a bad byte
    assert (facts.utf8, facts.multibyte, facts.bad_line) == (False, False, 2)


def test_a_utf8_file_with_one_windows_1252_byte_is_refused_on_that_line(load, write_bytes, db):
    """The issue's case: a UTF-8 file whose correction row was typed in Windows-1252. Read as Windows-1252,
    'Café-1' would become 'CafÃ©-1' and the correction a new key."""
    rows = [valid("learning_communities", community_id=f"Café-{i}") for i in range(1, 4)]
    data = csv_bytes(rows_from(rows)) + b"Caf\xe9-1,ADICE,FRE11,2019-03-15,primary\n"  # row 5
    result = load("learning_communities", write_bytes(data, "mixed.csv"))
    assert result.status == "refused"
    assert result.report() == ["mixed.csv:5: this line holds a byte that is not UTF-8 (a Windows-1252 character?) "
                               "while the file's other text is UTF-8, so neither reading is right; save it as "
                               "'CSV UTF-8' and send it again"]
    assert not db.exists()


def test_a_mixed_file_is_refused_when_the_bad_byte_comes_first_and_late(load, write_bytes):
    # 2,000 plain rows push both characters past the first 64 KB the encoding is guessed from; row 2002 has
    # a Windows-1252 é, row 2003 a UTF-8 one.
    rows = [valid("learning_communities", community_id=f"C{i:05d}") for i in range(2000)]
    data = (csv_bytes(rows_from(rows)) + b"Caf\xe9-1,ADICE,FRE11,2019-03-15,primary\n"
            + "Café-2,ADICE,FRE11,2019-03-15,primary\n".encode())
    assert data.index(b"\xe9") > 1 << 16
    result = load("learning_communities", write_bytes(data, "late.csv"))
    assert result.status == "refused"
    assert result.report()[0].startswith("late.csv:2002: this line holds a byte that is not UTF-8")


def test_a_windows_1252_file_still_loads(load, export, write_bytes):
    # No multi-byte UTF-8 anywhere: the Windows-1252 reading applies ("\xe9" is é, "\x92" the curly ').
    data = (b"community_id,partner_id,region,established_on,setting,name\n"
            b"Caf\xe9-1,ADICE,FRE11,2019-03-15,primary,\x92t Kompas\n")
    result = load("learning_communities", write_bytes(data, "cp1252.csv"))
    assert result.status == "loaded", result.report()
    assert "Windows-1252" in result.description
    assert [(r["community_id"], r["name"]) for r in export("learning_communities")] == [("Café-1", "\u2019t Kompas")]


# -- NUL bytes -------------------------------------------------------------------------------------------------

def test_a_nul_byte_in_a_cell_is_a_problem_with_its_row_and_column(load, write_bytes, db):
    # A NUL in the first 64 KB makes the whole file "not a text table"; past them it is a cell's problem.
    # 2,000 plain rows (rows 2..2001), then C2 on row 2002 (NUL in its id) and C3 on row 2003 (NUL in its name).
    rows = [valid("learning_communities", community_id=f"C{i:05d}", name="plain") for i in range(2000)]
    data = (csv_bytes(rows_from(rows)) + b"C2\x00x,ADICE,FRE11,2019-03-15,primary,b\n"
            + b"C3,ADICE,FRE11,2019-03-15,primary,b\x00c\n")
    assert data.index(b"\x00") > 1 << 16
    result = load("learning_communities", write_bytes(data, "nul.csv"))
    assert result.status == "refused"
    message = "holds a NUL character (byte 0), which is not text: the export is damaged; export the table again"
    assert result.report() == [f"nul.csv:2002: community_id: 'C2\\0x' {message}",
                               f"nul.csv:2003: name: 'b\\0c' {message}"]
    assert not db.exists()
